"""Staff edits: names, finance fields, custom fields, contact points, consent, tags."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.people.models import (
    Activity,
    ConsentEvent,
    ConsentMethod,
    EmailAddress,
    Person,
    Phone,
    Tag,
)
from groundswell.people.tests.factories import person_create as _person_create


def person_create(**raw):
    # The factory's random state may be a freely associated state that intake rejects.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


@pytest.fixture
def ana(db):
    return person_create(
        given_name="Ana",
        family_name="Lima",
        email="ana@example.org",
        employer="Old Employer Inc",
        occupation="Nurse",
        address_line1="1 Elm St",
        city="Albany",
        postal_code="12207",
        **{"custom:shirt": "M"},
    )


def _edit(client, person, **changes):
    data = {
        "given_name": person.given_name,
        "middle_name": person.middle_name,
        "family_name": person.family_name,
        "employer": person.employer,
        "occupation": person.occupation,
    }
    for index, (key, value) in enumerate(person.custom_fields.items()):
        data[f"custom_key_{index}"] = key
        data[f"custom_value_{index}"] = value
    data.update(changes)
    return client.post(reverse("people:edit", args=[person.pk]), data)


def test_an_organizer_renames_a_person_and_the_timeline_says_who(persona_client, ana):
    response = _edit(persona_client("organizer"), ana, given_name="Anabel", family_name="Lima-Su")
    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.given_name, ana.family_name) == ("Anabel", "Lima-Su")
    # The search keys follow, so the new name is searchable at once.
    assert (ana.given_key, ana.family_key) == ("anabel", "limasu")
    activity = Activity.objects.filter(person=ana, kind="edit").get()
    assert activity.summary == "Edited by organizer-persona: given name, family name"


def test_saving_without_changes_records_nothing(persona_client, ana):
    _edit(persona_client("organizer"), ana)
    assert not Activity.objects.filter(person=ana, kind="edit").exists()


def test_an_organizer_cannot_change_employer_even_by_posting_it(persona_client, ana):
    client = persona_client("organizer")
    page = client.get(reverse("people:edit", args=[ana.pk])).content.decode()
    assert "Old Employer Inc" not in page
    assert 'name="employer"' not in page
    _edit(client, ana, employer="Forged Employer", occupation="Forged")
    ana.refresh_from_db()
    assert ana.employer == "Old Employer Inc"
    assert ana.occupation == "Nurse"


def test_a_finance_user_changes_employer_and_occupation(persona_client, ana):
    client = persona_client("finance")
    assert "Old Employer Inc" in client.get(reverse("people:edit", args=[ana.pk])).content.decode()
    _edit(client, ana, employer="New Employer LLC", occupation="Surgeon")
    ana.refresh_from_db()
    assert (ana.employer, ana.occupation) == ("New Employer LLC", "Surgeon")


def test_custom_fields_are_changed_added_and_removed(persona_client, ana):
    _edit(
        persona_client("organizer"),
        ana,
        custom_value_0="",  # removes "shirt"
        custom_key_1="van_id",
        custom_value_1="12345",
    )
    ana.refresh_from_db()
    assert ana.custom_fields == {"van_id": "12345"}


def test_a_name_that_is_too_long_is_shown_as_an_error(persona_client, ana):
    response = _edit(persona_client("organizer"), ana, given_name="x" * 101)
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()


def test_adding_an_email_validates_it_like_an_import(persona_client, ana):
    client = persona_client("organizer")
    response = client.post(
        reverse("people:email_add", args=[ana.pk]), {"email": "not-an-address", "email_status": ""}
    )
    assert response.status_code == 400
    assert "E-mail address is not a valid e-mail address" in response.content.decode()
    assert ana.emails.count() == 1


def test_adding_an_email_with_consent_records_it_as_staff(persona_client, ana):
    client = persona_client("organizer")
    response = client.post(
        reverse("people:email_add", args=[ana.pk]),
        {"email": "Ana.Work@Gmial.com", "email_status": "subscribed"},
    )
    assert response.status_code == 302
    email = EmailAddress.objects.get(address="ana.work@gmial.com")
    assert email.person_id == ana.pk
    assert email.status == "subscribed"
    assert email.suggestion == "ana.work@gmail.com"
    assert not email.is_primary
    event = ConsentEvent.objects.get(address="ana.work@gmial.com")
    assert (event.method, event.previous_status, event.status) == (
        ConsentMethod.STAFF,
        "unknown",
        "subscribed",
    )
    assert event.source == "staff: organizer-persona"
    assert event.actor.username == "organizer-persona"


def test_an_email_that_belongs_to_someone_else_is_refused_with_a_hint_to_merge(persona_client, ana):
    other = person_create(email="taken@example.org")
    response = persona_client("organizer").post(
        reverse("people:email_add", args=[ana.pk]), {"email": "TAKEN@example.org"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"(#{other.pk})" in page
    assert "merge them instead" in page
    assert EmailAddress.objects.get(address="taken@example.org").person_id == other.pk


def test_adding_a_phone_normalises_it_and_records_sms_consent(persona_client, ana):
    client = persona_client("organizer")
    response = client.post(
        reverse("people:phone_add", args=[ana.pk]),
        {"phone": "(518) 555-0142", "phone_type": "mobile", "sms_status": "subscribed"},
    )
    assert response.status_code == 302
    phone = Phone.objects.get(person=ana)
    assert (phone.number, phone.phone_type, phone.sms_status) == (
        "+15185550142",
        "mobile",
        "subscribed",
    )
    ana.refresh_from_db()
    assert ana.primary_phone == "+15185550142"  # searchable at once
    assert ConsentEvent.objects.filter(person=ana, channel="sms", method="staff").exists()


def test_a_bad_phone_number_reads_like_an_import_error(persona_client, ana):
    response = persona_client("organizer").post(
        reverse("people:phone_add", args=[ana.pk]), {"phone": "12", "phone_type": "mobile"}
    )
    assert response.status_code == 400
    assert "Phone has the wrong number of digits" in response.content.decode()


def test_adding_an_address_makes_it_primary_and_updates_state_and_zip(persona_client, ana):
    response = persona_client("organizer").post(
        reverse("people:address_add", args=[ana.pk]),
        {
            "address_line1": "200 main street",
            "city": "burlington",
            "state": "Vermont",
            "postal_code": "05401",
            "country": "US",
            "make_primary": "on",
        },
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.state, ana.postal_code) == ("VT", "05401")
    primary = ana.addresses.get(is_primary=True)
    assert (primary.line1, primary.city) == ("200 Main St", "Burlington")
    assert ana.addresses.count() == 2


def test_a_bad_state_reads_like_an_import_error(persona_client, ana):
    response = persona_client("organizer").post(
        reverse("people:address_add", args=[ana.pk]),
        {"address_line1": "1 Main St", "state": "Narnia", "country": "US"},
    )
    assert response.status_code == 400
    assert "State &#x27;Narnia&#x27; is not a US state" in response.content.decode()


def test_changing_a_subscription_goes_to_the_consent_history(persona_client, ana):
    email = ana.emails.get()
    client = persona_client("organizer")
    response = client.post(
        reverse("people:email_status", args=[email.pk]), {f"e{email.pk}-status": "unsubscribed"}
    )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == "unsubscribed"
    ana.refresh_from_db()
    assert ana.email_status == "unsubscribed"
    event = ConsentEvent.objects.filter(person=ana).latest("id")
    assert (event.previous_status, event.status, event.method, event.source) == (
        "unknown",
        "unsubscribed",
        "staff",
        "staff: organizer-persona",
    )
    assert "Edited by organizer-persona: e-mail ana@example.org set to unsubscribed" in (
        Activity.objects.filter(person=ana).values_list("summary", flat=True)
    )
    page = client.get(reverse("people:detail", args=[ana.pk])).content.decode()
    assert "staff: organizer-persona" in page


def test_changing_sms_consent_goes_to_the_consent_history(persona_client, ana):
    phone = Phone.objects.create(person=ana, number="+15185550142", is_primary=True)
    persona_client("organizer").post(
        reverse("people:phone_sms", args=[phone.pk]), {f"p{phone.pk}-status": "unsubscribed"}
    )
    phone.refresh_from_db()
    assert phone.sms_status == "unsubscribed"
    event = ConsentEvent.objects.get(person=ana, channel="sms")
    assert event.source == "staff: organizer-persona"


def test_a_tag_is_added_and_removed_with_htmx(persona_client, ana):
    client = persona_client("organizer")
    response = client.post(
        reverse("people:tag_add", args=[ana.pk]), {"name": "Canvass Lead"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<section class="card" id="tags"')
    assert "<span>Canvass Lead</span>" in fragment
    tag = Tag.objects.get(name="Canvass Lead")
    assert ana.tags.filter(pk=tag.pk).exists()
    # The same tag in another case is the same tag.
    client.post(reverse("people:tag_add", args=[ana.pk]), {"name": "canvass lead"})
    assert Tag.objects.filter(name__iexact="canvass lead").count() == 1
    response = client.post(
        reverse("people:tag_remove", args=[ana.pk, tag.pk]), HTTP_HX_REQUEST="true"
    )
    assert "<span>Canvass Lead</span>" not in response.content.decode()
    assert not ana.tags.filter(pk=tag.pk).exists()
    summaries = list(
        Activity.objects.filter(person=ana, kind="tag").values_list("summary", flat=True)
    )
    assert "Tagged “Canvass Lead” by organizer-persona" in summaries
    assert "Tag “Canvass Lead” removed by organizer-persona" in summaries


def test_a_tag_form_without_javascript_returns_to_the_person_page(persona_client, ana):
    response = persona_client("organizer").post(
        reverse("people:tag_add", args=[ana.pk]), {"name": "walker"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[ana.pk])
    assert ana.tags.filter(name="walker").exists()


def test_a_merged_person_cannot_be_edited(persona_client, ana):
    from groundswell.people import merge

    survivor = person_create(email="survivor@example.org")
    merge.person_merge(survivor=survivor, merged=ana)
    response = _edit(persona_client("organizer"), ana, given_name="Ghost")
    assert response.status_code == 404
    assert Person.objects.get(pk=ana.pk).given_name == "Ana"
