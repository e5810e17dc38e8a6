"""The ladder of engagement: each person's rung from what they did, the staff page's counts
(one figure, one definition with the person card), movement by month and next-step lists."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.events.ladder import rungs as ladder
from groundswell.events.ladder.rungs import Rung
from groundswell.events.ladder.tests.conftest_ladder import (
    action_page,
    attend,
    event_of,
    give,
    ladder_world,
    shift_of,
    someone,
    submit,
    subscribe,
)
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _rung_of(person) -> Rung:
    """The ladder's own CASE for one person (what the page counts)."""
    one = Person.objects.filter(pk=person.pk)
    return Rung(ladder.people_with_rung(one).values_list("rung", flat=True).first() or 0)


def test_each_person_stands_on_the_highest_rung_their_actions_reach():
    people = ladder_world()
    assert {name: _rung_of(p).name for name, p in people.items()} == {
        "nobody": "NONE",
        "subscriber": "SUBSCRIBER",
        "signer": "SIGNER",
        "donor": "DONOR",
        "attendee": "ATTENDEE",
        "volunteer": "VOLUNTEER",
        "host": "HOST",
    }


def test_a_signature_on_a_sign_up_form_or_a_refunded_gift_does_not_lift_anyone():
    person = someone("Orrin")
    submit(person, action_page("signup"))
    give(person, status="refunded")
    assert _rung_of(person) == Rung.NONE


def test_hours_on_shifts_of_any_type_make_a_volunteer_once_they_reach_the_threshold():
    person = someone("Tamsin")
    for _ in range(ladder.VOLUNTEER_HOURS // 2 - 1):
        attend(person, shift_of(event_of("meeting"), hours=2))
    assert _rung_of(person) == Rung.ATTENDEE
    attend(person, shift_of(event_of("training"), hours=2))
    assert _rung_of(person) == Rung.VOLUNTEER


def test_a_no_show_at_a_canvass_or_a_draft_event_hosted_counts_for_nothing():
    person = someone("Wendeline")
    attend(person, shift_of(event_of("canvass")), attended=False)
    event_of("house_party", status="draft", host=person)
    assert _rung_of(person) == Rung.NONE


def test_the_counts_per_rung_are_one_query(django_assert_num_queries):
    ladder_world()
    with django_assert_num_queries(1):
        counts = ladder.rung_counts(user=None)
    assert [c.count for c in counts] == [1] * len(Rung)


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_the_pages_count_per_rung_equals_the_person_cards_rung_for_the_same_people(
    persona_client, role
):
    people = ladder_world()
    # A few more, so that a rung holds more than one person.
    extra = someone("Ivo")
    subscribe(extra)
    give(extra)
    client = persona_client(role)
    page = client.get(reverse("events_staff:ladder")).content.decode()
    on_page = {int(rung): int(n) for rung, n in re.findall(r'data-rung="(\d)">(\d+)<', page)}
    on_cards = Counter()
    for person in [*people.values(), extra]:
        card = client.get(reverse("people:detail", args=[person.pk])).content.decode()
        on_cards[int(re.search(r'<p class="strong" data-rung="(\d)">', card).group(1))] += 1
    shown = [r for r in Rung if role == "finance" or r != Rung.DONOR]
    assert on_page == {int(r): on_cards.get(int(r), 0) for r in shown}
    assert sum(on_page.values()) == len(people) + 1
    if role == "finance":
        assert on_page[int(Rung.DONOR)] == 2
    else:
        # Without finance rights the donor rung is folded away: the two donors stand on the
        # rung below (the world's donor had signed, Ivo had subscribed), and no page or card
        # names the rung.
        assert int(Rung.DONOR) not in on_cards
        assert on_page[int(Rung.SIGNER)] == 2 and on_page[int(Rung.SUBSCRIBER)] == 2
        assert "Donor" not in page


@pytest.mark.parametrize("kind", sorted(ladder.NEXT_STEPS_GIFTS))
def test_next_step_lists_about_gifts_are_for_finance_roles_only(persona_client, kind):
    ladder_world()
    url = reverse("events_staff:ladder_next", args=[kind])
    assert persona_client("finance").get(url).status_code == 200
    for role in ("organizer", "volunteer"):
        client = persona_client(role)
        assert client.get(url).status_code == 404
        assert url not in client.get(reverse("events_staff:ladder")).content.decode()


def test_movement_counts_the_rung_at_each_months_end_and_who_moved_up_in_it():
    now = timezone.now()
    last_month = ladder._month_start(now, -1) + timedelta(days=2)
    this_month = ladder._month_start(now, 0) + timedelta(seconds=1)
    long_ago = ladder._month_start(now, -6)
    climber = someone("Perpetua", created_at=long_ago)
    submit(climber, action_page("petition"), at=last_month)
    give(climber, at=this_month)
    newcomer = someone("Barnaby", created_at=long_ago)
    subscribe(newcomer, at=ladder._month_start(now, -2) + timedelta(days=1))
    old_hand = someone("Clementine", created_at=long_ago)
    subscribe(old_hand, at=ladder._month_start(now, -5))
    # Added to the file last month: counted from last month on, not before, and arriving
    # subscribed is moving up.
    arrival = someone("Dorinda", created_at=last_month)
    subscribe(arrival, at=last_month)
    rows = ladder.rung_movement(user=None, months=3, now=now)
    assert [r.month for r in rows] == [
        ladder._month_start(now, k).strftime("%Y-%m") for k in (-2, -1, 0)
    ]
    before, previous, current = rows
    assert previous.counts[Rung.SIGNER] == 1 and previous.counts[Rung.DONOR] == 0
    assert current.counts[Rung.DONOR] == 1 and current.counts[Rung.SIGNER] == 0
    assert [r.counts[Rung.SUBSCRIBER] for r in rows] == [2, 3, 3]
    assert [sum(r.counts) for r in rows] == [3, 4, 4]
    # The newcomer climbed in the oldest month, the climber in each of the next two, the
    # arrival in the middle one; the old hand stood still throughout.
    assert [r.moved_up for r in rows] == [1, 2, 1]


def test_the_movement_of_six_months_is_one_query(django_assert_num_queries):
    ladder_world()
    with django_assert_num_queries(1):
        rows = ladder.rung_movement(user=None, months=6)
    assert len(rows) == 6 and sum(rows[-1].counts) == len(Rung)


def test_donors_who_never_attended_are_suggested_an_upcoming_event_near_their_zip():
    event = event_of("canvass", zip_code="19103")
    shift_of(event, starts_at=timezone.now() + timedelta(days=5))
    near = someone("Aurelio", zip_code="19104")
    far = someone("Dunstan", zip_code="94110")
    came = someone("Hesper", zip_code="19103")
    for person in (near, far, came):
        give(person)
    attend(came, shift_of(event_of("rally")))
    listed = ladder.next_step_people(user=None, kind="donors-to-events")
    assert list(listed) == [near]


def test_signers_who_never_gave_and_attendees_who_never_volunteered_are_listed():
    people = ladder_world()
    signers = set(ladder.next_step_people(user=None, kind="signers-to-donors"))
    assert people["signer"] in signers and people["donor"] not in signers
    assert people["volunteer"] not in signers
    attendees = set(ladder.next_step_people(user=None, kind="attendees-to-volunteers"))
    assert attendees == {people["attendee"]}


def test_the_next_step_page_lists_people_with_a_count_and_refuses_an_unknown_list(
    persona_client,
):
    people = ladder_world()
    client = persona_client("volunteer")
    response = client.get(reverse("events_staff:ladder_next", args=["attendees-to-volunteers"]))
    assert response.status_code == 200
    assert response.context["page"].count == 1
    assert people["attendee"].given_name in response.content.decode()
    missing = client.get(reverse("events_staff:ladder_next", args=["no-such-list"]))
    assert missing.status_code == 404


def test_the_ladder_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("events_staff:ladder"))
    assert response.status_code == 302


