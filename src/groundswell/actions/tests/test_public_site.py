"""The public campaign site: home, bio and platform pages in the campaign's name and colours."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.signing import b62_encode

from groundswell.actions.models import ActionPage, IssuePosition
from groundswell.actions.services import site_get
from groundswell.actions.site import (
    THANKS_MAX_AGE,
    _contrast,
    site_theme,
    thanks_id_read,
    thanks_id_sign,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def site():
    site = site_get()
    site.name = "Rivera for Council"
    site.tagline = "Neighbours first"
    site.candidate_name = "Ana Rivera"
    site.primary_color = "#7a1fa2"
    site.accent_color = "#ffd54f"
    site.home_headline = "A city that works for everyone"
    site.home_intro = "First paragraph.\n\nSecond paragraph."
    site.bio = "Ana grew up here.\n\nShe taught school for twenty years."
    site.donate_url = "https://donate.example.org/rivera"
    site.save()
    return site


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_home_page_shows_the_campaign_name_colours_and_published_pages(client, site):
    ActionPage.objects.create(slug="join", title="Join", headline="Join the team")
    ActionPage.objects.create(slug="draft", title="Draft", headline="Secret plan", published=False)
    page = _get(client, "/")
    assert "<title>Rivera for Council</title>" in page
    assert "--primary:#7a1fa2" in page and "--accent:#ffd54f" in page
    assert "A city that works for everyone" in page
    assert "<p>First paragraph.</p>" in page and "<p>Second paragraph.</p>" in page
    assert 'href="/a/join/"' in page and "Join the team" in page
    assert "Secret plan" not in page
    assert 'href="https://donate.example.org/rivera"' in page
    assert 'href="/platform/"' in page
    assert 'href="/accounts/login/"' in page  # the small staff login link in the footer


def test_public_pages_have_landmarks_a_skip_link_and_a_phone_viewport(client, site):
    for url in ("/", "/about/", "/platform/"):
        page = _get(client, url)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert '<a class="skip" href="#main">' in page
        assert "<header" in page and '<main id="main"' in page and "<footer" in page
        assert '<nav class="site-nav" aria-label="Site">' in page
        assert "core/groundswell.css" not in page  # not the staff look
        assert "htmx" not in page  # no script needed


def test_the_home_page_carries_the_visitors_refcode_to_the_action_pages(client, site):
    ActionPage.objects.create(slug="join", title="Join", headline="Join the team")
    page = _get(client, "/?refcode=radio&utm_source=wxyz")
    assert 'href="/a/join/?refcode=radio&amp;utm_source=wxyz"' in page


def test_the_about_page_shows_the_candidates_bio_in_paragraphs(client, site):
    page = _get(client, "/about/")
    assert "Meet Ana Rivera" in page
    assert "<p>Ana grew up here.</p>" in page
    assert "<p>She taught school for twenty years.</p>" in page


def test_the_platform_lists_published_positions_in_order_with_paragraphs(client, site):
    IssuePosition.objects.create(
        title="Housing", slug="housing", summary="Homes for all", body="One.\n\nTwo.", order=2
    )
    IssuePosition.objects.create(title="Water", slug="water", summary="Clean taps", order=1)
    IssuePosition.objects.create(
        title="Unfinished", slug="draft", summary="Not yet", order=0, published=False
    )
    page = _get(client, "/platform/")
    assert page.index("Water") < page.index("Housing")
    assert "Clean taps" in page and "Homes for all" in page
    assert "<p>One.</p>" in page and "<p>Two.</p>" in page
    assert "Unfinished" not in page
    assert 'id="issue-housing"' in page and 'href="#issue-housing"' in page


def test_hostile_text_on_the_site_is_shown_as_text(client, site):
    site.name = "<script>alert(1)</script>"
    site.bio = "<img src=x onerror=alert(1)>"
    site.save()
    IssuePosition.objects.create(
        title="<b>bold</b>", slug="x", summary="<i>s</i>", body="<script>alert(2)</script>"
    )
    for url in ("/", "/about/", "/platform/"):
        page = _get(client, url)
        assert "<script>alert" not in page
        assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _get(client, "/")


def test_the_theme_keeps_text_readable_on_any_campaign_colour(site):
    site.primary_color = "#ffee58"  # a pale yellow: white text on it would be unreadable
    site.accent_color = "#0d47a1"
    theme = site_theme(site)
    assert theme["on_primary"] == "#111111"
    assert theme["on_accent"] == "#ffffff"
    assert _contrast(theme["link"], "#ffffff") >= 4.5  # links in the colour still read
    site.primary_color = "red; } body { display:none"  # never reaches the page's <style>
    assert site_theme(site)["primary"] == "#1f6f5c"


def test_the_logo_is_served_sandboxed_and_shown_in_the_header(client, site):
    site.logo.save("logo.png", ContentFile(PNG))
    page = _get(client, "/")
    assert 'class="site-logo" src="/site/logo?v=' in page
    response = client.get("/site/logo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_without_a_logo_the_logo_address_is_not_found(client, site):
    assert client.get("/site/logo").status_code == 404


def test_an_unknown_or_unpublished_page_is_a_friendly_public_404(client, site):
    ActionPage.objects.create(slug="later", title="Later", headline="Later", published=False)
    for url in ("/a/nothing-here/", "/a/later/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "Rivera for Council" in page and "Page not found" in page


def test_page_builders_can_preview_a_draft_page(persona_client, site):
    ActionPage.objects.create(slug="later", title="Later", headline="Coming soon", published=False)
    response = persona_client("organizer").get("/a/later/")
    assert response.status_code == 200
    assert "Draft: this page is not published" in response.content.decode()


def test_every_public_page_carries_the_paid_for_by_disclaimer(client, db):
    from groundswell.actions.services import site_get

    site = site_get()
    site.paid_for_by = "Paid for by Friends of Example"
    site.save()
    for url in ("/", "/about/", "/platform/"):
        assert "Paid for by Friends of Example" in client.get(url).content.decode()


def test_a_thank_you_id_reads_back_only_with_its_salt_untampered_and_within_a_day(monkeypatch):
    signed = thanks_id_sign(42, salt="groundswell.test.thanks")
    assert thanks_id_read(signed, salt="groundswell.test.thanks") == 42
    assert thanks_id_read(signed, salt="groundswell.test.other") is None
    assert thanks_id_read(signed.replace("42", "43", 1), salt="groundswell.test.thanks") is None
    assert thanks_id_read("42", salt="groundswell.test.thanks") is None
    assert thanks_id_read(None, salt="groundswell.test.thanks") is None
    # A link signed more than a day ago no longer names the submission.
    day_old = int(time.time()) - THANKS_MAX_AGE - 1
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: b62_encode(day_old))
    stale = thanks_id_sign(42, salt="groundswell.test.thanks")
    assert thanks_id_read(stale, salt="groundswell.test.thanks") is None
