"""The staff home: where staff land, what each role sees on it, and that its figures are the
figures of the pages it links to."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.roles import (
    FINANCE_VIEW,
    MAILINGS_SEND,
    PEOPLE_EDIT,
    PEOPLE_IMPORT,
    PEOPLE_MERGE,
    role_can,
)
from groundswell.core.tests.browser import PASSWORD
from groundswell.donations.models import cents_display
from groundswell.home.tests import world as w
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.tests.helpers import finished_run
from groundswell.identity.tests.helpers import gift as clustered_gift
from groundswell.identity.thresholds import rule_set_activate
from groundswell.people.models import ImportJob

pytestmark = pytest.mark.django_db
ROLES = ["admin", "finance", "organizer", "volunteer"]
# Each queue on the home, and the capability its page needs.
QUEUES = {
    "queue-holds": FINANCE_VIEW,
    "queue-best-efforts": FINANCE_VIEW,
    "queue-merges": PEOPLE_MERGE,
    "queue-bouncing": PEOPLE_EDIT,
    "queue-failed": MAILINGS_SEND,
}


def _home(client) -> str:
    response = client.get(reverse("home:index"))
    assert response.status_code == 200
    return response.content.decode()


def _figure(html: str, metric: str, period: str) -> tuple[int, str]:
    """A metric's value for "today" or "week": the raw number and the text shown."""
    block = re.search(rf'id="{metric}".*?data-period="{period}"(.*?)</div>', html, re.S)
    assert block, f"no {metric} figure for {period}"
    found = re.search(r'data-value="(-?\d+)">([^<]+)<', block.group(1))
    return int(found.group(1)), found.group(2).strip()


def _queue_count(html: str, queue: str) -> int:
    found = re.search(rf'id="{queue}".*?data-count="(\d+)"', html, re.S)
    assert found, f"no {queue} on the page"
    return int(found.group(1))


def _listed(html: str) -> int:
    """The total a paginated list page shows ("1–20 of 57")."""
    return int(re.search(r"of <strong>(\d+)\+?</strong>", html).group(1))


