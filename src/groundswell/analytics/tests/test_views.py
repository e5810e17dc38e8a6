"""The overview and the lapsed lists: who sees what, empty states, refused input, and the
overview's figures against the finance and donor-goal pages' own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from groundswell.analytics import selectors
from groundswell.analytics.tests.dataset import world_build
from groundswell.donations.selectors import DateRange, gift_median_cents, money_totals
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.thresholds import goal_donor_count

pytestmark = pytest.mark.django_db

FEB28 = date(2026, 2, 28)


def test_finance_sees_money_and_others_donor_counts_only(persona_client, extract_file):
    world_build()
    finance = persona_client("finance").get(reverse("analytics:overview"))
    assert finance.status_code == 200
    assert b"Net raised" in finance.content and b"LYBUNT donors" in finance.content
    assert b"Figures as of" in finance.content
    for role in ("organizer", "volunteer"):
        page = persona_client(role).get(reverse("analytics:overview"))
        assert page.status_code == 200
        assert b"Unique donors" in page.content
        # No dollar figure anywhere (the chart spec's "$schema" key aside).
        text = page.content.replace(b'"$schema"', b"")
        assert b"Net raised" not in text and b"$" not in text
        lapsed = persona_client(role).get(reverse("analytics:lapsed", args=["lybunt"]))
        assert lapsed.status_code == 403


def test_anonymous_is_sent_to_log_in(client, extract_file):
    response = client.get(reverse("analytics:overview"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_empty_campaign_says_so(persona_client, extract_file):
    page = persona_client("finance").get(reverse("analytics:overview"))
    assert page.status_code == 200
    assert b"No gifts in the last twelve months" in page.content
    lapsed = persona_client("finance").get(reverse("analytics:lapsed", args=["lybunt"]))
    assert b"No LYBUNT donors" in lapsed.content


def test_lapsed_lists_the_hand_computed_donors(persona_client, extract_file):
    world_build()
    client = persona_client("finance")
    lybunt = client.get(reverse("analytics:lapsed", args=["lybunt"]), {"year": "2026"})
    assert lybunt.status_code == 200
    assert b"Frank Ito" in lybunt.content and b"Gina Park" not in lybunt.content
    sybunt = client.get(reverse("analytics:lapsed", args=["sybunt"]), {"year": "2026"})
    assert b"Frank Ito" in sybunt.content and b"Gina Park" in sybunt.content
    assert b"2 in all" in sybunt.content


def test_lapsed_lists_page_within_their_year(persona_client, extract_file, monkeypatch):
    world_build()
    monkeypatch.setattr(selectors, "PER_PAGE", 1)
    url = reverse("analytics:lapsed", args=["sybunt"])
    first = persona_client("finance").get(url, {"year": "2026"})
    assert b"Page 1 of 2" in first.content
    assert b'href="?year=2026&amp;page=2"' in first.content
    second = persona_client("finance").get(url, {"year": "2026", "page": "2"})
    assert b"Page 2 of 2" in second.content and b'href="?year=2026&amp;page=1"' in second.content
    shown = [name for name in (b"Frank Ito", b"Gina Park") if name in second.content]
    assert len(shown) == 1 and shown[0] not in first.content.split(b"<tbody>")[1]


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("nobunt", {}),
        ("lybunt", {"year": "1999"}),
        ("lybunt", {"year": "²⁰²⁶"}),
        ("lybunt", {"year": "99999999999999999999"}),
        ("lybunt", {"page": "0"}),
        ("lybunt", {"page": "-1"}),
        ("lybunt", {"page": "\x00"}),
    ],
)
def test_bad_input_is_refused_plainly(persona_client, extract_file, kind, query, caplog):
    response = persona_client("finance").get(reverse("analytics:lapsed", args=[kind]), query)
    assert response.status_code == 400
    assert b"cannot be shown" in response.content
    assert "analytics: refused" in caplog.text


def test_overview_agrees_with_the_finance_and_goal_pages(make_user, extract_file):
    """One figure, one definition: the quarter's money is the finance page's, and the goal's
    unique donors are the goal page's."""
    world_build()
    ThresholdRuleSet.objects.create(
        name="Debate stage",
        slug="debate-stage",
        total_donors=10,
        per_state_minimum=1,
        states_required=1,
        window_start=date(2026, 1, 1),
        window_end=date(2026, 6, 30),
        deadline=date(2026, 7, 1),
        active=True,
    )
    board = selectors.overview_read(user=make_user("finance"), today=FEB28)
    quarter = board.periods[2]
    assert (quarter.start, quarter.end) == (date(2026, 1, 1), FEB28)
    period = DateRange(quarter.start, quarter.end)
    theirs = money_totals(period=period)
    assert (quarter.money.count, quarter.money.gross_cents, quarter.money.net_cents) == (
        theirs.count,
        theirs.gross_cents,
        theirs.net_cents,
    )
    assert quarter.money.average_cents == theirs.average_cents
    assert quarter.money.median_cents == gift_median_cents(period=period) == 2000
    rule_set = ThresholdRuleSet.objects.get(slug="debate-stage")
    assert board.goal.donors == goal_donor_count(rule_set=rule_set, today=FEB28) == 3
    # The week of Feb 23 has no gift; today (Feb 28) neither.
    assert board.periods[0].money.count == 0 and board.periods[0].donors.donors == 0


