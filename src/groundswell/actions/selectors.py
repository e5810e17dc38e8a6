"""Reads of the actions app for the public site, the page builder and the person page.

Public reads show only what is published; staff reads are scoped by the PAGES_EDIT capability.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from groundswell.accounts.roles import PAGES_EDIT, PEOPLE_VIEW
from groundswell.actions.models import (
    ActionPage,
    Exposure,
    IssuePosition,
    PageVariant,
    Referral,
    ReferralCode,
    Submission,
)
from groundswell.core.experiments import (
    Arm,
    Decision,
    Estimate,
    Metric,
    Policy,
    chance,
    decide,
)
from groundswell.core.periods import TimeRange, counts_by_range

# Home page order: the pages that ask the most of a visitor come last.
_KIND_ORDER = {
    ActionPage.Kind.PETITION: 0,
    ActionPage.Kind.SIGNUP: 1,
    ActionPage.Kind.PARTICIPATION: 2,
    ActionPage.Kind.NEWSLETTER: 3,
}


def public_page_get(*, slug: str, user=None) -> ActionPage | None:
    """A page by its slug if it is published (or to staff who build pages, a draft too)."""
    page = ActionPage.objects.filter(slug=slug).first()
    if page is None:
        return None
    if page.published:
        return page
    if user is not None and user.is_authenticated and user.can(PAGES_EDIT):
        return page
    return None


def public_pages() -> list[ActionPage]:
    """The published action pages for the home page, petitions first."""
    pages = list(
        ActionPage.objects.filter(published=True).only(
            "kind", "slug", "title", "headline", "intro", "button_text", "created_at"
        )
    )
    pages.sort(key=lambda p: (_KIND_ORDER.get(p.kind, 9), -p.created_at.timestamp()))
    return pages


def featured_page_default() -> ActionPage | None:
    """The home page's main action when staff chose none: the published page most people have
    taken (then the oldest), so publishing a new page never silently replaces it. The pop-up's
    page is left out: it is meant to appear on other sites."""
    return (
        ActionPage.objects.filter(published=True)
        .exclude(kind=ActionPage.Kind.NEWSLETTER)
        .order_by("-submission_count", "created_at", "pk")
        .first()
    )


def featured_page(*, site) -> tuple[ActionPage | None, bool]:
    """The home page's main action and whether staff chose it (else ``featured_page_default``).

    A chosen page that is no longer published falls back to the default, never a dead button.
    """
    chosen = site.featured_page
    if chosen is not None and chosen.published:
        return chosen, True
    return featured_page_default(), False


def participation_page(*, exclude: ActionPage | None = None) -> ActionPage | None:
    """The newest published participation form (the "volunteer" rung of the ladder)."""
    pages = ActionPage.objects.filter(kind=ActionPage.Kind.PARTICIPATION, published=True)
    if exclude is not None:
        pages = pages.exclude(pk=exclude.pk)
    return pages.first()


def platform_positions(*, published_only: bool = True) -> QuerySet[IssuePosition]:
    """The platform's issue positions in their order."""
    positions = IssuePosition.objects.order_by("order", "id")
    return positions.filter(published=True) if published_only else positions


# ---------------------------------------------------------------- page builder


def page_list(*, user) -> QuerySet[ActionPage]:
    """Every action page, newest first, for staff who build pages."""
    if not user.can(PAGES_EDIT):
        return ActionPage.objects.none()
    return ActionPage.objects.order_by("-created_at", "-id")


def signup_counts(*, user, ranges: list[TimeRange]) -> list[int] | None:
    """How many forms supporters submitted in each range (every action page, the embedded
    forms and the pop-up); None for a role that may not see people."""
    if not user.can(PEOPLE_VIEW):
        return None
    return counts_by_range(Submission.objects.all(), field="received_at", ranges=ranges)


def page_submissions(*, page: ActionPage) -> QuerySet[Submission]:
    """A page's submissions, newest first, with the person each became."""
    return (
        Submission.objects.filter(page=page)
        .select_related("person", "variant")
        .order_by("-received_at", "-id")
    )


@dataclass
class VariantResult:
    variant: PageVariant
    exposures: int
    conversions: int
    estimate: Estimate | None = None  # the posterior, for variants in the running test

    @property
    def rate(self) -> float | None:
        """Conversions per exposure, or None before anyone has seen the variant."""
        return self.conversions / self.exposures if self.exposures else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100 * self.rate

    @property
    def interval(self) -> str:
        """The 90% credible interval of the rate, "4.2–6.0%" ("" outside a running test)."""
        if self.estimate is None:
            return ""
        return f"{100 * self.estimate.low:.1f}–{100 * self.estimate.high:.1f}%"

    @property
    def chance_best(self) -> str:
        """The probability that this variant converts best, "62%" ("" outside a test)."""
        return "" if self.estimate is None else chance(self.estimate.prob_best)


def variant_results(*, page: ActionPage, during: TimeRange | None = None) -> list[VariantResult]:
    """Each variant of a page with its exposures and conversions (submissions) so far, or
    within ``during`` (visitors by when they first saw it, submissions by when they came)."""

    def count_of(model, at: str):
        # Counted in subqueries: two COUNTs over one join would multiply each other.
        rows = model.objects.filter(variant=OuterRef("pk"))
        if during is not None:
            rows = rows.filter(**{f"{at}__gte": during[0], f"{at}__lt": during[1]})
        rows = rows.order_by().values("variant").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    variants = PageVariant.objects.filter(page=page).annotate(
        n_exposures=count_of(Exposure, "seen_at"),
        n_conversions=count_of(Submission, "received_at"),
    )
    return [VariantResult(v, v.n_exposures, v.n_conversions) for v in variants.order_by("id")]


