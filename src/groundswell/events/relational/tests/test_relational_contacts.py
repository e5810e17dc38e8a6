"""Relational organizing: a volunteer adds people they know. Each is matched or created through
the shared intake without any subscription, credited to the volunteer, and shown only to the
volunteer who entered them, as they typed them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.events.models import RelationalContact
from groundswell.events.relational.services import relational_contact_add
from groundswell.people.models import ConsentEvent, EmailAddress, Person
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db
URL = "/organize/contacts/"


def _post(**overrides) -> dict:
    data = {
        "given_name": "Oriel",
        "family_name": "Brackenbury",
        "email": "oriel.brackenbury@example.org",
        "phone": "",
        "relationship": "neighbour",
        "notes": "Cares about the bus line.",
    }
    data.update(overrides)
    return data


def test_the_contacts_page_is_at_organize_contacts():
    assert reverse("events_staff:contacts") == URL


@pytest.mark.parametrize("role", ["admin", "finance", "organizer", "volunteer"])
def test_every_staff_role_may_open_its_own_contacts_page(persona_client, role):
    assert persona_client(role).get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, _post()).status_code == 302
    assert not Person.objects.exists()


def test_a_volunteer_adds_someone_new_who_is_created_without_any_subscription(
    persona_client, make_user
):
    client = persona_client("volunteer")
    response = client.post(URL, _post())
    assert response.status_code == 302
    contact = RelationalContact.objects.get()
    assert contact.volunteer_user.username == "volunteer-persona"
    assert contact.relationship == "neighbour"
    person = contact.person
    assert (person.given_name, person.family_name) == ("Oriel", "Brackenbury")
    assert person.source == "relational: volunteer-persona"
    email = EmailAddress.objects.get(person=person)
    assert email.status == "unknown"
    assert not ConsentEvent.objects.filter(person=person).exists()
    assert AuditEvent.objects.filter(action="events.relational_contact").count() == 1


def test_a_subscription_status_smuggled_into_the_form_is_ignored(persona_client):
    client = persona_client("volunteer")
    client.post(URL, _post(email_status="subscribed", sms_status="yes", phone="215-555-0142"))
    person = RelationalContact.objects.get().person
    assert EmailAddress.objects.get(person=person).status == "unknown"
    assert person.phones.get().sms_status == "unknown"
    assert not ConsentEvent.objects.exists()


def test_someone_already_on_file_is_matched_and_keeps_their_own_name_and_status():
    existing = person_create(
        given_name="Tamsin",
        family_name="Vellacott",
        email="tamsin.vellacott@example.org",
        email_status="unsubscribed",
    )
    from groundswell.accounts.models import User

    volunteer = User.objects.create(username="vol-a", role="volunteer")
    contact = relational_contact_add(
        actor=volunteer,
        raw={"given_name": "Tammy", "email": "Tamsin.Vellacott@example.org"},
        relationship="friend",
    )
    assert contact.person_id == existing.pk
    existing.refresh_from_db()
    assert existing.given_name == "Tamsin"
    assert EmailAddress.objects.get(person=existing).status == "unsubscribed"
    assert Person.objects.count() == 1
    # The volunteer's list shows what the volunteer typed, not the stored record.
    assert contact.name == "Tammy"


def test_adding_the_same_person_twice_updates_the_one_contact(make_user):
    volunteer = make_user("volunteer")
    raw = {"given_name": "Ysolde", "email": "ysolde.pennick@example.org"}
    relational_contact_add(actor=volunteer, raw=raw, relationship="friend", notes="first")
    relational_contact_add(actor=volunteer, raw=raw, relationship="family", notes="second")
    contact = RelationalContact.objects.get()
    assert (contact.relationship, contact.notes) == ("family", "second")


def test_the_volunteers_own_person_record_is_credited_when_their_login_email_matches(make_user):
    volunteer = make_user("volunteer", username="vol-b")
    own = person_create(given_name="Bevis", email="vol-b@staff.example.org")
    contact = relational_contact_add(
        actor=volunteer,
        raw={"given_name": "Marigold", "phone": "215-555-0177"},
        relationship="coworker",
    )
    assert contact.volunteer_person_id == own.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"relationship": "enemy"}, "relationship"),
        ({"email": "", "phone": ""}, None),
        ({"email": "not-an-address"}, "email"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_an_invalid_contact_is_refused_with_the_reason(persona_client, overrides, field):
    client = persona_client("volunteer")
    response = client.post(URL, _post(**overrides))
    assert response.status_code == 400
    assert not RelationalContact.objects.exists()
    assert not Person.objects.exists()
    errors = response.context["form"].errors
    assert (field or "__all__") in errors


def test_a_relationship_outside_the_list_is_refused_by_the_service(make_user):
    with pytest.raises(ValidationError):
        relational_contact_add(
            actor=make_user("volunteer"),
            raw={"given_name": "Alys", "email": "alys@example.org"},
            relationship="rival",
        )


def test_a_volunteer_sees_only_their_own_contacts(client, make_user):
    first = make_user("volunteer", username="vol-first")
    second = make_user("volunteer", username="vol-second")
    relational_contact_add(
        actor=first,
        raw={"given_name": "Perpetua", "email": "perpetua.quell@example.org"},
        relationship="family",
        notes="Secret note of the first volunteer",
    )
    client.force_login(second)
    page = client.get(URL).content.decode()
    assert "Perpetua" not in page
    assert "perpetua.quell@example.org" not in page
    assert "Secret note" not in page
    client.force_login(first)
    page = client.get(URL).content.decode()
    assert "Perpetua" in page and "Secret note of the first volunteer" in page


def test_a_volunteer_cannot_read_a_stored_record_by_typing_its_email(client, make_user):
    person_create(
        given_name="Quenby",
        family_name="Harrowgate",
        email="quenby.h@example.org",
        postal_code="19104",
        address_line1="77 Hidden Lane",
    )
    client.force_login(make_user("volunteer", username="vol-curious"))
    response = client.post(
        URL, _post(given_name="Someone", family_name="", email="quenby.h@example.org")
    )
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    for private in ("Quenby", "Harrowgate", "Hidden Lane", "19104"):
        assert private not in page
    assert "Someone" in page


def test_the_recruiters_page_is_for_organizing_roles_only(persona_client):
    url = reverse("events_staff:recruiters")
    assert persona_client("volunteer").get(url).status_code == 403
    assert persona_client("finance").get(url).status_code == 403
    assert persona_client("organizer").get(url).status_code == 200


def test_erasing_a_person_removes_what_volunteers_wrote_about_them(make_user):
    from django.db import transaction

    from groundswell.people.cleanup import person_erase

    volunteer = make_user("volunteer", username="vol-e")
    own = person_create(given_name="Lucan", email="vol-e@staff.example.org")
    about = relational_contact_add(
        actor=volunteer,
        raw={"given_name": "Rosalind", "email": "rosalind.q@example.org"},
        relationship="friend",
        notes="Lives by the park",
    )
    kept = relational_contact_add(
        actor=volunteer,
        raw={"given_name": "Sabine", "email": "sabine.q@example.org"},
        relationship="neighbour",
    )
    assert kept.volunteer_person_id == own.pk
    with transaction.atomic():
        person_erase(person=about.person, actor=make_user("admin"), reason="Asked to be erased")
    assert not RelationalContact.objects.filter(person=about.person).exists()
    assert not RelationalContact.objects.filter(notes__contains="park").exists()
    with transaction.atomic():
        person_erase(person=own, actor=make_user("admin"), reason="Asked to be erased")
    kept.refresh_from_db()
    assert kept.volunteer_person_id is None and kept.volunteer_user == volunteer
