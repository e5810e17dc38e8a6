"""An RSVP through a supporter's share link credits them with the newcomer, as a sign-up on
the action pages does (the same ``ref`` parameter and cookie, the actions app's referrals), and
the thank-you page gives the attendee their own link."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.actions.models import Referral, ReferralCode
from groundswell.actions.services import referral_code_for
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9


@pytest.fixture
def shift(db):
    return shift_make(event_make(), capacity=10)


@pytest.fixture
def recruiter(db):
    return Person.objects.create(given_name="Marguerite", family_name="Ellsworth")


def _detail(shift) -> str:
    return reverse("events:detail", args=[shift.event.slug])


def _rsvp(client, shift, n, **extra):
    return client.post(_detail(shift), {**rsvp(n), "shift": [str(shift.pk)], **extra})


def _hidden_ref(html: str) -> str:
    found = re.search(r'<input type="hidden" name="ref" value="([^"]*)">', html)
    return found[1] if found else ""


def test_a_newcomer_who_rsvps_through_a_share_link_is_credited_to_its_owner(
    client, shift, recruiter
):
    code = referral_code_for(recruiter)
    page = client.get(_detail(shift), {"ref": code}).content.decode()
    assert _hidden_ref(page) == code
    assert _rsvp(client, shift, 1, ref=code).status_code == 302
    recruit = Person.objects.get(emails__address="rsvp1@example.org")
    assert Referral.objects.filter(recruiter=recruiter, recruit=recruit).count() == 1


def test_the_share_code_is_kept_from_the_list_to_the_rsvp(client, shift, recruiter):
    code = referral_code_for(recruiter)
    client.get("/events/", {"ref": code})  # the link named the list; the visitor clicks on
    page = client.get(_detail(shift)).content.decode()
    assert _hidden_ref(page) == code
    _rsvp(client, shift, 2, ref=_hidden_ref(page))
    assert Referral.objects.get().recruiter_id == recruiter.pk


def test_a_cookie_alone_credits_the_recruiter_too(client, shift, recruiter):
    code = referral_code_for(recruiter)
    client.get("/", {"ref": code})  # the campaign's home page keeps it, as before
    _rsvp(client, shift, 3)
    assert Referral.objects.get().recruiter_id == recruiter.pk


def test_someone_already_known_is_not_credited_to_the_link(client, shift, recruiter):
    code = referral_code_for(recruiter)
    _rsvp(Client(), shift, 4)  # they were a supporter before the link
    _rsvp(client, shift_make(event_make(), capacity=10), 4, ref=code)
    assert not Referral.objects.exists()


def test_a_double_click_and_a_second_link_change_nothing(client, shift, recruiter):
    code = referral_code_for(recruiter)
    other = referral_code_for(Person.objects.create(given_name="Tobias", family_name="Wren"))
    for _ in range(2):
        _rsvp(client, shift, 5, ref=code)
    _rsvp(Client(), shift_make(event_make(), capacity=10), 5, ref=other)
    assert list(Referral.objects.values_list("recruiter_id", flat=True)) == [recruiter.pk]


def test_a_supporter_cannot_recruit_themselves_and_an_unknown_code_credits_nobody(client, shift):
    assert _rsvp(client, shift, 6, ref="Nobody123").status_code == 302
    me = Person.objects.get(emails__address="rsvp6@example.org")
    _rsvp(Client(), shift_make(event_make(), capacity=10), 6, ref=referral_code_for(me))
    assert not Referral.objects.exists()


def test_the_thanks_page_offers_the_attendee_their_own_link_which_credits_them(client, shift):
    response = _rsvp(client, shift, 7)
    thanks = client.get(response["Location"]).content.decode()
    attendee = Person.objects.get(emails__address="rsvp7@example.org")
    code = ReferralCode.objects.get(person=attendee).code
    link = f"http://testserver{_detail(shift)}?ref={code}"
    assert f'value="{link}"' in thanks
    assert "Bring a friend" in thanks
    friend = Client()
    friend.get(link)
    _rsvp(friend, shift, 8, ref=code)
    assert Referral.objects.get().recruiter_id == attendee.pk


def test_a_plain_thanks_link_offers_no_share_link(client, shift):
    page = client.get(reverse("events:thanks_plain", args=[shift.event.slug])).content.decode()
    assert "share-url" not in page


REF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))


def _q(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


def test_any_ref_in_a_link_a_cookie_or_the_form_never_fails_and_credits_only_a_real_code(
    shift, recruiter
):
    code = referral_code_for(recruiter)
    numbers = iter(range(100, 10**6))
    refs = st.one_of(st.just(code), st.just(code + "x" * 20), HOSTILE_TEXT, st.text(max_size=30))

    @REF_SUITE
    @given(query_ref=refs, cookie_ref=refs, form_ref=refs)
    def property_holds(query_ref, cookie_ref, form_ref):
        client = Client()
        if cookie_ref.isprintable() and ";" not in cookie_ref and cookie_ref.isascii():
            client.cookies["gs_ref"] = cookie_ref
        assert client.get(f"{_detail(shift)}?ref={_q(query_ref)}").status_code == 200
        assert client.get(f"/events/?ref={_q(query_ref)}").status_code == 200
        n = next(numbers)
        body = f"ref={_q(form_ref)}&shift={shift.pk}&" + "&".join(
            f"{k}={_q(v)}" for k, v in rsvp(n).items()
        )
        response = client.post(
            _detail(shift), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (302, 400), response.status_code
        recruit = Person.objects.filter(emails__address=f"rsvp{n}@example.org").first()
        credited = Referral.objects.filter(recruit=recruit).first() if recruit else None
        if credited is not None:
            assert credited.recruiter_id == recruiter.pk

    property_holds()
