"""Deleting a person and erasing a person's personal data (admin only, audited, with reason)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.actions.models import ActionPage, ReferralCode, Submission
from groundswell.donations.models import Contribution, PaymentAttempt, RecurringSeries
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.mailings.models import Delivery, Engagement, Mailing, SenderIdentity
from groundswell.people import cleanup, merge
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    MergeRecord,
    Person,
    Phone,
    PostalAddress,
    Tagging,
)
from groundswell.people.tests.factories import person_create
from groundswell.segments.models import Segment

DONOR = {
    "given_name": "Isolde",
    "family_name": "Brackwater",
    "email": "isolde.brackwater@example.org",
    "phone": "267-555-0199",
    "address_line1": "40 Sample Lane",
    "city": "Philadelphia",
    "state": "PA",
    "postal_code": "19104",
    "employer": "Nonesuch Looms",
    "occupation": "Weaver",
}


def _gift(person_email: str, processor_id: str, cents: int = 2_500) -> Contribution:
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="stripe",
            processor_id=processor_id,
            amount_cents=cents,
            received_at=datetime(2026, 5, 1, 12, tzinfo=UTC),
            donor={**DONOR, "email": person_email},
        )
    )
    contribution.refresh_from_db()
    return contribution


@pytest.fixture
def donor(db, admin_user):
    """A donor who signed a petition, was mailed, opened it, and has a duplicate merged in."""
    gift = _gift(DONOR["email"], "ch_erase_1")
    person = gift.person
    duplicate = person_create(
        given_name="Isolde", family_name="Brackwater", email="isolde.b@example.org",
        mobile_phone="267-555-0123", tags="petition signers",
    )  # fmt: skip
    merge.person_merge(survivor=person, merged=duplicate, actor=admin_user)
    page = ActionPage.objects.create(slug="erase-petition", title="Petition", headline="Sign")
    Submission.objects.create(
        page=page, token="t-erase", email=DONOR["email"], person=person,
        data={"given_name": "Isolde", "comment": "I live at 40 Sample Lane"},
        ip_address="198.51.100.7", referrer="https://news.example.org/isolde",
    )  # fmt: skip
    ReferralCode.objects.create(person=person, code="isolde77")
    sender = SenderIdentity.objects.create(
        from_name="C", from_address="c@campaign.example.org", postal_address="PO Box 1"
    )
    mailing = Mailing.objects.create(
        name="M", sender=sender, segment=Segment.objects.create(name="All", definition={}),
        subject="Hi", html="<p>Hi</p>",
    )  # fmt: skip
    delivery = Delivery.objects.create(mailing=mailing, person=person, address=DONOR["email"])
    Engagement.objects.create(
        delivery=delivery, mailing=mailing, person=person, kind="open", hit_class="human"
    )
    PaymentAttempt.objects.create(
        key="pa-isolde", processor="stripe", amount_cents=2_500, ip_address="198.51.100.7",
        donor={"email": DONOR["email"], "phone": DONOR["phone"], "given_name": "Isolde"},
    )  # fmt: skip
    return person


def _remove(client, person, action: str, reason: str = "Erasure asked for by e-mail, 4 Dec"):
    return client.post(
        reverse("people:remove", args=[person.pk]),
        {"action": action, "reason": reason, "confirm": "on"},
    )


def test_erasure_removes_personal_data_everywhere_and_keeps_the_gift_for_reports(
    persona_client, donor
):
    gift = Contribution.objects.get(person=donor)
    duplicate_id = donor.merged_people.get().pk
    response = _remove(persona_client("admin"), donor, "erase")
    assert response.status_code == 302

    donor.refresh_from_db()
    assert donor.erased_at is not None
    assert (donor.given_name, donor.family_name, donor.employer, donor.primary_email) == (
        "",
        "",
        "",
        "",
    )
    for model in (EmailAddress, Phone, PostalAddress, Tagging):
        assert not model.objects.filter(person_id__in=[donor.pk, duplicate_id]).exists(), model
    assert list(Activity.objects.filter(person=donor).values_list("kind", flat=True)) == ["erasure"]
    assert not ConsentEvent.objects.filter(person=donor).exclude(address="").exists()
    # The gift stays, with what an FEC report shows, and still counts for this person.
    gift.refresh_from_db()
    assert gift.person_id == donor.pk
    assert (gift.donor_given_name, gift.donor_family_name, gift.donor_employer) == (
        "Isolde",
        "Brackwater",
        "Nonesuch Looms",
    )
    assert gift.donor_address_line1 and gift.donor_postal_code.startswith("19104")
    assert (gift.donor_email, gift.donor_phone) == ("", "")
    attempt = PaymentAttempt.objects.get(key="pa-isolde")
    assert (attempt.donor, attempt.ip_address) == ({"given_name": "Isolde"}, None)
    # Other apps erased what they hold, each through its own eraser.
    submission = Submission.objects.get(token="t-erase")
    assert (submission.data, submission.email, submission.ip_address, submission.referrer) == (
        {},
        "",
        None,
        "",
    )
    assert not ReferralCode.objects.filter(person=donor).exists()
    assert not Engagement.objects.filter(person=donor).exists()
    assert Delivery.objects.get(person=donor).address.startswith("erased:")
    # The merge's undo data held the duplicate's values: gone, and the undo with it.
    record = MergeRecord.objects.get(survivor=donor)
    assert record.snapshot == {"erased": True}
    with pytest.raises(ValidationError):
        merge.person_merge_undo(record=record)

    event = AuditEvent.objects.get(action="person_erase")
    assert event.details["reason"] == "Erasure asked for by e-mail, 4 Dec"
    assert event.details["records"] == 2
    assert "Isolde" not in str(event.details) and "isolde" not in str(event.details)


def test_an_erased_person_shows_as_erased_and_can_no_longer_be_edited(persona_client, donor):
    client = persona_client("admin")
    _remove(client, donor, "erase")
    page = client.get(reverse("people:detail", args=[donor.pk])).content.decode()
    assert "Erased person" in page and "personal data was erased" in page
    assert "Isolde" not in page
    assert reverse("people:edit", args=[donor.pk]) not in page
    assert client.get(reverse("people:edit", args=[donor.pk])).status_code == 404
    listing = client.get(reverse("people:list")).content.decode()
    assert f"Erased person #{donor.pk}" in listing


def test_erasing_twice_changes_nothing_and_is_audited_once(persona_client, donor):
    client = persona_client("admin")
    _remove(client, donor, "erase")
    donor.refresh_from_db()
    first = donor.erased_at
    response = _remove(client, donor, "erase")
    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.erased_at == first
    assert AuditEvent.objects.filter(action="person_erase").count() == 1


def test_a_donor_cannot_be_deleted_because_the_law_keeps_their_gifts(persona_client, donor):
    response = _remove(persona_client("admin"), donor, "delete", reason="duplicate")
    assert response.status_code == 400
    assert "the law requires" in response.content.decode()
    assert Person.objects.filter(pk=donor.pk).exists()
    assert not AuditEvent.objects.filter(action="person_delete").exists()


def test_a_donor_still_giving_monthly_is_not_erased_until_the_gift_is_cancelled(
    persona_client, donor
):
    RecurringSeries.objects.create(
        processor="stripe", processor_key="sub_isolde", period="monthly", amount_cents=1_000,
        started_at=datetime(2026, 5, 1, tzinfo=UTC), person=donor,
    )  # fmt: skip
    response = _remove(persona_client("admin"), donor, "erase")
    assert response.status_code == 400
    assert "cancel it first" in response.content.decode()
    donor.refresh_from_db()
    assert donor.erased_at is None and donor.given_name == "Isolde"


def test_deleting_a_junk_record_removes_it_and_who_was_merged_into_it(persona_client, db):
    junk = person_create(given_name="Test", family_name="Signup", email="test1@example.org")
    shell = person_create(given_name="Test", family_name="Signup", email="test2@example.org")
    merge.person_merge(survivor=junk, merged=shell)
    response = _remove(persona_client("admin"), junk, "delete", reason="test sign-up")
    assert response.status_code == 302
    assert not Person.objects.filter(pk__in=[junk.pk, shell.pk]).exists()
    event = AuditEvent.objects.get(action="person_delete")
    assert event.details == {
        "person": junk.pk,
        "merged_records": [shell.pk],
        "reason": "test sign-up",
    }


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_only_an_admin_may_delete_or_erase(persona_client, db, role):
    person = person_create(email=f"keep.{role}@example.org")
    client = persona_client(role)
    assert client.get(reverse("people:remove", args=[person.pk])).status_code == 403
    assert _remove(client, person, "delete").status_code == 403
    assert _remove(client, person, "erase").status_code == 403
    person.refresh_from_db()
    assert person.erased_at is None
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("people:remove", args=[person.pk]) not in page


def test_the_services_refuse_a_role_without_the_capability(organizer_user, db):
    person = person_create(email="svc.refuse@example.org")
    with pytest.raises(ValidationError):
        cleanup.person_erase(person=person, actor=organizer_user, reason="asked")
    with pytest.raises(ValidationError):
        cleanup.person_delete(person=person, actor=organizer_user, reason="junk")


def test_a_removal_without_a_reason_or_confirmation_is_refused(persona_client, db):
    person = person_create(email="no.reason@example.org")
    client = persona_client("admin")
    url = reverse("people:remove", args=[person.pk])
    assert client.post(url, {"action": "delete", "reason": "", "confirm": "on"}).status_code == 400
    assert client.post(url, {"action": "delete", "reason": "junk"}).status_code == 400
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_audit_log_says_in_words_who_was_erased_why_and_what_went(persona_client, donor):
    client = persona_client("admin")
    _remove(client, donor, "erase")
    page = client.get(reverse("accounts:audit"), {"action": "person_erase"}).content.decode()
    assert "Personal data erased" in page
    assert f"Person #{donor.pk}" in page
    assert "Reason: Erasure asked for by e-mail, 4 Dec" in page
    assert "e-mail addresses" in page and "share code removed" in page
    assert "{" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
