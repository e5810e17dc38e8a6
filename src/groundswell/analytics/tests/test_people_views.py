"""The People dashboard: who sees which section, empty states, refused ranges, and each
figure against the page that already shows it (mailing report, event page, ladder, recruiters)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.actions.models import Referral
from groundswell.analytics import selectors_people
from groundswell.analytics.tests.people_dataset import list_build
from groundswell.events.models import AttendanceStatus
from groundswell.events.tests.conftest_staff import attendee, event_make, shift_make
from groundswell.mailings.models import KindOptOut
from groundswell.mailings.tests.conftest import everyone, mailing_make, sender  # noqa: F401
from groundswell.mailings.tests.test_report import reported  # noqa: F401
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

URL = "/analytics/people/"
EARLY_2026 = {"start": "2026-01-01", "end": "2026-02-28", "grain": "month"}


def _figures(html: str) -> dict[str, int]:
    found = re.findall(r'data-figure="([\w-]+)"(?: data-cents="(-?\d+)")?>([^<]*)<', html)
    return {
        name: int(cents) if cents else int(shown.replace(",", "")) for name, cents, shown in found
    }


def test_each_role_sees_the_sections_of_its_own_pages(persona_client, extract_file):
    list_build()
    seen = {}
    for role in ("admin", "finance", "organizer", "volunteer"):
        page = persona_client(role).get(URL, EARLY_2026)
        assert page.status_code == 200, role
        html = page.content.decode()
        seen[role] = {
            section
            for section in ("h-growth", "h-churn", "h-reasons", "h-mailings", "h-events")
            + ("h-ladder", "h-recruiters")
            if f'id="{section}"' in html
        }
        figures = _figures(html)
        assert {k: figures[k] for k in ("people", "subscribers", "unsubscribed")} == {
            "people": 3,
            "subscribers": 3,
            "unsubscribed": 2,
        }
        assert (figures["bounced"], figures["complained"]) == (1, 1)
        if role != "admin":
            assert "$" not in html.replace('"$schema"', ""), role
    lists = {"h-growth", "h-churn", "h-reasons", "h-events", "h-ladder"}
    assert seen["admin"] == lists | {"h-mailings", "h-recruiters"}
    assert seen["organizer"] == lists | {"h-mailings", "h-recruiters"}
    assert seen["finance"] == seen["volunteer"] == lists


def _table(html: str, table_id: str) -> list[list[str]]:
    found = re.search(
        rf'<table class="table[^"]*" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S
    )
    rows = found.group(1).split("</tr>")[:-1]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in rows]


def test_the_tables_hold_the_hand_computed_rows(persona_client, extract_file):
    list_build()
    html = persona_client("volunteer").get(URL, EARLY_2026).content.decode()
    assert _table(html, "growth") == [["Jan 1, 2026", "2", "2"], ["Feb 1, 2026", "1", "2"]]
    assert _table(html, "churn") == [["Jan 1, 2026", "0", "0", "1"], ["Feb 1, 2026", "2", "1", "0"]]
    assert _table(html, "reasons") == [
        ["Unsubscribed from all e-mail: staff", "1"],
        ["Unsubscribed from all e-mail: unsubscribe link", "1"],
    ]


def test_stopping_one_kind_of_mailing_is_listed_apart(persona_client, extract_file):
    people = list_build()
    for person, kind, day in [
        (people["A"], "fundraising", 3),
        (people["B"], "fundraising", 4),
        (people["C"], "news", 4),
        (people["F"], "news", 20),  # after the range
    ]:
        KindOptOut.objects.create(
            person=person, kind=kind, created_at=datetime(2026, 3, day, 15, tzinfo=UTC)
        )
    query = {"start": "2026-03-01", "end": "2026-03-10"}
    html = persona_client("volunteer").get(URL, query).content.decode()
    assert _table(html, "reasons") == [
        ["Stopped fundraising appeals only", "2"],
        ["Stopped news and updates only", "1"],
    ]


def test_anonymous_is_sent_to_log_in(client, extract_file):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_an_empty_campaign_says_so_in_every_section(persona_client, extract_file):
    page = persona_client("organizer").get(URL)
    assert page.status_code == 200
    for empty in (
        "No new people or subscribers in this range.",
        "No unsubscribes, bounces or complaints in this range.",
        "No one unsubscribed in this range.",
        "No mailings started in this range yet.",
        "No event shifts in this range yet.",
        "No one has recruited anyone yet.",
    ):
        assert empty in page.content.decode(), empty


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-30"}, "Enter a valid date"),
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "on or before its last day"),
        ({"start": "1999-12-31", "end": "2000-01-05"}, "January 1, 2000"),
        ({"start": "2020-01-01", "end": "2025-01-01"}, "at most three years long"),
        ({"start": "2025-01-01", "end": "2025-12-31", "grain": "day"}, "by week or month"),
        ({"grain": "hour"}, "Select a valid choice"),
        ({"end": "9999-12-31"}, "Dates must fall from January 1, 2000 to"),
        ({"start": "2026-01-01\x00"}, "Enter a valid date"),
    ],
)
def test_a_bad_range_is_refused_plainly_and_logged(
    persona_client, extract_file, caplog, query, message
):
    with caplog.at_level(logging.WARNING, logger="groundswell.analytics.views_people"):
        page = persona_client("volunteer").get(URL, query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "refused the people range" in caplog.text


def test_mailing_figures_are_the_mailing_pages(reported, client, admin_user, extract_file):  # noqa: F811
    reported.started_at = timezone.now() - timedelta(hours=3)
    reported.save(update_fields=["started_at"])
    client.force_login(admin_user)
    board = client.get(URL).content.decode()
    row = re.search(rf'<tr data-mailing="{reported.pk}">(.*?)</tr>', board, re.S).group(1)
    mine = _figures(row)
    theirs = _figures(client.get(reverse("mailings:detail", args=[reported.pk])).content.decode())
    assert mine == {
        "sent": theirs["sent"],
        "opened": theirs["opened"],
        "clicked": theirs["clicked"],
        "actions": theirs["actions"],
        "unsubscribed": theirs["unsubscribed"] + theirs["unsubscribed_kind"],
        "per_thousand_cents": theirs["per_thousand_cents"],
    }
    # And the hand count of mailings/tests/test_report.py: 4 sent, 1 opened, 1 clicked, 2
    # actions, 1 + 1 unsubscribed, $70.00 net over 4 sent.
    assert mine == {
        "sent": 4,
        "opened": 1,
        "clicked": 1,
        "actions": 2,
        "unsubscribed": 2,
        "per_thousand_cents": 7_000 * 1000 // 4,
    }


def test_events_by_month_add_up_to_each_event_page(admin_user, client, extract_file):
    march = event_make(title="March canvass")
    april = event_make(title="April phone bank", event_type="phone_bank")
    # 02:00 UTC on April 1 is 10 pm on March 31 in New York: a March shift.
    first = shift_make(march, starts_at=datetime(2026, 3, 7, 15, tzinfo=UTC), hours=3)
    late = shift_make(march, starts_at=datetime(2026, 4, 1, 2, tzinfo=UTC), hours=2)
    other = shift_make(april, starts_at=datetime(2026, 4, 11, 15, tzinfo=UTC), hours=2)
    came = attendee(first, "Ana", "Ruiz")
    came.attended, came.minutes_credited = True, 180
    came.save()
    stayed_home = attendee(first, "Ben", "Ode")
    stayed_home.attended = False
    stayed_home.save()
    late_came = attendee(late, "Cal", "Ode")
    late_came.attended, late_came.minutes_credited = True, 90
    late_came.save()
    attendee(late, "Dot", "Ray", status=AttendanceStatus.WAITLISTED)
    attendee(first, "Eli", "Ray", status=AttendanceStatus.CANCELLED)
    attendee(other, "Fay", "Ray")
    months = selectors_people.events_by_month(start=date(2026, 3, 1), end=date(2026, 4, 30))
    assert months == [
        selectors_people.EventMonth(date(2026, 3, 1), 1, 3, 2, 1, 270),
        selectors_people.EventMonth(date(2026, 4, 1), 1, 1, 0, 0, 0),
    ]
    client.force_login(admin_user)
    totals = client.get(reverse("events_staff:detail", args=[march.pk])).context["totals"]
    assert (totals.registered, totals.attended, totals.no_shows, totals.minutes) == (
        months[0].rsvps,
        months[0].attended,
        months[0].no_shows,
        months[0].minutes,
    )


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_the_ladder_is_the_ladder_pages(persona_client, extract_file, role):
    list_build()
    client = persona_client(role)
    page = client.get(URL)
    ladder = client.get(reverse("events_staff:ladder"))
    mine = [(c.rung, c.count) for c in page.context["board"].ladder.counts]
    theirs = [(c.rung, c.count) for c in ladder.context["counts"]]
    assert mine == theirs
    # A, B, C and F: D was merged into C and E erased.
    assert sum(n for _, n in mine) == 4
    # The donor rung is folded for roles without finance access, as on the ladder page.
    assert ("Donor" in [r.label for r, _ in mine]) == (role == "finance")


def test_referral_figures_are_the_recruiters_pages(persona_client, extract_file):
    now = timezone.now()
    ada = Person.objects.create(
        given_name="Ada", family_name="Wren", created_at=now - timedelta(days=200)
    )
    bo = Person.objects.create(
        given_name="Bo", family_name="Lark", created_at=now - timedelta(days=3)
    )
    Person.objects.create(given_name="Cy", family_name="Finch", created_at=now - timedelta(days=2))
    Referral.objects.create(recruiter=ada, recruit=bo)
    client = persona_client("organizer")
    board = client.get(URL).context["board"]
    recruiters = client.get(reverse("events_staff:recruiters")).context
    ninety = [s for s in recruiters["shares"] if s.days == 90][0]
    assert board.share == ninety
    assert (board.share.new, board.share.through_relationship) == (2, 1)
    assert (
        [(r.label, r.total) for r in board.recruiters]
        == [(r.label, r.total) for r in recruiters["page"].items]
        == [("Ada Wren", 1)]
    )


# ---------------------------------------------------------------- segment and comparison

FEBRUARY = {"start": "2026-02-01", "end": "2026-02-28", "grain": "month"}


def _compared(html: str) -> dict[str, list[str]]:
    """The comparison table's rows by figure: this range, the comparison period, the change."""
    rows = re.findall(r'<tr data-compared="(\w+)"><th scope="row">[^<]*</th>(.*?)</tr>', html)
    return {key: re.findall(r"<td[^>]*>([^<]*)</td>", cells) for key, cells in rows}


