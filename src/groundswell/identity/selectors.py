"""Unique-donor counts: real people (the latest run's clusters) beside the naive name+ZIP key.

One pass over the contributions of a range tallies both counts, overall, per state and per day
(the day each donor first gave), so the counts page, the debate-threshold progress page and the
"donors to go" figure all agree. The tally is cached until a run finishes or a gift changes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast
from django.utils import timezone

from groundswell.donations.models import Contribution, ContributionStatus
from groundswell.donations.selectors import COUNTED_STATUSES, DateRange
from groundswell.identity.models import ClusterMembership, RecordKind, ResolutionRun, RunFigures

# The 50 states, DC and the five inhabited territories: where the DNC counted donors.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "District of Columbia",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}  # fmt: skip
TERRITORIES = frozenset({"AS", "GU", "MP", "PR", "VI"})
_BY_NAME = {name.upper(): code for code, name in STATES.items()} | {
    "WASHINGTON DC": "DC",
    "WASHINGTON D C": "DC",
    "D C": "DC",
    "VIRGIN ISLANDS": "VI",
    "US VIRGIN ISLANDS": "VI",
    "NORTHERN MARIANA": "MP",
}
_NOT_LETTERS = re.compile(r"[^A-Z ]+")
_NOT_DIGITS = re.compile(r"[^0-9]+")
# FEC refunds are applied to the gift they refund; a 22Y row that found none is not a gift.
_REFUND_TYPE = "22Y"
_CACHE_SECONDS = 15 * 60


class RefundedRule:
    """What a donor whose every gift in the range was refunded (or charged back) counts as."""

    EXCLUDE = "exclude"
    INCLUDE = "include"
    CHOICES = (
        (EXCLUDE, "Not counted"),
        (INCLUDE, "Counted"),
    )
    EXPLAINED = {
        EXCLUDE: (
            "a donor whose every gift in the range was refunded or charged back is not counted"
        ),
        INCLUDE: "anyone who gave is counted, even if every gift was refunded or charged back",
    }


def state_code(value: str | None) -> str:
    """Two-letter code of a state, DC or territory, from a code or a name; "" if none."""
    text = _NOT_LETTERS.sub(" ", (value or "").upper()).strip()
    text = " ".join(text.split())
    if text in STATES:
        return text
    return _BY_NAME.get(text, "")


def naive_key(given: str, family: str, postal: str) -> str:
    """The analysts' usual key: first name + last name + ZIP5, as typed (case and spaces aside)."""
    first = " ".join((given or "").casefold().split())
    last = " ".join((family or "").casefold().split())
    zip5 = _NOT_DIGITS.sub("", postal or "")[:5]
    return f"{first}|{last}|{zip5}"


def counts_default_range(today: date) -> tuple[date, date]:
    """The counts page's range until staff pick another: from January 1 of the odd year (the
    start of a two-year FEC cycle) to today."""
    year = today.year if today.year % 2 else today.year - 1
    return date(year, 1, 1), today


