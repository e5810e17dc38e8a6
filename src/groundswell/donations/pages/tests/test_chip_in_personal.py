"""The "chip in" ask after an action, personalised only from what the browser proves: the signed
``gs_ask`` cookie the donation pages set after a gift made in that browser or when a donor opens
their own mailed link. Never from the address typed into the action's form."""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.http.cookie import parse_cookie
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.actions.site import ASK_COOKIE, thanks_id_sign
from groundswell.actions.views_public import THANKS_SALT
from groundswell.core.tests.hostile import EXAMPLES
from groundswell.donations.pages.donate import (
    ASK_MAX_AGE,
    ASK_SALT,
    ask_token_make,
    ask_token_read,
    donation_link_query,
)
from groundswell.donations.pages.payments import payment_attempt_start
from groundswell.donations.pages.tests.test_path_to_give import _ask_links, _donor, _sign
from groundswell.donations.testing.stripe_double import CARD_OK

pytestmark = pytest.mark.django_db

# The page's own amounts (see the donation_page fixture) and the ladder rebuilt around a $27
# gift: 1×, 1.5×, 2×, 3×, each rounded up to a $5 step ($27 → $30, $40.50 → $45, $54 → $55,
# $81 → $85).
ORDINARY = ["Give $3", "Give $10", "Give $27", "Give $100", "Another amount"]
FROM_27 = ["Give $30", "Give $45", "Give $55", "Give $85", "Another amount"]
GIVER = {
    "given_name": "Testa",
    "family_name": "Givewell",
    "email": "testa.givewell@example.org",
    "address_line1": "12 Synthetic Way",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "employer": "Example Widgets",
    "occupation": "Tester",
}


@pytest.fixture(autouse=True)
def _open_limits(settings):
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9


def _give(client, double, page, *, cents: int, secure: bool = False):
    """A real gift in test mode made in ``client``'s browser: the card confirmed at the Stripe
    double, then the browser's return through finish to the thank-you page."""
    attempt = payment_attempt_start(
        key=secrets.token_urlsafe(18),
        page=page,
        amount_cents=cents,
        recurring_period="",
        donor=GIVER,
        refcode="",
        refcodes={},
        ip_address="203.0.113.9",
    )
    double.confirm_card(attempt.processor_ref, CARD_OK)
    finish = client.get(reverse("donate:finish", args=[page.slug, attempt.key]), secure=secure)
    assert finish.status_code == 302, finish.content.decode()[:300]
    thanks = client.get(finish["Location"], secure=secure)
    assert thanks.status_code == 200
    return thanks


def _labels(html: str) -> list[str]:
    return [label for label, _ in _ask_links(html)]


def test_a_browser_that_gave_27_dollars_sees_a_ladder_built_from_that_gift_after_signing(
    client, stripe_double, default_page, petition
):
    thanks = _give(client, stripe_double, default_page, cents=2700)
    cookie = thanks.cookies[ASK_COOKIE]
    assert ask_token_read(cookie.value) == 2700
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert int(cookie["max-age"]) == ASK_MAX_AGE
    assert not cookie["secure"]  # the test client's request is plain http

    html = _sign(client, petition, email="anyone.at.all@example.org")
    assert _labels(html) == FROM_27


def test_the_cookie_is_secure_when_the_request_is(client, stripe_double, default_page):
    thanks = _give(client, stripe_double, default_page, cents=2700, secure=True)
    assert thanks.cookies[ASK_COOKIE]["secure"]


def test_personal_amount_links_carry_the_refcode_and_a_valid_signed_ask(
    client, stripe_double, default_page, petition
):
    _give(client, stripe_double, default_page, cents=2700)
    html = _sign(client, petition, email="signer@example.org", query="?refcode=email-dec")
    links = _ask_links(html)
    for label, href in links:
        query = parse_qs(urlsplit(href).query)
        assert urlsplit(href).path == "/donate/rapid-response/"
        assert query["refcode"] == ["email-dec"]
        assert ask_token_read(query["ask"][0]) == 2700
        if label.startswith("Give $"):
            assert query["amount"] == [str(int(label[6:]) * 100)]

    # The link opens the donation page offering the same ladder, its amount chosen.
    label, href = links[1]
    page = client.get(href).content.decode()
    assert label == "Give $45"
    assert re.search(r'value="4500"[^>]*checked', page), "the $45 rung is preselected"
    assert '<input type="hidden" name="refcode" value="email-dec">' in page


def test_a_browser_without_the_cookie_sees_the_ordinary_ladder_though_the_address_gave(
    client, stripe_double, default_page, petition
):
    _give(client, stripe_double, default_page, cents=2700)
    stranger = Client()  # another browser, typing the giver's address
    html = _sign(stranger, petition, email=GIVER["email"])
    assert _labels(html) == ORDINARY
    assert all("ask" not in parse_qs(urlsplit(h).query) for _, h in _ask_links(html))
    assert ASK_COOKIE not in stranger.cookies


