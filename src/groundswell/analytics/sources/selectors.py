"""The sources page's reads: money, donors and sign-ups by refcode, channel or donation page;
ad spend against the refcodes it paid for; and form and page-variant conversion.

Money (dollars, gift counts, spend) and a gift's refcode are finance data. Other staff see
donor and sign-up counts only, and by refcode only the refcodes their sign-ups carry (a
refcode seen on gifts alone says how someone gave).

A segment narrows money and donors to its donors (``filters.engine_scoped``) and sign-ups to
its people's submissions; ad spend stays what was spent, and conversion the action pages' own
figures. A comparison period adds the totals of the same figures over that period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.actions.models import ActionPage
from groundswell.actions.selectors import (
    submission_counts_by_refcode,
    submission_counts_by_utm,
    variant_results,
)
from groundswell.analytics import metrics
from groundswell.analytics.engine import Engine, engine_open
from groundswell.analytics.filters import comparison_range, engine_scoped, segment_person_ids
from groundswell.analytics.metrics_sources import (
    DIMENSIONS,
    NONE,
    SourceRow,
    SpendTarget,
    channel_for,
    sources,
    spend_targets,
)
from groundswell.analytics.selectors import Compared
from groundswell.analytics.sources.models import AdSpend
from groundswell.core.pagination import Page
from groundswell.donations.models import DonationPage
from groundswell.donations.selectors import DateRange
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people

PER_PAGE = 25
CHART_ROWS = 15
UTM_ROWS = 50
_FIELDS = {"net": "net_cents", "gross": "gross_cents"}
# The totals row's figures: key, label, finance only, in cents.
TOTALS = [
    ("count", "Gifts", True, False),
    ("gross_cents", "Gross", True, True),
    ("net_cents", "Net", True, True),
    ("donors", "Unique donors", False, False),
    ("new", "New donors", False, False),
    ("signups", "Sign-ups", False, False),
]


@dataclass(frozen=True)
class Line:
    """One refcode, channel or page, as the table shows it."""

    key: str
    label: str
    donors: int
    new: int
    signups: int | None  # None where sign-ups have no such grouping (donation pages)
    count: int | None = None  # money: None for viewers without FINANCE_VIEW
    gross_cents: int | None = None
    net_cents: int | None = None

    def sort_value(self, name: str):
        if name == "key":
            return self.label.lower()
        value = getattr(self, _FIELDS.get(name, name))
        return -1 if value is None else value


@dataclass(frozen=True)
class SpendLine:
    """Spend on one refcode (or prefix) within the range, against what it brought."""

    target: str
    cost_cents: int
    net_cents: int
    count: int
    new: int
    signups: int

    @property
    def after_cost_cents(self) -> int:
        return self.net_cents - self.cost_cents

    @property
    def roas(self) -> str:
        """Return on ad spend: net dollars raised per dollar spent, "2.35×"."""
        return f"{self.net_cents / self.cost_cents:.2f}×" if self.cost_cents else ""

    @property
    def cost_per_new_cents(self) -> int | None:
        if not self.new:
            return None
        return (2 * self.cost_cents + self.new) // (2 * self.new)


@dataclass(frozen=True)
class ConversionRow:
    """An action page's views (visitors shown a variant) and the submissions they made."""

    page: ActionPage
    submissions: int  # every submission, the page's own counter
    variants: list = field(default_factory=list)  # actions.selectors.VariantResult

    @property
    def views(self) -> int:
        return sum(v.exposures for v in self.variants)

    @property
    def conversions(self) -> int:
        return sum(v.conversions for v in self.variants)

    @property
    def percent(self) -> float | None:
        return 100 * self.conversions / self.views if self.views else None


@dataclass
class SourcesReport:
    start: date
    end: date
    dimension: str
    sort: str
    finance: bool
    fresh_at: datetime
    engine: str
    lines: list[Line]  # this page's lines
    total_lines: int
    number: int
    chart: list[Line]
    spend: list[SpendLine] = field(default_factory=list)
    utm: list[tuple[str, str, int]] = field(default_factory=list)  # the first UTM_ROWS
    utm_total: int = 0  # how many source and medium pairs there are in all
    segment: Segment | None = None
    segment_size: int = 0  # the segment's people now (nothing to count when 0)
    totals: dict = field(default_factory=dict)  # the range's, by TOTALS key (money: finance)
    before: tuple[date, date] | None = None  # the comparison period, when one was asked for
    before_totals: dict = field(default_factory=dict)

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]

    @property
    def totals_rows(self) -> list[Compared]:
        """The totals (beside the comparison period's when there is one) the viewer may see."""
        return [
            Compared(key, label, self.totals[key], self.before_totals.get(key), money=cents)
            for key, label, money_only, cents in TOTALS
            if self.finance or not money_only
        ]

    @property
    def pager(self) -> Page:
        return Page(self.lines, self.number, PER_PAGE, self.total_lines, False)