# A page's copy test: conversions per visitor who saw the variant, decided like a mailing test
# (core.experiments). A page sees fewer people than a mailing, so the minimum sample is lower;
# there are no unsubscribes on a page, so the circuit breaker never trips.
PAGE_TEST = Policy(metric=Metric.CONVERSIONS, min_per_variant=250)


@dataclass
class VariantTest:
    """A page's variants with the decision among the active ones.

    `decision` is None when fewer than two variants are active: nothing is being tested (no
    variants, or staff kept a winner, which is then `kept`).
    """

    results: list[VariantResult]
    decision: Decision | None
    kept: VariantResult | None = None
    min_per_variant: int = PAGE_TEST.min_per_variant

    @property
    def winner(self) -> VariantResult | None:
        if self.decision is None or self.decision.winner is None:
            return None
        return next(r for r in self.results if _label(r, self.results) == self.decision.winner)


def _label(result: VariantResult, results: list[VariantResult]) -> str:
    """The variant's name in the decision's sentence; a name two variants share gets its id."""
    name = result.variant.name
    twins = sum(1 for r in results if r.variant.name == name)
    return name if twins == 1 else f"{name} (#{result.variant.pk})"


def variant_test(*, page: ActionPage) -> VariantTest:
    """Each variant's results, and the statistical decision among the active variants."""
    results = variant_results(page=page)
    active = [r for r in results if r.variant.active]
    if len(active) < 2:
        kept = active[0] if len(active) == 1 and len(results) > 1 else None
        return VariantTest(results=results, decision=None, kept=kept)
    arms = [Arm(_label(r, results), r.exposures, successes=r.conversions) for r in active]
    decision = decide(arms=arms, policy=PAGE_TEST)
    for result, estimate in zip(active, decision.estimates, strict=True):
        result.estimate = estimate
    return VariantTest(results=results, decision=decision)


# ---------------------------------------------------------------- referrals


@dataclass
class PersonReferrals:
    """Who recruited a person, and whom they recruited (the newest first, up to a limit)."""

    recruited_by: Referral | None
    recruits: list[Referral]
    recruit_count: int


def referral_code_of(*, person) -> str:
    """The person's share code, or "" if they have none yet (``referral_code_for`` makes one)."""
    return ReferralCode.objects.filter(person=person).values_list("code", flat=True).first() or ""


def person_referrals(*, person, limit: int = 50) -> PersonReferrals:
    """A person's referrals in both directions: one query (two for a prolific recruiter)."""
    rows = list(
        Referral.objects.filter(Q(recruit=person) | Q(recruiter=person))
        .select_related("recruiter", "recruit", "page")
        # Their own recruiter first, then whom they recruited, newest first.
        .order_by(Case(When(recruit=person, then=0), default=1), "-created_at", "-id")[: limit + 2]
    )
    recruited_by = rows[0] if rows and rows[0].recruit_id == person.pk else None
    recruits = [r for r in rows if r.recruit_id != person.pk]
    count = len(recruits)
    if count > limit:
        count = Referral.objects.filter(recruiter=person).exclude(recruit=person).count()
    return PersonReferrals(
        recruited_by=recruited_by, recruits=recruits[:limit], recruit_count=count
    )


def _signups_received(*, start_at, end_before, people: Iterable[int] | None) -> QuerySet:
    """The sign-ups received in ``[start_at, end_before)``: every submission but a failed one;
    with ``people``, only those made by these person ids."""
    rows = Submission.objects.filter(received_at__gte=start_at, received_at__lt=end_before)
    if people is not None:
        rows = rows.filter(person_id__in=people)
    return rows.exclude(status=Submission.Status.FAILED)


def submission_counts_by_refcode(
    *,
    prefix: str,
    start_at,
    end_before,
    refcodes: list[str] | None = None,
    people: Iterable[int] | None = None,
) -> dict[str, int]:
    """Submissions received in ``[start_at, end_before)`` per refcode starting with ``prefix``
    (optionally only those refcodes); failed ones are not sign-ups. ``people``: person ids
    (a list, or a ``values_list("pk", flat=True)`` queryset, which stays a subquery for a
    large segment) whose submissions alone count; None counts everyone's."""
    rows = _signups_received(start_at=start_at, end_before=end_before, people=people)
    rows = rows.filter(refcode__startswith=prefix)
    if refcodes is not None:
        rows = rows.filter(refcode__in=refcodes)
    counted = rows.values("refcode").annotate(n=Count("pk")).order_by()
    return {row["refcode"]: row["n"] for row in counted}


def submission_counts_by_utm(
    *, start_at, end_before, people: Iterable[int] | None = None
) -> list[tuple[str, str, int]]:
    """Submissions received in ``[start_at, end_before)`` per UTM source and medium, most
    first; failed ones are not sign-ups, and ``people`` narrows them as in
    ``submission_counts_by_refcode``."""
    rows = (
        _signups_received(start_at=start_at, end_before=end_before, people=people)
        .values("utm_source", "utm_medium")
        .annotate(n=Count("pk"))
        .order_by("-n", "utm_source", "utm_medium")
    )
    return [(row["utm_source"], row["utm_medium"], row["n"]) for row in rows]
