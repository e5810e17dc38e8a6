"""Reads of the money: the dashboard numbers other apps build on (the finance pages' own
reads, the contribution list and a donor's history, are ``finance.selectors``).

The counting rules, the same everywhere in this module:

- memo rows (``is_memo``, FEC MEMO_CD "X") are kept for the record and never counted;
- money is net of ``refunded_cents``, and a refunded, voided or charged-back gift counts
  nothing at all (no money, no gift, no donor) — see ``COUNTED_STATUSES``;
- a gift belongs to the day it was received, in the campaign's time zone; a later refund
  lowers the day of the gift, not the day of the refund;
- a donor is the contribution's ``donor_key`` when set, else its linked person ("p:<id>",
  the form ``rules.donor_key_for`` gives a linked person), else the contribution alone
  ("c:<id>"). Identity resolution (issue 5) will join keys that are one person; until then
  "Bob Smith" and "Robert Smith" at one ZIP are two donors.

Every number is aggregated in the database, so a dashboard costs the same handful of
queries whether the range holds ten gifts or a million.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.core.untrusted import whole_number
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    RecurringPeriod,
    RecurringSeries,
)

# Only these statuses count; refunded, voided and charged-back gifts count nothing.
COUNTED_STATUSES = (ContributionStatus.PAID, ContributionStatus.PARTIALLY_REFUNDED)

# ---------------------------------------------------------------- ranges and identity


@dataclass(frozen=True)
class DateRange:
    """Whole days from ``start`` to ``end``, both included, in the campaign's time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the range ends before it starts")

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        # The next day's midnight, so the filter is a half-open range an index can use.
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)


def donor_identity() -> Case:
    """The expression naming a contribution's donor: donor_key, else "p:<person>", else "c:<id>"."""
    return Case(
        When(~Q(donor_key=""), then=F("donor_key")),
        When(
            person_id__isnull=False,
            then=Concat(Value("p:"), Cast("person_id", CharField()), output_field=CharField()),
        ),
        default=Concat(Value("c:"), Cast("id", CharField()), output_field=CharField()),
        output_field=CharField(),
    )


def donor_filter(identity: str) -> Q:
    """The contributions of one donor, by the identity ``donor_identity`` gives them.

    A person's identity also takes every gift now linked to them: a merge moves the person
    link to the survivor but leaves the donor_key the gift was counted under ("p:<merged>").
    """
    kind, _, rest = identity.partition(":")
    number = whole_number(rest)
    if kind == "c" and number is not None:
        return Q(pk=number, donor_key="", person__isnull=True)
    query = Q(donor_key=identity)
    if kind == "p" and number is not None:
        query |= Q(person_id=number)
    return query


def _scoped(queryset: QuerySet, *, page_id: int | None, refcode: str | None) -> QuerySet:
    if page_id is not None:
        queryset = queryset.filter(page_id=page_id)
    if refcode is not None:
        queryset = queryset.filter(refcode=refcode)
    return queryset


def contributions_counted(
    *, period: DateRange | None = None, page_id: int | None = None, refcode: str | None = None
) -> QuerySet:
    """Contributions that count toward totals: not memo, not refunded, voided or charged back."""
    queryset = Contribution.objects.filter(is_memo=False, status__in=COUNTED_STATUSES)
    if period is not None:
        queryset = queryset.filter(
            received_at__gte=period.start_at, received_at__lt=period.end_before
        )
    return _scoped(queryset, page_id=page_id, refcode=refcode)


# A gift's net: what was received less what was refunded (the finance pages sum it too).
NET = F("amount_cents") - F("refunded_cents")
_COUNTED_Q = Q(status__in=COUNTED_STATUSES)