def test_overview_counts_a_gift_made_today(persona_client, extract_file, settings):
    from django.utils import timezone

    from groundswell.analytics.tests.dataset import gift

    gift(timezone.now(), 4200, "Tess", "Hale")
    page = persona_client("finance").get(reverse("analytics:overview"))
    today_card = page.content.split(b'id="period-1"')[1].split(b"</div>")[0]
    assert b"$42.00" in today_card
    assert datetime.now(UTC).year >= 2026


@pytest.mark.django_db(transaction=True)
def test_a_lybunt_list_becomes_a_segment_of_its_people(persona_client, extract_file):
    from groundswell.segments.models import Segment
    from groundswell.segments.selectors import segment_count, segment_people

    world = world_build()
    client = persona_client("finance")
    url = reverse("analytics:lapsed_segment", args=["lybunt"])
    response = client.post(url, {"year": "2027"})
    segment = Segment.objects.get(name="LYBUNT donors 2027")
    assert response.status_code == 302 and response["Location"].endswith(f"/{segment.pk}/")
    # In 2027 the lapsed are Rafe (P2), Pia (P1) and Carol; Carol has no person record.
    assert segment_count(segment=segment) == 2
    assert set(segment_people(segment=segment).values_list("pk", flat=True)) == {
        world["p1"].pk,
        world["p2"].pk,
    }
    again = client.post(url, {"year": "2027"}, follow=True)
    assert "There is already a segment" in again.content.decode()
    assert client.get(url).status_code == 405
    assert client.post(url, {"year": "12"}).status_code == 400
    # Last: persona_client logs the one test client in as someone else.
    assert persona_client("organizer").post(url, {"year": "2027"}).status_code == 403


@pytest.mark.parametrize(
    "name",
    ["analytics:overview", "analytics:donors", "analytics:people", "analytics:planning:planning"],
)
def test_the_figures_time_is_given_to_the_second(persona_client, extract_file, name):
    """A fraction of a second in the page says nothing to staff, and its digits can read as a
    gift's amount (…:53.09… beside a $53.09 gift) in the role walk's search for finance data."""
    import re

    world_build()
    page = persona_client("finance").get(reverse(name))
    assert page.status_code == 200
    stamp = re.search(r'id="freshness">[^<]*<time datetime="([^"]+)"', page.content.decode())
    assert stamp, "the page says when its figures were read"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", stamp.group(1)), stamp.group(1)
