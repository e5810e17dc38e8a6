"""The ladder page on a large database: it reads a snapshot taken on the task worker (the same
definition as the live counts, in both variants), says how old it is, and the periodic job
keeps it fresh only when the database is large."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.events import ladder
from groundswell.events.ladder import Rung
from groundswell.events.models import LadderSnapshot
from groundswell.events.tests.conftest_ladder import give, ladder_world, someone, subscribe

pytestmark = pytest.mark.django_db


def _on_page(client) -> tuple[dict[int, int], str]:
    page = client.get(reverse("events_staff:ladder")).content.decode()
    counts = {int(rung): int(n) for rung, n in re.findall(r'data-rung="(\d)">(\d+)<', page)}
    return counts, page


@pytest.mark.parametrize("role", ["finance", "organizer"])
def test_a_large_database_reads_the_snapshot_which_equals_the_live_counts(
    persona_client, monkeypatch, role
):
    ladder_world()
    client = persona_client(role)
    live, page = _on_page(client)
    assert "ladder-freshness" not in page
    monkeypatch.setattr(ladder, "LIVE_LIMIT", 3)
    # No snapshot yet: the page asks the worker for one (the test backend runs it at once).
    snapped, page = _on_page(client)
    assert LadderSnapshot.objects.count() == 2
    assert snapped == live and sum(snapped.values()) == len(Rung)
    assert "Figures as of" in page
    assert (int(Rung.DONOR) in snapped) == (role == "finance")
    # Later changes wait for the next snapshot; the page keeps the figures it has.
    extra = someone("Ivo")
    subscribe(extra)
    give(extra)
    again, _ = _on_page(client)
    assert again == snapped
    assert LadderSnapshot.objects.count() == 2


def test_the_snapshot_months_fold_the_donor_rung_like_the_live_months(make_user, monkeypatch):
    ladder_world()
    users = {role: make_user(role) for role in ("finance", "volunteer")}
    live = {role: ladder.rung_movement(user=user) for role, user in users.items()}
    ladder.ladder_snapshot_take()
    monkeypatch.setattr(ladder, "LIVE_LIMIT", 3)
    for role, rows in live.items():
        figures = ladder.ladder_figures(user=users[role])
        assert not figures.live
        assert [(m.month, m.counts, m.moved_up) for m in figures.months] == [
            (m.month, m.counts, m.moved_up) for m in rows
        ]


def test_the_periodic_job_takes_a_snapshot_only_for_a_large_database_once_an_hour(monkeypatch):
    ladder_world()
    assert ladder.ladder_snapshot_due() == "counted live"
    assert not LadderSnapshot.objects.exists()
    monkeypatch.setattr(ladder, "LIVE_LIMIT", 3)
    now = timezone.now()
    assert ladder.ladder_snapshot_due(now=now).startswith("taken")
    assert ladder.ladder_snapshot_due(now=now + timedelta(minutes=30)) == "fresh"
    assert LadderSnapshot.objects.count() == 2
    later = now + timedelta(hours=1)
    assert ladder.ladder_snapshot_due(now=later).startswith("taken")
    # Only the latest taking is kept.
    assert set(LadderSnapshot.objects.values_list("taken_at", flat=True)) == {later}
