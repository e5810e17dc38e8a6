"""The finance pages' reads: the contribution list, a donor's giving history, and the receipts
that are not individuals' contributions. The counting rules are ``donations.selectors``'.

"Raised from individuals" is ``selectors.money_totals(...).net_cents`` and nothing else: every
``Contribution`` is an individual's gift (a Schedule A import keeps loans, the candidate's and
committees' money, transfers and offsets apart, as ``OtherReceipt``), so that one function is
the one definition the overview, the dashboards and the checks against a filing share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from groundswell.donations.compliance.rules import cycle_for, rule_for
from groundswell.donations.models import Contribution, OtherReceipt, ReceiptKind
from groundswell.donations.selectors import (
    COUNTED_STATUSES,
    NET,
    DateRange,
    donor_filter,
    money_totals,
)
from groundswell.people.models import Person


def raised_from_individuals_cents(*, period: DateRange) -> int:
    """Net money from individuals in the range (refunds, memo rows and voided rows left out)."""
    return money_totals(period=period).net_cents


@dataclass(frozen=True)
class ReceiptTotal:
    kind: str
    label: str
    cents: int
    count: int


def other_receipts_list(*, kind: str = "") -> QuerySet[OtherReceipt]:
    """Every receipt that is not a gift, newest first; one kind when ``kind`` names one."""
    rows = OtherReceipt.objects.all()
    if kind in ReceiptKind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-received_at", "-id")


def other_receipts_totals(*, period: DateRange) -> list[ReceiptTotal]:
    """Receipts that are not gifts, per kind, in the range (memo entries left out), most first."""
    rows = (
        OtherReceipt.objects.filter(
            is_memo=False,
            superseded=False,
            received_at__gte=period.start_at,
            received_at__lt=period.end_before,
        )
        .values("kind")
        .annotate(cents=Sum("amount_cents"), count=Count("pk"))
        .order_by("-cents", "kind")
    )
    labels = dict(ReceiptKind.choices)
    return [
        ReceiptTotal(r["kind"], labels.get(r["kind"], r["kind"]), r["cents"] or 0, r["count"])
        for r in rows
    ]


# ---------------------------------------------------------------- the contribution list

SORTS = {
    "-date": ("-received_at", "-id"),
    "date": ("received_at", "id"),
    "-amount": ("-amount_cents", "-received_at", "-id"),
    "amount": ("amount_cents", "received_at", "id"),
}


@dataclass(frozen=True)
class ContributionFilters:
    """What staff asked the contribution list for; blank means "any"."""

    query: str = ""
    start: date | None = None
    end: date | None = None
    processor: str = ""
    status: str = ""
    election: str = ""
    # "held" (waiting for staff), "resolved" (was held), "never"
    held: str = ""
    # "only" memo rows, "exclude" them
    memo: str = ""
    refcode: str = ""
    page_id: int | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    sort: str = "-date"

    def as_dict(self) -> dict:
        """The filters that are set, as plain values (for the audit log)."""
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value not in ("", None) and not (name == "sort" and value == "-date"):
                out[name] = value.isoformat() if isinstance(value, date) else value
        return out


def _search(query: str) -> Q:
    """A search box entry: an e-mail, a processor id, an order number, a refcode or a name.

    Ids and refcodes match exactly (indexed); names match word by word on the start of the
    given or family name as the donor gave it ("jan doe" finds Janet Doerr).
    """
    query = " ".join(query.split())
    exact = Q(processor_id=query) | Q(order_number=query) | Q(refcode=query)
    if "@" in query:
        return exact | Q(donor_email__iexact=query)
    words = query.split(" ")
    names = Q()
    for word in words:
        names &= Q(donor_given_name__istartswith=word) | Q(donor_family_name__istartswith=word)
    return exact | names


def contribution_list(*, filters: ContributionFilters) -> QuerySet:
    """Contributions matching the filters, in the asked order, with their person and page."""
    queryset = Contribution.objects.select_related("person", "page")
    if filters.query.strip():
        queryset = queryset.filter(_search(filters.query))
    if filters.start:
        queryset = queryset.filter(
            received_at__gte=DateRange(filters.start, filters.start).start_at
        )
    if filters.end:
        queryset = queryset.filter(received_at__lt=DateRange(filters.end, filters.end).end_before)
    for name in ("processor", "status", "election", "refcode"):
        if getattr(filters, name):
            queryset = queryset.filter(**{name: getattr(filters, name)})
    if filters.held == "held":
        queryset = queryset.filter(held_at__isnull=False, hold_resolution="")
    elif filters.held == "resolved":
        queryset = queryset.filter(held_at__isnull=False).exclude(hold_resolution="")
    elif filters.held == "never":
        queryset = queryset.filter(held_at__isnull=True)
    if filters.memo == "only":
        queryset = queryset.filter(is_memo=True)
    elif filters.memo == "exclude":
        queryset = queryset.filter(is_memo=False)
    if filters.page_id is not None:
        queryset = queryset.filter(page_id=filters.page_id)
    if filters.min_cents is not None:
        queryset = queryset.filter(amount_cents__gte=filters.min_cents)
    if filters.max_cents is not None:
        queryset = queryset.filter(amount_cents__lte=filters.max_cents)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["-date"]))


# ---------------------------------------------------------------- a donor's giving history


@dataclass(frozen=True)
class ElectionTotal:
    election: str
    net_cents: int
    count: int


@dataclass(frozen=True)
class CycleTotal:
    cycle: int
    net_cents: int
    count: int
    threshold_cents: int

    @property
    def itemized(self) -> bool:
        # Itemized once the cycle aggregate passes the threshold ($200 federal): above, not at.
        return self.net_cents > self.threshold_cents


@dataclass(frozen=True)
class DonorHistory:
    """One donor's giving: who (as last given, and the person now), totals, per election/cycle."""

    identity: str
    latest: Contribution
    person: Person | None
    net_cents: int
    count: int
    first_at: datetime | None
    by_election: list[ElectionTotal]
    by_cycle: list[CycleTotal]

    @property
    def name(self) -> str:
        given = self.latest.donor_given_name
        family = self.latest.donor_family_name
        return f"{given} {family}".strip() or "(no name given)"


