"""Giving over time: retention cohorts, upgraded and downgraded donors, recurring gifts.

Each is counted from ``donor_gifts`` (see the package's docstring): counted gifts only, net of
refunds, memo and FEC refund rows left out, days and months in the campaign's time zone, and a
donor is an identity cluster exactly as ``donors()`` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis

from groundswell.analytics.engine import Engine
from groundswell.analytics.metrics import (
    _as_date,
    _bucket,
    _first_days,
    _in_range,
    donor_gifts,
    donor_names,
    metric,
    page_with_total,
)


def _month_index(day) -> ibis.Value:
    """Months since year 0 (an integer): month arithmetic every backend does the same way."""
    return day.year() * 12 + day.month() - 1


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- retention cohorts


@dataclass(frozen=True)
class CohortRow:
    month: date  # the month of the cohort's first counted gift
    size: int  # donors whose first counted gift ever fell in that month
    # retained[k - 1]: how many of them gave again in month +k; None where month +k has not
    # ended inside the range asked for (not zero: not yet seen).
    retained: tuple[int | None, ...]

    @property
    def cells(self) -> list[tuple[int | None, int | None]]:
        """(donors, whole percent of the cohort) for each later month, for the tables."""
        return [
            (n, None if n is None or not self.size else (200 * n + self.size) // (2 * self.size))
            for n in self.retained
        ]


@metric("cohorts", "Retention cohorts by first-gift month", finance=True)
def cohorts(engine: Engine, *, start: date, end: date, months: int = 12) -> list[CohortRow]:
    """For each month from ``start``'s to ``end``'s, the donors who first gave that month and how
    many of them gave again in each of the ``months`` months after it.

    "Gave again in month +k" means a counted gift in that calendar month, whatever they gave
    between (a donor can miss month +1 and count in +2). A donor's first month is that of their
    first counted gift ever, so a gift refunded in full never starts a cohort. The cohort's size
    is the ``new`` figure of ``donors_by`` for the same month.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    low, high = _index(start), _index(end)
    # Each donor's first counted gift, from the gifts themselves (a grouping of the donor
    # gifts, cheaper than of their distinct months); the cohorts asked for are those months.
    first = _first_days(engine)
    first = first.filter(first.first_day >= _month_of(low), first.first_day <= end)
    first = first.select("donor", cohort=_month_index(first.first_day))
    gifts = donor_gifts(engine)
    # Only months from the first cohort's on can be a cohort's month 0..+k: those alone are
    # read (a year of a two-year history: 1.4 -> 0.9 s at 10,000,000 gifts).
    gifts = gifts.filter(gifts.day >= _month_of(low), gifts.day <= end)
    active = gifts.select("donor", month=_month_index(gifts.day)).distinct()
    joined = active.join(first, "donor")
    joined = joined.mutate(offset=joined.month - joined.cohort)
    joined = joined.filter(joined.offset <= months)
    grouped = joined.group_by(["cohort", "offset"]).aggregate(donors=joined.donor.count())
    found = {(r["cohort"], r["offset"]): r["donors"] for r in engine.arrow(grouped).to_pylist()}
    rows = []
    for cohort in range(low, high + 1):
        retained = tuple(
            found.get((cohort, k), 0) if cohort + k <= high else None for k in range(1, months + 1)
        )
        rows.append(CohortRow(_month_of(cohort), found.get((cohort, 0), 0), retained))
    return rows


# ---------------------------------------------------------------- upgraded and downgraded

CHANGE_KINDS = {
    "upgraded": "gave more in the period than in the one before",
    "downgraded": "gave less in the period than in the one before",
}


@dataclass(frozen=True)
class DonorChanges:
    upgraded: int
    downgraded: int
    unchanged: int  # the same net total in both periods, to the cent
    only_current: int  # gave in the period, not in the one before (new or back)
    only_previous: int  # gave in the one before, not in the period (stopped)


@dataclass(frozen=True)
class ChangedDonor:
    donor: str  # the identity key: "p:<person id>" links to the person
    name: str
    previous_cents: int
    current_cents: int

    @property
    def change_cents(self) -> int:
        return self.current_cents - self.previous_cents

    @property
    def person_id(self) -> int | None:
        kind, _, number = self.donor.partition(":")
        return int(number) if kind == "p" and number.isdigit() else None


@dataclass(frozen=True)
class ChangedList:
    kind: str
    total: int
    rows: list[ChangedDonor]


