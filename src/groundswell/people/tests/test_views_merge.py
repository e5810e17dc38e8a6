"""Merging two people through the UI, and undoing it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.people import merge
from groundswell.people.models import MergeRecord, Person
from groundswell.people.tests.factories import person_create as _person_create


def person_create(**raw):
    # The factory's random state may be a freely associated state that intake rejects.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


@pytest.fixture
def twins(db):
    first = person_create(
        given_name="Jordan",
        family_name="Reyes",
        email="jordan@example.org",
        employer="Secret Employer Co",
        tags="donor",
    )
    second = person_create(
        given_name="Jordan",
        family_name="Reyes",
        email="j.reyes@example.net",
        mobile_phone="303-555-0123",
        tags="volunteer",
    )
    return first, second


def test_merge_with_starts_with_a_search_for_the_other_person(persona_client, twins):
    first, second = twins
    client = persona_client("organizer")
    page = client.get(reverse("people:merge_pick", args=[first.pk]), {"q": "reyes"})
    html = page.content.decode()
    assert reverse("people:merge_compare", args=[first.pk, second.pk]) in html
    # The person being merged is not offered as their own duplicate.
    assert reverse("people:merge_compare", args=[first.pk, first.pk]) not in html


def test_the_comparison_shows_both_side_by_side_without_finance_data_for_organizers(
    persona_client, twins
):
    first, second = twins
    html = (
        persona_client("organizer")
        .get(reverse("people:merge_compare", args=[first.pk, second.pk]))
        .content.decode()
    )
    assert "jordan@example.org" in html and "j.reyes@example.net" in html
    assert "(303) 555-0123" in html
    assert "Secret Employer Co" not in html
    assert html.count('name="survivor"') == 2


def test_an_organizer_merges_two_people_and_undoes_it(persona_client, twins):
    first, second = twins
    client = persona_client("organizer")
    response = client.post(
        reverse("people:merge_compare", args=[first.pk, second.pk]), {"survivor": second.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[second.pk])
    first.refresh_from_db()
    assert first.merged_into_id == second.pk
    assert set(second.tags.values_list("name", flat=True)) == {"donor", "volunteer"}
    assert second.emails.count() == 2
    record = MergeRecord.objects.get()
    assert record.merged_by.username == "organizer-persona"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MERGE).count() == 1

    survivor_page = client.get(response["Location"]).content.decode()
    assert "Merged #" in survivor_page  # the success message
    assert reverse("people:merge_undo", args=[record.pk]) in survivor_page
    merged_page = client.get(reverse("people:detail", args=[first.pk])).content.decode()
    assert "This person was merged into" in merged_page
    assert reverse("people:detail", args=[second.pk]) in merged_page

    response = client.post(reverse("people:merge_undo", args=[record.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.merged_into_id is None
    assert list(first.emails.values_list("address", flat=True)) == ["jordan@example.org"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MERGE_UNDO).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Merge undone" in page
    assert "undone" in page


def test_undoing_twice_shows_the_reason_instead_of_failing(persona_client, twins):
    first, second = twins
    record = merge.person_merge(survivor=first, merged=second)
    merge.person_merge_undo(record=record)
    client = persona_client("organizer")
    response = client.post(reverse("people:merge_undo", args=[record.pk]), follow=True)
    assert response.status_code == 200
    assert "This merge has already been undone." in response.content.decode()


def test_merging_someone_already_merged_shows_a_clear_message(persona_client, twins):
    first, second = twins
    third = person_create(email="third@example.org")
    merge.person_merge(survivor=third, merged=second)
    client = persona_client("organizer")
    page = client.get(reverse("people:merge_compare", args=[first.pk, second.pk]))
    assert "cannot be merged" in page.content.decode()
    response = client.post(
        reverse("people:merge_compare", args=[first.pk, second.pk]), {"survivor": first.pk}
    )
    assert response.status_code == 400
    assert "already been merged into someone else" in response.content.decode()
    assert Person.objects.get(pk=second.pk).merged_into_id == third.pk


def test_a_survivor_that_is_neither_of_the_two_is_refused(persona_client, twins):
    first, second = twins
    stranger = person_create(email="stranger@example.org")
    response = persona_client("organizer").post(
        reverse("people:merge_compare", args=[first.pk, second.pk]), {"survivor": stranger.pk}
    )
    assert response.status_code == 400
    assert not MergeRecord.objects.exists()
