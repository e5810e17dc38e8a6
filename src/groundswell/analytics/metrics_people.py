"""List health metrics: growth, churn and unsubscribe reasons, as Ibis over ``people`` and
``consents`` (see ``analytics.engine``), so they run on the DuckDB extract and on PostgreSQL.

The definitions:

- a **new person** is a supporter record created in the bucket (the campaign's local day of
  ``created_at``) that is still someone: not merged into another record and not erased —
  the people ``events.relational.selectors.relational_share`` counts as new supporters;
- a **new subscriber** is a person whose e-mail consent changed to "subscribed" from anything
  else in the bucket (``people.ConsentEvent``); each person counts once a bucket;
- **churn** is the same for the changes to "unsubscribed", "bouncing" and "spam complaint";
- the **reason** for an unsubscribe is how it was recorded (the consent change's method: the
  mailing's unsubscribe link, staff, an import, …); stopping one kind of mailing only is no
  unsubscribe from e-mail (mailings.KindOptOut) and the dashboard lists it apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import ibis
from django.conf import settings

from groundswell.analytics import metrics
from groundswell.analytics.engine import Engine
from groundswell.people.choices import ConsentMethod, EmailStatus
from groundswell.people.models import ConsentEvent

EMAIL = str(ConsentEvent.Channel.EMAIL)
CHURN = {
    "unsubscribed": str(EmailStatus.UNSUBSCRIBED),
    "bounced": str(EmailStatus.BOUNCING),
    "complained": str(EmailStatus.SPAM_COMPLAINT),
}


@dataclass(frozen=True)
class GrowthRow:
    bucket: date
    people: int
    subscribers: int


@dataclass(frozen=True)
class ChurnRow:
    bucket: date
    unsubscribed: int
    bounced: int
    complained: int


@dataclass(frozen=True)
class ReasonRow:
    method: str
    label: str
    people: int


def _local(column) -> ibis.Value:
    return metrics.local_time(column, column).date()


def _within(column, start: date, end: date) -> list:
    """The local days start–end as bounds on the stored UTC instant: rows outside are skipped
    before any time-zone arithmetic (and DuckDB skips whole row groups by their min/max)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(start, time.min, tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return [column >= first, column < after]


def _changes(engine: Engine, *, start: date, end: date) -> ibis.Table:
    """E-mail consent changes in the range (local days, both ends), with ``day``."""
    c = engine.consents
    c = c.filter(
        *_within(c.occurred_at, start, end),
        c.channel == EMAIL,
        c.status != c.previous_status.fill_null(""),
    )
    return c.mutate(day=_local(c.occurred_at))


def _bucket(day, grain: str, start: date):
    """The day, week or month a local date falls in; the whole range ("range") is one bucket,
    dated by its first day: a person counts once in a range's totals, whatever the grain."""
    return ibis.literal(start) if grain == "range" else metrics._bucket(day, grain)


def _rows(engine: Engine, table: ibis.Table) -> list[dict]:
    return engine.arrow(table).to_pylist()


@metrics.metric(
    "list_growth", "New people and new subscribers by day, week or month", finance=False
)
def list_growth(engine: Engine, *, start: date, end: date, grain: str) -> list[GrowthRow]:
    """New people and new e-mail subscribers per day, week or month (or the whole "range");
    buckets with neither are left out."""
    p = engine.people
    p = p.filter(
        *_within(p.created_at, start, end), p.merged_into_id.isnull(), p.erased_at.isnull()
    )
    p = p.mutate(day=_local(p.created_at))
    people = (
        p.mutate(bucket=_bucket(p.day, grain, start)).group_by("bucket").aggregate(n=p.id.count())
    )
    c = _changes(engine, start=start, end=end)
    c = c.filter(c.status == str(EmailStatus.SUBSCRIBED))
    subscribers = (
        c.mutate(bucket=_bucket(c.day, grain, start))
        .group_by("bucket")
        .aggregate(n=c.person_id.nunique())
    )
    found: dict[date, list[int]] = {}
    for slot, table in enumerate((people, subscribers)):
        for row in _rows(engine, table):
            found.setdefault(metrics._as_date(row["bucket"]), [0, 0])[slot] = row["n"]
    return [GrowthRow(bucket, *counts) for bucket, counts in sorted(found.items())]


@metrics.metric(
    "churn", "Unsubscribes, bounces and complaints by day, week or month", finance=False
)
def churn(engine: Engine, *, start: date, end: date, grain: str) -> list[ChurnRow]:
    """People who unsubscribed, started bouncing or complained, per bucket (each once a bucket
    and kind); buckets with none are left out."""
    c = _changes(engine, start=start, end=end)
    c = c.filter(c.status.isin(list(CHURN.values())))
    grouped = (
        c.mutate(bucket=_bucket(c.day, grain, start))
        .group_by("bucket")
        .aggregate(
            **{
                name: c.person_id.nunique(where=c.status == status)
                for name, status in CHURN.items()
            }
        )
        .order_by("bucket")
    )
    return [
        ChurnRow(metrics._as_date(r["bucket"]), *(r[name] or 0 for name in CHURN))
        for r in _rows(engine, grouped)
    ]


@metrics.metric("unsubscribe_reasons", "Unsubscribes by how they were made", finance=False)
def unsubscribe_reasons(engine: Engine, *, start: date, end: date) -> list[ReasonRow]:
    """People unsubscribing from e-mail in the range, by the way it was recorded; most first."""
    c = _changes(engine, start=start, end=end)
    c = c.filter(c.status == CHURN["unsubscribed"])
    grouped = c.group_by("method").aggregate(people=c.person_id.nunique())
    labels = dict(ConsentMethod.choices)
    rows = [
        ReasonRow(r["method"], str(labels.get(r["method"], r["method"] or "Unknown")), r["people"])
        for r in _rows(engine, grouped)
    ]
    return sorted(rows, key=lambda row: (-row.people, row.method))