def donor_contributions(*, identity: str) -> QuerySet:
    """Every contribution of one donor (memo rows and refunded ones too), newest first."""
    return Contribution.objects.filter(donor_filter(identity)).select_related("page")


def donor_history(*, identity: str, committee_id: str = "") -> DonorHistory | None:
    """A donor's totals per election and per cycle (counted gifts only), or None if unknown."""
    mine = Contribution.objects.filter(donor_filter(identity))
    latest = mine.select_related("person").order_by("-received_at", "-id").first()
    if latest is None:
        return None
    counted = mine.filter(is_memo=False, status__in=COUNTED_STATUSES)
    by_election = [
        ElectionTotal(row["election"], row["net"], row["count"])
        for row in counted.values("election")
        .annotate(net=Sum(NET), count=Count("pk"))
        .order_by("-election")
    ]
    # Grouped by calendar year in the database, folded into two-year cycles here.
    years = (
        counted.annotate(year=ExtractYear("received_at", tzinfo=timezone.get_current_timezone()))
        .values("year")
        .annotate(net=Sum(NET), count=Count("pk"), first_at=Min("received_at"))
        .order_by()
    )
    cycles: dict[int, list[int]] = {}
    first_at = None
    for row in years:
        totals = cycles.setdefault(cycle_for(date(row["year"], 1, 1)), [0, 0])
        totals[0] += row["net"]
        totals[1] += row["count"]
        first_at = row["first_at"] if first_at is None else min(first_at, row["first_at"])
    by_cycle = []
    for cycle in sorted(cycles, reverse=True):
        rule = rule_for(
            received_at=timezone.make_aware(datetime(cycle, 6, 1)), committee_id=committee_id
        )
        net, count = cycles[cycle]
        by_cycle.append(CycleTotal(cycle, net, count, rule.itemization_threshold_cents))
    return DonorHistory(
        identity=identity,
        latest=latest,
        person=latest.person,
        net_cents=sum(c.net_cents for c in by_cycle),
        count=sum(c.count for c in by_cycle),
        first_at=first_at,
        by_election=by_election,
        by_cycle=by_cycle,
    )
