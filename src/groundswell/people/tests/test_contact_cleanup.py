"""Removing a contact point and choosing the primary one, from the person page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.people import merge
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    EmailStatus,
    Person,
    Phone,
    PostalAddress,
    SmsStatus,
)
from groundswell.people.tests.factories import person_create


def _delete_url(person, kind, row):
    return reverse("people:contact_delete", args=[person.pk, kind, row.pk])


def _primary_url(person, kind, row):
    return reverse("people:contact_primary", args=[person.pk, kind, row.pk])


@pytest.fixture
def merged_twins(db, admin_user):
    """Two records of one person, merged: the ZIP-only address "19104" is there twice."""
    kept = person_create(
        given_name="Quenby", family_name="Larkspur", email="quenby@example.org",
        postal_code="19104", state="", address_line1="", city="",
    )  # fmt: skip
    other = person_create(
        given_name="Quenby", family_name="Larkspur", email="q.larkspur@example.org",
        postal_code="19104", state="PA", address_line1="", city="",
    )  # fmt: skip
    merge.person_merge(survivor=kept, merged=other, actor=admin_user)
    return kept


def test_after_a_merge_the_zip_only_address_shown_twice_can_be_deleted(
    persona_client, merged_twins
):
    addresses = list(merged_twins.addresses.order_by("id"))
    assert len(addresses) == 2, "the merge left both ZIP-only addresses (the reported case)"
    client = persona_client("organizer")
    page = client.get(reverse("people:detail", args=[merged_twins.pk])).content.decode()
    assert _delete_url(merged_twins, "address", addresses[1]) in page

    confirm = client.get(_delete_url(merged_twins, "address", addresses[1]))
    assert confirm.status_code == 200 and "Delete this postal address?" in confirm.content.decode()
    response = client.post(_delete_url(merged_twins, "address", addresses[1]), follow=True)
    assert response.status_code == 200
    assert list(merged_twins.addresses.all()) == [addresses[0]]
    assert "Deleted" in response.content.decode()
    event = AuditEvent.objects.get(action="contact_delete")
    assert event.target_id == str(merged_twins.pk)
    assert Activity.objects.filter(person=merged_twins, summary__contains="deleted postal").exists()


def test_deleting_the_primary_email_makes_the_next_one_primary_and_updates_the_list_summary(
    persona_client, merged_twins
):
    primary = merged_twins.emails.get(is_primary=True)
    other = merged_twins.emails.get(is_primary=False)
    persona_client("organizer").post(_delete_url(merged_twins, "email", primary))
    other.refresh_from_db()
    merged_twins.refresh_from_db()
    assert other.is_primary
    assert merged_twins.primary_email == other.address


def test_deleting_the_last_subscribed_email_ends_the_subscription_in_the_consent_history(
    persona_client, db
):
    person = person_create(email="only.one@example.org", email_status="subscribed")
    email = person.emails.get()
    client = persona_client("organizer")
    confirm = client.get(_delete_url(person, "email", email)).content.decode()
    assert "subscription ends with it" in confirm
    assert "will then receive no e-mail" in confirm

    client.post(_delete_url(person, "email", email))
    assert not EmailAddress.objects.filter(person=person).exists()
    ended = ConsentEvent.objects.filter(person=person).order_by("-id").first()
    assert (ended.previous_status, ended.status, ended.method) == (
        EmailStatus.SUBSCRIBED,
        EmailStatus.UNSUBSCRIBED,
        "staff",
    )
    assert ended.address == "only.one@example.org"
    assert "deleted the e-mail address" in ended.source
    person.refresh_from_db()
    assert (person.primary_email, person.email_status) == ("", "")


def test_deleting_a_subscribed_phone_ends_its_sms_consent(persona_client, db):
    person = person_create(mobile_phone="215-555-0110", sms_status="yes")
    phone = person.phones.get()
    assert phone.sms_status == SmsStatus.SUBSCRIBED
    persona_client("organizer").post(_delete_url(person, "phone", phone))
    assert not Phone.objects.filter(person=person).exists()
    assert ConsentEvent.objects.filter(
        person=person, channel="sms", status=SmsStatus.UNSUBSCRIBED
    ).exists()


def test_choosing_the_primary_address_moves_the_state_and_zip_the_list_shows(persona_client, db):
    person = person_create(address_line1="1 Elm St", city="Erie", state="PA", postal_code="16501")
    second = PostalAddress.objects.create(
        person=person, line1="9 Oak Ave", city="Dover", state="DE", postal_code="19901"
    )
    client = persona_client("organizer")
    response = client.post(_primary_url(person, "address", second), follow=True)
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.state, person.postal_code) == ("DE", "19901")
    assert list(person.addresses.filter(is_primary=True)) == [second]
    assert AuditEvent.objects.filter(action="contact_primary").count() == 1
    # Choosing it again changes nothing and is not audited twice.
    client.post(_primary_url(person, "address", second))
    assert AuditEvent.objects.filter(action="contact_primary").count() == 1


def test_choosing_the_primary_email_keeps_one_primary_and_follows_its_status(persona_client, db):
    person = person_create(email="first@example.org", email_status="subscribed")
    second = EmailAddress.objects.create(
        person=person, address="second@example.org", status=EmailStatus.UNSUBSCRIBED
    )
    persona_client("organizer").post(_primary_url(person, "email", second))
    assert list(person.emails.filter(is_primary=True)) == [second]
    person.refresh_from_db()
    assert (person.primary_email, person.email_status) == (
        "second@example.org",
        EmailStatus.UNSUBSCRIBED,
    )


def test_a_volunteer_cannot_delete_or_choose_contact_points(persona_client, db):
    person = person_create(email="keep.me@example.org")
    email = person.emails.get()
    client = persona_client("volunteer")
    assert client.post(_delete_url(person, "email", email)).status_code == 403
    assert client.post(_primary_url(person, "email", email)).status_code == 403
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert _delete_url(person, "email", email) not in page
    assert EmailAddress.objects.filter(pk=email.pk).exists()


def test_a_contact_point_of_someone_else_or_an_unknown_kind_is_not_found(persona_client, db):
    alice = person_create(email="alice.nf@example.org")
    bob = person_create(email="bob.nf@example.org")
    client = persona_client("organizer")
    assert client.post(_delete_url(alice, "email", bob.emails.get())).status_code == 404
    bogus = reverse("people:contact_delete", args=[alice.pk, "fax", alice.emails.get().pk])
    assert client.get(bogus).status_code == 404
    assert EmailAddress.objects.filter(person=bob).exists()
    assert Person.objects.count() == 2