def _signups(period: DateRange, people=None) -> dict[str, int]:
    """Sign-ups per refcode; ``people`` (person ids): theirs only."""
    return submission_counts_by_refcode(
        prefix="", start_at=period.start_at, end_before=period.end_before, people=people
    )


def _utm(period: DateRange, people=None) -> list[tuple[str, str, int]]:
    """Sign-ups per UTM source and medium, most first; ``people`` (person ids): theirs only."""
    return submission_counts_by_utm(
        start_at=period.start_at, end_before=period.end_before, people=people
    )


def _signups_by(dimension: str, by_refcode: dict[str, int]) -> dict[str, int] | None:
    if dimension == "refcode":
        return by_refcode
    if dimension == "channel":
        out: dict[str, int] = {}
        for refcode, n in by_refcode.items():
            out[channel_for(refcode)] = out.get(channel_for(refcode), 0) + n
        return out
    return None


def _labels(dimension: str, keys: list[str]) -> dict[str, str]:
    labels = {k: k for k in keys}
    labels[NONE] = "(none)"
    if dimension == "page":
        ids = [int(k[5:]) for k in keys if k.startswith("page:")]
        titles = dict(DonationPage.objects.filter(pk__in=ids).values_list("pk", "title"))
        for key in keys:
            if key.startswith("page:"):
                labels[key] = titles.get(int(key[5:]), f"Deleted page #{key[5:]}")
            elif key.startswith("form:"):
                labels[key] = f"{key[5:]} (processor form)"
    return labels


def _lines(rows: list[SourceRow], signups: dict[str, int] | None, *, dimension, finance, carried):
    """The table's lines; without finance, by refcode only those in ``carried`` (the refcodes
    any sign-up carries, whoever made it: such a refcode is no giving data)."""
    by_key = {r.key: r for r in rows}
    keys = list(by_key)
    if signups is not None:
        keys += [k for k in signups if k not in by_key]
    if not finance and dimension == "refcode":
        keys = [k for k in keys if k in carried or k == NONE]
    labels = _labels(dimension, keys)
    lines = []
    for key in keys:
        row = by_key.get(key) or SourceRow(key, 0, 0, 0, 0, 0)
        money = (
            {"count": row.count, "gross_cents": row.gross_cents, "net_cents": row.net_cents}
            if finance
            else {}
        )
        lines.append(
            Line(
                key=key,
                label=labels[key],
                donors=row.donors,
                new=row.new,
                signups=None if signups is None else signups.get(key, 0),
                **money,
            )
        )
    return lines


def _sorted(lines: list[Line], sort: str) -> list[Line]:
    name = sort.lstrip("-")
    descending = sort.startswith("-")
    # Ties in label order, whichever way the column runs.
    ordered = sorted(lines, key=lambda line: line.label.lower())
    return sorted(ordered, key=lambda line: line.sort_value(name), reverse=descending)


def spend_in_range(spend: AdSpend, start: date, end: date) -> int:
    """The entry's cents spread evenly over its days, for the days inside [start, end]."""
    first, last = max(spend.start, start), min(spend.end, end)
    overlap = (last - first).days + 1
    if overlap <= 0:
        return 0
    return (2 * spend.amount_cents * overlap + spend.days) // (2 * spend.days)


def _spend_lines(engine, period: DateRange, signups: dict[str, int]) -> list[SpendLine]:
    entries = AdSpend.objects.filter(start__lte=period.end, end__gte=period.start)
    costs: dict[tuple[str, bool], int] = {}
    for entry in entries:
        key = (entry.refcode, entry.prefix)
        costs[key] = costs.get(key, 0) + spend_in_range(entry, period.start, period.end)
    targets = [SpendTarget(refcode, prefix) for refcode, prefix in sorted(costs)]
    figures = spend_targets(engine, start=period.start, end=period.end, targets=targets)
    lines = []
    for target, got in zip(targets, figures, strict=True):
        matched = sum(
            n
            for code, n in signups.items()
            if (code.startswith(target.refcode) if target.prefix else code == target.refcode)
        )
        lines.append(
            SpendLine(
                target=f"{target.refcode}*" if target.prefix else target.refcode,
                cost_cents=costs[(target.refcode, target.prefix)],
                net_cents=got.net_cents,
                count=got.count,
                new=got.new,
                signups=matched,
            )
        )
    return lines


