"""The donor-count, goal and progress pages: figures, forms, permissions, starting a run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.tests.helpers import finished_run, gift

pytestmark = pytest.mark.django_db
COUNTS = reverse("identity:counts")
RANGE = {"start": "2019-01-01", "end": "2019-12-31"}


def test_the_counts_page_shows_both_counts_the_difference_and_the_state_table(persona_client):
    run = finished_run()
    gift(given="Robert", family="Pagetest", state="IA", cluster="c:1", run=run)
    gift(given="Bob", family="Pagetest", state="IA", cluster="c:1", run=run)
    gift(given="Ada", family="Pagetest", state="NV", postal="89501", cluster="c:2", run=run)

    response = persona_client("finance").get(COUNTS, RANGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="unique-count">2<' in html
    assert 'id="naive-count">3<' in html
    assert 'id="difference">50.0%<' in html
    assert 'data-state="IA"' in html and "Iowa" in html and "Wyoming" in html
    assert (
        "A donor whose every gift in the range was refunded or charged back is not counted" in html
    )
    assert "No identity resolution run has finished yet" not in html


def test_the_state_table_sorts_by_the_column_asked_for(persona_client):
    run = finished_run()
    gift(given="A", family="Sort", state="VT", cluster="c:1", run=run)
    for n in range(2):
        gift(given=f"B{n}", family="Sort", state="OH", cluster=f"c:{n + 2}", run=run)
    client = persona_client("finance")

    html = client.get(COUNTS, {**RANGE, "sort": "-unique"}).content.decode()
    assert html.index('data-state="OH"') < html.index('data-state="VT"')
    html = client.get(COUNTS, {**RANGE, "sort": "unique"}).content.decode()
    assert html.index('data-state="VT"') < html.index('data-state="OH"')
    html = client.get(COUNTS, {**RANGE, "sort": "nonsense"}).content.decode()
    assert html.index('data-state="OH"') < html.index('data-state="VT"')


def test_the_refund_rule_can_be_chosen_on_the_page(persona_client):
    run = finished_run()
    gift(given="Re", family="Funded", status="refunded", cluster="c:1", run=run)
    client = persona_client("finance")

    assert 'id="unique-count">0<' in client.get(COUNTS, RANGE).content.decode()
    html = client.get(COUNTS, {**RANGE, "refunded": "include"}).content.decode()
    assert 'id="unique-count">1<' in html
    assert "Anyone who gave is counted" in html


def test_a_bad_range_is_explained_and_the_default_shown(persona_client):
    response = persona_client("finance").get(COUNTS, {"start": "2019-05-01", "end": "2019-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The range ends before it starts." in html
    html = persona_client("finance").get(COUNTS, {"start": "soon", "end": ""}).content.decode()
    assert "Enter a valid date." in html


def test_without_a_run_the_page_says_so_and_offers_to_run_one(
    persona_client, monkeypatch, django_capture_on_commit_callbacks
):
    gift(given="No", family="Run")
    client = persona_client("finance")

    html = client.get(COUNTS, RANGE).content.decode()
    assert "No identity resolution run has finished yet" in html
    assert 'id="unique-count">—<' in html and 'id="naive-count">1<' in html

    calls = []

    def fake_resolve(*, progress=None, **kwargs):
        calls.append(kwargs)
        progress("Scoring pairs")
        return finished_run()

    monkeypatch.setattr("groundswell.identity.services.identity_resolve", fake_resolve)
    with_next = f"{COUNTS}?start=2019-01-01&end=2019-12-31"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("identity:run_start"), {"next": with_next})
    assert response.status_code == 302 and response.url == with_next
    assert len(calls) == 1  # the test settings run tasks at once
    assert AuditEvent.objects.filter(action="identity.run_request").exists()
    html = client.get(COUNTS, RANGE).content.decode()
    assert "No identity resolution run has finished yet" not in html
    assert 'id="unique-count">1<' in html  # the gift newer than the run: by the naive key


def test_run_start_refuses_an_outside_next_url_and_a_second_run_while_one_runs(persona_client):
    from django.utils import timezone

    from groundswell.identity.models import ResolutionRun

    ResolutionRun.objects.create(
        started_at=timezone.now(), backend="duckdb", auto_link=0.99, review_floor=0.8
    )
    client = persona_client("admin")
    response = client.post(reverse("identity:run_start"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == COUNTS
    assert not AuditEvent.objects.filter(action="identity.run_request").exists()
    status = client.get(reverse("identity:run_status")).content.decode()
    assert "hx-trigger" in status and "Running" in status


def test_the_progress_page_shows_the_goal_states_closest_and_a_projection(persona_client):
    run = finished_run()
    today = date.today()
    n = 0
    for back in range(10, 0, -1):
        for state in ("IA", "NH"):
            n += 1
            gift(
                given=f"D{n}",
                family="Prog",
                state=state,
                on=today - timedelta(days=back),
                cluster=f"c:{n}",
                run=run,
            )
    client = persona_client("finance")
    response = client.post(
        reverse("identity:goal_create"),
        {
            "name": "Spring push",
            "total_donors": "100",
            "per_state_minimum": "15",
            "states_required": "2",
            "window_start": (today - timedelta(days=30)).isoformat(),
            "window_end": (today + timedelta(days=60)).isoformat(),
            "deadline": (today + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    goal = ThresholdRuleSet.objects.get(name="Spring push")
    assert response.url == reverse("identity:progress", args=[goal.slug])

    html = client.get(response.url).content.decode()

    assert 'id="donors-so-far">20<' in html
    assert 'id="donors-to-go">80<' in html
    assert 'id="states-met">0<' in html and "2 needed" in html
    assert 'id="closest-states"' in html and "5 to go" in html
    assert 'id="projection-total"' in html and "About " in html
    assert 'id="history-spec"' in html and "vega-embed.min.js" in html
    assert 'id="history-table"' in html


def test_a_goal_can_be_made_active_and_cleared(persona_client):
    client = persona_client("admin")
    url = reverse("identity:goal_activate", args=["dnc-2019-09"])
    client.post(url)
    assert ThresholdRuleSet.objects.get(active=True).slug == "dnc-2019-09"
    assert client.get(reverse("identity:home")).url == reverse(
        "identity:progress", args=["dnc-2019-09"]
    )
    client.post(url, {"clear": "1"})
    assert not ThresholdRuleSet.objects.filter(active=True).exists()
    assert client.get(reverse("identity:home")).url == reverse("identity:goals")


def test_the_goal_form_explains_bad_figures(persona_client):
    response = persona_client("finance").post(
        reverse("identity:goal_create"),
        {
            "name": "  ",
            "total_donors": "0",
            "per_state_minimum": "10",
            "states_required": "57",
            "window_start": "2019-03-01",
            "window_end": "2019-02-01",
            "deadline": "2019-01-15",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "pick 56 or fewer" in html
    assert "The counting window ends before it starts." in html
    assert not ThresholdRuleSet.objects.filter(builtin=False).exists()


def test_shipped_goals_cannot_be_edited_from_the_page(persona_client):
    client = persona_client("finance")
    response = client.get(reverse("identity:goal_edit", args=["dnc-2019-06"]))
    assert response.status_code == 302 and response.url == reverse("identity:goals")
    response = client.post(reverse("identity:goal_delete", args=["dnc-2019-06"]))
    assert ThresholdRuleSet.objects.filter(slug="dnc-2019-06").exists()


def test_the_goal_list_shows_shipped_and_custom_goals(persona_client):
    html = persona_client("finance").get(reverse("identity:goals")).content.decode()
    assert "DNC debate, January 2020" in html and "225,000" in html
    assert "1,000 in at least 20 states" in html
    assert "No goals of your own yet" in html


PAGES = [
    ("identity:counts", []),
    ("identity:goals", []),
    ("identity:goal_create", []),
    ("identity:progress", ["dnc-2019-06"]),
    ("identity:run_status", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("finance", 200), ("organizer", 403), ("volunteer", 403)]
)
def test_donor_pages_are_for_finance_and_admin(persona_client, name, args, role, status):
    assert persona_client(role).get(reverse(name, args=args)).status_code == status


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_donor_pages_send_anonymous_visitors_to_log_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/login" in response.url


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_organizers_and_volunteers_cannot_change_goals_or_start_runs(persona_client, role):
    client = persona_client(role)
    assert client.post(reverse("identity:goal_activate", args=["dnc-2019-06"])).status_code == 403
    assert client.post(reverse("identity:run_start")).status_code == 403
    assert not ThresholdRuleSet.objects.filter(active=True).exists()


def test_the_donors_link_is_in_the_nav_for_finance_only(persona_client):
    assert (
        reverse("identity:home")
        in persona_client("finance").get(reverse("identity:goals")).content.decode()
    )
    html = persona_client("organizer").get(reverse("identity:review")).content.decode()
    assert f'href="{reverse("identity:home")}"' not in html


def test_the_run_task_is_idempotent(monkeypatch):
    from django.utils import timezone

    from groundswell.identity.tasks import identity_resolve_run

    calls = []

    def fake_resolve(*, progress=None, **kwargs):
        calls.append(1)
        return finished_run()

    monkeypatch.setattr("groundswell.identity.services.identity_resolve", fake_resolve)
    requested_at = timezone.now().isoformat()
    first = identity_resolve_run.call(requested_at=requested_at)
    again = identity_resolve_run.call(requested_at=requested_at)

    assert first["run"] and again == {"skipped": True}
    assert len(calls) == 1


def test_the_progress_page_of_a_goal_whose_window_has_closed_gives_final_figures(persona_client):
    run = finished_run()
    gift(given="Final", family="Figure", on=date(2019, 3, 1), cluster="c:1", run=run)
    html = (
        persona_client("finance")
        .get(reverse("identity:progress", args=["dnc-2019-06"]))
        .content.decode()
    )
    assert 'id="window-closed"' in html
    assert 'id="donors-so-far">1<' in html
    assert 'id="donors-to-go">64,999<' in html


def _x_axes(response) -> list[dict]:
    layers = response.context["chart_spec"]["layer"]
    return [layer["encoding"]["x"]["axis"] for layer in layers if "x" in layer["encoding"]]


def test_the_goal_chart_names_months_with_their_year_and_lets_crowded_labels_give_way(
    persona_client,
):
    run = finished_run()
    gift(given="Early", family="Chart", on=date(2019, 1, 15), cluster="c:1", run=run)
    goal = ThresholdRuleSet.objects.get(slug="dnc-2019-06")
    assert (goal.window_end - goal.window_start).days > 120  # a chart over months
    response = persona_client("finance").get(reverse("identity:progress", args=[goal.slug]))
    axes = _x_axes(response)
    assert axes
    assert all(axis["labelOverlap"] == "greedy" and axis["labelSeparation"] > 0 for axis in axes)
    assert all(axis["format"] == "%b %Y" for axis in axes)


def test_a_goal_chart_over_a_few_weeks_names_days(persona_client):
    run = finished_run()
    today = date.today()
    gift(given="Recent", family="Chart", on=today - timedelta(days=5), cluster="c:1", run=run)
    goal = ThresholdRuleSet.objects.create(
        slug="three-weeks",
        name="Three weeks",
        total_donors=1,
        per_state_minimum=1,
        states_required=1,
        window_start=today - timedelta(days=20),
        window_end=today - timedelta(days=1),
        deadline=today - timedelta(days=1),
    )
    response = persona_client("finance").get(reverse("identity:progress", args=[goal.slug]))
    axes = _x_axes(response)
    assert axes and all(axis["format"] == "%b %-d" for axis in axes)
    assert all(axis["labelOverlap"] == "greedy" for axis in axes)


def test_a_failed_run_is_shown_with_its_error(persona_client):
    from django.utils import timezone

    from groundswell.identity.models import ResolutionRun

    ResolutionRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=ResolutionRun.Status.FAILED,
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.8,
        error="OutOfMemoryException: synthetic failure",
    )
    html = persona_client("finance").get(COUNTS, RANGE).content.decode()
    assert 'id="run-failed"' in html and "synthetic failure" in html
    assert "Run identity resolution now" in html


def test_the_polled_run_status_reloads_the_page_once_the_run_has_ended(persona_client):
    from django.utils import timezone

    from groundswell.identity.models import ResolutionRun

    client = persona_client("finance")
    url = reverse("identity:run_status")
    running = ResolutionRun.objects.create(
        started_at=timezone.now(), backend="duckdb", auto_link=0.99, review_floor=0.8
    )
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    running.status = ResolutionRun.Status.DONE
    running.finished_at = timezone.now()
    running.save()
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(url)
