"""The upsert rules every intake path shares."""

import pytest

from groundswell.people.intake import person_input_clean
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    ConsentMethod,
    EmailAddress,
    EmailStatus,
    Person,
    Phone,
)
from groundswell.people.services import IntakeContext, people_upsert, person_upsert

pytestmark = pytest.mark.django_db


def upsert(raw, method=ConsentMethod.FORM, **context):
    data, errors = person_input_clean(raw)
    assert not errors, errors
    return person_upsert(data, context=IntakeContext(method=method, source="test form", **context))


def test_a_resubmission_does_not_create_a_second_person():
    first = upsert({"given_name": "Rosa", "family_name": "Vance", "email": "rosa@example.org"})
    second = upsert({"given_name": "Rosa", "family_name": "Vance", "email": "rosa@example.org"})
    assert first.created and not second.created
    assert second.person_id == first.person_id
    assert not second.changed
    assert Person.objects.count() == 1


def test_it_matches_e_mail_regardless_of_case_and_whitespace():
    first = upsert({"email": "Mixed.Case@Example.ORG"})
    second = upsert({"email": "  mixed.case@example.org  "})
    assert second.person_id == first.person_id
    assert EmailAddress.objects.get().address == "mixed.case@example.org"


def test_it_matches_by_phone_when_the_e_mail_is_new():
    first = upsert({"email": "one@example.org", "mobile_phone": "(415) 555-0132"})
    second = upsert({"email": "two@example.org", "phone": "+1 415 555 0132"})
    assert second.person_id == first.person_id
    person = Person.objects.get()
    assert sorted(person.emails.values_list("address", flat=True)) == [
        "one@example.org",
        "two@example.org",
    ]
    assert person.primary_email == "one@example.org"
    assert Phone.objects.get().number == "+14155550132"


def test_e_mail_wins_over_phone_when_they_point_at_different_people():
    by_email = upsert({"email": "email-owner@example.org"})
    upsert({"email": "phone-owner@example.org", "phone": "212-555-0101"})
    result = upsert({"email": "email-owner@example.org", "phone": "212-555-0101"})
    assert result.person_id == by_email.person_id


def test_the_status_changes_only_when_the_intake_says_so():
    upsert({"email": "keep@example.org", "email_status": "subscribed"})
    upsert({"email": "keep@example.org", "given_name": "Kept"})  # says nothing about consent
    email = EmailAddress.objects.get()
    assert email.status == EmailStatus.SUBSCRIBED
    upsert(
        {"email": "keep@example.org", "email_status": "unsubscribed"},
        method=ConsentMethod.UNSUBSCRIBE_LINK,
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.UNSUBSCRIBED


def test_a_new_address_without_a_stated_status_records_no_consent():
    upsert({"email": "quiet@example.org"})
    assert EmailAddress.objects.get().status == EmailStatus.UNKNOWN
    assert not ConsentEvent.objects.exists()


def test_consent_history_explains_the_current_status():
    upsert({"email": "history@example.org", "email_status": "yes"}, ip_address="203.0.113.9")
    upsert({"email": "history@example.org", "email_status": "yes"})  # no change, no event
    upsert(
        {"email": "history@example.org", "email_status": "unsubscribed"},
        method=ConsentMethod.UNSUBSCRIBE_LINK,
    )
    events = list(ConsentEvent.objects.order_by("id"))
    assert [(e.previous_status, e.status, e.method) for e in events] == [
        ("", "subscribed", "form"),
        ("subscribed", "unsubscribed", "unsubscribe_link"),
    ]
    assert events[0].ip_address == "203.0.113.9"
    assert events[0].source == "test form"
    assert events[-1].status == EmailAddress.objects.get().status


def test_a_mover_gets_a_new_primary_address_and_keeps_the_old_one():
    upsert(
        {
            "email": "mover@example.org",
            "address_line1": "12 Oak Street",
            "city": "Dayton",
            "state": "OH",
            "postal_code": "45402",
        }
    )
    result = upsert(
        {
            "email": "mover@example.org",
            "address_line1": "9 Pine Avenue",
            "city": "Tucson",
            "state": "Arizona",
            "postal_code": "85701-1234",
        }
    )
    person = Person.objects.get()
    assert "address" in result.changes
    assert person.state == "AZ" and person.postal_code == "85701"
    primary = person.addresses.get(is_primary=True)
    assert (primary.line1, primary.postal_code) == ("9 Pine Ave", "85701-1234")
    assert person.addresses.count() == 2


def test_the_source_of_first_contact_is_never_overwritten():
    upsert({"email": "first@example.org", "source": "petition", "refcode": "spring"})
    upsert({"email": "first@example.org", "source": "event", "refcode": "fall"})
    person = Person.objects.get()
    assert (person.source, person.refcode) == ("petition", "spring")


def test_the_same_person_twice_in_one_batch_is_one_person():
    items = [
        person_input_clean({"email": "dup@example.org", "tags": "a"})[0],
        person_input_clean({"email": "DUP@example.org", "tags": "b"})[0],
    ]
    results = people_upsert(items, context=IntakeContext(method=ConsentMethod.IMPORT))
    assert results[0].person_id == results[1].person_id
    assert [r.created for r in results] == [True, False]
    person = Person.objects.get()
    assert sorted(person.tags.values_list("name", flat=True)) == ["a", "b"]


def test_a_timeline_entry_with_a_dedupe_key_is_recorded_once():
    data = person_input_clean({"email": "once@example.org"})[0]
    context = IntakeContext(
        method=ConsentMethod.IMPORT,
        activity_kind="import",
        activity_summary="Imported",
        dedupe_prefix="import:abc",
    )
    person_upsert(data, context=context, key="2")
    Person.objects.update(given_name="")  # force a change on the next run
    data.given_name = "Once"
    person_upsert(data, context=context, key="2")
    assert Activity.objects.filter(dedupe_key="import:abc:2").count() == 1


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"email": "no-at-sign.example.org"}, "email", "not a valid e-mail"),
        ({"email": "a@example.org", "state": "Atlantis"}, "state", "not a US state"),
        ({"email": "a@example.org", "postal_code": "12"}, "postal_code", "must be five digits"),
        ({"phone": "12"}, "phone", "phone"),
        (
            {"email": "a@example.org", "email_status": "maybe"},
            "email_status",
            "not a subscription status",
        ),
        ({"email": "a@example.org", "latitude": "95"}, "latitude", "between"),
        ({"given_name": "x" * 101, "email": "a@example.org"}, "given_name", "longer than 100"),
        (
            {"given_name": "Only a name"},
            "",
            "neither an e-mail address, a phone number nor an external ID",
        ),
    ],
)
def test_bad_values_are_reported_by_field(raw, field, fragment):
    _, errors = person_input_clean(raw)
    assert [e.field for e in errors] == [field]
    assert fragment in errors[0].reason


def test_hostile_strings_are_kept_as_text():
    result = upsert({"given_name": "<script>alert(1)</script>", "email": "x@example.org"})
    assert Person.objects.get(pk=result.person_id).given_name == "<script>alert(1)</script>"
