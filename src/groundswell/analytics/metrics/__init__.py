"""The metric layer: each figure defined once, as an Ibis expression over two tables.

``contributions`` and ``memberships`` (see ``analytics.engine``) are the same on every backend,
so these definitions run unchanged on the DuckDB extract and on PostgreSQL.

The counting rules are the other apps' own, not new ones:

- money (donations.selectors): memo rows never count; a gift counts when its status is one of
  ``COUNTED_STATUSES`` (a refunded, voided or charged-back gift counts nothing); net dollars are
  ``amount_cents - refunded_cents`` of counted gifts; gross dollars are every non-memo gift's
  amount, as the finance page shows them;
- days are the campaign's (settings.TIME_ZONE): a gift at 23:30 on January 31 in New York is
  January's, though it is February in UTC; weeks start on Monday;
- donors (identity.selectors): a donor is the gift's cluster of the latest resolution run, else
  its person's cluster, else the name+ZIP5 key (gifts newer than the run); FEC refund rows
  (22Y) are no gifts; a donor counts in a range when they have a counted gift in it. Before
  any run, every gift falls back to the name+ZIP5 key (the figure says it is not resolved).
  The naive key uses SQL lower() where identity uses Python's casefold(): they differ only for
  a few letters (ß, ligatures), which no US name+ZIP key in our data relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.datatypes as dt
from django.conf import settings
from ibis.common.exceptions import IbisError

from groundswell.analytics.engine import Engine
from groundswell.donations.selectors import COUNTED_STATUSES
from groundswell.identity.models import RecordKind

GRAINS = ("day", "week", "month")
_TRUNCATE = {"week": "W", "month": "M"}
_FEC_REFUND = "22Y"  # identity.selectors._REFUND_TYPE: a refund row that found no gift

# name → (label, finance-only, definition), for the pages and the benchmark to list.
METRICS: dict[str, tuple[str, bool, Callable]] = {}


def metric(name: str, label: str, *, finance: bool):
    """Register a metric definition under its one name."""

    def register(fn: Callable) -> Callable:
        METRICS[name] = (label, finance, fn)
        return fn

    return register


@ibis.udf.scalar.builtin
def timezone(zone: str, moment: dt.Timestamp(timezone="UTC")) -> dt.timestamp:  # type: ignore[empty-body]
    """SQL's timezone(zone, timestamptz): the wall-clock time there (DuckDB and PostgreSQL)."""


@ibis.udf.scalar.builtin
def from_utc_timestamp(moment: dt.Timestamp(timezone="UTC"), zone: str) -> dt.timestamp:  # type: ignore[empty-body]
    """Spark's spelling of the same (its session time zone is UTC: ``identity.spark``)."""


def local_time(table: ibis.Table | ibis.Column, moment: ibis.Column):
    """The wall-clock time of a UTC moment in the campaign's time zone, on ``table``'s engine."""
    try:
        spark = ibis.get_backend(table).name == "pyspark"
    except IbisError:
        spark = False  # unbound tables: the extract's, which DuckDB runs (``engine``)
    if spark:
        return from_utc_timestamp(moment, settings.TIME_ZONE)
    return timezone(settings.TIME_ZONE, moment)


def _local_day(table: ibis.Table) -> ibis.Table:
    """Each gift with ``day``, the date it was received in the campaign's time zone."""
    return table.mutate(day=local_time(table, table.received_at).date())


def trimmed(column: ibis.StringValue) -> ibis.StringValue:
    """The text without spaces at either end, the same on every engine. Not Ibis's ``strip``:
    on Spark it trims with the literal ' \\t\\n\\r\\v\\f', which Spark SQL reads as a space,
    tab, newlines, a "v" and an "f", so "fb-spring" lost its "f" and "Fred" became "red"."""
    return column.re_replace(r"^\s+|\s+$", "")


def _in_range(table: ibis.Table, start: date, end: date) -> ibis.Table:
    # Whole local days, both ends included.
    return table.filter(table.day >= start, table.day <= end)


def _gifts(engine: Engine) -> ibis.Table:
    """Non-memo gifts with their local day: what money is counted over."""
    c = engine.contributions
    return _local_day(c.filter(~c.is_memo))


def _is_counted(table: ibis.Table):
    return table.status.isin([str(s) for s in COUNTED_STATUSES])


def _naive_key(table: ibis.Table):
    def words(column):
        return trimmed(column.fill_null("").lower().re_replace(r"\s+", " "))

    zip5 = table.donor_postal_code.fill_null("").re_replace(r"[^0-9]", "").substr(0, 5)
    return "n:" + words(table.donor_given_name) + "|" + words(table.donor_family_name) + "|" + zip5


