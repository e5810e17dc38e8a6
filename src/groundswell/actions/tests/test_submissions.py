"""The submission spine: receive fast, process once, into people, actions, consent, referrals."""

import pytest
from django.core import mail
from django.test import TestCase

from groundswell.actions.models import ActionPage, IssuePosition, Referral, Submission
from groundswell.actions.ratelimit import RateLimited
from groundswell.actions.services import (
    SubmissionInvalid,
    SubmissionMeta,
    referral_code_for,
    submission_process_now,
    submission_receive,
    submissions_process,
)
from groundswell.people.models import Activity, ConsentEvent, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition():
    return ActionPage.objects.create(
        kind="petition",
        slug="fund-schools",
        title="Fund our schools",
        headline="Fund our schools",
        fields={"given_name": "required", "postal_code": "optional"},
        tags=["schools-petition"],
        goal=1000,
        autoresponse_subject="Thanks for signing",
        autoresponse_body="Thank you, {first_name}!",
    )


def receive(page, token="t1", **data):
    data.setdefault("email", "sam@example.org")
    data.setdefault("given_name", "Sam")
    return submission_receive(
        page=page,
        token=token,
        data=data,
        meta=SubmissionMeta(
            refcode="fb-ad",
            utm_source="facebook",
            utm_medium="paid",
            utm_campaign="spring",
            referrer="https://news.example.com/story",
        ),
        ip_address="198.51.100.7",
    )


def test_a_submission_becomes_a_person_an_action_and_consent(petition):
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission, created = receive(petition)
    assert created
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PROCESSED
    person = Person.objects.get()
    assert submission.person == person
    assert person.primary_email == "sam@example.org" and person.email_status == "subscribed"
    assert list(person.tags.values_list("name", flat=True)) == ["schools-petition"]
    assert person.refcode == "fb-ad"
    action = Activity.objects.get(person=person, kind="petition")
    assert action.summary == "Signed “Fund our schools”"
    assert action.data["utm_source"] == "facebook"
    assert action.data["referrer"] == "https://news.example.com/story"
    consent = ConsentEvent.objects.get(person=person)
    assert (consent.status, consent.method, consent.ip_address) == (
        "subscribed",
        "form",
        "198.51.100.7",
    )
    assert "fund-schools" in consent.source
    petition.refresh_from_db()
    assert petition.submission_count == 1
    assert [m.subject for m in mail.outbox] == ["Thanks for signing"]
    assert "Thank you, Sam!" in mail.outbox[0].body


def test_a_double_click_records_one_action(petition):
    first, created_first = receive(petition, token="same")
    second, created_second = receive(petition, token="same")
    assert first.pk == second.pk and created_first and not created_second
    assert Submission.objects.count() == 1


def test_signing_twice_records_two_actions_on_one_person(petition):
    receive(petition, token="a")
    receive(petition, token="b")
    assert submissions_process() == 2
    assert Person.objects.count() == 1
    assert Activity.objects.filter(kind="petition").count() == 2


def test_processing_twice_changes_nothing(petition):
    submission, _ = receive(petition)
    submission_process_now(submission)
    assert submissions_process() == 0
    assert Activity.objects.filter(kind="petition").count() == 1


def test_bad_input_is_refused_with_errors_by_field(petition):
    with pytest.raises(SubmissionInvalid) as caught:
        receive(petition, email="not-an-address", given_name="")
    assert set(caught.value.errors) == {"email", "given_name"}
    assert "valid e-mail" in caught.value.errors["email"]
    assert not Submission.objects.exists()


def test_hostile_names_are_stored_as_text(petition):
    submission, _ = receive(petition, given_name="<script>alert(1)</script>")
    submission_process_now(submission)
    assert Person.objects.get().given_name == "<script>alert(1)</script>"


def test_a_sign_up_through_a_share_link_records_who_recruited_whom(petition):
    recruiter_sub, _ = receive(petition, token="r", email="rita@example.org", given_name="Rita")
    recruiter = submission_process_now(recruiter_sub).person
    code = referral_code_for(recruiter)
    assert referral_code_for(recruiter) == code
    new, _ = submission_receive(
        page=petition,
        token="n",
        data={"email": "newt@example.org", "given_name": "Newt"},
        meta=SubmissionMeta(referral_code=code),
    )
    recruit = submission_process_now(new).person
    referral = Referral.objects.get()
    assert (referral.recruiter, referral.recruit, referral.page) == (recruiter, recruit, petition)


