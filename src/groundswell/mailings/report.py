"""The mailing report: every figure of one mailing's detail page, computed in one place.

What each figure counts (the page says the same in its notes):

* **recipients** — rows of the send ledger; **sent** — accepted by the mail server;
  **delivered** — sent less bounced (a message dropped silently is not seen); **failed** and
  **unknown** (handed over when a worker died, outcome unknown, never re-sent);
  **suppressed** — people whose consent changed after the send started, skipped mid-send.
* **opened** — people with an open by a person (a browser, a mail client or a provider's image
  proxy); people whose only opens are a privacy proxy's preloads (Apple Mail Privacy) are
  counted apart as **machine opens only**. **clicked** — people with a person's click; clicks
  by security scanners are counted apart.
* **unsubscribed** — people who used this mailing's unsubscribe link or one-click header (its
  tokens), split into all e-mail and this kind of mailing.
* **bounced** and **complained** — people with a bounce or complaint on their timeline whose
  returned Message-ID is one of this mailing's deliveries. A report that kept no Message-ID
  (some providers redact it) cannot be tied to a mailing and is not counted here.
* **actions** — form submissions carrying the mailing's refcode (and the people behind them).
* finance roles only: **donors**, **net dollars** (integer cents: gifts with the mailing's
  refcode, less refunds; voided and charged-back gifts count nothing) and **dollars per
  thousand sent**.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.actions.models import Submission
from groundswell.donations.choices import ContributionStatus
from groundswell.donations.models import Contribution
from groundswell.mailings.bounces.services import KIND_BOUNCED, KIND_COMPLAINT
from groundswell.mailings.models import (
    PERSON_CLASSES,
    Delivery,
    DeliveryState,
    Engagement,
    EngagementKind,
    HitClass,
    Mailing,
)
from groundswell.people.models import Activity

UNSUBSCRIBE_KIND = "mailing_unsubscribe"  # the timeline row delivery_unsubscribe writes


@dataclass(frozen=True)
class Money:
    donors: int
    net_cents: int
    per_thousand_cents: int  # net dollars per thousand messages sent, in cents


@dataclass(frozen=True)
class MailingReport:
    refcode: str
    recipients: int
    sent: int
    failed: int
    unknown: int
    suppressed: int
    queued: int
    opened: int
    opened_machine_only: int
    clicked: int
    clicked_scanner_only: int
    unsubscribed: int
    unsubscribed_kind: int
    bounced: int
    complained: int
    actions: int
    action_people: int
    money: Money | None  # None for roles without FINANCE_VIEW: they see no money at all

    @property
    def delivered(self) -> int:
        """Sent and not bounced back (as far as bounce reports tell: a silent drop is unseen)."""
        return max(self.sent - self.bounced, 0)

    def rate(self, count: int) -> float:
        """``count`` as a percentage of messages sent (0 before anything is sent)."""
        return round(100 * count / self.sent, 1) if self.sent else 0.0

    @property
    def rates(self) -> dict[str, float]:
        return {
            name: self.rate(getattr(self, name))
            for name in ("opened", "clicked", "unsubscribed", "bounced", "complained")
        }


def _people(engagements, *, kind: str, classes, unless=None) -> int:
    """People with a hit of ``kind`` in ``classes`` (and none in ``unless``), counted in SQL."""
    rows = engagements.filter(kind=kind, hit_class__in=classes)
    if unless:
        rows = rows.exclude(
            person_id__in=engagements.filter(kind=kind, hit_class__in=unless).values("person_id")
        )
    return rows.values("person_id").distinct().count()


def _engagement(mailing: Mailing) -> dict[str, int]:
    rows = Engagement.objects.filter(mailing=mailing)
    machines = [HitClass.SCANNER, HitClass.MACHINE]
    return {
        "opened": _people(rows, kind=EngagementKind.OPEN, classes=PERSON_CLASSES),
        "opened_machine_only": _people(
            rows, kind=EngagementKind.OPEN, classes=[HitClass.MACHINE], unless=PERSON_CLASSES
        ),
        "clicked": _people(rows, kind=EngagementKind.CLICK, classes=PERSON_CLASSES),
        "clicked_scanner_only": _people(
            rows, kind=EngagementKind.CLICK, classes=machines, unless=PERSON_CLASSES
        ),
    }


def _suppressions(mailing: Mailing) -> dict[str, int]:
    unsubscribes = Activity.objects.filter(kind=UNSUBSCRIBE_KIND, data__mailing=mailing.pk)
    unsubscribed = set(unsubscribes.values_list("person_id", flat=True))
    every = set(unsubscribes.filter(data__scope="all").values_list("person_id", flat=True))
    # Bounce and complaint rows name the Message-ID of the message they returned; ours are per
    # delivery, so matching them ties the row to this mailing.
    people = Delivery.objects.filter(mailing=mailing).values("person_id")
    rows = list(
        Activity.objects.filter(
            kind__in=[KIND_BOUNCED, KIND_COMPLAINT],
            person_id__in=people,
            occurred_at__gte=mailing.created_at,
        ).values_list("kind", "person_id", "data")
    )
    # Only the deliveries of people with such a row are read (few), not the whole ledger.
    ids = dict(
        Delivery.objects.filter(mailing=mailing, person_id__in={row[1] for row in rows})
        .exclude(message_id="")
        .values_list("message_id", "person_id")
    )
    found: dict[str, set[int]] = {KIND_BOUNCED: set(), KIND_COMPLAINT: set()}
    for kind, person_id, data in rows:
        message_id = data.get("message_id", "") if isinstance(data, dict) else ""
        if ids.get(message_id) == person_id:
            found[kind].add(person_id)
    return {
        "unsubscribed": len(every),
        "unsubscribed_kind": len(unsubscribed - every),
        "bounced": len(found[KIND_BOUNCED]),
        "complained": len(found[KIND_COMPLAINT]),
    }


def _money(refcode: str, sent: int) -> Money:
    gifts = Contribution.objects.filter(refcode=refcode).exclude(
        status__in=[ContributionStatus.VOIDED, ContributionStatus.CHARGED_BACK]
    )
    totals = gifts.aggregate(
        net=Sum(F("amount_cents") - F("refunded_cents")),
        donors=Count("person_id", distinct=True, filter=Q(amount_cents__gt=F("refunded_cents"))),
    )
    net = int(totals["net"] or 0)
    return Money(
        donors=totals["donors"] or 0,
        net_cents=net,
        per_thousand_cents=(net * 1000 // sent) if sent else 0,
    )


def mailing_report(*, mailing: Mailing, user) -> MailingReport:
    """Every figure of ``mailing``'s report; the money only for a user with ``FINANCE_VIEW``."""
    ledger = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in DeliveryState.values},
    )
    refcode = mailing.effective_refcode
    actions = Submission.objects.filter(refcode=refcode).aggregate(
        count=Count("pk"), people=Count("person_id", distinct=True)
    )
    sent = ledger[DeliveryState.SENT]
    return MailingReport(
        refcode=refcode,
        recipients=ledger["total"],
        sent=sent,
        failed=ledger[DeliveryState.FAILED],
        unknown=ledger[DeliveryState.SENDING],
        suppressed=ledger[DeliveryState.SUPPRESSED],
        queued=ledger[DeliveryState.QUEUED],
        **_engagement(mailing),
        **_suppressions(mailing),
        actions=actions["count"],
        action_people=actions["people"],
        money=_money(refcode, sent) if user.can(FINANCE_VIEW) else None,
    )