def donor_gifts(engine: Engine) -> ibis.Table:
    """Counted gifts with ``donor``, the identity key they are counted under, and ``net``.

    The DuckDB engine reads them as kept in the extract (``analytics.stored`` runs this same
    expression at refresh time); the other engines compute them here, on each query.
    """
    if engine.donor_gifts is not None:
        return engine.donor_gifts
    gifts = _gifts(engine)
    gifts = gifts.filter(_is_counted(gifts), gifts.transaction_type != _FEC_REFUND)
    keyed = donor_keyed(engine, gifts)
    # The name the lists show (the latest gift's): written out once per gift, here.
    name = keyed.donor_given_name.fill_null("") + " " + keyed.donor_family_name.fill_null("")
    return keyed.mutate(donor_name=name)


def donor_keyed(engine: Engine, gifts: ibis.Table) -> ibis.Table:
    """Any contribution rows with ``donor`` (their identity key) and ``net``."""
    m = engine.memberships
    by_gift = m.filter(m.record_kind == str(RecordKind.CONTRIBUTION)).select(
        gift_id=m.record_id, gift_key=m.cluster_key
    )
    by_person = m.filter(m.record_kind == str(RecordKind.PERSON)).select(
        member_id=m.record_id, person_key=m.cluster_key
    )
    joined = gifts.left_join(by_gift, gifts.id == by_gift.gift_id).left_join(
        by_person, gifts.person_id == by_person.member_id
    )
    return joined.mutate(
        # A CASE, not coalesce(): the name+ZIP key (three regular expressions) is then
        # worked out only for the few gifts no cluster holds.
        donor=ibis.cases(
            (joined.gift_key.notnull(), joined.gift_key),
            (joined.person_key.notnull(), joined.person_key),
            else_=_naive_key(joined),
        ),
        net=joined.amount_cents - joined.refunded_cents,
    )


def page_rows(engine: Engine, table: ibis.Table, *, limit: int, offset: int) -> list[dict]:
    """One page of an ordered table's rows, as dicts."""
    page = table.limit(limit, offset=offset)
    # Named columns on top: Spark pages with a row number that would otherwise come back too.
    return engine.arrow(page.select(*table.columns)).to_pylist()


def page_with_total(
    engine: Engine, table: ibis.Table, *, key: str, order: list, limit: int, offset: int
) -> tuple[list[dict], int]:
    """One page of ``table`` in ``order``, and how many rows (non-null ``key``) it holds.

    The total rides along each row (a window over the whole table): one grouping, one query.
    A page past the end has no row to carry it, so only then is the table counted apart.
    """
    counted = table.mutate(_total=table[key].count().over(ibis.window()))
    found = page_rows(engine, counted.order_by(order), limit=limit, offset=offset)
    if found:
        return found, int(found[0]["_total"])
    if offset:
        return found, int(engine.arrow(table[key].count()).as_py())
    return found, 0


def donor_names(engine: Engine, gifts: ibis.Table, keys: list[str]) -> dict[str, str]:
    """The name on each of these donors' latest gift among ``gifts``: for one page of a list.

    Asked apart from the list's grouping, for the page's donors only: taking every donor's
    latest name in that grouping cost a quarter of a LYBUNT view at 10,000,000 gifts.
    """
    if not keys:
        return {}
    chosen = gifts.filter(gifts.donor.isin(keys))
    names = chosen.group_by("donor").aggregate(name=chosen.donor_name.argmax(chosen.received_at))
    return {r["donor"]: " ".join(r["name"].split()) for r in engine.arrow(names).to_pylist()}


