"""The Donors by place page: who sees what, the ZIP3 floor, the threshold panel against the goal
page, bad dates refused plainly, the empty state."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from groundswell.analytics.tests.places_dataset import places_world_build
from groundswell.analytics.tests.test_filters import snapshot
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.thresholds import progress

pytestmark = pytest.mark.django_db

URL = "/analytics/donors/places/"
SPRING = {"start": "2026-01-01", "end": "2026-03-31"}


def _table(page, table_id: str) -> list[tuple[str, ...]]:
    """The rows of a table on the page: each row's cells as text, tags and commas dropped."""
    html = page.content.decode()
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0].split("<tbody>")[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(tuple(re.sub(r"<[^>]+>", "", c).replace(",", "").strip() for c in cells))
    return rows


def test_the_url_and_the_overview_link(persona_client, extract_file):
    assert reverse("analytics:donor_places") == URL
    overview = persona_client("organizer").get(reverse("analytics:overview"))
    assert URL.encode() in overview.content


def test_finance_sees_net_by_state_others_donor_counts(persona_client, extract_file):
    places_world_build()
    finance = persona_client("finance").get(URL, SPRING)
    assert finance.status_code == 200
    assert _table(finance, "states") == [
        ("New Hampshire", "1", "$30.00"),
        ("New York", "2", "$20.00"),
        ("Vermont", "2", "$108.00"),
        ("No state given", "2", "$15.00"),
    ]
    assert b"Figures as of" in finance.content and b'id="states-spec"' in finance.content
    for role in ("organizer", "volunteer"):
        page = persona_client(role).get(URL, SPRING)
        assert page.status_code == 200
        assert _table(page, "states")[:3] == [
            ("New Hampshire", "1"),
            ("New York", "2"),
            ("Vermont", "2"),
        ]
        # No dollar figure anywhere (the chart spec's "$schema" key aside).
        assert b"$" not in page.content.replace(b'"$schema"', b"")


def test_anonymous_is_sent_to_log_in(client, extract_file):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_zip3_bins_follow_the_minimum_setting(persona_client, extract_file, settings):
    places_world_build()
    client = persona_client("organizer")
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = 2
    two = client.get(URL, SPRING)
    # Pia alone in 033: folded with Uma and Val (no ZIP) into Other.
    assert _table(two, "zip3") == [
        ("054xx", "2"),
        ("100xx", "2"),
        ("Other (1 smaller area and no ZIP)", "3"),
    ]
    assert b"033xx" not in two.content
    spec = two.content.decode().split('id="zip3-spec" type="application/json">')[1]
    assert json.loads(spec.split("</script>")[0])["data"]["values"] == [
        {"area": "054xx", "donors": 2},
        {"area": "100xx", "donors": 2},
        {"area": "Other", "donors": 3},
    ]
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = 3
    three = client.get(URL, SPRING)
    assert _table(three, "zip3") == [("Other (3 smaller areas and no ZIP)", "7")]
    withheld = client.get(URL, {"start": "2026-03-01", "end": "2026-03-03"})
    assert 'id="zip3"' not in withheld.content.decode()
    assert b"Fewer than 3 donors in any area" in withheld.content
    # The default floor is ten: nothing in this small campaign is shown by area.
    del settings.GROUNDSWELL_ANALYTICS_MIN_BIN
    assert b"Fewer than 10 donors in any area" in client.get(URL, SPRING).content


def test_the_threshold_panel_is_the_goal_pages_figure(persona_client, extract_file):
    places_world_build()
    rule_set = ThresholdRuleSet.objects.create(
        name="Spring debate",
        slug="spring-debate",
        total_donors=100,
        per_state_minimum=2,
        states_required=3,
        window_start=date(2026, 1, 1),
        window_end=date(2026, 3, 31),
        deadline=date(2026, 3, 31),
        active=True,
    )
    # The page's own range (March) is not the goal's: the panel counts over the goal's window.
    page = persona_client("organizer").get(URL, {"start": "2026-03-01", "end": "2026-03-31"})
    assert b"Per-state threshold: Spring debate" in page.content
    rows = _table(page, "threshold-states")
    goal_page = progress(rule_set=rule_set)
    assert {name: int(donors) for name, donors, _ in rows} == {
        s.name: s.donors for s in goal_page.states
    }
    assert rows[:3] == [
        ("New York", "2", "met"),
        ("Vermont", "2", "met"),
        ("New Hampshire", "1", "1"),
    ]
    qualifying = re.search(rb'id="states-qualifying">(\d+)<', page.content).group(1)
    assert int(qualifying) == goal_page.states_met == 2
    assert b"of the 3 needed \xc2\xb7 1 to go" in page.content


def test_without_a_goal_the_minimum_is_the_form_value(persona_client, extract_file):
    places_world_build()
    page = persona_client("organizer").get(URL, {**SPRING, "minimum": "2"})
    assert b"No donor goal sets a per-state minimum" in page.content
    assert re.search(rb'id="states-qualifying">2<', page.content)
    rows = _table(page, "threshold-states")
    assert rows[:3] == [
        ("New York", "2", "met"),
        ("Vermont", "2", "met"),
        ("New Hampshire", "1", "1"),
    ]
    # The default minimum (200): no state qualifies; Vermont is 198 short.
    default = persona_client("organizer").get(URL, SPRING)
    assert re.search(rb'id="states-qualifying">0<', default.content)
    assert ("Vermont", "2", "198") in _table(default, "threshold-states")


def test_empty_range_says_so(persona_client, extract_file):
    page = persona_client("finance").get(URL)
    assert page.status_code == 200
    assert b"No donors in this range" in page.content
    assert b"states-spec" not in page.content


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-02-30"},
        {"start": "yesterday"},
        {"end": "\x00"},
        {"start": "1999-12-31"},
        {"end": "99999-01-01"},
        {"start": "2026-03-01", "end": "2026-02-01"},
        {"minimum": "0"},
        {"minimum": "-4"},
        {"minimum": "1e9999"},
        {"minimum": "99999999999999999999999"},
        {"page": "0"},
        {"compare": "decade"},
        {"compare": "previous\x00"},
        {"segment": "99999"},
    ],
)
def test_bad_input_is_a_form_error_and_a_400(persona_client, extract_file, caplog, query):
    response = persona_client("finance").get(URL, query)
    assert response.status_code == 400
    assert b'class="error"' in response.content and b"Check the fields above" in response.content
    assert "analytics: refused" in caplog.text


