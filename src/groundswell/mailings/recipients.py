"""Who a mailing goes to: its segment minus the suppressions, and how many each one removed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from groundswell.mailings.abtests.audience import audience_restrict
from groundswell.mailings.models import Delivery, DeliveryState, KindOptOut, Mailing
from groundswell.people.models import EmailStatus, Person
from groundswell.segments.selectors import segment_people

# The reasons a segment member is not mailed, in the order they are counted (a person is
# counted under the first that applies), with what the staff page says.
REMOVAL_REASONS: dict[str, str] = {
    "no_email": "no e-mail address",
    "unsubscribed": "unsubscribed",
    "bouncing": "bouncing",
    "complained": "marked a message as spam",
    "no_consent": "no consent recorded",
    "kind_opt_out": "stopped this kind of mailing",
    "recently_mailed": "mailed within the window",
}


def statuses_mailable() -> list[str]:
    """The e-mail statuses a message may go to (no consent recorded only if the law allows)."""
    allowed = [EmailStatus.SUBSCRIBED.value]
    if settings.GROUNDSWELL_MAILING_ALLOW_UNKNOWN_CONSENT:
        allowed += [EmailStatus.UNKNOWN.value, ""]
    return allowed


def _kind_opted_out(mailing: Mailing) -> Exists:
    return Exists(KindOptOut.objects.filter(person_id=OuterRef("pk"), kind=mailing.kind))


def _recently_mailed(mailing: Mailing) -> Q:
    if not mailing.exclude_mailed_within_days:
        return Q(pk__in=[])
    cutoff = timezone.now() - timedelta(days=mailing.exclude_mailed_within_days)
    recent = Delivery.objects.filter(
        person_id=OuterRef("pk"), state=DeliveryState.SENT, sent_at__gte=cutoff
    )
    if mailing.pk:
        recent = recent.exclude(mailing_id=mailing.pk)
    return Q(Exists(recent))


def _reason_filters(mailing: Mailing) -> dict[str, Q]:
    unknown_ok = settings.GROUNDSWELL_MAILING_ALLOW_UNKNOWN_CONSENT
    return {
        "no_email": Q(primary_email=""),
        "unsubscribed": Q(email_status=EmailStatus.UNSUBSCRIBED),
        "bouncing": Q(email_status__in=[EmailStatus.BOUNCING, EmailStatus.PREVIOUS_BOUNCE]),
        "complained": Q(email_status=EmailStatus.SPAM_COMPLAINT),
        "no_consent": Q(pk__in=[]) if unknown_ok else Q(email_status__in=[EmailStatus.UNKNOWN, ""]),
        "kind_opt_out": Q(_kind_opted_out(mailing)),
        "recently_mailed": _recently_mailed(mailing),
    }


def _audience(mailing: Mailing) -> QuerySet[Person]:
    """The segment, narrowed to a variant's share (or to the rest) for an A/B test."""
    return audience_restrict(mailing=mailing, people=segment_people(segment=mailing.segment))


def mailing_recipients(*, mailing: Mailing) -> QuerySet[Person]:
    """The people the mailing goes to: its segment, less everyone a suppression removes."""
    people = _audience(mailing).filter(email_status__in=statuses_mailable())
    for q in _reason_filters(mailing).values():
        people = people.exclude(q)
    return people


def recipients_summary(*, mailing: Mailing) -> dict:
    """The segment's size, how many each suppression removes (first reason that applies),
    and how many are left: one aggregate query."""
    filters = _reason_filters(mailing)
    aggregates = {"segment": Count("pk")}
    earlier = Q()
    for reason, q in filters.items():
        aggregates[reason] = Count("pk", filter=q & ~earlier if earlier else q)
        earlier = earlier | q if earlier else q
    counts = _audience(mailing).aggregate(**aggregates)
    removed = {reason: counts[reason] for reason in filters}
    return {
        "segment": counts["segment"],
        "removed": removed,
        "removed_rows": [(REMOVAL_REASONS[r], n) for r, n in removed.items() if n],
        "recipients": counts["segment"] - sum(removed.values()),
    }
