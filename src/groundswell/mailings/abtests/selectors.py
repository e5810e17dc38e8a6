"""Reads of A/B tests: each variant's counts, and the statistical decision over them.

The decision is ``core.experiments.decide`` (an always-valid sequential test with a Bayesian
posterior, and the circuit breaker); this module only counts, per variant mailing:

* recipients — messages the mail server accepted (the ledger's ``sent`` rows);
* opens and clicks — people with a person's open or click (not a privacy proxy's preload or
  a scanner's click), as the mailing report counts them;
* actions — people behind form submissions carrying the variant's refcode;
* dollars — each donor's net gifts with the variant's refcode, in integer cents (voided and
  charged-back gifts count nothing, refunds are taken off);
* unsubscribes (from all e-mail or from this kind) and complaints, for the circuit breaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW, MAILINGS_SEND
from groundswell.actions.models import Submission
from groundswell.core.experiments import (
    Arm,
    Decision,
    Estimate,
    Metric,
    Policy,
    State,
    chance,
    decide,
    figure,
)
from groundswell.donations.choices import ContributionStatus
from groundswell.donations.models import Contribution
from groundswell.mailings.models import (
    PERSON_CLASSES,
    AbMetric,
    AbTest,
    AbTestState,
    Delivery,
    DeliveryState,
    Engagement,
    EngagementKind,
    Mailing,
    MailingStatus,
)
from groundswell.mailings.report import _suppressions

LETTERS = "ABCD"


def variant_letter(index: int) -> str:
    return LETTERS[index]


def abtest_variants(*, test: AbTest) -> list[Mailing]:
    """The variant mailings of a started test, A first (none while it is a draft)."""
    return list(
        Mailing.objects.filter(parent_id=test.mailing_id).select_related("sender").order_by("pk")
    )


def abtest_policy(*, test: AbTest) -> Policy:
    """The decision rule: core.experiments' defaults with the test's own choices."""
    return Policy(
        metric=Metric(test.metric),
        min_per_variant=test.min_per_variant,
        unsubscribe_limit=test.unsubscribe_limit,
        complaint_limit=test.complaint_limit,
        # The split's seed also seeds the posterior's draws: a test's figures never jitter.
        seed=test.seed,
    )


@dataclass
class VariantCounts:
    letter: str
    mailing: Mailing
    sent: int
    responders: int  # opened, clicked or acted (by the test's metric); donors for dollars
    gifts_cents: list[int]
    unsubscribes: int
    complaints: int

    def arm(self) -> Arm:
        return Arm(
            name=self.letter,
            recipients=self.sent,
            successes=self.responders,
            gifts_cents=tuple(self.gifts_cents),
            unsubscribes=self.unsubscribes,
            complaints=self.complaints,
        )


def recipient_people(*, mailing: Mailing) -> QuerySet:
    """The people a variant reached (the ledger's ``sent`` rows), as a ``person_id`` column:
    the recipients a test and the planning page count (a person is sent a mailing once)."""
    return Delivery.objects.filter(mailing=mailing, state=DeliveryState.SENT).values("person_id")


def responder_people(*, mailing: Mailing, metric: str) -> QuerySet | None:
    """The people who opened, clicked or acted on a variant, as a distinct ``person_id``
    column (None for dollars, counted by ``_gifts``): what a test counts as responders."""
    if metric in (AbMetric.OPENS, AbMetric.CLICKS):
        kind = EngagementKind.OPEN if metric == AbMetric.OPENS else EngagementKind.CLICK
        rows = Engagement.objects.filter(mailing=mailing, kind=kind, hit_class__in=PERSON_CLASSES)
    elif metric == AbMetric.ACTIONS:
        # A form not yet turned into a person is not anyone's action yet.
        rows = Submission.objects.filter(refcode=mailing.effective_refcode, person__isnull=False)
    else:
        return None
    return rows.order_by().values("person_id").distinct()


def _responders(mailing: Mailing, metric: str) -> int:
    people = responder_people(mailing=mailing, metric=metric)
    return 0 if people is None else people.count()


def _gifts(mailing: Mailing) -> list[int]:
    """Each donor's net total with the variant's refcode, in cents (positive ones only)."""
    rows = (
        Contribution.objects.filter(refcode=mailing.effective_refcode, person__isnull=False)
        .exclude(status__in=[ContributionStatus.VOIDED, ContributionStatus.CHARGED_BACK])
        .values("person_id")
        .annotate(net=Sum(F("amount_cents") - F("refunded_cents")))
        .filter(net__gt=0)
        .values_list("net", flat=True)
    )
    return [int(n) for n in rows]


def variant_counts(*, test: AbTest, variants: list[Mailing]) -> list[VariantCounts]:
    """What each variant has gathered so far (a few queries per variant, at most four)."""
    sent = dict(
        Delivery.objects.filter(mailing__in=variants, state=DeliveryState.SENT)
        .values("mailing_id")
        .annotate(n=Count("pk"))
        .values_list("mailing_id", "n")
    )
    rows = []
    for index, variant in enumerate(variants):
        lost = _suppressions(variant)
        gifts = _gifts(variant) if test.metric == AbMetric.DOLLARS else []
        rows.append(
            VariantCounts(
                letter=variant_letter(index),
                mailing=variant,
                sent=sent.get(variant.pk, 0),
                responders=len(gifts) or _responders(variant, test.metric),
                gifts_cents=gifts,
                unsubscribes=lost["unsubscribed"] + lost["unsubscribed_kind"],
                complaints=lost["complained"],
            )
        )
    return rows


@dataclass
class AbTestResults:
    """A started test's variants with their counts and estimates, and the decision."""

    test: AbTest
    rows: list[VariantCounts]
    decision: Decision
    deadline_reached: bool
    estimates: dict[str, Estimate] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        """The decision in one sentence, saying plainly when there is none yet."""
        sentence = self.decision.sentence
        if self.decision.state is State.COLLECTING:
            return f"No decision yet: {sentence[0].lower()}{sentence[1:]}"
        return sentence

    def table(self) -> list[dict]:
        """Each variant's row for the page: counts, mean with its interval, chance best."""
        metric = Metric(self.test.metric)
        rows = []
        for row in self.rows:
            estimate = self.estimates[row.letter]
            rows.append(
                {
                    "letter": row.letter,
                    "mailing": row.mailing,
                    "sent": row.sent,
                    "responders": row.responders,
                    "unsubscribes": row.unsubscribes,
                    "complaints": row.complaints,
                    "mean": figure(metric, estimate.mean),
                    "interval": f"{figure(metric, estimate.low)} – {figure(metric, estimate.high)}",
                    "prob_best": chance(estimate.prob_best),
                    "stopped": estimate.stopped,
                    "winner": self.test.winner_id == row.mailing.pk
                    or (not self.test.winner_id and self.decision.winner == row.letter),
                }
            )
        return rows


def abtest_results(*, test: AbTest, now: datetime | None = None) -> AbTestResults | None:
    """The decision as of now for a started test (None for a draft)."""
    variants = abtest_variants(test=test)
    if test.state == AbTestState.DRAFT or len(variants) < 2:
        return None
    now = now or timezone.now()
    rows = variant_counts(test=test, variants=variants)
    deadline_reached = bool(test.deadline_at and now >= test.deadline_at)
    decision = decide(
        arms=[row.arm() for row in rows],
        policy=abtest_policy(test=test),
        deadline_reached=deadline_reached,
        remaining_share=1 - test.test_percent / 100,
    )
    return AbTestResults(
        test=test,
        rows=rows,
        decision=decision,
        deadline_reached=deadline_reached,
        estimates={e.name: e for e in decision.estimates},
    )


def variants_sending(*, variants: list[Mailing]) -> bool:
    """True while a variant is still going out (its figures are still growing from zero)."""
    return any(
        v.status in (MailingStatus.SENDING, MailingStatus.PAUSED, MailingStatus.SCHEDULED)
        for v in variants
    )


def abtest_for(*, user, mailing: Mailing) -> AbTest | None:
    """The mailing's A/B test, for a user who may send mailings."""
    if not user.can(MAILINGS_SEND):
        return None
    return AbTest.objects.filter(mailing=mailing).select_related("winner", "created_by").first()


def money_visible(*, user, test: AbTest) -> bool:
    """A dollars test's figures are finance data: only finance roles see them."""
    return test.metric != AbMetric.DOLLARS or user.can(FINANCE_VIEW)
