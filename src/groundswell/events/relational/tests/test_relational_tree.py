"""The referral tree on a small hand-built world, with the figures worked out by hand.

    referrals (share links)        contacts (entered by a staff account)
    Ashgrove → Birchall   day -100   vol-y (no person record) → Cardew  day -95
    Birchall → Cardew     day  -90   vol-d (person Dunmore)   → Elphick day -70
    Cardew   → Dunmore    day  -80   vol-a (person Ashgrove)  → Hazeldene day -50
    Ashgrove → Hazeldene  day  -60   vol-f (Fairweather) → Goodacre, vol-g (Goodacre) →
    Ashgrove → New-one    day  -10     Fairweather (a loop)
                                     vol-y → New-two day -5

Cardew was reached first by vol-y (day -95, before Birchall's link on day -90), so the longest
chain is vol-y → Cardew → Dunmore → Elphick: 3 links (Ashgrove → Birchall is 1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from groundswell.actions.models import Referral
from groundswell.events.models import RelationalContact
from groundswell.events.relational.selectors import (
    Edge,
    recruiter_counts,
    recruiters_page,
    relational_share,
    relationship_edges,
    tree_depth,
)
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def _day(n: int) -> datetime:
    return NOW + timedelta(days=n)


def _person(given: str, family: str, created: int = -200) -> Person:
    return Person.objects.create(given_name=given, family_name=family, created_at=_day(created))


@pytest.fixture
def world(make_user):
    p = {
        key: _person(given, family)
        for key, given, family in [
            ("a", "Aldous", "Ashgrove"),
            ("b", "Bronwen", "Birchall"),
            ("c", "Cyprian", "Cardew"),
            ("d", "Delphine", "Dunmore"),
            ("e", "Eustace", "Elphick"),
            ("f", "Fenella", "Fairweather"),
            ("g", "Gideon", "Goodacre"),
            ("h", "Honora", "Hazeldene"),
        ]
    }
    p["n1"] = _person("Niamh", "Newone", created=-10)
    p["n2"] = _person("Nuala", "Newtwo", created=-20)
    p["n3"] = _person("Norris", "Nobody", created=-3)
    p["n4"] = _person("Nell", "Nobody", created=-29)
    p["m1"] = _person("Mervyn", "Middling", created=-60)
    p["m2"] = _person("Mabel", "Middling", created=-89)
    p["old"] = _person("Osric", "Oldfield", created=-91)
    for recruiter, recruit, day in [
        ("a", "b", -100),
        ("b", "c", -90),
        ("c", "d", -80),
        ("a", "h", -60),
        ("a", "n1", -10),
    ]:
        Referral.objects.create(recruiter=p[recruiter], recruit=p[recruit], created_at=_day(day))
    users = {key: make_user("volunteer", username=f"vol-{key}") for key in "adfgy"}
    for user, person, recruit, day in [
        ("y", None, "c", -95),
        ("d", "d", "e", -70),
        ("a", "a", "h", -50),
        ("f", "f", "g", -40),
        ("g", "g", "f", -30),
        ("y", None, "n2", -5),
    ]:
        RelationalContact.objects.create(
            volunteer_user=users[user],
            volunteer_person=p[person] if person else None,
            person=p[recruit],
            relationship="friend",
            name="as typed",
            contact="x@example.org",
            created_at=_day(day),
        )
    return p, users


def test_the_edges_come_from_both_referrals_and_contacts(world):
    edges = relationship_edges()
    assert sum(e.kind == "referral" for e in edges) == 5
    assert sum(e.kind == "contact" for e in edges) == 6


def test_top_recruiters_are_counted_by_different_people_most_first(world):
    p, users = world
    rows = recruiter_counts(user=None)
    top = [(r.label, r.referrals, r.contacts, r.total) for r in rows[:2]]
    # Ashgrove: links to Birchall, Hazeldene and Newone, and entered Hazeldene as a contact.
    assert top == [
        ("Aldous Ashgrove", 3, 1, 3),
        ("vol-y (staff account)", 0, 2, 2),
    ]
    # Ties: the person records in the order they were made, staff accounts after them.
    ones = [r.label for r in rows[2:]]
    assert ones == [
        "Bronwen Birchall",
        "Cyprian Cardew",
        "Delphine Dunmore",
        "Fenella Fairweather",
        "Gideon Goodacre",
    ]
    assert all(r.total == 1 for r in rows[2:])


def test_the_recruiters_list_is_paginated(world):
    first = recruiters_page(user=None, page=1, per_page=3)
    third = recruiters_page(user=None, page=3, per_page=3)
    assert first.count == 7 and first.num_pages == 3
    assert [r.label for r in third.items] == ["Gideon Goodacre"]
    assert recruiters_page(user=None, page="junk", per_page=3).number == 1
    assert recruiters_page(user=None, page=99, per_page=3).number == 3


def test_the_tree_depth_follows_whoever_reached_each_person_first(world):
    assert tree_depth(user=None) == 3


def test_a_later_claim_does_not_lengthen_the_chain(world):
    p, _ = world
    # Had Birchall's link reached Cardew first, the chain would run Ashgrove → Birchall →
    # Cardew → Dunmore → Elphick: 4 links.
    edges = [
        Edge(
            e.recruiter,
            e.recruit,
            _day(-200) if e.recruiter == ("person", p["b"].pk) else e.at,
            e.kind,
        )
        for e in relationship_edges()
    ]
    assert tree_depth(user=None, edges=edges) == 4


def test_a_loop_ends_and_an_empty_tree_has_depth_zero():
    a, b = ("person", 1), ("person", 2)
    loop = [Edge(a, 2, _day(-2), "contact"), Edge(b, 1, _day(-1), "contact")]
    assert tree_depth(user=None, edges=loop) == 2
    assert tree_depth(user=None, edges=[]) == 0


def test_the_share_of_new_supporters_who_came_through_a_relationship(world):
    # Last 30 days: Newone (link), Newtwo (contact), and two Nobodys: 2 of 4.
    month = relational_share(user=None, days=30, now=NOW)
    assert (month.new, month.through_relationship, month.percent) == (4, 2, 50)
    # Last 90 days adds the two Middlings, who came on their own: 2 of 6.
    quarter = relational_share(user=None, days=90, now=NOW)
    assert (quarter.new, quarter.through_relationship, quarter.percent) == (6, 2, 33)


def test_a_period_with_no_new_supporters_has_no_percentage(world):
    empty = relational_share(user=None, days=1, now=NOW - timedelta(days=300))
    assert (empty.new, empty.percent) == (0, None)


def test_the_recruiters_page_shows_the_figures(persona_client, world):
    page = persona_client("organizer").get(reverse("events_staff:recruiters"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aldous Ashgrove" in html
    assert "3 links" in html
