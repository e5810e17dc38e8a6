"""Sign-ups counted by refcode and by UTM, for everyone or for some people only."""

from datetime import UTC, datetime

import pytest

from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.selectors import submission_counts_by_refcode, submission_counts_by_utm
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def world():
    page = ActionPage.objects.create(slug="count-me", title="Join", headline="Join")
    inside = Person.objects.create(given_name="Ina", family_name="Side")
    outside = Person.objects.create(given_name="Otto", family_name="Side")
    for token, person, refcode, status, utm in (
        ("in-ok", inside, "fb-spring", Submission.Status.PROCESSED, "facebook"),
        ("in-failed", inside, "fb-spring", Submission.Status.FAILED, "facebook"),
        ("in-received", inside, "email-eoq", Submission.Status.RECEIVED, "email"),
        ("out-ok", outside, "fb-spring", Submission.Status.PROCESSED, "facebook"),
    ):
        Submission.objects.create(
            page=page,
            token=token,
            email=f"{token}@example.org",
            refcode=refcode,
            utm_source=utm,
            utm_medium="paid",
            person=person,
            status=status,
            received_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
        )
    return {"inside": inside, "outside": outside}


def counts(**kwargs):
    by_refcode = submission_counts_by_refcode(prefix="", start_at=START, end_before=END, **kwargs)
    by_utm = submission_counts_by_utm(start_at=START, end_before=END, **kwargs)
    return by_refcode, by_utm


def test_people_counts_only_their_sign_ups_and_never_a_failed_one(world):
    by_refcode, by_utm = counts(people=[world["inside"].pk])
    assert by_refcode == {"fb-spring": 1, "email-eoq": 1}
    assert by_utm == [("email", "paid", 1), ("facebook", "paid", 1)]


def test_without_people_everyone_counts_but_a_failed_submission_still_does_not(world):
    by_refcode, by_utm = counts()
    assert by_refcode == {"fb-spring": 2, "email-eoq": 1}
    assert by_utm == [("facebook", "paid", 2), ("email", "paid", 1)]


def test_people_may_be_a_queryset_of_ids_and_an_empty_list_counts_no_one(world):
    inside = Person.objects.filter(pk=world["inside"].pk).values_list("pk", flat=True)
    assert counts(people=inside) == counts(people=[world["inside"].pk])
    assert counts(people=[]) == ({}, [])
