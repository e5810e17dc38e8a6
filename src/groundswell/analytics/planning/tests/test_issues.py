"""Platform issues by segment: exact shares and Wilson intervals on a campaign counted by hand
(see world.py), the donor split and the donor rung for finance roles only, empty states."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.planning.selectors import issue_figures
from groundswell.analytics.planning.shares import Share, rank
from groundswell.analytics.planning.tests.world import issues_world
from groundswell.core.experiments import wilson_interval
from groundswell.core.periods import days_range

pytestmark = pytest.mark.django_db

Z = 1.959963984540054  # the normal quantile of 0.975, from a table


def textbook(k: int, n: int) -> tuple[float, float]:
    """Wilson's interval, textbook form: (k + z²/2)/(n + z²) ± z/(n + z²)·√(k(n−k)/n + z²/4)."""
    centre = (k + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(k * (n - k) / n + Z * Z / 4)
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(3, 5), (2, 3), (1, 2), (0, 4), (4, 4), (37, 120)])
def test_the_wilson_interval_is_the_textbook_one(k, n):
    low, high = wilson_interval(k, n)
    expected = textbook(k, n)
    assert low == pytest.approx(max(expected[0], 0.0), abs=1e-12)
    assert high == pytest.approx(min(expected[1], 1.0), abs=1e-12)


def test_the_wilson_interval_of_nothing_is_everything_and_impossible_counts_are_refused():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def _last_week():
    today = timezone.localdate()
    return days_range(today - timedelta(days=7), today)


def _table(figures) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        seg.label: {title: (s.k, s.n) for title, s in seg.shares.items()}
        for seg in figures.segments
    }


def test_each_issues_share_per_state_is_counted_once_per_person_with_its_interval(make_user):
    issues_world()
    figures = issue_figures(user=make_user("organizer"), dimension="state", during=_last_week())
    assert figures.answered == 5  # fay answered 200 days ago
    assert _table(figures) == {
        "Everyone": {"Housing for all": (3, 5), "Climate jobs": (2, 5), "Clean water": (1, 5)},
        "OH": {"Housing for all": (2, 3), "Climate jobs": (2, 3), "Clean water": (1, 3)},
        "PA": {"Housing for all": (1, 2), "Climate jobs": (0, 2), "Clean water": (0, 2)},
    }
    housing = figures.segments[0].shares["Housing for all"]
    assert (housing.low, housing.high) == pytest.approx(textbook(3, 5), abs=1e-12)
    # Five people are too few to rank anything: no issue is crowned.
    assert all(seg.ranking.too_few and seg.ranking.leader is None for seg in figures.segments)


def test_the_page_shows_the_shares_intervals_and_n(persona_client):
    issues_world()
    response = persona_client("organizer").get(
        reverse("analytics:planning:planning") + "?dimension=state"
    )
    assert response.status_code == 200
    text = response.content.decode()
    low, high = textbook(3, 5)
    assert f"{100 * low:.1f}–{100 * high:.1f}%" in text
    assert "60.0%" in text and "3 of 5" in text and "Too few to tell" in text


def test_the_donor_split_and_rung_are_for_finance_and_folded_away_for_others(
    make_user, persona_client
):
    issues_world()
    finance, organizer = make_user("finance"), make_user("organizer")
    by_rung = _table(issue_figures(user=finance, dimension="rung", during=_last_week()))
    assert by_rung["Donor"] == {
        "Housing for all": (1, 1),
        "Climate jobs": (0, 1),
        "Clean water": (0, 1),
    }
    assert by_rung["Subscriber"]["Housing for all"] == (2, 4)
    by_donor = _table(issue_figures(user=finance, dimension="donor", during=_last_week()))
    assert set(by_donor) == {"Everyone", "Donors", "Not donors"}
    assert by_donor["Not donors"]["Climate jobs"] == (2, 4)
    # Without finance rights the donor stands on the rung below: no "Donor" segment at all.
    folded = _table(issue_figures(user=organizer, dimension="rung", during=_last_week()))
    assert set(folded) == {"Everyone", "Subscriber"}
    assert folded["Subscriber"]["Housing for all"] == (3, 5)
    url = reverse("analytics:planning:planning")
    assert persona_client("finance").get(url + "?dimension=donor").status_code == 200
    for role in ("organizer", "volunteer"):
        page = persona_client(role).get(url)
        assert page.status_code == 200 and b">Donor<" not in page.content
        assert b'value="donor"' not in page.content
        refused = persona_client(role).get(url + "?dimension=donor")
        assert refused.status_code == 400 and b"not one of the available choices" in refused.content


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("analytics:planning:planning"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_empty_range_says_so_plainly(persona_client):
    issues_world()
    response = persona_client("organizer").get(
        reverse("analytics:planning:planning") + "?start=2021-01-01&end=2021-01-31"
    )
    assert response.status_code == 200
    assert b"No participation answers yet from Jan 1, 2021 to Jan 31, 2021" in response.content
    assert b"No page with copy variants" in response.content
    assert b"No mailing A/B test started" in response.content


def test_a_range_that_ends_before_it_starts_is_refused_and_logged(persona_client, caplog):
    response = persona_client("organizer").get(
        reverse("analytics:planning:planning") + "?start=2026-03-02&end=2026-03-01"
    )
    assert response.status_code == 400
    assert b"must not be before the first" in response.content
    assert "analytics: refused" in caplog.text


def test_an_issue_title_is_escaped(persona_client):
    issues_world()
    from groundswell.actions.models import IssuePosition

    IssuePosition.objects.filter(slug="water").update(title="<script>alert(1)</script>")
    page = persona_client("organizer").get(reverse("analytics:planning:planning"))
    assert b"<script>alert(1)" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_a_leader_is_named_only_when_its_interval_clears_the_next():
    clear = rank({"A": Share(80, 100), "B": Share(40, 100)})
    assert clear.leader == "A" and clear.tied == ["A"]
    close = rank({"A": Share(55, 100), "B": Share(45, 100), "C": Share(10, 100)})
    assert close.leader is None and close.tied == ["A", "B"]
    assert "No clear leader" in close.sentence
    few = rank({"A": Share(20, 20), "B": Share(0, 20)})
    assert few.too_few and few.leader is None and "Too few" in few.sentence
