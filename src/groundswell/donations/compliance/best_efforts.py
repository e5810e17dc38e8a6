"""Best efforts: asking itemizable donors for a missing employer or occupation.

A committee that reports a donor without employer or occupation must show it made "best
efforts" to get them (11 CFR 104.7(b)): among them, one follow-up request within 30 days of
receiving the gift, with a way to answer. Each contribution is asked at most once (its
``BestEffortsRequest``); the answer fills the donor's gifts of the cycle that lack it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.actions.services import site_get
from groundswell.core.spreadsheet import formula_strip
from groundswell.donations.compliance.limits import cycle_bounds, cycle_of, itemized_contributions
from groundswell.donations.compliance.rules import cycle_for
from groundswell.donations.models import BestEffortsRequest, Contribution, cents_display
from groundswell.people.normalize import clean_text
from groundswell.people.services import person_work_set

logger = logging.getLogger(__name__)

ASK_WITHIN_DAYS = 30
STATES = {
    "not_asked": "Not yet asked",
    "asked": "Asked, no answer",
    "answered": "Answered",
}
_MISSING = Q(donor_employer="") | Q(donor_occupation="")


def best_efforts_queue(*, state: str = "not_asked", cycle: int | None = None) -> QuerySet:
    """Itemized contributions of a cycle missing employer or occupation, by follow-up state.

    ``not_asked``: still missing and never asked, what staff can act on first: gifts that may
    still be e-mailed (the nearest deadline first), then those in the window without an e-mail
    address (call or write), then those past the window (an answer can still be recorded);
    ``asked``: a request went out and no answer came; ``answered``: the donor (or staff) answered.
    """
    cycle = cycle or cycle_for(timezone.localdate())
    itemized = itemized_contributions(cycle=cycle).values("pk")
    rows = Contribution.objects.filter(pk__in=itemized).select_related(
        "person", "best_efforts_request"
    )
    sent = BestEffortsRequest.objects.filter(contribution=OuterRef("pk"), sent_at__isnull=False)
    answered = BestEffortsRequest.objects.filter(
        contribution=OuterRef("pk"), answered_at__isnull=False
    )
    if state == "answered":
        return rows.filter(Exists(answered)).order_by("-best_efforts_request__answered_at")
    rows = rows.filter(_MISSING).exclude(Exists(answered))
    if state == "asked":
        return rows.filter(Exists(sent)).order_by("best_efforts_request__sent_at", "id")
    # A gift may be e-mailed through the ASK_WITHIN_DAYS-th day after the (local) day received.
    first_day = timezone.localdate() - timedelta(days=ASK_WITHIN_DAYS)
    window_start = timezone.make_aware(datetime.combine(first_day, time.min))
    in_window = Q(received_at__gte=window_start)
    return (
        rows.exclude(Exists(sent))
        .annotate(
            ask_order=Case(
                When(in_window & ~Q(donor_email=""), then=Value(0)),
                When(in_window, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("ask_order", "received_at", "id")
    )


def ask_deadline(contribution: Contribution):
    """The last day a follow-up still counts as best efforts for this gift."""
    return timezone.localdate(contribution.received_at) + timedelta(days=ASK_WITHIN_DAYS)


@dataclass
class SendResult:
    queued: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def best_efforts_send(
    *, contribution_ids: list[int], user, base_url: str, cycle: int | None = None
) -> SendResult:
    """Queue one follow-up e-mail per chosen contribution that may still be asked; audited.

    Skipped (and counted by reason): already asked, no e-mail address, past the 30 days, or
    no longer missing anything. The e-mails go out in a task once this commits.
    """
    if user is None or not user.can(FINANCE_VIEW):
        raise ValidationError("Your role does not allow sending best-efforts requests.")
    result = SendResult()
    today = timezone.localdate()
    eligible = best_efforts_queue(state="not_asked", cycle=cycle).filter(pk__in=contribution_ids)
    found = {c.pk: c for c in eligible}
    for pk in contribution_ids:
        if pk not in found:
            result.skip("already asked or nothing missing")
    request_ids = []
    with transaction.atomic():
        for contribution in found.values():
            if not contribution.donor_email:
                result.skip("no e-mail address")
                continue
            if ask_deadline(contribution) < today:
                result.skip(f"more than {ASK_WITHIN_DAYS} days since the gift")
                continue
            request, _ = BestEffortsRequest.objects.get_or_create(
                contribution=contribution,
                defaults={"email": contribution.donor_email, "token": secrets.token_urlsafe(32)},
            )
            if request.sent_at:
                result.skip("already asked or nothing missing")
                continue
            request_ids.append(request.pk)
        result.queued = len(request_ids)
        if request_ids:
            audit_record(
                actor=user,
                action=AuditEvent.Action.BEST_EFFORTS,
                summary=f"Best-efforts follow-ups queued for {len(request_ids)} contribution(s)",
                details={"requests": request_ids, "skipped": result.skipped},
            )
            transaction.on_commit(
                lambda: best_efforts_email_send.enqueue(
                    request_ids=request_ids, base_url=base_url.rstrip("/")
                )
            )
    return result


def _from_address() -> str:
    return formataddr((site_get().name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _message(request: BestEffortsRequest, base_url: str, connection) -> mail.EmailMessage:
    contribution = request.contribution
    site = site_get()
    link = base_url + reverse("donor_info:answer", args=[request.token])
    name = contribution.donor_given_name or "friend"
    body = (
        f"Dear {name},\n\n"
        f"Thank you for your contribution of {contribution.amount_display} to {site.name} on "
        f"{timezone.localdate(contribution.received_at):%B %-d, %Y}.\n\n"
        "Federal law requires us to use our best efforts to collect and report the name, "
        "mailing address, occupation and name of employer of individuals whose contributions "
        "exceed $200 in an election cycle. Your gift was reported to us without your "
        "employer or occupation. Would you tell us, at the link below? It takes a minute:\n\n"
        f"{link}\n\n"
        "If you are retired or not employed, just say so.\n\n"
        f"Thank you,\n{site.name}\n"
    )
    return mail.EmailMessage(
        subject=f"A question about your contribution to {site.name}",
        body=body,
        from_email=_from_address(),
        to=[request.email],
        connection=connection,
    )


@task()
def best_efforts_email_send(request_ids: list[int], base_url: str) -> int:
    """Send each best-efforts request once (claimed before sending, released on failure)."""
    sent = 0
    with mail.get_connection() as connection:
        for request in BestEffortsRequest.objects.filter(
            pk__in=request_ids, sent_at__isnull=True
        ).select_related("contribution"):
            # Claimed first so that two runs of this task never send one request twice.
            claimed = BestEffortsRequest.objects.filter(pk=request.pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if not claimed:
                continue
            try:
                _message(request, base_url, connection).send()
            except Exception:
                BestEffortsRequest.objects.filter(pk=request.pk).update(sent_at=None)
                logger.exception("best-efforts e-mail %s failed; it stays unsent", request.pk)
                continue
            sent += 1
    return sent


def best_efforts_answer(
    *, contribution: Contribution, employer: str, occupation: str, user=None, how: str = "web"
) -> int:
    """Record a donor's employer and occupation; returns how many gifts' snapshots it filled.

    Fills the snapshot of the donor's contributions of the cycle that lack them (never
    overwriting what a donor gave with a gift), sets the person's current employer and
    occupation, and marks the requests of those gifts answered. ``user`` is the staff member
    who took the answer by phone or mail (audited); None for the donor's own answer.
    """
    if user is not None and not user.can(FINANCE_VIEW):
        raise ValidationError("Your role does not allow recording donor details.")
    errors = {}
    values = {}
    for name, value in (("employer", employer), ("occupation", occupation)):
        try:
            # Carried unaltered into Schedule A: no formula start (see core.spreadsheet).
            values[name] = formula_strip(clean_text(value, 200))
        except ValueError as exc:
            errors[name] = f"{name.capitalize()} {exc}"
            continue
        if not values[name]:
            errors[name] = f"Enter your {name}."
    if errors:
        raise ValidationError(errors)
    cycle = cycle_of(contribution)
    now = timezone.now()
    with transaction.atomic():
        same_donor = Q(pk=contribution.pk)
        if contribution.donor_key:
            same_donor |= Q(donor_key=contribution.donor_key)
        start, end = cycle_bounds(cycle)
        gifts = Contribution.objects.filter(same_donor, received_at__gte=start, received_at__lt=end)
        filled = set()
        for name in ("employer", "occupation"):
            field_name = f"donor_{name}"
            ids = list(gifts.filter(**{field_name: ""}).values_list("pk", flat=True))
            Contribution.objects.filter(pk__in=ids).update(
                **{field_name: values[name]}, modified_at=now
            )
            filled.update(ids)
        BestEffortsRequest.objects.filter(contribution__in=gifts, answered_at__isnull=True).update(
            answered_at=now
        )
        # A phone answer for a gift never e-mailed still needs its record of best efforts.
        BestEffortsRequest.objects.get_or_create(
            contribution=contribution,
            defaults={
                "email": contribution.donor_email,
                "token": secrets.token_urlsafe(32),
                "answered_at": now,
            },
        )
        if contribution.person_id:
            # The donor's own words are the current truth about them.
            person_work_set(
                person_id=contribution.person_id,
                employer=values["employer"],
                occupation=values["occupation"],
                kind="best_efforts_answer",
                summary=f"Gave employer and occupation ({how})",
                data={"contribution": contribution.pk},
            )
        if user is not None:
            audit_record(
                actor=user,
                action=AuditEvent.Action.BEST_EFFORTS,
                summary=f"Recorded employer and occupation for contribution {contribution.pk} "
                f"({cents_display(contribution.amount_cents)}), given by {how}",
                target=contribution,
                details={"filled": sorted(filled), **values},
            )
    return len(filled)
