"""Where money and donors came from: by refcode, by channel, by donation page, and per ad spend.

The same counting rules as ``analytics.metrics`` (whose helpers these use): money over non-memo
gifts, net of refunds, counted statuses only; donors by identity cluster; days in the campaign's
time zone. A donor is *new* for a refcode (or channel, page, spend line) as the donations app
counts it (``donations.selectors.donor_counts``): they gave through it in the range and their
first counted gift ever, through anything, falls in the range.

A gift's **channel** is the start of its refcode up to the first ``-`` or ``_``, lower-cased
("email-0412" → "email", "fb_spring" → "fb"): the refcode convention the campaign's links
follow. ``channel_for`` is the same rule in Python, for sign-ups counted by the actions app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import ibis

from groundswell.analytics.engine import Engine
from groundswell.analytics.metrics import (
    _gifts,
    _in_range,
    _is_counted,
    donor_gifts,
    metric,
    trimmed,
)

DIMENSIONS = {"refcode": "Refcode", "channel": "Channel", "page": "Donation page"}
NONE = ""  # a gift with no refcode (no channel, no page): shown as "(none)"
_CHANNEL = re.compile(r"^[^-_]*")


def channel_for(refcode: str) -> str:
    """The channel of a refcode: its start up to the first - or _, lower-cased."""
    return _CHANNEL.match((refcode or "").strip().lower()).group(0)


def _channel(table: ibis.Table):
    text = trimmed(table.refcode.fill_null("")).lower()
    return text.re_extract(r"^([^-_]*)", 1)


def _key(table: ibis.Table, dimension: str):
    """The value a gift is grouped under: its refcode, channel or page ("page:<id>"/"form:…")."""
    if dimension == "refcode":
        return table.refcode.fill_null("")
    if dimension == "channel":
        return _channel(table)
    if dimension == "page":
        # Our own donation pages by id; ActBlue's forms by the form's name.
        form = table.form_name.fill_null("")
        return ibis.cases(
            (table.page_id.notnull(), "page:" + table.page_id.cast("string")),
            (form != "", "form:" + form),
            else_=NONE,
        )
    raise ValueError(f"unknown dimension {dimension!r}; use one of {tuple(DIMENSIONS)}")


@dataclass(frozen=True)
class SourceRow:
    key: str
    count: int  # counted gifts
    gross_cents: int
    net_cents: int
    donors: int
    new: int


def _first_days(engine: Engine) -> ibis.Table:
    gifts = donor_gifts(engine)
    return gifts.group_by("donor").aggregate(first_day=gifts.day.min())


@metric("sources", "Money and unique donors by refcode, channel or donation page", finance=True)
def sources(engine: Engine, *, start: date, end: date, dimension: str) -> list[SourceRow]:
    """Per refcode, channel or page: counted gifts, gross and net dollars, unique and new donors.

    Ordered by net dollars, largest first. The money columns are finance data; the donor
    counts are not (the selector leaves the money out for other roles).
    """
    gifts = _in_range(_gifts(engine), start, end)
    gifts = gifts.mutate(key=_key(gifts, dimension))
    counted = _is_counted(gifts)
    money = gifts.group_by("key").aggregate(
        count=gifts.id.count(where=counted),
        gross_cents=gifts.amount_cents.sum().fill_null(0),
        net_cents=(gifts.amount_cents - gifts.refunded_cents).sum(where=counted).fill_null(0),
    )
    givers = _in_range(donor_gifts(engine), start, end)
    givers = givers.mutate(key=_key(givers, dimension)).select("key", "donor").distinct()
    first = _first_days(engine)
    joined = givers.join(first, "donor")
    people = joined.group_by("key").aggregate(
        donors=joined.donor.count(), new=joined.donor.count(where=joined.first_day >= start)
    )
    found: dict[str, dict] = {}
    for row in engine.arrow(money).to_pylist():
        found[row["key"]] = {**row, "donors": 0, "new": 0}
    for row in engine.arrow(people).to_pylist():
        base = found.setdefault(
            row["key"], {"key": row["key"], "count": 0, "gross_cents": 0, "net_cents": 0}
        )
        base.update(donors=row["donors"], new=row["new"] or 0)
    rows = [
        SourceRow(
            key=r["key"],
            count=r["count"],
            gross_cents=int(r["gross_cents"]),
            net_cents=int(r["net_cents"]),
            donors=r["donors"],
            new=r["new"],
        )
        for r in found.values()
    ]
    return sorted(rows, key=lambda r: (-r.net_cents, -r.donors, r.key))


@dataclass(frozen=True)
class SpendTarget:
    refcode: str
    prefix: bool  # every refcode starting with ``refcode``, else that refcode alone


@dataclass(frozen=True)
class TargetFigures:
    net_cents: int
    count: int
    new: int


def _matches(table: ibis.Table, target: SpendTarget):
    refcode = table.refcode.fill_null("")
    return refcode.startswith(target.refcode) if target.prefix else refcode == target.refcode


@metric("spend_targets", "Net dollars and new donors of the refcodes ads paid for", finance=True)
def spend_targets(
    engine: Engine, *, start: date, end: date, targets: list[SpendTarget]
) -> list[TargetFigures]:
    """For each refcode (or refcode prefix) ads were bought for: counted gifts, net dollars
    and new donors in the range, in two queries however many targets there are."""
    if not targets:
        return []
    gifts = _in_range(_gifts(engine), start, end)
    counted = _is_counted(gifts)
    net = gifts.amount_cents - gifts.refunded_cents
    money = {}
    for i, target in enumerate(targets):
        inside = _matches(gifts, target)
        money[f"net{i}"] = net.sum(where=counted & inside).fill_null(0)
        money[f"count{i}"] = gifts.id.count(where=counted & inside)
    money_row = engine.arrow(gifts.aggregate(**money)).to_pylist()[0]
    givers = _in_range(donor_gifts(engine), start, end)
    per = givers.group_by("donor").aggregate(
        **{f"in{i}": givers.id.count(where=_matches(givers, t)) for i, t in enumerate(targets)}
    )
    joined = per.join(_first_days(engine), "donor")
    first_here = joined.first_day >= start
    new = joined.aggregate(
        **{
            f"new{i}": joined.donor.count(where=(joined[f"in{i}"] > 0) & first_here)
            for i in range(len(targets))
        }
    )
    new_row = engine.arrow(new).to_pylist()[0]
    return [
        TargetFigures(
            net_cents=int(money_row[f"net{i}"] or 0),
            count=money_row[f"count{i}"] or 0,
            new=new_row[f"new{i}"] or 0,
        )
        for i in range(len(targets))
    ]
