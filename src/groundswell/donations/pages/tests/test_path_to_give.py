"""A path to give from every public page: the Donate links to the site's default donation page
and the "chip in" ask donations puts on actions' thank-you pages (sign-ups, petitions, pop-up)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.actions.models import ActionPage
from groundswell.actions.services import site_get
from groundswell.actions.tests.test_staff_site import _site_data
from groundswell.actions.views_embed import cache_clear
from groundswell.core.tests.hostile import EXAMPLES
from groundswell.donations.models import Contribution, DonationPage
from groundswell.people.models import EmailAddress, Person

pytestmark = pytest.mark.django_db
ORIGIN = "https://www.campaign.example"


def _sign(client, page, *, email: str, query: str = "") -> str:
    """Sign ``page`` as a visitor arriving at ``/a/<slug>/<query>``; the thank-you page's HTML."""
    html = client.get(f"/a/{page.slug}/{query}").content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    hidden = {k: unescape(v) for k, v in hidden.items()}
    response = client.post(
        f"/a/{page.slug}/", {**hidden, "email": email, "given_name": "Rowan", "website": ""}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    return thanks.content.decode()


def _ask_links(html: str) -> list[tuple[str, str]]:
    """(label, href) of the ask's amount links on a thank-you page."""
    block = re.search(r'<ul class="ask-amounts".*?</ul>', html, re.S)
    assert block, "the thank-you page has no ask"
    return [
        (label, unescape(href))
        for href, label in re.findall(r'<a class="btn[^"]*" href="([^"]+)">([^<]+)</a>', block[0])
    ]


def _donor(email: str, *, cents: int) -> Person:
    person = Person.objects.create(given_name="Rowan", family_name="Donorly")
    EmailAddress.objects.create(person=person, address=email)
    Contribution.objects.create(
        processor="stripe",
        processor_id=f"pi_{cents}",
        received_at=timezone.now(),
        amount_cents=cents,
        person=person,
        donor_email=email,
    )
    return person


# ---------------------------------------------------------------- Donate links


def test_every_public_page_links_to_the_default_donation_page_in_header_and_footer(
    client, default_page, petition
):
    for path in ("/", "/about/", "/platform/", "/a/fund-schools/"):
        html = client.get(path).content.decode()
        assert 'class="nav-donate" href="/donate/rapid-response/"' in html, path
        assert 'class="footer-donate" href="/donate/rapid-response/"' in html, path
    home = client.get("/").content.decode()
    assert 'class="btn btn-ghost hero-donate" href="/donate/rapid-response/"' in home


def test_no_donate_link_shows_without_a_default_page_or_once_it_is_unpublished(
    client, default_page
):
    default_page.is_published = False
    default_page.save()
    assert "Donate</a>" not in client.get("/").content.decode()
    site = site_get()
    site.donate_page = ""
    site.save()
    default_page.is_published = True
    default_page.save()
    assert "Donate</a>" not in client.get("/").content.decode()


def test_an_outside_donation_address_is_used_only_when_no_default_page_is_chosen(
    client, donation_page
):
    site = site_get()
    site.donate_url = "https://secure.example.org/give"
    site.save()
    assert 'href="https://secure.example.org/give">Donate' in client.get("/").content.decode()
    site.donate_page = donation_page.slug
    site.save()
    html = client.get("/").content.decode()
    assert "secure.example.org" not in html and 'href="/donate/rapid-response/">Donate' in html


# ---------------------------------------------------------------- the ask after an action


def test_a_petitions_thank_you_asks_for_the_pages_amounts_with_the_submissions_refcode(
    client, default_page, petition
):
    html = _sign(client, petition, email="new.signer@example.org", query="?refcode=email-nov")
    links = _ask_links(html)
    assert [label for label, _ in links] == [
        "Give $3",
        "Give $10",
        "Give $27",
        "Give $100",
        "Another amount",
    ]
    for label, href in links:
        url = urlsplit(href)
        query = parse_qs(url.query)
        assert url.path == "/donate/rapid-response/"
        assert query["refcode"] == ["email-nov"]
        assert "ask" not in query  # no past gift: the page's own ladder
        if label.startswith("Give $"):
            assert query["amount"] == [str(int(label[6:]) * 100)]


def test_a_sign_ups_thank_you_asks_too(client, default_page):
    signup = ActionPage.objects.create(
        kind="signup", slug="join", title="Join", headline="Join", published=True
    )
    assert len(_ask_links(_sign(client, signup, email="joiner@example.org"))) == 5


def test_a_thank_you_never_reveals_what_the_typed_addresss_owner_gave(
    client, default_page, petition
):
    # Anyone can sign with someone else's address: amounts built on that address's highest
    # gift would tell them roughly what its owner gave. A stranger and a past donor see the
    # page's own ladder, and no link carries a personal ask.
    stranger = _ask_links(_sign(client, petition, email="someone.new@example.org"))
    _donor("past.donor@example.org", cents=4_100)
    html = _sign(client, petition, email="past.donor@example.org")
    links = _ask_links(html)
    assert [label for label, _ in links] == [label for label, _ in stranger]
    assert [label for label, _ in links][:4] == ["Give $3", "Give $10", "Give $27", "Give $100"]
    assert all("ask" not in parse_qs(urlsplit(href).query) for _, href in links)
    assert "$41" not in html and "$45" not in html


def test_the_ask_link_opens_the_donation_page_with_its_amount_chosen_and_refcode_kept(
    client, default_page, petition
):
    html = _sign(client, petition, email="signer@example.org", query="?refcode=sms-blast")
    label, href = _ask_links(html)[2]
    page = client.get(href).content.decode()
    assert label == "Give $27"
    assert re.search(r'value="2700"[^>]*checked', page), "the $27 rung is preselected"
    assert '<input type="hidden" name="refcode" value="sms-blast">' in page


def test_without_a_default_donation_page_the_thank_you_asks_to_volunteer_or_share(
    client, donation_page, petition
):
    html = _sign(client, petition, email="new.signer@example.org")
    assert "ask-amounts" not in html and "Can you chip in?" not in html


def test_any_refcode_in_the_address_gives_a_thank_you_whose_links_carry_it_cleaned(
    client, default_page, petition, settings
):
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9

    # Each example signs and reads the thank-you page (a few requests): fewer than a body suite.
    @hypothesis_settings(max_examples=min(EXAMPLES, 150), deadline=None)
    @given(refcode=st.text(max_size=300))
    def property_holds(refcode):
        with transaction.atomic():
            query = "?" + urlencode({"refcode": refcode})
            html = _sign(client, petition, email="hostile@example.org", query=query)
            stored = petition.submissions.order_by("-pk").first().refcode
            for _, href in _ask_links(html):
                carried = parse_qs(urlsplit(href).query).get("refcode", [""])
                assert carried == [stored]
                assert "\x00" not in carried[0] and len(carried[0]) <= 100
            transaction.set_rollback(True)

    property_holds()


# ---------------------------------------------------------------- the pop-up


@pytest.fixture
def newsletter(db):
    site = site_get()
    site.embed_origins = ORIGIN
    site.save()
    cache_clear()
    yield ActionPage.objects.create(
        kind="newsletter",
        slug="newsletter",
        title="Newsletter",
        headline="News",
        fields={"given_name": "optional"},
        published=True,
    )
    cache_clear()


def _pop_up_sign(client, email: str) -> dict:
    headers = {"Origin": ORIGIN}
    token = client.get("/embed/newsletter/config", headers=headers).json()["token"]
    body = urlencode({"email": email, "token": token, "url": f"{ORIGIN}/news?refcode=blog-footer"})
    response = client.post(
        "/embed/newsletter/submit",
        body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_pop_ups_thank_you_asks_with_absolute_links_never_personalised(
    client, default_page, newsletter
):
    cache_clear()
    _donor("past.donor@example.org", cents=2_000)
    ask = _pop_up_sign(client, "past.donor@example.org")["ask"]
    # The page's own amounts: a past donor's gift is not read from an address anyone can type.
    assert [a["label"] for a in ask] == [
        "Give $3",
        "Give $10",
        "Give $27",
        "Give $100",
        "Another amount",
    ]
    first = urlsplit(ask[0]["url"])
    assert (first.scheme, first.netloc, first.path) == (
        "http",
        "testserver",
        "/donate/rapid-response/",
    )
    assert parse_qs(first.query)["refcode"] == ["blog-footer"]
    assert "ask" not in parse_qs(first.query)


def test_the_pop_up_asks_nothing_without_a_default_donation_page(client, newsletter):
    assert "ask" not in _pop_up_sign(client, "reader@example.org")


# ---------------------------------------------------------------- the site setting


def test_staff_choose_the_default_donation_page_among_the_published_ones(
    persona_client, donation_page
):
    DonationPage.objects.create(slug="draft-page", title="Draft page", is_published=False)
    client = persona_client("organizer")
    html = client.get(reverse("staff:site")).content.decode()
    assert '<option value="rapid-response">Rapid response</option>' in html
    assert "draft-page" not in html
    assert "No Donate link shows on the public site" in html
    response = client.post(reverse("staff:site"), _site_data(donate_page="rapid-response"))
    assert response.status_code == 302
    assert site_get().donate_page == "rapid-response"
    html = client.get(reverse("staff:site")).content.decode()
    assert 'Donate links now lead to <a href="/donate/rapid-response/">' in html


@pytest.mark.parametrize("value", ["draft-page", "no-such-page", "../../x", "a\x00b", "x" * 500])
def test_a_donation_page_that_is_not_offered_is_refused(persona_client, donation_page, value):
    DonationPage.objects.create(slug="draft-page", title="Draft page", is_published=False)
    response = persona_client("admin").post(reverse("staff:site"), _site_data(donate_page=value))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert site_get().donate_page == ""


def test_a_chosen_page_later_unpublished_stays_chosen_and_the_settings_say_no_link_shows(
    persona_client, default_page
):
    default_page.is_published = False
    default_page.save()
    client = persona_client("organizer")
    html = client.get(reverse("staff:site")).content.decode()
    assert "rapid-response (not published: no Donate link shows)" in html
    response = client.post(reverse("staff:site"), _site_data(donate_page="rapid-response"))
    assert response.status_code == 302 and site_get().donate_page == "rapid-response"


def test_donate_typed_alone_opens_the_default_page_keeping_the_links_refcode(client, default_page):
    response = client.get("/donate/?refcode=flyer&amount=25")
    assert response.status_code == 302
    assert response.url == f"/donate/{default_page.slug}/?refcode=flyer&amount=25"
    assert client.get("/donate/").url == f"/donate/{default_page.slug}/"


def test_donate_typed_alone_without_a_default_page_is_the_campaigns_not_found(client, db):
    response = client.get("/donate/")
    assert response.status_code == 404
    assert "no donation page here yet" in response.content.decode()
