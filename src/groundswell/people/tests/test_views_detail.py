"""The person page: contact points with their verification, consent history, timeline, merges."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.people import merge
from groundswell.people.models import ConsentMethod, EmailAddress, EmailStatus
from groundswell.people.services import activity_record, email_status_set
from groundswell.people.tests.factories import person_create as _person_create


def person_create(**raw):
    # The factory's random state may be a freely associated state that intake rejects.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


def _page(client, person) -> str:
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def vera(db):
    return person_create(
        given_name="Vera",
        family_name="Donor",
        email="vera@gmial.com",
        mobile_phone="415-555-0134",
        sms_status="yes",
        email_status="subscribed",
        employer="Acme Rocket Widgets",
        occupation="Chief Welder",
        address_line1="12 north main street apt 4",
        city="SPRINGFIELD",
        state="MA",
        postal_code="01103",
        source="petition-2026",
        refcode="fb-ad-7",
        **{"custom:t_shirt": "XL", "tags": "house party host"},
    )


def test_the_person_page_shows_names_contacts_tags_and_custom_fields(persona_client, vera):
    page = _page(persona_client("volunteer"), vera)
    assert "Vera Donor" in page
    assert "vera@gmial.com" in page
    assert "(415) 555-0134" in page  # national format, not E.164
    assert "+14155550134" not in page
    assert "12 N Main St" in page and "Springfield" in page and "01103" in page
    assert "house party host" in page
    assert "t_shirt" in page and "XL" in page
    assert "petition-2026" in page and "fb-ad-7" in page


def test_the_person_page_shows_the_verification_of_each_email(persona_client, vera):
    EmailAddress.objects.filter(person=vera).update(mx_status=EmailAddress.MxStatus.NO_MX)
    person_create(email="info@mailinator.com")
    role = EmailAddress.objects.get(address="info@mailinator.com")
    page = _page(persona_client("volunteer"), vera)
    assert "Did you mean vera@gmail.com?" in page
    assert "Risky" in page
    assert "Domain does not accept mail" in page
    assert "Subscribed" in page
    other = _page(persona_client("organizer"), role.person)
    assert "Disposable mailbox" in other
    assert "Role account" in other


def test_a_volunteer_cannot_see_employer_or_occupation_on_the_person_page(persona_client, vera):
    for role in ("volunteer", "organizer"):
        page = _page(persona_client(role), vera)
        assert "Acme Rocket Widgets" not in page
        assert "Chief Welder" not in page
        assert "Employer" not in page
    for role in ("finance", "admin"):
        page = _page(persona_client(role), vera)
        assert "Acme Rocket Widgets" in page
        assert "Chief Welder" in page


def test_the_consent_history_explains_every_change(persona_client, admin_user, vera):
    email = vera.emails.get()
    email_status_set(
        email=email,
        status=EmailStatus.UNSUBSCRIBED,
        method=ConsentMethod.STAFF,
        source="staff: admin-user",
        actor=admin_user,
    )
    page = _page(persona_client("volunteer"), vera)
    consent = page[page.index("Consent history") :]
    assert "No consent recorded" in consent  # the first subscription came from nothing
    assert "Subscribed" in consent and "Unsubscribed" in consent
    assert "staff: admin-user" in consent
    assert ">admin-user<" in consent  # the actor
    assert "SMS" in consent and "(415) 555-0134" in consent


def test_the_timeline_is_paginated(persona_client, vera):
    for index in range(25):
        activity_record(person=vera, kind="note", summary=f"Timeline entry {index:02d}")
    client = persona_client("volunteer")
    first = _page(client, vera)
    assert "Timeline entry 24" in first
    assert "Timeline entry 00" not in first
    response = client.get(reverse("people:detail", args=[vera.pk]), {"timeline": 2})
    assert "Timeline entry 00" in response.content.decode()


def test_a_merged_persons_page_says_whom_they_were_merged_into(persona_client, vera):
    twin = person_create(given_name="Vera", family_name="Donor", email="vera.d@example.org")
    merge.person_merge(survivor=vera, merged=twin)
    page = _page(persona_client("organizer"), twin)
    assert "This person was merged into" in page
    assert reverse("people:detail", args=[vera.pk]) in page
    assert reverse("people:edit", args=[twin.pk]) not in page
    survivor_page = _page(persona_client("finance"), vera)
    assert f"#{twin.pk}" in survivor_page
    assert "was merged into this person" in survivor_page
    assert "Undo merge" in survivor_page


def test_a_person_with_nothing_yet_gets_helpful_empty_states(persona_client, db):
    from groundswell.people.models import Person

    bare = Person.objects.create(given_name="Bare")
    page = _page(persona_client("volunteer"), bare)
    assert "No e-mail address." in page
    assert "No phone number." in page
    assert "No tags yet." in page
    assert "No consent recorded" in page
    assert "has not been merged" in page


def test_the_person_page_query_count_does_not_grow_with_contacts(
    persona_client, django_assert_max_num_queries, vera
):
    for index in range(5):
        activity_record(person=vera, kind="note", summary=f"n{index}")
    client = persona_client("finance")
    # 15 for the person, plus their referrals and share code (looked up, not made: +2), and
    # their external ids (VAN ID, +1), their events card (one query, totals included: +1), and
    # the events app's rung and volunteer cards (+4, however many actions and shifts).
    with django_assert_max_num_queries(26):
        client.get(reverse("people:detail", args=[vera.pk]))


def test_viewing_a_person_makes_no_share_code_and_staff_can_make_one(persona_client, vera):
    from groundswell.actions.models import ReferralCode

    organizer = persona_client("organizer")
    page = _page(organizer, vera)
    assert not ReferralCode.objects.exists()
    assert "Make a personal share link" in page and "?ref=" not in page
    response = organizer.post(reverse("staff:person_share_link_make", args=[vera.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#referrals")
    code = ReferralCode.objects.get(person=vera).code
    assert f"?ref={code}" in _page(organizer, vera)
    organizer.post(reverse("staff:person_share_link_make", args=[vera.pk]))  # again: the same code
    assert list(ReferralCode.objects.values_list("code", flat=True)) == [code]


def test_a_volunteer_sees_no_button_and_cannot_make_a_share_code(persona_client, vera):
    from groundswell.actions.models import ReferralCode

    volunteer = persona_client("volunteer")
    assert "Make a personal share link" not in _page(volunteer, vera)
    response = volunteer.post(reverse("staff:person_share_link_make", args=[vera.pk]))
    assert response.status_code == 403
    assert not ReferralCode.objects.exists()