def latest_run() -> ResolutionRun | None:
    """The latest finished resolution run, whose clusters the counts use."""
    return (
        ResolutionRun.objects.filter(status=ResolutionRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def failed_run() -> ResolutionRun | None:
    """The latest run, when it failed (staff should see why before starting another)."""
    last = ResolutionRun.objects.order_by("-started_at", "-pk").first()
    return last if last and last.status == ResolutionRun.Status.FAILED else None


def running_run() -> ResolutionRun | None:
    """A run under way, if any."""
    return ResolutionRun.objects.filter(status=ResolutionRun.Status.RUNNING).first()


@dataclass
class Tally:
    """Per-state donor counts and the day each donor first gave, for one range and rule."""

    contributions: int = 0
    unresolved: int = 0
    resolved: bool = False
    unique_by_state: Counter = field(default_factory=Counter)
    naive_by_state: Counter = field(default_factory=Counter)
    new_by_day: Counter = field(default_factory=Counter)
    naive_new_by_day: Counter = field(default_factory=Counter)
    # state → day → donors whose first counted gift was that day
    state_new_by_day: dict = field(default_factory=dict)


@dataclass
class _Donor:
    first_day: date | None = None
    state: str = ""


def _gift_rows(period: DateRange):
    # received_at comes back as text ("YYYY-MM-DD HH:MM…" in UTC on SQLite and on PostgreSQL,
    # whose Django connections run in UTC): a million datetime objects cost more than the rest.
    return (
        Contribution.objects.filter(
            received_at__gte=period.start_at, received_at__lt=period.end_before, is_memo=False
        )
        # A voided gift never happened; it makes no donor under any rule.
        .exclude(status=ContributionStatus.VOIDED)
        .exclude(transaction_type=_REFUND_TYPE)
        .annotate(received_text=Cast("received_at", CharField()))
        .order_by("received_at", "pk")
        .values_list(
            "pk",
            "person_id",
            "received_text",
            "status",
            "donor_state",
            "donor_given_name",
            "donor_family_name",
            "donor_postal_code",
        )
    )


def _memberships(kind: str) -> dict[int, str]:
    """record id → cluster key for one kind. One read, instead of a lookup per gift."""
    rows = ClusterMembership.objects.filter(record_kind=kind).values_list(
        "record_id", "cluster_key"
    )
    return dict(rows.iterator(chunk_size=20_000))


class _LocalDay(dict):
    """UTC "YYYY-MM-DD HH:MM" → the campaign's local date, worked out once per minute seen."""

    def __missing__(self, minute: str) -> date:
        moment = datetime.strptime(minute, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        day = self[minute] = timezone.localtime(moment).date()
        return day


def _see(donors: dict, key: str, day: date, state: str, counts: bool) -> None:
    donor = donors.get(key)
    if donor is None:
        donor = donors[key] = _Donor()
    if not counts:
        return
    if donor.first_day is None:
        donor.first_day = day
    if state:
        # Rows come in date order: a donor who moved is counted where they gave last.
        donor.state = state


def _tally(period: DateRange, refunded_rule: str, resolved: bool) -> Tally:
    tally = Tally(resolved=resolved)
    clusters: dict[str, _Donor] = {}
    naive: dict[str, _Donor] = {}
    counted = set(COUNTED_STATUSES)
    include_refunded = refunded_rule == RefundedRule.INCLUDE
    by_gift = _memberships(RecordKind.CONTRIBUTION) if resolved else {}
    by_person = _memberships(RecordKind.PERSON) if resolved else {}
    local_day = _LocalDay()
    code_of = functools.lru_cache(maxsize=4096)(state_code)
    for pk, person_id, received, status, state, given, family, postal in _gift_rows(
        period
    ).iterator(chunk_size=5000):
        tally.contributions += 1
        day = local_day[received[:16]]
        code = code_of(state)
        counts = include_refunded or status in counted
        nkey = naive_key(given, family, postal)
        _see(naive, nkey, day, code, counts)
        if resolved:
            key = by_gift.get(pk) or (by_person.get(person_id) if person_id else None)
            if key is None:
                # A gift newer than the last run: counted by the naive key until the next run.
                tally.unresolved += 1
                key = f"n:{nkey}"
            _see(clusters, key, day, code, counts)
    for donors, by_state, by_day in (
        (clusters, tally.unique_by_state, tally.new_by_day),
        (naive, tally.naive_by_state, tally.naive_new_by_day),
    ):
        for donor in donors.values():
            if donor.first_day is None:
                continue
            by_state[donor.state] += 1
            by_day[donor.first_day] += 1
            if donors is clusters:
                tally.state_new_by_day.setdefault(donor.state, Counter())[donor.first_day] += 1
    return tally


def _stamp(run: ResolutionRun | None, period: DateRange, refunded_rule: str) -> str:
    """A cache key that changes when a run finishes or any gift is added or changed."""
    gifts = Contribution.objects.aggregate(n=Count("pk"), changed=Max("modified_at"))
    parts = [
        run.pk if run else "-",
        run.finished_at.isoformat() if run and run.finished_at else "-",
        period.start.isoformat(),
        period.end.isoformat(),
        refunded_rule,
        gifts["n"],
        gifts["changed"].isoformat() if gifts["changed"] else "-",
    ]
    return "identity:tally:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def tally_json(tally: Tally) -> dict:
    """A tally as JSON (days as ISO dates), to be stored with the run that counted it."""

    def days(counter: Counter) -> dict[str, int]:
        return {day.isoformat(): n for day, n in counter.items()}

    return {
        "contributions": tally.contributions,
        "unresolved": tally.unresolved,
        "resolved": tally.resolved,
        "unique_by_state": dict(tally.unique_by_state),
        "naive_by_state": dict(tally.naive_by_state),
        "new_by_day": days(tally.new_by_day),
        "naive_new_by_day": days(tally.naive_new_by_day),
        "state_new_by_day": {s: days(c) for s, c in tally.state_new_by_day.items()},
    }


def tally_from_json(data: dict) -> Tally:
    """The tally ``tally_json`` stored, as the live count would have made it."""

    def days(values: dict[str, int]) -> Counter:
        return Counter({date.fromisoformat(day): n for day, n in values.items()})

    return Tally(
        contributions=data["contributions"],
        unresolved=data["unresolved"],
        resolved=data["resolved"],
        unique_by_state=Counter(data["unique_by_state"]),
        naive_by_state=Counter(data["naive_by_state"]),
        new_by_day=days(data["new_by_day"]),
        naive_new_by_day=days(data["naive_new_by_day"]),
        state_new_by_day={s: days(c) for s, c in data["state_new_by_day"].items()},
    )


def _checked_rule(refunded_rule: str) -> str:
    if refunded_rule not in (RefundedRule.EXCLUDE, RefundedRule.INCLUDE):
        raise ValueError(f"unknown refunded rule {refunded_rule!r}")
    return refunded_rule


def tally_key(*, start: date, end: date, refunded_rule: str) -> str:
    """The key a tally is cached and stored under (changes with the run and with any gift)."""
    return _stamp(latest_run(), DateRange(start, end), _checked_rule(refunded_rule))


def tally_store(*, run: ResolutionRun, start: date, end: date, refunded_rule: str) -> Tally:
    """Count a range now and store the tally with the run (when the run finishes)."""
    key = tally_key(start=start, end=end, refunded_rule=refunded_rule)
    tally = _tally(DateRange(start, end), refunded_rule, resolved=True)
    RunFigures.objects.update_or_create(
        key=key, defaults={"run": run, "kind": "tally", "figures": tally_json(tally)}
    )
    cache.set(key, tally, _CACHE_SECONDS)
    return tally


def donor_tally(*, start: date, end: date, refunded_rule: str = RefundedRule.EXCLUDE) -> Tally:
    """The tally of unique donors for a range: stored with the run when it finished for the
    ranges the pages open with, else counted here (cached until a run or a gift changes it)."""
    period = DateRange(start, end)
    run = latest_run()
    key = _stamp(run, period, _checked_rule(refunded_rule))
    tally = cache.get(key)
    if tally is None:
        stored = RunFigures.objects.filter(key=key).values_list("figures", flat=True).first()
        if stored is not None:
            tally = tally_from_json(stored)
        else:
            tally = _tally(period, refunded_rule, resolved=run is not None)
        cache.set(key, tally, _CACHE_SECONDS)
    return tally


@dataclass(frozen=True)
class StateCount:
    code: str
    name: str
    unique: int | None
    naive: int

    @property
    def difference_percent(self) -> float | None:
        return _overcount(self.unique, self.naive)


@dataclass(frozen=True)
class DonorCounts:
    start: date
    end: date
    state: str | None
    refunded_rule: str
    run: ResolutionRun | None
    unique: int | None  # None until a resolution run has finished
    naive: int
    contributions: int
    unresolved: int
    by_state: list[StateCount]
    no_state_unique: int | None
    no_state_naive: int

    @property
    def difference_percent(self) -> float | None:
        return _overcount(self.unique, self.naive)


def _overcount(unique: int | None, naive: int) -> float | None:
    """How far the naive count is above (or below) the real one, in percent of the real one."""
    if not unique:
        return None
    return (naive - unique) * 100.0 / unique


def unique_donors(
    *,
    start: date,
    end: date,
    state: str | None = None,
    refunded_rule: str = RefundedRule.EXCLUDE,
) -> DonorCounts:
    """Unique donors (real people) and the naive name+ZIP5 count, overall and per state."""
    code = None
    if state is not None:
        code = state_code(state)
        if not code:
            raise ValueError(f"unknown state {state!r}")
    tally = donor_tally(start=start, end=end, refunded_rule=refunded_rule)
    resolved = tally.resolved
    by_state = [
        StateCount(
            code=c,
            name=name,
            unique=tally.unique_by_state.get(c, 0) if resolved else None,
            naive=tally.naive_by_state.get(c, 0),
        )
        for c, name in STATES.items()
    ]
    if code is None:
        unique = sum(tally.unique_by_state.values()) if resolved else None
        naive = sum(tally.naive_by_state.values())
    else:
        unique = tally.unique_by_state.get(code, 0) if resolved else None
        naive = tally.naive_by_state.get(code, 0)
    return DonorCounts(
        start=start,
        end=end,
        state=code,
        refunded_rule=refunded_rule,
        run=latest_run() if resolved else None,
        unique=unique,
        naive=naive,
        contributions=tally.contributions,
        unresolved=tally.unresolved,
        by_state=by_state,
        no_state_unique=tally.unique_by_state.get("", 0) if resolved else None,
        no_state_naive=tally.naive_by_state.get("", 0),
    )


def state_counts_sorted(rows: list[StateCount], sort: str) -> list[StateCount]:
    """The per-state table in the order the page asked for ("-unique", "name", "naive" …)."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    keys = {
        "name": lambda r: r.name,
        "code": lambda r: r.code,
        "unique": lambda r: (r.unique or 0, r.naive),
        "naive": lambda r: (r.naive, r.unique or 0),
        "difference": lambda r: (
            r.difference_percent if r.difference_percent is not None else float("-inf")
        ),
    }
    key = keys.get(column, keys["unique"])
    return sorted(rows, key=key, reverse=descending)


def cumulative(new_by_day: Counter, start: date, end: date) -> list[tuple[date, int, int]]:
    """(day, new donors that day, donors so far) for every day from start to end."""
    rows = []
    total = 0
    for day in DateRange(start, end).each_day():
        new = new_by_day.get(day, 0)
        total += new
        rows.append((day, new, total))
    return rows


def decided_counts() -> dict[str, int]:
    """Open and decided merge suggestions, for the page headers."""
    from groundswell.identity.models import MergeSuggestion

    return MergeSuggestion.objects.aggregate(
        open=Count("pk", filter=Q(status=MergeSuggestion.Status.OPEN)),
        decided=Count("pk", filter=Q(status=MergeSuggestion.Status.DECIDED)),
    )