def _bucket(day, grain: str):
    """The day, week (from Monday) or month a local date falls in."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; use one of {GRAINS}")
    return day if grain == "day" else day.truncate(_TRUNCATE[grain])


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _rounded_half_up(value: float | int | None) -> int | None:
    # donations.selectors rounds a half cent up ((2n + d) // 2d); a median of two gifts is
    # an exact .5 in floating point, so floor(x + 0.5) rounds it the same way.
    return None if value is None else int((2 * value + 1) // 2)


# ---------------------------------------------------------------- money


@dataclass(frozen=True)
class MoneyRow:
    bucket: date
    count: int
    gross_cents: int
    net_cents: int


@dataclass(frozen=True)
class MoneyTotals:
    count: int
    gross_cents: int
    net_cents: int
    average_cents: int | None
    median_cents: int | None


def _money_aggregates(table: ibis.Table) -> dict:
    counted = _is_counted(table)
    return {
        "count": table.id.count(where=counted),
        "gross_cents": table.amount_cents.sum().fill_null(0),
        "net_cents": (table.amount_cents - table.refunded_cents).sum(where=counted).fill_null(0),
    }


@metric("money_by", "Contributions, dollars and net dollars by day, week or month", finance=True)
def money_by(engine: Engine, *, start: date, end: date, grain: str) -> list[MoneyRow]:
    """Counted contributions, gross and net dollars per day, week or month of the range."""
    gifts = _in_range(_gifts(engine), start, end)
    grouped = (
        gifts.mutate(bucket=_bucket(gifts.day, grain))
        .group_by("bucket")
        .aggregate(**_money_aggregates(gifts))
        .order_by("bucket")
    )
    return [
        MoneyRow(_as_date(r["bucket"]), r["count"], int(r["gross_cents"]), int(r["net_cents"]))
        for r in engine.arrow(grouped).to_pylist()
    ]


@metric("money_totals", "Contributions, dollars, net, average and median gift", finance=True)
def money_totals(engine: Engine, *, start: date, end: date) -> MoneyTotals:
    """The range's counted gifts, gross and net dollars, average and median net gift."""
    gifts = _in_range(_gifts(engine), start, end)
    counted = _is_counted(gifts)
    # The median of the counted gifts' net as a CASE (null for the rest, which a median
    # skips) rather than median(where=): Ibis hands Spark's percentile() that condition in
    # its percentage argument too, which Spark refuses.
    net = ibis.cases((counted, gifts.amount_cents - gifts.refunded_cents), else_=ibis.null("int64"))
    figures = gifts.aggregate(**_money_aggregates(gifts), median=net.median())
    row = engine.arrow(figures).to_pylist()[0]
    count, net_total = row["count"], int(row["net_cents"])
    return MoneyTotals(
        count=count,
        gross_cents=int(row["gross_cents"]),
        net_cents=net_total,
        average_cents=(2 * net_total + count) // (2 * count) if count else None,
        median_cents=_rounded_half_up(row["median"]) if count else None,
    )


# ---------------------------------------------------------------- donors


@dataclass(frozen=True)
class DonorFigures:
    donors: int
    new: int  # first counted gift ever inside the range
    resolved: bool  # counted by resolution clusters (else by name+ZIP5 only)

    @property
    def returning(self) -> int:
        return self.donors - self.new


@dataclass(frozen=True)
class DonorRow:
    bucket: date
    donors: int
    new: int


def _first_days(engine: Engine) -> ibis.Table:
    gifts = donor_gifts(engine)
    return gifts.group_by("donor").aggregate(first_day=gifts.day.min())


@metric("donors", "Unique donors, new and returning", finance=False)
def donors(engine: Engine, *, start: date, end: date) -> DonorFigures:
    """Unique donors with a counted gift in the range, and how many gave for the first time.

    The unique count is the donor-goal page's figure for the same range
    (identity.selectors.unique_donors), from the same clusters.
    """
    return donors_many(engine, ranges=[(start, end)])[0]


def donors_many(engine: Engine, *, ranges: list[tuple[date, date]]) -> list[DonorFigures]:
    """``donors`` for several ranges in one query: every donor's history is grouped once.

    A donor's first gift ever is the earliest of their counted gifts, so one grouping of all
    gifts up to the last range's end serves every range (as donations.donor_counts_many does).
    """
    if not ranges:
        return []
    gifts = donor_gifts(engine)
    gifts = gifts.filter(gifts.day <= max(end for _, end in ranges))
    per = gifts.group_by("donor").aggregate(
        first_day=gifts.day.min(),
        **{
            f"in{i}": gifts.id.count(where=(gifts.day >= start) & (gifts.day <= end))
            for i, (start, end) in enumerate(ranges)
        },
    )
    totals = {}
    for i, (start, _) in enumerate(ranges):
        inside = per[f"in{i}"] > 0
        totals[f"donors{i}"] = per.donor.count(where=inside)
        totals[f"new{i}"] = per.donor.count(where=inside & (per.first_day >= start))
    row = engine.arrow(per.aggregate(**totals)).to_pylist()[0]
    return [
        DonorFigures(
            donors=row[f"donors{i}"] or 0, new=row[f"new{i}"] or 0, resolved=engine.resolved
        )
        for i in range(len(ranges))
    ]


@metric("donors_by", "Unique donors by day, week or month", finance=False)
def donors_by(engine: Engine, *, start: date, end: date, grain: str) -> list[DonorRow]:
    """Unique donors giving in each day, week or month, and those of them giving first."""
    gifts = _in_range(donor_gifts(engine), start, end)
    per = gifts.mutate(bucket=_bucket(gifts.day, grain)).select("bucket", "donor").distinct()
    first = _first_days(engine)
    first = first.mutate(first_bucket=_bucket(first.first_day, grain))
    joined = per.join(first, "donor")
    grouped = (
        joined.group_by("bucket")
        .aggregate(
            donors=joined.donor.count(),
            new=joined.donor.count(where=joined.first_bucket == joined.bucket),
        )
        .order_by("bucket")
    )
    return [
        DonorRow(_as_date(r["bucket"]), r["donors"], r["new"] or 0)
        for r in engine.arrow(grouped).to_pylist()
    ]


