"""Message planning's figures: which issues, page variants and mailing variants worked, for
which segment of supporters, each share with its 95% interval and its n.

Read live from the operational database (submissions, exposures, deliveries and engagements
are not in the analytics extract). Every count reuses its owner's definition:

* issues are the participation form's answers as the actions app stores them on a submission
  (``data["answers"]["issues"]``, position slugs); a person counts once however often they
  answered, with every issue they chose in the dates;
* page variants are ``actions.selectors.variant_results`` (the page's A/B report), split by the
  submitter's segment: visitors are counted without knowing who they are, so a segment's own
  conversion rate does not exist; what does is each variant's share of the segment's sign-ups,
  against the variant's share of all visitors (see ``VariantSegment``);
* mailing variants are ``mailings.abtests.selectors``' recipients and responders, the figures
  of the test's own report, split by the person's segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from groundswell.actions.models import ActionPage, PageVariant, Submission
from groundswell.actions.selectors import platform_positions, variant_results
from groundswell.analytics.planning.segments import (
    segment_counts,
    segment_label,
    segment_of,
    segment_order,
)
from groundswell.analytics.planning.shares import TOO_FEW, Ranking, Share, rank
from groundswell.core.periods import TimeRange
from groundswell.events.ladder.rungs import sees_gifts
from groundswell.mailings.abtests.selectors import (
    abtest_variants,
    recipient_people,
    responder_people,
    variant_letter,
)
from groundswell.mailings.models import AbMetric, AbTest, AbTestState
from groundswell.people.models import Person

EVERYONE = "Everyone"
# The newest tests and pages shown: a planning page, not an archive.
MAX_TESTS = 10
MAX_PAGES = 10


# ---------------------------------------------------------------- platform issues


@dataclass
class IssueSegment:
    label: str
    answered: int  # people who answered the participation form
    shares: dict[str, Share]  # issue title -> people who chose it
    ranking: Ranking

    def rows(self) -> list[tuple[str, Share, bool]]:
        """(issue, share, in the leading group) by share, highest first."""
        return [(t, self.shares[t], t in self.ranking.tied) for t in self.ranking.order]


@dataclass
class IssueFigures:
    segments: list[IssueSegment]  # "Everyone" first
    answered: int


def _participation(during: TimeRange):
    """Participation-form submissions in ``during`` that became a person (not failed ones)."""
    return (
        Submission.objects.filter(
            page__kind=ActionPage.Kind.PARTICIPATION,
            person__isnull=False,
            received_at__gte=during[0],
            received_at__lt=during[1],
        )
        .exclude(status=Submission.Status.FAILED)
        .order_by()
    )


def _issue_answers(during: TimeRange) -> dict[int, set[str]]:
    """Each person who answered the participation form in ``during``, with their issues."""
    rows = _participation(during).values_list("person_id", "data__answers__issues")
    chosen: dict[int, set[str]] = {}
    for person_id, issues in rows.iterator(chunk_size=5000):
        mine = chosen.setdefault(person_id, set())
        if isinstance(issues, list):
            mine.update(str(slug) for slug in issues)
    return chosen


def issue_figures(*, user, dimension: str, during: TimeRange) -> IssueFigures:
    """The share of the participation form's respondents choosing each platform issue, for
    everyone and per segment of ``dimension``, each with its interval."""
    chosen = _issue_answers(during)
    positions = platform_positions(published_only=False).values_list("slug", "title", "published")
    titles = {slug: title for slug, title, _ in positions}
    # Every published position is listed, chosen or not: "nobody here picked it" is a finding.
    listed = [title for _, title, published in positions if published]
    if not chosen:
        return IssueFigures(segments=[], answered=0)
    people = Person.objects.filter(pk__in=_participation(during).values("person_id"))
    keys = segment_of(people, dimension, with_gifts=sees_gifts(user))
    groups: dict[object, list[int]] = {}
    for person_id in chosen:
        if person_id in keys:
            groups.setdefault(keys[person_id], []).append(person_id)
    segments = [_issue_segment(EVERYONE, list(chosen), chosen, titles, listed)]
    for key in segment_order(dimension, groups):
        label = segment_label(dimension, key)
        segments.append(_issue_segment(label, groups[key], chosen, titles, listed))
    return IssueFigures(segments=segments, answered=len(chosen))


def _issue_segment(label, people: list[int], chosen, titles, listed) -> IssueSegment:
    picks: dict[str, int] = {}
    for person_id in people:
        for slug in chosen[person_id]:
            title = titles.get(slug, slug)
            picks[title] = picks.get(title, 0) + 1
    for title in listed:
        picks.setdefault(title, 0)
    shares = {title: Share(k, len(people)) for title, k in picks.items()}
    return IssueSegment(label=label, answered=len(people), shares=shares, ranking=rank(shares))


# ---------------------------------------------------------------- page variants


@dataclass
class VariantCell:
    name: str
    signups: Share  # this variant's sign-ups of the segment's sign-ups
    visitor_share: float | None  # this variant's share of all visitors (None: no visitors)

    @property
    def verdict(self) -> str:
        """Above, below or in line with its share of visitors, only when the interval says so."""
        if self.signups.too_few or self.visitor_share is None:
            return ""
        if self.signups.low > self.visitor_share:
            return "above"
        if self.signups.high < self.visitor_share:
            return "below"
        return "in line"


@dataclass
class VariantSegment:
    """One segment's sign-ups on a page, split by the variant they came through.

    Visitors are assigned to variants at random, so each segment's visitors were split between
    the variants in the same proportions as all visitors; a variant whose share of a segment's
    sign-ups is clearly above its share of visitors converted that segment better.
    """

    label: str
    signups: int
    cells: list[VariantCell]

    @property
    def too_few(self) -> bool:
        return self.signups < TOO_FEW


@dataclass
class OverallVariant:
    name: str
    active: bool
    exposures: int
    conversions: int
    rate: Share  # conversions per visitor


@dataclass
class PageFigures:
    page: ActionPage
    overall: list[OverallVariant]
    ranking: Ranking
    segments: list[VariantSegment] = field(default_factory=list)
    unmatched: int = 0  # sign-ups not yet turned into a person: in the totals, in no segment


def page_figures(*, user, dimension: str, during: TimeRange) -> list[PageFigures]:
    """Each page with copy variants seen or taken in ``during`` (newest first, up to
    MAX_PAGES): its variants' conversion rates, and each segment's sign-ups by variant."""
    seen = Q(
        variants__exposures__seen_at__gte=during[0], variants__exposures__seen_at__lt=during[1]
    )
    taken = Q(
        variants__submissions__received_at__gte=during[0],
        variants__submissions__received_at__lt=during[1],
    )
    pages = list(
        ActionPage.objects.filter(
            pk__in=ActionPage.objects.filter(seen | taken).values("pk")
        ).order_by("-created_at", "-id")[:MAX_PAGES]
    )
    return [_page_figures(page, user, dimension, during) for page in pages]


def _page_figures(page, user, dimension: str, during: TimeRange) -> PageFigures:
    results = variant_results(page=page, during=during)
    names = _variant_names([r.variant for r in results])
    overall = [
        OverallVariant(
            name=names[r.variant.pk],
            active=r.variant.active,
            exposures=r.exposures,
            conversions=r.conversions,
            rate=Share(r.conversions, r.exposures),
        )
        for r in results
    ]
    visitors = sum(r.exposures for r in results)
    visitor_share = {r.variant.pk: (r.exposures / visitors if visitors else None) for r in results}
    figures = PageFigures(
        page=page, overall=overall, ranking=rank({o.name: o.rate for o in overall})
    )
    per_variant: dict[int, dict] = {}
    totals: dict = {}
    for result in results:
        submissions = Submission.objects.filter(
            variant=result.variant, received_at__gte=during[0], received_at__lt=during[1]
        )
        # Submissions, not people, as the report counts conversions: someone who signed
        # twice through one variant counts twice in both.
        counts = _submissions_by_segment(submissions, dimension, user)
        per_variant[result.variant.pk] = counts
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
    everyone = sum(r.conversions for r in results)
    figures.unmatched = everyone - sum(totals.values())
    rows = [(EVERYONE, {r.variant.pk: r.conversions for r in results}, everyone)]
    rows += [
        (
            segment_label(dimension, key),
            {pk: per_variant[pk].get(key, 0) for pk in per_variant},
            totals[key],
        )
        for key in segment_order(dimension, totals)
    ]
    for label, by_variant, signups in rows:
        cells = [
            VariantCell(
                name=names[r.variant.pk],
                signups=Share(by_variant.get(r.variant.pk, 0), signups),
                visitor_share=visitor_share[r.variant.pk],
            )
            for r in results
        ]
        figures.segments.append(VariantSegment(label=label, signups=signups, cells=cells))
    return figures


def _submissions_by_segment(submissions, dimension: str, user) -> dict:
    """The submissions (not people) per segment of the person each became."""
    matched = submissions.filter(person__isnull=False)
    per_person: dict[int, int] = {}
    for person_id in matched.values_list("person_id", flat=True).iterator(chunk_size=5000):
        per_person[person_id] = per_person.get(person_id, 0) + 1
    if not per_person:
        return {}
    keys = segment_of(
        Person.objects.filter(pk__in=matched.values("person_id")),
        dimension,
        with_gifts=sees_gifts(user),
    )
    counts: dict = {}
    for person_id, n in per_person.items():
        key = keys.get(person_id)
        if key is not None:
            counts[key] = counts.get(key, 0) + n
    return counts


def _variant_names(variants: list[PageVariant]) -> dict[int, str]:
    """Each variant's name; a name two variants share gets its id, as the page's report does."""
    names = [v.name for v in variants]
    return {v.pk: v.name if names.count(v.name) == 1 else f"{v.name} (#{v.pk})" for v in variants}


# ---------------------------------------------------------------- mailing variants

# What a mailing variant is measured by here, each a rate per recipient with its interval.
MAIL_METRICS = (
    (AbMetric.OPENS, "Opened"),
    (AbMetric.CLICKS, "Clicked"),
    (AbMetric.ACTIONS, "Acted"),
)


@dataclass
class MailVariantRow:
    letter: str
    subject: str
    mailing_id: int
    sent: int
    rates: list[tuple[str, Share, bool]]  # (metric, share, leads its segment clearly)


@dataclass
class MailSegment:
    label: str
    rows: list[MailVariantRow]
    rankings: dict[str, Ranking]

    @property
    def too_few(self) -> bool:
        return any(r.sent < TOO_FEW for r in self.rows)


@dataclass
class TestFigures:
    test: AbTest
    metric_label: str  # what the test itself decides by
    segments: list[MailSegment]  # "Everyone" first


def mailing_figures(*, user, dimension: str, during: TimeRange) -> list[TestFigures]:
    """Each mailing A/B test started in ``during`` (newest first, up to MAX_TESTS): per
    variant and segment, the share of recipients who opened, clicked and acted."""
    tests = list(
        AbTest.objects.exclude(state=AbTestState.DRAFT)
        .filter(started_at__gte=during[0], started_at__lt=during[1])
        .select_related("mailing")
        .order_by("-started_at", "-id")[:MAX_TESTS]
    )
    figures = []
    for test in tests:
        variants = abtest_variants(test=test)
        if len(variants) >= 2:
            figures.append(_test_figures(test, variants, dimension, sees_gifts(user)))
    return figures


def _by_segment(people_ids, dimension: str, with_gifts: bool) -> dict:
    return segment_counts(
        Person.objects.filter(pk__in=people_ids), dimension, with_gifts=with_gifts
    )


def _test_figures(test: AbTest, variants, dimension: str, with_gifts: bool) -> TestFigures:
    # counts[letter]["sent" | metric][segment key] -> people
    counts: dict[str, dict[str, dict]] = {}
    keys: set = set()
    for index, mailing in enumerate(variants):
        letter = variant_letter(index)
        mine = {"sent": _by_segment(recipient_people(mailing=mailing), dimension, with_gifts)}
        for metric, _ in MAIL_METRICS:
            people = responder_people(mailing=mailing, metric=metric)
            mine[metric] = _by_segment(people, dimension, with_gifts)
        counts[letter] = mine
        for table in mine.values():
            keys.update(table)
    segments = [_mail_segment(EVERYONE, None, variants, counts)]
    for key in segment_order(dimension, keys):
        segments.append(_mail_segment(segment_label(dimension, key), key, variants, counts))
    return TestFigures(test=test, metric_label=AbMetric(test.metric).label, segments=segments)


def _mail_segment(label: str, key, variants, counts) -> MailSegment:
    def count(letter: str, what: str) -> int:
        table = counts[letter][what]
        return sum(table.values()) if key is None else table.get(key, 0)

    letters = [variant_letter(i) for i in range(len(variants))]
    shares = {
        metric: {x: Share(count(x, metric), count(x, "sent")) for x in letters}
        for metric, _ in MAIL_METRICS
    }
    rankings = {metric: rank(by_letter) for metric, by_letter in shares.items()}
    rows = [
        MailVariantRow(
            letter=letter,
            subject=mailing.subject,
            mailing_id=mailing.pk,
            sent=count(letter, "sent"),
            rates=[
                (metric, shares[metric][letter], rankings[metric].leader == letter)
                for metric, _ in MAIL_METRICS
            ],
        )
        for letter, mailing in zip(letters, variants, strict=True)
    ]
    return MailSegment(label=label, rows=rows, rankings=rankings)


@dataclass
class Planning:
    """Everything the page shows, read at ``fresh_at``."""

    dimension: str
    issues: IssueFigures
    pages: list[PageFigures]
    tests: list[TestFigures]
    fresh_at: datetime


def planning_read(*, user, dimension: str, during: TimeRange) -> Planning:
    """The message-planning page's figures for ``user`` (see the module)."""
    return Planning(
        dimension=dimension,
        issues=issue_figures(user=user, dimension=dimension, during=during),
        pages=page_figures(user=user, dimension=dimension, during=during),
        tests=mailing_figures(user=user, dimension=dimension, during=during),
        fresh_at=timezone.now(),
    )
