"""A person's own word on their employer and occupation (no staff actor)."""

import pytest

from groundswell.people.merge import person_merge
from groundswell.people.models import Activity, Person
from groundswell.people.services import person_work_set
from groundswell.people.tests.factories import PersonFactory


@pytest.mark.django_db
def test_it_sets_the_current_work_and_adds_a_timeline_entry():
    person = PersonFactory(employer="Old Co", occupation="Clerk")
    assert person_work_set(
        person_id=person.pk,
        employer="County Schools",
        occupation="Teacher",
        kind="best_efforts_answer",
        summary="Gave employer and occupation (web)",
        data={"contribution": 7},
    )
    person.refresh_from_db()
    assert (person.employer, person.occupation) == ("County Schools", "Teacher")
    entry = Activity.objects.get(person=person, kind="best_efforts_answer")
    assert entry.data == {"contribution": 7}


@pytest.mark.django_db
def test_a_merged_persons_answer_goes_to_who_they_were_merged_into():
    keep, dupe = PersonFactory(employer=""), PersonFactory(employer="")
    person_merge(survivor=keep, merged=dupe)
    assert person_work_set(
        person_id=dupe.pk, employer="Self-employed", occupation="Writer", kind="k", summary="s"
    )
    keep.refresh_from_db()
    dupe.refresh_from_db()
    assert keep.employer == "Self-employed" and dupe.employer == ""
    assert Activity.objects.filter(person=keep, kind="k").count() == 1


@pytest.mark.django_db
def test_no_such_person_changes_nothing():
    assert not person_work_set(
        person_id=987654, employer="A", occupation="B", kind="k", summary="s"
    )
    assert not Activity.objects.filter(kind="k").exists()
    assert Person.objects.count() == 0