def _rounded_div(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves rounded up (cents stay integers)."""
    return (2 * numerator + denominator) // (2 * denominator)


# ---------------------------------------------------------------- the dashboard numbers


@dataclass(frozen=True)
class MoneyTotals:
    """Money in a range: gross received, what went back (refunds, voids, chargebacks), net."""

    gross_cents: int
    refunds_cents: int
    net_cents: int
    count: int
    average_cents: int | None


def money_totals(
    *, period: DateRange, page_id: int | None = None, refcode: str | None = None
) -> MoneyTotals:
    """Gross, refunds, net, the number of counted gifts and their average, in one query."""
    queryset = _scoped(
        Contribution.objects.filter(
            is_memo=False, received_at__gte=period.start_at, received_at__lt=period.end_before
        ),
        page_id=page_id,
        refcode=refcode,
    )
    row = queryset.aggregate(
        gross=Sum("amount_cents"),
        net=Sum(NET, filter=_COUNTED_Q),
        count=Count("pk", filter=_COUNTED_Q),
    )
    gross, net, count = row["gross"] or 0, row["net"] or 0, row["count"]
    return MoneyTotals(
        gross_cents=gross,
        # A voided or charged-back gift is "returned" in full, like a full refund.
        refunds_cents=gross - net,
        net_cents=net,
        count=count,
        average_cents=_rounded_div(net, count) if count else None,
    )


def gift_median_cents(
    *,
    period: DateRange,
    page_id: int | None = None,
    refcode: str | None = None,
    count: int | None = None,
) -> int | None:
    """The median net gift: the middle one (or the mean of the middle two), found by the database.

    The database sorts and skips to the middle, so only one or two amounts are read however
    many gifts the range holds. Pass ``count`` when it is known (``money_totals``) to save a query.
    """
    queryset = contributions_counted(period=period, page_id=page_id, refcode=refcode)
    if count is None:
        count = queryset.count()
    if not count:
        return None
    middle = (count - 1) // 2
    wanted = 1 if count % 2 else 2
    values = list(
        queryset.annotate(net=NET)
        .order_by("net")
        .values_list("net", flat=True)[middle : middle + wanted]
    )
    if not values:  # gifts were deleted between the count and this query
        return None
    return values[0] if len(values) == 1 else _rounded_div(values[0] + values[1], 2)


@dataclass(frozen=True)
class DonorCounts:
    """Distinct donors in a range, split into new (first gift ever in the range) and returning."""

    donors: int
    new: int

    @property
    def returning(self) -> int:
        return self.donors - self.new


def donor_counts(
    *, period: DateRange, page_id: int | None = None, refcode: str | None = None
) -> DonorCounts:
    """Distinct donors in the range, and how many gave for the first time ever in it.

    "First ever" looks at every counted gift the donor made, on any page and any refcode;
    the page and refcode only choose which donors are counted.
    """
    return donor_counts_many(periods=[period], page_id=page_id, refcode=refcode)[0]


def donor_counts_many(
    *, periods: list[DateRange], page_id: int | None = None, refcode: str | None = None
) -> list[DonorCounts]:
    """``donor_counts`` of several ranges in one query (the history is grouped by donor once).

    A donor's first gift ever is the earliest of all their counted gifts: when they gave in a
    range, that earliest gift is before the range's end, so one grouping serves every range.
    """
    scope = Q()
    if page_id is not None:
        scope &= Q(page_id=page_id)
    if refcode is not None:
        scope &= Q(refcode=refcode)
    in_range = {
        f"in{i}": Count(
            "pk", filter=scope & Q(received_at__gte=p.start_at, received_at__lt=p.end_before)
        )
        for i, p in enumerate(periods)
    }
    any_range = Q()
    for name in in_range:
        any_range |= Q(**{f"{name}__gt": 0})
    per_donor = (
        contributions_counted()
        .filter(received_at__lt=max(p.end_before for p in periods))
        .annotate(donor=donor_identity())
        .values("donor")
        .annotate(first_at=Min("received_at"), **in_range)
        .filter(any_range)
    )
    # One pass: the database groups the history by donor, then counts over those groups.
    totals = {}
    for i, p in enumerate(periods):
        totals[f"donors{i}"] = Count("donor", filter=Q(**{f"in{i}__gt": 0}))
        totals[f"new{i}"] = Count("donor", filter=Q(**{f"in{i}__gt": 0}, first_at__gte=p.start_at))
    row = per_donor.aggregate(**totals)
    return [DonorCounts(donors=row[f"donors{i}"], new=row[f"new{i}"]) for i in range(len(periods))]


@dataclass(frozen=True)
class RecurringSummary:
    """Active recurring gifts: how many series, how many donors, monthly recurring revenue."""

    series: int
    donors: int
    monthly_cents: int


def recurring_summary(
    *, as_of: datetime | None = None, page_id: int | None = None, refcode: str | None = None
) -> RecurringSummary:
    """Active series (started by ``as_of``), their distinct donors and monthly recurring revenue.

    Monthly recurring revenue = monthly amounts + weekly amounts × 52 / 12, in cents (a year
    has 52 weeks, not 4 × 12). Series are "active" as they stand now: a series cancelled since
    ``as_of`` is not counted. A series' donor is its person ("p:<id>", as for contributions),
    else the series itself.
    """
    queryset = RecurringSeries.objects.filter(status=RecurringSeries.Status.ACTIVE)
    if as_of is not None:
        queryset = queryset.filter(started_at__lt=as_of)
    queryset = _scoped(queryset, page_id=page_id, refcode=refcode)
    series_donor = Case(
        When(
            person_id__isnull=False,
            then=Concat(Value("p:"), Cast("person_id", CharField()), output_field=CharField()),
        ),
        default=Concat(Value("s:"), Cast("id", CharField()), output_field=CharField()),
        output_field=CharField(),
    )
    row = queryset.aggregate(
        series=Count("pk"),
        donors=Count(series_donor, distinct=True),
        monthly=Sum("amount_cents", filter=Q(period=RecurringPeriod.MONTHLY)),
        weekly=Sum("amount_cents", filter=Q(period=RecurringPeriod.WEEKLY)),
    )
    monthly = (row["monthly"] or 0) + _rounded_div((row["weekly"] or 0) * 52, 12)
    return RecurringSummary(series=row["series"], donors=row["donors"], monthly_cents=monthly)


@dataclass(frozen=True)
class DayTotal:
    day: date
    net_cents: int
    count: int
    donors: int


def totals_by_day(
    *, period: DateRange, page_id: int | None = None, refcode: str | None = None
) -> list[DayTotal]:
    """Net money, gifts and distinct donors for every day of the range (days without gifts too)."""
    rows = (
        contributions_counted(period=period, page_id=page_id, refcode=refcode)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(net=Sum(NET), count=Count("pk"), donors=Count(donor_identity(), distinct=True))
        .order_by("day")
    )
    found = {row["day"]: row for row in rows}
    out = []
    for day in period.each_day():
        row = found.get(day)
        out.append(
            DayTotal(day, row["net"], row["count"], row["donors"])
            if row
            else DayTotal(day, 0, 0, 0)
        )
    return out


@dataclass(frozen=True)
class RefcodeTotal:
    refcode: str
    net_cents: int
    count: int
    donors: int


def totals_by_refcode(
    *, period: DateRange, page_id: int | None = None, limit: int | None = 10
) -> list[RefcodeTotal]:
    """Net money, gifts and donors per refcode, most money first ("" = no refcode)."""
    rows = (
        contributions_counted(period=period, page_id=page_id)
        .values("refcode")
        .annotate(net=Sum(NET), count=Count("pk"), donors=Count(donor_identity(), distinct=True))
        .order_by("-net", "refcode")
    )
    if limit is not None:
        rows = rows[:limit]
    return [RefcodeTotal(r["refcode"], r["net"], r["count"], r["donors"]) for r in rows]


@dataclass(frozen=True)
class Dashboard:
    period: DateRange
    money: MoneyTotals
    median_cents: int | None
    donors: DonorCounts
    recurring: RecurringSummary
    by_day: list[DayTotal]
    by_refcode: list[RefcodeTotal] = field(default_factory=list)


def dashboard(
    *,
    period: DateRange,
    page_id: int | None = None,
    refcode: str | None = None,
    refcode_limit: int = 10,
) -> Dashboard:
    """Every dashboard number for a range (optionally one page or refcode), in six queries."""
    money = money_totals(period=period, page_id=page_id, refcode=refcode)
    return Dashboard(
        period=period,
        money=money,
        median_cents=gift_median_cents(
            period=period, page_id=page_id, refcode=refcode, count=money.count
        ),
        donors=donor_counts(period=period, page_id=page_id, refcode=refcode),
        recurring=recurring_summary(as_of=period.end_before, page_id=page_id, refcode=refcode),
        by_day=totals_by_day(period=period, page_id=page_id, refcode=refcode),
        by_refcode=(
            totals_by_refcode(period=period, page_id=page_id, limit=refcode_limit)
            if refcode is None
            else []
        ),
    )


@dataclass(frozen=True)
class GivingSummary:
    """A range's money and donors, as the finance overview shows them for the same range."""

    money: MoneyTotals
    donors: DonorCounts


def giving_summaries(*, user, periods: list[DateRange]) -> list[GivingSummary] | None:
    """Net raised, gifts and new donors in each range, as the finance overview counts them for
    that range (one query per range and one for all the donors); None without finance data."""
    if not user.can(FINANCE_VIEW):
        return None
    donors = donor_counts_many(periods=periods)
    return [
        GivingSummary(money=money_totals(period=period), donors=counts)
        for period, counts in zip(periods, donors, strict=True)
    ]


def donor_identity_of(contribution: Contribution) -> str:
    """The donor identity of one loaded contribution (the twin of ``donor_identity``)."""
    if contribution.donor_key:
        return contribution.donor_key
    if contribution.person_id:
        return f"p:{contribution.person_id}"
    return f"c:{contribution.pk}"


def totals_by_refcode_prefix(
    *, period: DateRange, prefix: str, refcodes: list[str] | None = None
) -> dict[str, RefcodeTotal]:
    """Net money, gifts and donors per refcode starting with ``prefix`` (optionally only those
    refcodes), counted as every other total is: no memo rows, nothing refunded or voided."""
    rows = contributions_counted(period=period).filter(refcode__startswith=prefix)
    if refcodes is not None:
        rows = rows.filter(refcode__in=refcodes)
    rows = (
        rows.values("refcode")
        .annotate(net=Sum(NET), count=Count("pk"), donors=Count(donor_identity(), distinct=True))
        .order_by()
    )
    return {
        r["refcode"]: RefcodeTotal(r["refcode"], r["net"], r["count"], r["donors"]) for r in rows
    }
