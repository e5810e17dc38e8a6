"""Bulk changes to a filtered supporter list, filtering by several tags, and exact totals."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.core import pagination
from groundswell.people import bulk, selectors
from groundswell.people.models import Person, Tag, Tagging
from groundswell.people.tests.factories import PersonFactory, person_create

LIST = reverse("people:list")
BULK = reverse("people:bulk")


def _names(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def crowd(db):
    """Canvassers in Ohio and Texas, some of them hosts, and people with neither tag."""
    people = {}
    for name, state, tags in (
        ("Aubrey", "OH", "canvasser, host"),
        ("Bexley", "OH", "canvasser"),
        ("Corwin", "TX", "canvasser, host"),
        ("Delphine", "TX", "host"),
        ("Evander", "OH", ""),
    ):
        people[name] = person_create(
            given_name=name, family_name="Crowd", email=f"{name.lower()}@example.org",
            state=state, tags=tags,
        )  # fmt: skip
    return people


def test_the_list_filters_by_any_of_several_tags(persona_client, crowd):
    page = _names(persona_client("volunteer").get(LIST, {"tag": ["canvasser", "host"]}))
    for name in ("Aubrey", "Bexley", "Corwin", "Delphine"):
        assert name in page
    assert "Evander" not in page


def test_the_list_filters_by_all_of_several_tags(persona_client, crowd):
    page = _names(
        persona_client("volunteer").get(LIST, {"tag": ["canvasser", "host"], "match": "all"})
    )
    assert "Aubrey" in page and "Corwin" in page
    for name in ("Bexley", "Delphine", "Evander"):
        assert name not in page


def test_an_unknown_tag_among_known_ones_is_dropped_not_an_error(persona_client, crowd):
    page = _names(persona_client("volunteer").get(LIST, {"tag": ["host", "no-such-tag"]}))
    assert "Delphine" in page and "Bexley" not in page


def test_the_list_shows_the_exact_total_past_the_page_count_cap(persona_client, db, monkeypatch):
    # The page's count stops at a small cap here, so a handful of people goes past it.
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 8)
    Person.objects.bulk_create([PersonFactory.build() for _ in range(6)])
    page = _names(persona_client("volunteer").get(LIST))
    assert "of <strong>6</strong>" in page
    Person.objects.bulk_create([PersonFactory.build() for _ in range(5)])
    page = _names(persona_client("volunteer").get(LIST))
    assert "of <strong>8+</strong>" in page


def test_bulk_tagging_confirms_the_count_then_tags_everyone_the_filter_matches(
    persona_client, crowd, monkeypatch
):
    # Chunks of two: the change walks the whole filtered list, not one page or one chunk.
    monkeypatch.setattr(bulk, "CHUNK", 2)
    client = persona_client("organizer")
    confirm = _names(client.get(BULK, {"state": "OH", "action": "tag"}))
    assert "Change 3 people" in confirm
    response = client.post(
        f"{BULK}?state=OH", {"action": "tag", "tag_name": "Ohio team", "expected": "3"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LIST) and "state=OH" in response["Location"]
    tagged = set(
        Tagging.objects.filter(tag__name="Ohio team").values_list("person__given_name", flat=True)
    )
    assert tagged == {"Aubrey", "Bexley", "Evander"}
    event = AuditEvent.objects.get(action="people_tag")
    assert event.details == {"tag": "Ohio team", "people": 3, "filters": {"state": "OH"}}


def test_bulk_tagging_twice_adds_no_one_the_second_time(persona_client, crowd):
    client = persona_client("organizer")
    form = {"action": "tag", "tag_name": "host", "expected": "5"}
    client.post(BULK, form)
    assert Tagging.objects.filter(tag__name="host").count() == 5
    client.post(BULK, form)
    assert Tagging.objects.filter(tag__name="host").count() == 5
    counts = [e.details["people"] for e in AuditEvent.objects.filter(action="people_tag")]
    assert sorted(counts) == [0, 2]


def test_bulk_tagging_leaves_erased_people_out(persona_client, crowd):
    from django.utils import timezone

    Person.objects.filter(pk=crowd["Evander"].pk).update(erased_at=timezone.now())
    client = persona_client("organizer")
    assert "Change 2 people" in _names(client.get(BULK, {"state": "OH"}))
    client.post(f"{BULK}?state=OH", {"action": "tag", "tag_name": "Ohio", "expected": "2"})
    assert not Tagging.objects.filter(person=crowd["Evander"]).exists()
    assert Tagging.objects.filter(tag__name="Ohio").count() == 2


def test_bulk_untagging_removes_the_tag_from_the_filtered_people_only(persona_client, crowd):
    client = persona_client("organizer")
    response = client.post(
        f"{BULK}?state=TX", {"action": "untag", "tag_name": "host", "expected": "2"}
    )
    assert response.status_code == 302
    hosts = set(
        Tagging.objects.filter(tag__name="host").values_list("person__given_name", flat=True)
    )
    assert hosts == {"Aubrey"}
    assert AuditEvent.objects.get(action="people_untag").details["people"] == 2


def test_a_list_that_changed_since_the_confirmation_asks_again(persona_client, crowd):
    client = persona_client("organizer")
    response = client.post(
        f"{BULK}?state=OH", {"action": "tag", "tag_name": "Ohio team", "expected": "2"}
    )
    assert response.status_code == 409
    assert "it now holds 3" in response.content.decode()
    assert not Tag.objects.filter(name="Ohio team").exists()


def test_untagging_a_tag_that_does_not_exist_says_so(persona_client, crowd):
    response = persona_client("organizer").post(
        BULK, {"action": "untag", "tag_name": "nonexistent", "expected": "5"}
    )
    assert response.status_code == 400
    assert "There is no tag" in response.content.decode()


def test_a_volunteer_cannot_change_people_in_bulk(persona_client, crowd):
    client = persona_client("volunteer")
    assert client.get(BULK).status_code == 403
    response = client.post(BULK, {"action": "tag", "tag_name": "x", "expected": "5"})
    assert response.status_code == 403
    assert not Tag.objects.filter(name="x").exists()
    assert "Tag all" not in _names(client.get(LIST))


def test_the_export_of_a_several_tag_list_holds_those_people_without_finance_columns(
    persona_client, crowd
):
    Person.objects.filter(pk=crowd["Aubrey"].pk).update(employer="Quillfeather Mills")
    query = {"tag": ["canvasser", "host"], "match": "all"}
    for role, finance in (("organizer", False), ("finance", True)):
        response = persona_client(role).get(reverse("people:export"), query)
        body = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(body)))
        assert {r["given_name"] for r in rows} == {"Aubrey", "Corwin"}
        assert ("employer" in rows[0]) is finance
        assert ("Quillfeather Mills" in body) is finance