def _totals(engine: Engine, *, start: date, end: date, signups: dict, finance: bool) -> dict:
    """The range's totals: unique and new donors over every source (a donor counts once however
    many refcodes they gave through), sign-ups, and for finance money as the overview counts
    it (each gift has one refcode, channel and page, so the table's money adds up to it)."""
    donors = metrics.donors(engine, start=start, end=end)
    totals = {"donors": donors.donors, "new": donors.new, "signups": sum(signups.values())}
    if finance:
        money = metrics.money_totals(engine, start=start, end=end)
        totals.update(count=money.count, gross_cents=money.gross_cents, net_cents=money.net_cents)
    return totals


def sources_read(
    *,
    user,
    start: date,
    end: date,
    dimension: str,
    sort: str | None,
    page: int,
    segment: Segment | None = None,
    compare: str = "",
) -> SourcesReport:
    """One page of the sources table, the chart's top lines, the totals (beside the comparison
    period's with ``compare``) and (finance) the spend lines; with a segment, its donors' and
    people's only. The segment must be one the viewer may see (``filters.filters_read``
    chooses only those)."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("the sources page is for staff who may see people")
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    finance = user.can(FINANCE_VIEW)
    sort = sort or ("-net" if finance else "-donors")
    if not finance and sort.lstrip("-") in ("count", "net", "gross"):
        sort = "-donors"
    period = DateRange(start, end)
    ids = segment_person_ids(segment) if segment is not None else None
    # The segment's ids as a subquery for sign-ups: a list as long as a large segment would
    # pass SQLite's limit on a query's parameters.
    people = (
        segment_people(segment=segment).values_list("pk", flat=True)
        if segment is not None
        else None
    )
    carried = _signups(period)
    by_refcode = carried if people is None else _signups(period, people)
    before = comparison_range(start, end, compare)
    with engine_open() as whole:
        engine = whole if ids is None else engine_scoped(whole, ids)
        rows = sources(engine, start=start, end=end, dimension=dimension)
        spend = _spend_lines(engine, period, by_refcode) if finance else []
        totals = _totals(engine, start=start, end=end, signups=by_refcode, finance=finance)
        before_totals = {}
        if before is not None:
            earlier = _signups(DateRange(*before), people)
            before_totals = _totals(
                engine, start=before[0], end=before[1], signups=earlier, finance=finance
            )
        fresh_at, engine_label = engine.fresh_at, engine.name
    lines = _lines(
        rows,
        _signups_by(dimension, by_refcode),
        dimension=dimension,
        finance=finance,
        carried=carried,
    )
    last = max(1, -(-len(lines) // PER_PAGE))
    number = min(page, last)
    ordered = _sorted(lines, sort)
    chart_by = "-net" if finance else "-donors"
    utm = _utm(period, people)
    return SourcesReport(
        start=start,
        end=end,
        dimension=dimension,
        sort=sort,
        finance=finance,
        fresh_at=fresh_at,
        engine=engine_label,
        lines=ordered[(number - 1) * PER_PAGE : number * PER_PAGE],
        total_lines=len(lines),
        number=number,
        chart=_sorted(lines, chart_by)[:CHART_ROWS],
        spend=spend,
        utm=utm[:UTM_ROWS],
        utm_total=len(utm),
        segment=segment,
        segment_size=len(ids or ()),
        totals=totals,
        before=before,
        before_totals=before_totals,
    )


def conversion_rows(*, user) -> list[ConversionRow]:
    """Every action page's submissions, and for pages testing copy, each variant's views and
    submissions: the actions app's own counts (``variant_results``), as its page shows them."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("conversion is for staff who may see people")
    pages = ActionPage.objects.order_by("-created_at", "-id").prefetch_related("variants")
    rows = []
    for page in pages:
        variants = variant_results(page=page) if page.variants.all() else []
        rows.append(ConversionRow(page=page, submissions=page.submission_count, variants=variants))
    return rows