def test_a_segment_narrows_the_places_but_not_the_threshold(persona_client, extract_file):
    world = places_world_build()
    pia = snapshot("Pia only", world["p1"])
    hidden = snapshot("Finance only", world["p2"], needs="finance.view")
    page = persona_client("organizer").get(URL, {**SPRING, "minimum": "2", "segment": pia.pk})
    assert page.status_code == 200
    # Pia's latest gift in the range came from New Hampshire: she alone is counted there.
    assert _table(page, "states") == [("New Hampshire", "1")]
    assert b"in the segment \xe2\x80\x9cPia only\xe2\x80\x9d" in page.content
    # The threshold panel counts every donor, as without the segment.
    everyone = persona_client("organizer").get(URL, {**SPRING, "minimum": "2"})
    assert _table(page, "threshold-states") == _table(everyone, "threshold-states")
    # A segment the viewer may not see is refused as if it did not exist.
    refused = persona_client("organizer").get(URL, {**SPRING, "segment": hidden.pk})
    assert refused.status_code == 400 and b"Finance only" not in refused.content
    assert persona_client("finance").get(URL, {**SPRING, "segment": hidden.pk}).status_code == 200


MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def test_each_state_beside_the_previous_period(persona_client, extract_file):
    places_world_build()
    finance = persona_client("finance").get(URL, {**MARCH, "compare": "previous"})
    assert finance.status_code == 200
    # March against the 31 days before, Jan 29 – Feb 28: Pia $10 + $20, Rafe $20 and Carol $7,
    # all from Vermont (Dave's refunded gift counts nothing, Eve's memo row never).
    assert "Compared with Jan 29, 2026 – Feb 28, 2026: <strong>3</strong>".encode() in (
        finance.content
    )
    assert _table(finance, "states") == [
        ("New Hampshire", "1", "0", "+1", "$30.00", "$0.00", "+$30.00"),
        ("New York", "2", "0", "+2", "$20.00", "$0.00", "+$20.00"),
        ("Vermont", "1", "3", "-2", "$1.00", "$57.00", "-$56.00"),
        ("No state given", "2", "0", "+2", "$15.00", "$0.00", "+$15.00"),
    ]
    organizer = persona_client("organizer").get(URL, {**MARCH, "compare": "previous"})
    assert _table(organizer, "states") == [
        ("New Hampshire", "1", "0", "+1"),
        ("New York", "2", "0", "+2"),
        ("Vermont", "1", "3", "-2"),
        ("No state given", "2", "0", "+2"),
    ]
    assert b"$" not in organizer.content.replace(b'"$schema"', b"")
    # A year before (Jan – Mar 2025): Frank's $40 from Vermont on March 1, 2025.
    year = persona_client("finance").get(URL, {**SPRING, "compare": "year"})
    assert ("Vermont", "2", "1", "+1", "$108.00", "$40.00", "+$68.00") in _table(year, "states")


def test_a_segment_beside_the_previous_period(persona_client, extract_file, settings):
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = 2
    world = places_world_build()
    pia = snapshot("Pia only", world["p1"])
    query = {**MARCH, "segment": pia.pk, "compare": "previous"}
    # Pia gave from New Hampshire in March, from Vermont ($10 + $20) the month before.
    assert _table(persona_client("organizer").get(URL, query), "states") == [
        ("New Hampshire", "1", "0", "+1"),
        ("Vermont", "0", "1", "-1"),
    ]
    finance = persona_client("finance").get(URL, query)
    assert _table(finance, "states") == [
        ("New Hampshire", "1", "0", "+1", "$30.00", "$0.00", "+$30.00"),
        ("Vermont", "0", "1", "-1", "$0.00", "$30.00", "-$30.00"),
    ]
    # Her ZIP3 area holds one donor: withheld, compared or not.
    assert b"033xx" not in finance.content and 'id="zip3"' not in finance.content.decode()


def test_zip3_areas_are_not_compared(persona_client, extract_file, settings):
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = 2
    places_world_build()
    client = persona_client("finance")
    plain = client.get(URL, SPRING)
    compared = client.get(URL, {**SPRING, "compare": "previous"})
    assert _table(compared, "zip3") == _table(plain, "zip3")
    assert b"Areas are not compared" in compared.content
    assert b"compare=previous" not in plain.content


def test_an_empty_segment_says_so_on_the_places_page(persona_client, extract_file):
    places_world_build()
    nobody = snapshot("Nobody yet")
    page = persona_client("organizer").get(URL, {**SPRING, "segment": nobody.pk})
    assert page.status_code == 200
    assert b'id="scope-empty"' in page.content
    assert "No one is in the segment “Nobody yet”".encode() in page.content
    assert b"No donors in this range" in page.content