def test_a_past_donors_address_typed_in_a_fresh_browser_gives_the_ordinary_ladder(
    client, default_page, petition
):
    _donor("past.donor@example.org", cents=4_100)
    assert _labels(_sign(client, petition, email="past.donor@example.org")) == ORDINARY


def test_opening_a_donors_own_mailed_link_lets_the_browser_prove_the_gift(
    client, default_page, petition
):
    link = reverse("donate:page", args=[default_page.slug]) + donation_link_query(
        highest_cents=2700, refcode="email-nov"
    )
    opened = client.get(link)
    assert ask_token_read(opened.cookies[ASK_COOKIE].value) == 2700
    assert _labels(_sign(client, petition, email="reader@example.org")) == FROM_27


def test_a_donation_page_opened_without_a_valid_ask_sets_no_cookie(client, default_page):
    page = reverse("donate:page", args=[default_page.slug])
    assert ASK_COOKIE not in client.get(page).cookies
    assert ASK_COOKIE not in client.get(page + "?ask=2700:forged:sig").cookies


def test_a_smaller_gift_keeps_the_larger_gift_the_browser_already_proves(
    client, stripe_double, default_page
):
    client.cookies[ASK_COOKIE] = ask_token_make(highest_cents=10_000)
    thanks = _give(client, stripe_double, default_page, cents=1000)
    assert ask_token_read(thanks.cookies[ASK_COOKIE].value) == 10_000


def test_a_larger_gift_raises_the_gift_the_browser_proves(client, stripe_double, default_page):
    client.cookies[ASK_COOKIE] = ask_token_make(highest_cents=300)
    thanks = _give(client, stripe_double, default_page, cents=2700)
    assert ask_token_read(thanks.cookies[ASK_COOKIE].value) == 2700


def _expired_token(monkeypatch) -> str:
    long_ago = time.time() - ASK_MAX_AGE - 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: long_ago)
        return ask_token_make(highest_cents=2700)


@pytest.mark.parametrize("how", ["tampered", "other salt", "unsigned", "expired", "zero"])
def test_a_forged_tampered_or_expired_cookie_is_ignored(
    client, default_page, petition, monkeypatch, how
):
    forge = {
        "tampered": lambda: ask_token_make(highest_cents=2700).replace("2700", "9900", 1),
        "other salt": lambda: signing.TimestampSigner(salt=ASK_SALT + ".x").sign("2700"),
        "unsigned": lambda: "2700",
        "expired": lambda: _expired_token(monkeypatch),
        "zero": lambda: signing.TimestampSigner(salt=ASK_SALT).sign("0"),
    }
    client.cookies[ASK_COOKIE] = forge[how]()
    html = _sign(client, petition, email="signer@example.org")
    assert _labels(html) == ORDINARY
    assert all("ask" not in parse_qs(urlsplit(h).query) for _, h in _ask_links(html))


def test_any_cookie_string_gives_the_ordinary_ladder_and_never_an_error(
    client, default_page, petition
):
    assert _labels(_sign(client, petition, email="hostile@example.org")) == ORDINARY
    # The signed thank-you address stays valid for a day: each example reopens it.
    latest = petition.submissions.order_by("-pk").first()
    thanks_url = reverse(
        "public:thanks", args=[petition.slug, thanks_id_sign(latest.pk, salt=THANKS_SALT)]
    )
    donate = reverse("donate:page", args=[default_page.slug])
    good = ask_token_make(highest_cents=2700)

    @hypothesis_settings(
        max_examples=max(EXAMPLES // 20, 50),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        value=st.one_of(
            st.text(max_size=400),
            st.builds(lambda cut, tail: good[:cut] + tail, st.integers(0, len(good)), st.text()),
        )
    )
    @example(value=good)
    @example(value=good + "; other=1")
    @example(value=good[:-1])
    def property_holds(value):
        # The Cookie header as a WSGI server hands it over: its raw bytes, decoded as latin-1.
        header = f"{ASK_COOKIE}={value}".encode().decode("latin-1")
        thanks = client.get(thanks_url, HTTP_COOKIE=header)
        assert thanks.status_code == 200
        # A cut-and-extended copy of the genuine value can be the genuine value again (nothing
        # cut, nothing or a ";…" added): then, and only then, the ladder is the donor's own.
        genuine = parse_cookie(header).get(ASK_COOKIE) == good
        assert _labels(thanks.content.decode()) == (FROM_27 if genuine else ORDINARY)
        assert client.get(donate, HTTP_COOKIE=header).status_code == 200

    property_holds()
