"""Merging two people moves everything and can be undone."""

import pytest
from django.core.exceptions import ValidationError

from groundswell.accounts.models import AuditEvent
from groundswell.people.merge import person_merge, person_merge_undo
from groundswell.people.models import Activity, ConsentEvent, EmailAddress, Person, Tag
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    keep = person_create(
        given_name="Robert",
        family_name="Ames",
        email="bob@example.org",
        tags="donor",
        email_status="subscribed",
    )
    dupe = person_create(
        given_name="Bob",
        family_name="Ames",
        email="bobby@example.org",
        phone="(617) 555-0110",
        tags="donor;volunteer",
        employer="Mill Co",
        email_status="unsubscribed",
    )
    return keep, dupe


def test_a_merge_moves_every_related_record(pair, admin_user):
    keep, dupe = pair
    person_merge(survivor=keep, merged=dupe, actor=admin_user)
    keep.refresh_from_db()
    dupe.refresh_from_db()
    assert dupe.merged_into == keep
    assert sorted(keep.emails.values_list("address", flat=True)) == [
        "bob@example.org",
        "bobby@example.org",
    ]
    assert keep.emails.get(is_primary=True).address == "bob@example.org"
    assert keep.phones.count() == 1
    assert sorted(keep.tags.values_list("name", flat=True)) == ["donor", "volunteer"]
    assert keep.employer == "Mill Co"  # blank on the survivor, so filled in
    assert keep.given_name == "Robert"  # the survivor's own value wins
    assert ConsentEvent.objects.filter(person=keep).count() == 2
    assert not dupe.emails.exists() and not dupe.activities.exclude(kind="merge").exists()
    assert Person.objects.active().count() == 1
    assert AuditEvent.objects.filter(action="merge", actor=admin_user).count() == 1


def test_an_upsert_after_a_merge_finds_the_survivor(pair):
    keep, dupe = pair
    person_merge(survivor=keep, merged=dupe)
    again = person_create(email="bobby@example.org")
    assert again.pk == keep.pk


def test_undo_restores_both_people_as_they_were(pair, admin_user):
    keep, dupe = pair
    before = {
        p.pk: (
            sorted(p.emails.values_list("pk", "is_primary")),
            sorted(p.tags.values_list("name", flat=True)),
            sorted(p.phones.values_list("number", flat=True)),
            sorted(p.consent_events.values_list("pk", flat=True)),
            p.employer,
        )
        for p in (keep, dupe)
    }
    record = person_merge(survivor=keep, merged=dupe, actor=admin_user)
    person_merge_undo(record=record, actor=admin_user)
    for person in (keep, dupe):
        person.refresh_from_db()
        assert person.merged_into is None
        after = (
            sorted(person.emails.values_list("pk", "is_primary")),
            sorted(person.tags.values_list("name", flat=True)),
            sorted(person.phones.values_list("number", flat=True)),
            sorted(person.consent_events.values_list("pk", flat=True)),
            person.employer,
        )
        assert after == before[person.pk]
    assert dupe.primary_email == "bobby@example.org"
    assert AuditEvent.objects.filter(action="merge_undo").count() == 1
    assert Activity.objects.filter(kind="merge_undo").count() == 2


def test_a_merge_cannot_be_undone_twice(pair):
    keep, dupe = pair
    record = person_merge(survivor=keep, merged=dupe)
    person_merge_undo(record=record)
    with pytest.raises(ValidationError, match="already been undone"):
        person_merge_undo(record=record)


def test_a_person_cannot_be_merged_with_themselves(pair):
    keep, _ = pair
    with pytest.raises(ValidationError):
        person_merge(survivor=keep, merged=keep)


def test_a_merged_person_cannot_be_merged_again(pair):
    keep, dupe = pair
    third = person_create(email="third@example.org")
    person_merge(survivor=keep, merged=dupe)
    with pytest.raises(ValidationError, match="already been merged"):
        person_merge(survivor=third, merged=dupe)


def test_shared_tags_are_not_duplicated_and_come_back_on_undo(pair):
    keep, dupe = pair
    record = person_merge(survivor=keep, merged=dupe)
    donor = Tag.objects.get(name="donor")
    assert donor.taggings.count() == 1
    person_merge_undo(record=record)
    assert donor.taggings.count() == 2
    assert EmailAddress.objects.filter(person=dupe, is_primary=True).count() == 1