def test_each_figure_of_the_month_table_names_its_rung_for_a_phones_stacked_rows(
    persona_client,
):
    """On a phone the month table stacks each row into lines, each labelled from its cell's
    data-label; a cell without one is a bare number nobody can read."""
    ladder_world()
    page = persona_client("organizer").get(reverse("events_staff:ladder")).content.decode()
    table = page[page.index('id="h-months"') :]
    table = table[: table.index("</table>")]
    head = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    columns = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == ladder.MONTHS
    for row in rows:
        cells = re.findall(r"<td([^>]*)>", row)
        assert 'class="cell-title"' in cells[0]  # the month heads its card
        labels = [re.search(r'data-label="([^"]*)"', c).group(1) for c in cells[1:]]
        # "Not on the ladder yet" would wrap over the next line in the label's narrow gutter.
        assert labels == ["No rung yet", *columns[2:]]


def test_the_person_card_ticks_the_steps_taken_not_every_rung_below(persona_client):
    person = someone("Leocadia")
    attend(person, shift_of(event_of("rally")))
    give(person)
    for role, ticked in (
        ("finance", ["Donor", "Event attendee"]),
        ("organizer", ["Event attendee"]),
    ):
        card = persona_client(role).get(reverse("people:detail", args=[person.pk]))
        panel = card.content.decode().split('id="ladder"')[1].split("</section>")[0]
        assert re.findall(r"✓ ([^<]+)</li>", panel) == ticked
        assert f'data-rung="{int(Rung.ATTENDEE)}">Event attendee<' in panel
