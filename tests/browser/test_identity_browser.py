"""The donor pages in a real headless Chromium on a phone: goal progress with its chart drawn by
the vendored vega-embed, the unique-donor counts, and a merge accepted from the review queue."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.identity.models import MergeSuggestion, RecordKind, ThresholdRuleSet
from groundswell.identity.tests.helpers import finished_run, gift
from groundswell.identity.thresholds import rule_set_activate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
PASSWORD = "pw-for-tests-1"
STATES = ["IA", "NH", "SC", "NV", "CA", "TX", "NY", "PR", "DC"]


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def donors():
    """Three weeks of synthetic donors across nine places, some giving twice under two names."""
    run = finished_run()
    today = timezone.localdate()
    n = 0
    for back in range(21, 0, -1):
        for index, state in enumerate(STATES):
            if (back + index) % 3 == 0:
                continue
            n += 1
            day = today - timedelta(days=back)
            gift(
                given=f"Donor{n}",
                family="Synthetic",
                state=state,
                postal=f"{10000 + index}",
                on=day,
                cluster=f"c:{n}",
                run=run,
            )
            if n % 4 == 0:  # the same person again, as a nickname: one donor, two naive keys
                gift(
                    given=f"D{n}",
                    family="Synthetic",
                    state=state,
                    postal=f"{10000 + index}",
                    on=day,
                    cluster=f"c:{n}",
                    run=run,
                )
    goal = ThresholdRuleSet.objects.create(
        name="Synthetic spring goal",
        slug="synthetic-spring-goal",
        total_donors=300,
        per_state_minimum=14,
        states_required=6,
        window_start=today - timedelta(days=60),
        window_end=today + timedelta(days=60),
        deadline=today + timedelta(days=60),
    )
    rule_set_activate(rule_set=goal)
    return run


def _login(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# The left and right edges of the chart's visible time-axis labels, left to right.
X_LABELS = """
() => [...document.querySelectorAll('#history-chart [aria-label^="X-axis"] .role-axis-label text')]
  .filter((t) => t.getAttribute("opacity") !== "0")
  .map((t) => t.getBoundingClientRect())
  .map((r) => [r.left, r.right])
  .sort((a, b) => a[0] - b[0])
"""


def _labels_apart(page) -> bool:
    labels = page.evaluate(X_LABELS)
    return len(labels) >= 2 and all(a[1] <= b[0] for a, b in pairwise(labels))


def test_finance_staff_follow_the_goal_on_a_phone(page, live_server, make_user, donors, shots):
    make_user("finance", username="fran")
    page.set_viewport_size(PHONE)
    _login(page, live_server, "fran", "/identity/")
    page.wait_for_url("**/identity/goals/synthetic-spring-goal/")
    # The chart is drawn as SVG by the vendored vega-embed; no request leaves for a CDN.
    page.wait_for_selector("#history-chart[data-drawn=yes] svg")
    assert _labels_apart(page)  # the time axis' labels do not run into each other
    donors_so_far = int(page.inner_text("#donors-so-far").replace(",", ""))
    assert 100 < donors_so_far < 300
    assert int(page.inner_text("#donors-to-go").replace(",", "")) == 300 - donors_so_far
    assert "6 needed" in page.inner_text("#states-met + .d")
    assert page.locator("#closest-states li").count() == 10
    assert "About" in page.inner_text("#projection-total")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "identity-phone-progress.png"), full_page=True)

    page.click("text=Show the numbers as a table")
    assert page.locator("#history-table tbody tr").count() == 61
    assert _no_horizontal_overflow(page)

    page.click("nav.id-nav >> text=Unique donors")
    page.wait_for_selector("#state-table")
    unique = int(page.inner_text("#unique-count").replace(",", ""))
    naive = int(page.inner_text("#naive-count").replace(",", ""))
    assert naive > unique
    page.click("#state-table th >> text=State")
    page.wait_for_url("**sort=name**")
    assert page.locator("#state-table tbody tr").first.get_attribute("data-state") == "AL"
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "identity-phone-counts.png"), full_page=True)
    page.click("nav.id-nav >> text=Goals and progress")
    page.wait_for_selector("h1:has-text('Donor goals')")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "identity-phone-goals.png"), full_page=True)
    page.click(".page-head >> text=New goal")
    page.fill("#id_name", "Synthetic matching challenge")
    page.fill("#id_total_donors", "5000")
    page.fill("#id_per_state_minimum", "50")
    page.fill("#id_states_required", "70")
    page.fill("#id_window_start", "2026-01-01")
    page.fill("#id_window_end", "2026-12-31")
    page.fill("#id_deadline", "2026-12-31")
    page.click("button:has-text('Save goal')")
    page.wait_for_selector("text=pick 56 or fewer")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "identity-phone-goal-form.png"), full_page=True)
    page.fill("#id_states_required", "10")
    page.click("button:has-text('Save goal')")
    page.wait_for_selector("h1:has-text('Synthetic matching challenge')")
    page.goto(f"{live_server.url}/identity/donors/")
    page.screenshot(
        path=str(shots / "identity-phone-counts-top.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 390, "height": 1500},
    )


def test_a_merge_is_accepted_and_undone_from_the_review_queue_on_a_phone(
    page, live_server, make_user, shots
):
    from groundswell.people.models import Person

    run = finished_run()
    older = Person.objects.create(given_name="Elizabeth", family_name="Reviewtest")
    newer = Person.objects.create(given_name="Liz", family_name="Reviewtest")
    ka, ia, kb, ib = MergeSuggestion.ordered(
        (RecordKind.PERSON, older.pk), (RecordKind.PERSON, newer.pk)
    )
    MergeSuggestion.objects.create(
        kind_a=ka,
        id_a=ia,
        kind_b=kb,
        id_b=ib,
        run=run,
        probability=0.91,
        match_weight=3.4,
        field_weights={"first": 2.1, "last": 7.5, "location": -1.2, "email": None},
    )
    make_user("organizer", username="oren")
    page.set_viewport_size(PHONE)
    _login(page, live_server, "oren", "/identity/review/")
    page.wait_for_selector("text=Liz Reviewtest")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "identity-phone-review.png"), full_page=True)

    page.click("button:has-text('Same person: merge')")
    page.wait_for_selector("#last-merge")
    newer.refresh_from_db()
    assert newer.merged_into_id == older.pk
    assert page.locator("#review-empty").count() == 1

    page.click("#last-merge button:has-text('Undo the merge')")
    page.wait_for_selector("text=Merge undone")
    newer.refresh_from_db()
    assert newer.merged_into_id is None