# ---------------------------------------------------------------- lapsed donors


@dataclass(frozen=True)
class LapsedDonor:
    donor: str  # the identity key: "p:<person id>" links to the person
    name: str
    last_gift: date
    last_year_cents: int
    lifetime_cents: int

    @property
    def person_id(self) -> int | None:
        kind, _, number = self.donor.partition(":")
        return int(number) if kind == "p" and number.isdigit() else None


@dataclass(frozen=True)
class LapsedList:
    kind: str
    year: int
    total: int
    rows: list[LapsedDonor]


LAPSED_KINDS = {
    "lybunt": "gave last year but not this year",
    "sybunt": "gave in some earlier year but not this year",
}


@metric("lapsed", "LYBUNT and SYBUNT donors", finance=True)
def lapsed(engine: Engine, *, kind: str, year: int, limit: int = 50, offset: int = 0):
    """LYBUNT ("last year but unfortunately not this") or SYBUNT ("some year but …") donors.

    Years are calendar years in the campaign's time zone; SYBUNT includes the LYBUNT donors,
    as CiviCRM's reports do. Largest lifetime giving first.
    """
    if kind not in LAPSED_KINDS:
        raise ValueError(f"unknown list {kind!r}; use one of {tuple(LAPSED_KINDS)}")
    gifts = donor_gifts(engine)
    gifts = gifts.filter(gifts.day < date(year + 1, 1, 1))
    this_year = gifts.day >= date(year, 1, 1)
    last_year = (gifts.day >= date(year - 1, 1, 1)) & ~this_year
    per = gifts.group_by("donor").aggregate(
        this_year=gifts.id.count(where=this_year),
        last_year=gifts.id.count(where=last_year),
        last_year_cents=gifts.net.sum(where=last_year).fill_null(0),
        lifetime_cents=gifts.net.sum(),
        last_gift=gifts.day.max(),
    )
    wanted = per.this_year == 0
    wanted &= per.last_year > 0 if kind == "lybunt" else per.lifetime_cents.notnull()
    chosen = per.filter(wanted)
    order = [ibis.desc("lifetime_cents"), "donor"]
    found, total = page_with_total(
        engine, chosen, key="donor", order=order, limit=limit, offset=offset
    )
    names = donor_names(engine, gifts, [r["donor"] for r in found])
    rows = [
        LapsedDonor(
            donor=r["donor"],
            name=names.get(r["donor"], ""),
            last_gift=_as_date(r["last_gift"]),
            last_year_cents=int(r["last_year_cents"]),
            lifetime_cents=int(r["lifetime_cents"]),
        )
        for r in found
    ]
    return LapsedList(kind=kind, year=year, total=total, rows=rows)


def _lapsed_donors(engine: Engine, *, kind: str, year: int) -> ibis.Table:
    if kind not in LAPSED_KINDS:
        raise ValueError(f"unknown list {kind!r}; use one of {tuple(LAPSED_KINDS)}")
    gifts = donor_gifts(engine)
    gifts = gifts.filter(gifts.day < date(year + 1, 1, 1))
    this_year = gifts.day >= date(year, 1, 1)
    last_year = (gifts.day >= date(year - 1, 1, 1)) & ~this_year
    per = gifts.group_by("donor").aggregate(
        this_year=gifts.id.count(where=this_year), last_year=gifts.id.count(where=last_year)
    )
    wanted = per.this_year == 0
    if kind == "lybunt":
        wanted &= per.last_year > 0
    return per.filter(wanted)


def lapsed_people(engine: Engine, *, kind: str, year: int) -> list[int]:
    """The people of a LYBUNT or SYBUNT list: each cluster that holds a person ("p:<id>").

    A cluster of gifts alone (no person record) has no one to mail, so it is left out.
    """
    chosen = _lapsed_donors(engine, kind=kind, year=year)
    chosen = chosen.filter(chosen.donor.startswith("p:"))
    ids = chosen.select(person=chosen.donor.substr(2).cast("int64")).order_by("person")
    return [r["person"] for r in engine.arrow(ids).to_pylist()]


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# The definitions of the package's modules, registered in METRICS and importable from here.
from groundswell.analytics.metrics.giving import (  # noqa: E402, F401 (they build on the above)
    CHANGE_KINDS,
    ChangedDonor,
    ChangedList,
    CohortRow,
    DonorChanges,
    RecurringRow,
    cohorts,
    donor_changes,
    donor_changes_list,
    recurring_by,
)