def _per_donor(engine: Engine, current: tuple[date, date], previous: tuple[date, date]):
    """Each donor's counted gifts and net total in each period.

    Totals are net of refunds, by the gift's own day (a refund made later still lowers the
    period the gift was in); a gift refunded in full counts nothing, so a donor whose only gift
    in a period was refunded did not give in it.
    """
    (start, end), (previous_start, previous_end) = current, previous
    if not (previous_start <= previous_end < start <= end):
        raise ValueError("the previous period must end before the period starts")
    gifts = donor_gifts(engine)
    gifts = gifts.filter(gifts.day >= previous_start, gifts.day <= end)
    now = (gifts.day >= start) & (gifts.day <= end)
    before = (gifts.day >= previous_start) & (gifts.day <= previous_end)
    return gifts.group_by("donor").aggregate(
        current_gifts=gifts.id.count(where=now),
        previous_gifts=gifts.id.count(where=before),
        current_cents=gifts.net.sum(where=now).fill_null(0),
        previous_cents=gifts.net.sum(where=before).fill_null(0),
    )


@metric("donor_changes", "Upgraded and downgraded donors", finance=True)
def donor_changes(
    engine: Engine, *, current: tuple[date, date], previous: tuple[date, date]
) -> DonorChanges:
    """Donors who gave in both periods, by whether their net total rose, fell or stayed.

    Upgraded: net total in ``current`` above that in ``previous``; downgraded: below it; a tie
    to the cent is neither (unchanged). Donors who gave in one period only are neither either:
    they are counted apart (new or back; stopped).
    """
    per = _per_donor(engine, current, previous)
    both = (per.current_gifts > 0) & (per.previous_gifts > 0)
    counts = per.aggregate(
        upgraded=per.donor.count(where=both & (per.current_cents > per.previous_cents)),
        downgraded=per.donor.count(where=both & (per.current_cents < per.previous_cents)),
        unchanged=per.donor.count(where=both & (per.current_cents == per.previous_cents)),
        only_current=per.donor.count(where=(per.current_gifts > 0) & (per.previous_gifts == 0)),
        only_previous=per.donor.count(where=(per.current_gifts == 0) & (per.previous_gifts > 0)),
    )
    row = engine.arrow(counts).to_pylist()[0]
    return DonorChanges(**{name: value or 0 for name, value in row.items()})


def donor_changes_list(
    engine: Engine,
    *,
    kind: str,
    current: tuple[date, date],
    previous: tuple[date, date],
    limit: int = 50,
    offset: int = 0,
) -> ChangedList:
    """One page of the upgraded or downgraded donors (as ``donor_changes`` counts them),
    the largest change first."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown list {kind!r}; use one of {tuple(CHANGE_KINDS)}")
    per = _per_donor(engine, current, previous)
    per = per.filter(per.current_gifts > 0, per.previous_gifts > 0)
    change = per.current_cents - per.previous_cents
    chosen = per.filter(change > 0 if kind == "upgraded" else change < 0)
    chosen = chosen.mutate(size=(chosen.current_cents - chosen.previous_cents).abs())
    found, total = page_with_total(
        engine, chosen, key="donor", order=[ibis.desc("size"), "donor"], limit=limit, offset=offset
    )
    gifts = donor_gifts(engine)
    gifts = gifts.filter(gifts.day >= previous[0], gifts.day <= current[1])
    names = donor_names(engine, gifts, [r["donor"] for r in found])
    rows = [
        ChangedDonor(
            donor=r["donor"],
            name=names.get(r["donor"], ""),
            previous_cents=int(r["previous_cents"]),
            current_cents=int(r["current_cents"]),
        )
        for r in found
    ]
    return ChangedList(kind=kind, total=total, rows=rows)


# ---------------------------------------------------------------- recurring gifts


@dataclass(frozen=True)
class RecurringRow:
    month: date
    donors: int  # unique donors with a counted recurring installment that month
    installments: int
    revenue_cents: int  # net of refunds: the month's recurring revenue as received


@metric("recurring_by", "Recurring donors and monthly recurring revenue", finance=True)
def recurring_by(engine: Engine, *, start: date, end: date) -> list[RecurringRow]:
    """Each month of the range (every one, with zeros): recurring donors and revenue received.

    Monthly recurring revenue here is what recurring installments (``is_recurring``, set by every
    processor's intake) brought in that month, net of refunds — a weekly gift counts its four or
    five installments. It is history, not the schedule: the finance page's "monthly recurring
    revenue" (donations.selectors.recurring_summary) is what active series are set to give now.
    Who gives recurring is giving data: finance only.
    """
    gifts = _in_range(donor_gifts(engine), start, end)
    gifts = gifts.filter(gifts.is_recurring)
    gifts = gifts.mutate(month=_bucket(gifts.day, "month"))
    grouped = gifts.group_by("month").aggregate(
        donors=gifts.donor.nunique(),
        installments=gifts.id.count(),
        revenue_cents=gifts.net.sum(),
    )
    found = {_as_date(r["month"]): r for r in engine.arrow(grouped).to_pylist()}
    rows = []
    for index in range(_index(start), _index(end) + 1):
        month = _month_of(index)
        r = found.get(month)
        rows.append(
            RecurringRow(month, r["donors"], r["installments"], int(r["revenue_cents"]))
            if r
            else RecurringRow(month, 0, 0, 0)
        )
    return rows