def test_an_existing_supporter_is_not_counted_as_recruited(petition):
    recruiter = submission_process_now(
        receive(petition, token="r", email="rita@example.org")[0]
    ).person
    submission_process_now(receive(petition, token="o", email="old@example.org")[0])
    code = referral_code_for(recruiter)
    again, _ = submission_receive(
        page=petition,
        token="o2",
        data={"email": "old@example.org", "given_name": "Old"},
        meta=SubmissionMeta(referral_code=code),
    )
    submission_process_now(again)
    assert not Referral.objects.exists()


def test_the_participation_form_stores_interests_and_tags():
    IssuePosition.objects.create(title="Clean water", slug="water", summary="For all")
    page = ActionPage.objects.create(
        kind="participation",
        slug="help",
        title="Help",
        headline="How do you want to help?",
        fields={},
    )
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"email": "hal@example.org", "help_other": "Drive people to the polls"})
    data.setlist("help", ["canvass", "phonebank", "other"])
    data.setlist("issues", ["water"])
    submission, _ = submission_receive(page=page, token="p", data=data)
    person = submission_process_now(submission).person
    tags = set(person.tags.values_list("name", flat=True))
    assert {"help: Knock on doors", "help: Make phone calls", "issue: Clean water"} <= tags
    assert person.custom_fields["interests"] == "Knock on doors, Make phone calls, Something else"
    assert person.custom_fields["help_other"] == "Drive people to the polls"


def test_an_unknown_help_option_is_refused():
    page = ActionPage.objects.create(
        kind="participation", slug="help", title="Help", headline="Help", fields={}
    )
    with pytest.raises(SubmissionInvalid) as caught:
        submission_receive(
            page=page, token="x", data={"email": "a@example.org", "help": "<b>hack</b>"}
        )
    assert "help" in caught.value.errors


def test_too_many_submissions_from_one_address_are_refused(petition, settings):
    settings.GROUNDSWELL_RATE_PER_EMAIL = 2
    from django.core.cache import cache

    cache.clear()
    receive(petition, token="1")
    receive(petition, token="2")
    with pytest.raises(RateLimited, match="e-mail address"):
        receive(petition, token="3")


def test_a_merge_moves_a_share_code_and_referrals_and_undo_brings_them_back(petition):
    from groundswell.people.merge import person_merge, person_merge_undo

    rita = submission_process_now(receive(petition, token="r", email="rita@example.org")[0]).person
    dupe = submission_process_now(
        receive(petition, token="d", email="rita.b@example.org")[0]
    ).person
    code = referral_code_for(dupe)
    recruit_sub, _ = submission_receive(
        page=petition,
        token="n",
        data={"email": "newt@example.org", "given_name": "Newt"},
        meta=SubmissionMeta(referral_code=code),
    )
    recruit = submission_process_now(recruit_sub).person
    record = person_merge(survivor=rita, merged=dupe)
    assert Referral.objects.get(recruit=recruit).recruiter == rita
    rita.refresh_from_db()
    assert rita.referral_code.code == code
    assert Submission.objects.filter(person=rita).count() == 2
    person_merge_undo(record=record)
    assert Referral.objects.get(recruit=recruit).recruiter == dupe
    assert referral_code_for(dupe) == code


def test_a_share_code_of_a_merged_person_credits_the_survivor(petition):
    from groundswell.people.merge import person_merge

    rita = submission_process_now(receive(petition, token="r", email="rita@example.org")[0]).person
    dupe = submission_process_now(
        receive(petition, token="d", email="rita.b@example.org")[0]
    ).person
    referral_code_for(rita)
    code = referral_code_for(dupe)  # stays with the merged person: the survivor has its own
    person_merge(survivor=rita, merged=dupe)
    sub, _ = submission_receive(
        page=petition,
        token="n",
        data={"email": "newt@example.org", "given_name": "Newt"},
        meta=SubmissionMeta(referral_code=code),
    )
    recruit = submission_process_now(sub).person
    assert Referral.objects.get(recruit=recruit).recruiter == rita


def test_control_characters_are_dropped_before_storing(petition):
    # PostgreSQL cannot store a NUL in text: it must never reach the database.
    submission, _ = submission_receive(
        page=petition,
        token="nul\x00token",
        data={"email": "nul@example.org", "given_name": "Ze\x00ro\x07"},
        meta=SubmissionMeta.from_params(
            {"refcode": "ad\x00x", "utm_source": "\x00"}, referrer="https://x.example/\x00"
        ),
    )
    person = submission_process_now(submission).person
    assert person.given_name == "Zero"
    assert (submission.token, submission.refcode, submission.referrer) == (
        "nultoken",
        "adx",
        "https://x.example/",
    )