def test_staff_land_on_the_home_after_logging_in_and_the_brand_leads_back_to_it(client, make_user):
    make_user("organizer", username="orla")
    response = client.post(
        reverse("accounts:login"), {"username": "orla", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home:index")
    page = response.content.decode()
    assert "<h1>Today</h1>" in page
    assert f'class="brand" href="{reverse("home:index")}"' in page


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, db):
    response = client.get(reverse("home:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_campaign_tells_each_role_what_to_do_next(persona_client, role):
    page = _home(persona_client(role))
    assert 'id="supporters-empty"' in page
    assert 'id="goal-empty"' in page
    runs_things = role_can(role, PEOPLE_IMPORT) or role_can(role, MAILINGS_SEND)
    assert ('id="running-empty"' in page) is runs_things
    finance = role_can(role, FINANCE_VIEW)
    assert ('id="giving-empty"' in page) is finance
    assert ("Set up a donation page" in page) is finance
    assert ("Choose a debate threshold or set your own goal" in page) is finance
    assert ("Import a list" in page) is role_can(role, PEOPLE_IMPORT)
    assert ("compose a mailing" in page) is role_can(role, MAILINGS_SEND)
    if not any(role_can(role, cap) for cap in QUEUES.values()):
        assert 'id="queues-none"' in page


def test_sign_ups_and_new_supporters_compare_today_with_yesterday_and_the_week_before(
    persona_client,
):
    days = [0, 0, 1, 3, 6, 7, 8, 13, 14, 40]
    for days_ago in days:
        w.person(days_ago=days_ago)
        w.signup(days_ago)
    merged_into = w.person(days_ago=0)
    w.person(days_ago=0, merged_into=merged_into)  # a duplicate merged away is nobody new
    page = _home(persona_client("volunteer"))

    def counted(low: int, high: int, extra: int = 0) -> int:
        return sum(1 for d in days if low <= d <= high) + extra

    assert _figure(page, "signups", "today")[0] == counted(0, 0)
    assert _figure(page, "signups", "week")[0] == counted(0, 6)
    assert _figure(page, "new-people", "today")[0] == counted(0, 0, extra=1)
    assert _figure(page, "new-people", "week")[0] == counted(0, 6, extra=1)
    yesterday = f"+{counted(0, 0) - counted(1, 1)} vs yesterday"
    assert yesterday in page
    assert f"{counted(0, 6) - counted(7, 13):+d} vs the week before" in page


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_finance_roles_see_giving_as_the_finance_overview_shows_it(persona_client, role):
    gifts = {0: [1234, 1000], 1: [5000], 4: [777], 10: [9900], 20: [4242]}
    for days_ago, amounts in gifts.items():
        for cents in amounts:
            w.gift(days_ago, cents)
    w.gift(0, 3000, status="refunded", refunded_cents=3000)
    client = persona_client(role)
    page = _home(client)
    finance = {
        "today": client.get(reverse("donations:finance_home") + "?range=today").content.decode(),
        "week": client.get(reverse("donations:finance_home") + "?range=7d").content.decode(),
    }
    expected = {
        "today": sum(gifts[0]),
        "week": sum(c for d, amounts in gifts.items() if d <= 6 for c in amounts),
    }
    for period, overview in finance.items():
        cents, shown = _figure(page, "net-raised", period)
        assert cents == expected[period]
        assert f'id="net-raised">{shown}</span>' in overview
        count, _ = _figure(page, "gifts", period)
        assert f'<span class="l">Contributions</span><span class="n">{count:,}</span>' in overview
        new, _ = _figure(page, "new-donors", period)
        assert f"{new:,} new" in overview
    assert _figure(page, "net-raised", "today")[1] == cents_display(expected["today"])


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_roles_without_finance_data_see_no_money_and_no_finance_queue(persona_client, role):
    w.busy_day()
    w.gift(0, 432_109)
    page = _home(persona_client(role))
    assert "4,321.09" not in page
    assert 'id="giving"' not in page
    assert reverse("donations:finance_home") not in page
    assert 'id="queue-holds"' not in page
    assert 'id="queue-best-efforts"' not in page


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_queues_it_can_act_on_counted_as_their_pages_count(persona_client, role):
    w.busy_day()
    client = persona_client(role)
    page = _home(client)
    for queue, capability in QUEUES.items():
        assert (f'id="{queue}"' in page) is role_can(role, capability), queue
    if role_can(role, FINANCE_VIEW):
        holds = client.get(reverse("donations:holds")).content.decode()
        assert _queue_count(page, "queue-holds") == _listed(holds) == 1
        efforts = client.get(reverse("donations:best_efforts")).content.decode()
        assert _queue_count(page, "queue-best-efforts") == _listed(efforts) == 1
    if role_can(role, PEOPLE_MERGE):
        # Finance sees the gift records' suggestions too; others only people's.
        expected = 2 if role_can(role, FINANCE_VIEW) else 1
        review = client.get(reverse("identity:review")).content.decode()
        shown = int(re.search(r"(\d+)\+? open pair", review).group(1))
        assert _queue_count(page, "queue-merges") == shown == expected
    if role_can(role, PEOPLE_EDIT):
        bouncing = client.get(reverse("people:list") + "?status=bouncing").content.decode()
        assert _queue_count(page, "queue-bouncing") == _listed(bouncing) == 1
    if role_can(role, MAILINGS_SEND):
        assert "2 failed" in page


def test_running_imports_and_sends_link_to_their_pages_for_the_roles_that_run_them(
    persona_client,
):
    waiting = w.import_job(ImportJob.Status.PENDING)
    running = w.import_job(ImportJob.Status.RUNNING)
    finished = w.import_job(ImportJob.Status.DONE)
    sending = w.mailing(sent=1)
    page = _home(persona_client("organizer"))
    assert reverse("people:import_mapping", args=[waiting.pk]) in page
    assert "Waiting for you" in page
    assert reverse("people:import_job", args=[running.pk]) in page
    assert f"{running.processed_rows} of {running.total_rows} rows" in page
    assert reverse("people:import_job", args=[finished.pk]) not in page
    assert reverse("mailings:detail", args=[sending.pk]) in page
    page = _home(persona_client("volunteer"))
    assert 'id="running"' not in page  # a volunteer neither imports nor sends
    assert running.original_name not in page and sending.name not in page


@pytest.fixture
def goal_campaign():
    """Donors over three weeks, some giving twice, clustered by a finished run; an active goal."""
    run = finished_run()
    today = timezone.localdate()
    for n in range(40):
        day = today - timedelta(days=n % 21)
        state = ["IA", "NH", "SC"][n % 3]
        clustered_gift(
            given=f"Donor{n}",
            family="Synthetic",
            state=state,
            on=day,
            cluster=f"c:{n // 2}",
            run=run,
        )
    goal = ThresholdRuleSet.objects.create(
        name="Synthetic goal", slug="synthetic-goal", total_donors=50, per_state_minimum=3,
        states_required=2, window_start=today - timedelta(days=30),
        window_end=today + timedelta(days=30), deadline=today + timedelta(days=30),
    )  # fmt: skip
    rule_set_activate(rule_set=goal)
    return run, goal


def _goal_page_donors(client, goal) -> str:
    page = client.get(reverse("identity:progress", args=[goal.slug])).content.decode()
    return re.search(r'id="donors-so-far">([^<]+)<', page).group(1)


def test_the_home_and_the_goal_page_show_the_same_unique_donors(goal_campaign, persona_client):
    _, goal = goal_campaign
    client = persona_client("finance")
    home = _home(client)
    shown = re.search(r'id="goal-donors">([^<]+)<', home).group(1)
    assert shown == _goal_page_donors(client, goal)
    assert shown == str(len({n // 2 for n in range(40)}))  # two gifts to a cluster
    assert reverse("identity:progress", args=[goal.slug]) in home
    # A gift after the run is counted on both at once, by the same function.
    clustered_gift(given="Newcomer", family="Synthetic", on=timezone.localdate())
    cache.clear()
    again = re.search(r'id="goal-donors">([^<]+)<', _home(client)).group(1)
    assert again == _goal_page_donors(client, goal)
    organizer = _home(persona_client("organizer"))
    assert re.search(r'id="goal-donors">([^<]+)<', organizer).group(1) == again
    assert reverse("identity:progress", args=[goal.slug]) not in organizer


def test_a_goal_without_a_resolution_run_says_how_donors_get_counted(persona_client):
    today = timezone.localdate()
    goal = ThresholdRuleSet.objects.create(
        name="Unresolved goal", slug="unresolved-goal", total_donors=50, per_state_minimum=3,
        states_required=2, window_start=today - timedelta(days=30),
        window_end=today + timedelta(days=30), deadline=today + timedelta(days=30),
    )  # fmt: skip
    rule_set_activate(rule_set=goal)
    page = _home(persona_client("finance"))
    assert 'id="goal-unresolved"' in page
    assert reverse("identity:counts") in page
    assert "Finance staff can run it" in _home(persona_client("volunteer"))


@pytest.mark.parametrize("role", ROLES)
def test_the_home_runs_the_same_number_of_queries_however_busy_the_day(persona_client, role):
    client = persona_client(role)
    _home(client)  # the session and the template cache, as on a running server
    w.busy_day(scale=1)
    with CaptureQueriesContext(connection) as quiet:
        _home(client)
    w.busy_day(scale=4)
    with CaptureQueriesContext(connection) as busy:
        _home(client)
    assert len(busy) == len(quiet)
    assert len(busy) <= 30


def test_failed_deliveries_link_to_their_mailing_whose_page_counts_the_same(persona_client):
    refused = w.mailing(status="sent", failed=3, sent=2)
    w.mailing(status="sent", sent=2)  # nothing failed: not listed
    client = persona_client("organizer")
    page = _home(client)
    listed = r'href="/mailings/(\d+)/">[^<]+</a> <span class="badge badge-bad">(\d+)'
    found = re.findall(listed, page)
    assert [(int(pk), int(n)) for pk, n in found] == [(refused.pk, 3)]
    detail = client.get(reverse("mailings:detail", args=[refused.pk])).content.decode()
    assert "<dt>Failed</dt><dd>3</dd>" in detail


def test_a_queue_longer_than_the_count_cap_says_so(persona_client, monkeypatch):
    from groundswell.core.pagination import CappedCount
    from groundswell.home import figures

    monkeypatch.setattr(figures, "people_bouncing_count", lambda user: CappedCount(10_000, True))
    page = _home(persona_client("organizer"))
    assert re.search(r'id="queue-bouncing".*?data-count="10000">10,000\+<', page, re.S)