def test_a_segment_counts_only_its_people(persona_client, extract_file):
    """A and F of the hand-counted list: A was created Jan 10, subscribed Jan 10 and again
    Feb 8, unsubscribed by link Feb 5; F (created 2025) complained Jan 20. Only A's
    fundraising opt-out is theirs; B's is not."""
    from groundswell.analytics.tests.test_filters import snapshot

    people = list_build()
    for person in (people["A"], people["B"]):
        KindOptOut.objects.create(
            person=person, kind="fundraising", created_at=datetime(2026, 2, 12, 15, tzinfo=UTC)
        )
    segment = snapshot("A and F", people["A"], people["F"])
    page = persona_client("volunteer").get(URL, {**EARLY_2026, "segment": str(segment.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    figures = _figures(html)
    assert {k: figures[k] for k in ("people", "subscribers", "unsubscribed")} == {
        "people": 1,
        "subscribers": 1,
        "unsubscribed": 1,
    }
    assert (figures["bounced"], figures["complained"]) == (0, 1)
    assert _table(html, "growth") == [["Jan 1, 2026", "1", "1"], ["Feb 1, 2026", "0", "1"]]
    assert _table(html, "churn") == [["Jan 1, 2026", "0", "0", "1"], ["Feb 1, 2026", "1", "0", "0"]]
    assert _table(html, "reasons") == [
        ["Unsubscribed from all e-mail: unsubscribe link", "1"],
        ["Stopped fundraising appeals only", "1"],
    ]
    assert "count only the 2 people of the segment “A and F”" in html
    # The segment stays chosen in the form.
    assert f'<option value="{segment.pk}" selected>A and F</option>' in html


def test_the_previous_period_beside_the_range(persona_client, extract_file):
    """February 2026 against the 28 days before it, January 4–31: new people C against A and
    B (B was created on Jan 31 in New York); subscribers A and C against A and B;
    unsubscribed A and C, bounced C against none; F's complaint (Jan 20) is in the previous
    period only."""
    list_build()
    html = (
        persona_client("volunteer").get(URL, {**FEBRUARY, "compare": "previous"}).content.decode()
    )
    assert "Compared with Jan 4, 2026 – Jan 31, 2026" in html
    assert _compared(html) == {
        "people": ["1", "2", "-1 (-50%)"],
        "subscribers": ["2", "2", "0 (0%)"],
        "unsubscribed": ["2", "0", "+2"],
        "bounced": ["1", "0", "+1"],
        "complained": ["0", "1", "-1 (-100%)"],
    }
    # The same dates a year before: nothing happened in February 2025.
    year = persona_client("volunteer").get(URL, {**FEBRUARY, "compare": "year"}).content.decode()
    assert "Compared with Feb 1, 2025 – Feb 28, 2025" in year
    assert {k: v[1] for k, v in _compared(year).items()} == dict.fromkeys(
        ("people", "subscribers", "unsubscribed", "bounced", "complained"), "0"
    )
    # Without a comparison there is no comparison table.
    assert 'id="compared"' not in persona_client("volunteer").get(URL, FEBRUARY).content.decode()


def test_a_segment_and_a_comparison_together(make_user, extract_file):
    """A and C: February has C new, A and C subscribing and unsubscribing, C bouncing; the
    previous 28 days have A new and subscribing."""
    from groundswell.analytics.tests.test_filters import snapshot

    people = list_build()
    segment = snapshot("A and C", people["A"], people["C"])
    board = selectors_people.people_read(
        user=make_user("volunteer"),
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        grain="month",
        segment=segment,
        compare="previous",
    )
    assert board.before == (date(2026, 1, 4), date(2026, 1, 31))
    assert [(r.key, r.value, r.before) for r in board.compared] == [
        ("people", 1, 1),
        ("subscribers", 2, 1),
        ("unsubscribed", 2, 0),
        ("bounced", 1, 0),
        ("complained", 0, 0),
    ]
    assert board.segment_size == 2


def test_a_segment_narrows_the_events_too(make_user, extract_file):
    march = event_make(title="March canvass")
    first = shift_make(march, starts_at=datetime(2026, 3, 7, 15, tzinfo=UTC), hours=3)
    came = attendee(first, "Ana", "Ruiz")
    came.attended, came.minutes_credited = True, 180
    came.save()
    attendee(first, "Ben", "Ode")
    from groundswell.analytics.tests.test_filters import snapshot

    segment = snapshot("Ana", came.person)
    board = selectors_people.people_read(
        user=make_user("organizer"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        grain="week",
        segment=segment,
    )
    assert board.events == [selectors_people.EventMonth(date(2026, 3, 1), 1, 1, 1, 0, 180)]


def test_an_empty_segment_says_so(persona_client, extract_file):
    from groundswell.analytics.tests.test_filters import snapshot

    list_build()
    segment = snapshot("Nobody yet")
    page = persona_client("organizer").get(URL, {**EARLY_2026, "segment": str(segment.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "No one is in the segment “Nobody yet” now" in html
    figures = _figures(html)
    assert [figures[k] for k in ("people", "subscribers", "unsubscribed", "bounced")] == [0] * 4
    assert "No new people or subscribers in this range." in html


@pytest.mark.parametrize(
    ("role", "query", "message"),
    [
        ("finance", {"segment": "999999"}, "There is no such segment you can see."),
        ("finance", {"segment": "not-a-number"}, "There is no such segment you can see."),
        ("finance", {"segment": "1\x00"}, "Null characters are not allowed."),
        ("organizer", {"segment": "GIVING"}, "There is no such segment you can see."),
        ("finance", {"compare": "decade"}, "Select a valid choice"),
        ("finance", {"compare": "previous", "start": "2026-02-30"}, "Enter a valid date"),
    ],
)
def test_a_bad_segment_or_comparison_is_refused(
    persona_client, extract_file, caplog, role, query, message
):
    from groundswell.accounts.roles import FINANCE_VIEW
    from groundswell.analytics.tests.test_filters import snapshot

    giving = snapshot("Big givers", needs=FINANCE_VIEW)
    if query.get("segment") == "GIVING":
        query = {**query, "segment": str(giving.pk)}
    with caplog.at_level(logging.WARNING, logger="groundswell.analytics.views_people"):
        page = persona_client(role).get(URL, query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "refused the people range" in caplog.text
    # A segment the viewer may not see is not offered either.
    assert "Big givers" not in persona_client("organizer").get(URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_segment_and_a_comparison_on_each_engine(settings, engine_name, make_user):
    """The same numbers on the DuckDB extract and read directly from PostgreSQL (which sees
    only committed rows: hence a transactional test)."""
    from groundswell.analytics.tests.test_filters import snapshot

    settings.GROUNDSWELL_ANALYTICS_ENGINE = engine_name
    people = list_build()
    board = selectors_people.people_read(
        user=make_user("volunteer"),
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        grain="month",
        segment=snapshot("A and C", people["A"], people["C"]),
        compare="previous",
    )
    assert board.engine == engine_name
    assert [(r.key, r.value, r.before) for r in board.compared] == [
        ("people", 1, 1),
        ("subscribers", 2, 1),
        ("unsubscribed", 2, 0),
        ("bounced", 1, 0),
        ("complained", 0, 0),
    ]
    assert [(r.label, r.people) for r in board.reasons] == [("Staff", 1), ("Unsubscribe link", 1)]
