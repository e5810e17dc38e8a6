"""The donor gifts kept in the extract (``analytics.stored``) are always what ``donor_gifts``
computes: after new, changed and deleted gifts (incrementally), a new resolution run, a whole
copy and a change of time zone (rebuilt), and never half-written when a refresh fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from groundswell.analytics import metrics, stored
from groundswell.analytics.engine import engine_open, extract_engine, extract_update
from groundswell.analytics.extract import extract_open, extract_refresh
from groundswell.analytics.tests.dataset import gift, run_linking_carol_to_pia, world_build
from groundswell.donations.models import Contribution, ContributionStatus

pytestmark = pytest.mark.django_db

JAN1, DEC31 = date(2026, 1, 1), date(2026, 12, 31)
_COLUMNS = ["id", "donor", "day", "net"]


def _kept_and_computed(engine) -> tuple[list[dict], list[dict]]:
    """The stored rows and the rows the definition computes now, in id order."""
    assert engine.donor_gifts is not None, "the engine should read the stored donor gifts"
    kept = engine.donor_gifts.select(*_COLUMNS).order_by("id")
    live = metrics.donor_gifts(replace(engine, donor_gifts=None)).select(*_COLUMNS)
    return engine.arrow(kept).to_pylist(), engine.arrow(live.order_by("id")).to_pylist()


def _figures(engine) -> tuple:
    """Donor figures that read the donor gifts, for comparing the two ways of getting them."""
    return (
        metrics.donors(engine, start=JAN1, end=DEC31),
        metrics.donors_by(engine, start=JAN1, end=DEC31, grain="month"),
        metrics.lapsed(engine, kind="sybunt", year=2027),
        metrics.cohorts(engine, start=JAN1, end=DEC31, months=3),
    )


def _agree(engine) -> list[dict]:
    kept, computed = _kept_and_computed(engine)
    assert kept == computed
    assert _figures(engine) == _figures(replace(engine, donor_gifts=None))
    return kept


def test_the_stored_gifts_follow_each_refresh(extract_file):
    world = world_build()
    with engine_open(name="duckdb") as engine:
        first = _agree(engine)
    assert first, "the dataset has counted gifts"
    # New, refunded in full, deleted: the next refresh follows them row by row.
    new = gift(datetime(2026, 2, 20, 15, tzinfo=UTC), 1234, "Hal", "Moss")
    g4 = world["g4"]
    g4.status, g4.refunded_cents = ContributionStatus.REFUNDED, g4.amount_cents
    g4.save()
    world["g3"].delete()
    with engine_open(name="duckdb") as engine:
        after = _agree(engine)
    ids = {row["id"] for row in after}
    assert new.pk in ids and g4.pk not in ids and world["g3"].pk not in ids
    with extract_open() as con:
        assert con.execute("SELECT count(*) FROM contributions_changed").fetchall() == [(0,)]


def test_a_new_run_a_whole_copy_and_a_new_time_zone_rebuild_them(extract_file, settings):
    world = world_build()
    with engine_open(name="duckdb") as engine:
        _agree(engine)
    run_linking_carol_to_pia(world)
    with engine_open(name="duckdb") as engine:
        rows = _agree(engine)
    assert {r["donor"] for r in rows if r["id"] == world["g5"].pk} == {f"p:{world['p1'].pk}"}
    with extract_open() as con:
        extract_update(con, full=True)
    with engine_open(name="duckdb") as engine:
        _agree(engine)
    # A gift at 02:00 UTC is the day before in New York, the same day in London.
    late = gift(datetime(2026, 3, 2, 2, tzinfo=UTC), 500, "Ida", "Wren")
    days = {}
    for zone in ("America/New_York", "Europe/London"):
        settings.TIME_ZONE = zone
        with engine_open(name="duckdb") as engine:
            days[zone] = {r["id"]: r["day"] for r in _agree(engine)}[late.pk]
    assert days == {"America/New_York": date(2026, 3, 1), "Europe/London": date(2026, 3, 2)}


def test_a_failed_refresh_leaves_both_as_they_were(extract_file, monkeypatch):
    world_build()
    with engine_open(name="duckdb") as engine:
        before = _agree(engine)
    expected = Contribution.objects.count()
    gift(datetime(2026, 2, 21, 15, tzinfo=UTC), 4321, "Una", "Vale")

    def broken(con):
        raise RuntimeError("the derived table could not be written")

    with extract_open() as con, pytest.raises(RuntimeError):
        extract_refresh(con, follow=broken)
    with extract_open() as con:
        # Rolled back together: the extract has not the new gift, and nothing is owed.
        held = con.execute("SELECT count(*) FROM contributions").fetchall()[0][0]
        owed = con.execute("SELECT count(*) FROM contributions_changed").fetchall()[0][0]
    assert (held, owed) == (expected, 0)
    with engine_open(name="duckdb") as engine:
        after = _agree(engine)
    assert len(after) == len(before) + 1


def test_an_extract_refreshed_without_them_is_read_computed(extract_file):
    """A refresh that did not follow (a tool calling extract_refresh alone) leaves changes
    owed: the engine then computes the donor gifts rather than read a stale table."""
    world_build()
    with engine_open(name="duckdb") as engine:
        assert engine.donor_gifts is not None
    gift(datetime(2026, 2, 22, 15, tzinfo=UTC), 999, "Ned", "Oak")
    with extract_open() as con:
        extract_refresh(con)
        assert not stored.stored_current(con)
        engine = extract_engine(con, fresh_at=timezone.now(), resolved=True)
        assert engine.donor_gifts is None
