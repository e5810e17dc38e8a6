"""Campaign site settings and the platform editor."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groundswell.actions.models import ActionPage, CampaignSite, IssuePosition
from groundswell.actions.services import site_get
from groundswell.demo.actions_site import campaign_site_seed

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def _site_data(**overrides) -> dict:
    data = {
        "name": "Rivera for Council",
        "tagline": "Neighbours first",
        "candidate_name": "Ana Rivera",
        "primary_color": "#7A1FA2",
        "accent_color": "#ffd54f",
        "home_headline": "A city for all",
        "home_intro": "Hello.",
        "bio": "Ana grew up here.",
        "donate_url": "https://donate.example.org/ana",
        "embed_origins": "https://www.Example.org/\n\nhttp://localhost:8000\nhttps://www.example.org",
    }
    data.update(overrides)
    return data


def test_an_organizer_saves_the_site_settings(persona_client):
    client = persona_client("organizer")
    response = client.post(reverse("staff:site"), _site_data())
    assert response["Location"] == reverse("staff:site")
    site = CampaignSite.objects.get()
    assert site.name == "Rivera for Council" and site.primary_color == "#7a1fa2"
    assert site.embed_origins == "https://www.example.org\nhttp://localhost:8000"
    assert site.allowed_origins == {"https://www.example.org", "http://localhost:8000"}
    assert "Site settings saved." in client.get(response["Location"]).content.decode()
    assert "--primary:#7a1fa2" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary_color", "red", "Use a colour such as #1f6f5c."),
        ("accent_color", "#12345", "Use a colour such as #1f6f5c."),
        ("primary_color", "#1234567", "Ensure this value has at most 7 characters"),
        ("embed_origins", "https://example.org/path", "Not an origin"),
        ("embed_origins", "example.org", "Not an origin"),
        ("embed_origins", "ftp://example.org", "Not an origin"),
        ("embed_origins", "https://user:pw@example.org", "Not an origin"),
        ("embed_origins", "https://example.org:99999", "Not an origin"),
        ("donate_url", "javascript:alert(1)", "Enter a valid URL."),
        ("donate_url", "ftp://example.org/give", "Use an http:// or https:// address."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_site_settings_are_refused_with_a_reason(persona_client, field, value, message):
    response = persona_client("admin").post(reverse("staff:site"), _site_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert site_get().name == "Our Campaign"


def test_a_png_or_svg_logo_is_accepted(persona_client):
    client = persona_client("organizer")
    client.post(
        reverse("staff:site"),
        {**_site_data(), "logo": SimpleUploadedFile("logo.png", PNG, "image/png")},
    )
    first = site_get().logo.name
    assert first.startswith("site/logo")
    client.post(
        reverse("staff:site"),
        {**_site_data(), "logo": SimpleUploadedFile("mark.svg", SVG, "image/svg+xml")},
    )
    site = site_get()
    assert site.logo.name.endswith(".svg")
    assert not site.logo.storage.exists(first)  # the replaced logo is not left behind
    response = client.get("/site/logo")
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.gif", b"GIF89a" + b"\x00" * 20, "Upload a PNG, JPEG or SVG image."),
        ("logo.png", b"<?php echo 1; ?>", "Upload a PNG, JPEG or SVG image."),
        ("logo.svg", b"<html><script>alert(1)</script></html>", "Upload a PNG, JPEG or SVG"),
        ("logo.jpg", b"\xff\xd8\xff" + b"\x00" * (1024 * 1024), "use a file of 1.0\xa0MB at most"),
    ],
)
def test_a_logo_that_is_not_a_small_image_is_refused(persona_client, name, content, message):
    response = persona_client("organizer").post(
        reverse("staff:site"), {**_site_data(), "logo": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not site_get().logo


# ---------------------------------------------------------------- platform


def test_positions_are_added_edited_reordered_and_deleted(persona_client):
    client = persona_client("organizer")
    for title in ("Water", "Housing", "Schools"):
        response = client.post(
            reverse("staff:position_create"),
            {
                "title": title,
                "summary": f"{title} for all",
                "body": "One.\n\nTwo.",
                "published": "on",
            },
        )
        assert response.status_code == 302
    assert list(IssuePosition.objects.values_list("slug", "order")) == [
        ("water", 0),
        ("housing", 1),
        ("schools", 2),
    ]
    schools = IssuePosition.objects.get(slug="schools")
    client.post(reverse("staff:position_move", args=[schools.pk]), {"direction": "up"})
    client.post(reverse("staff:position_move", args=[schools.pk]), {"direction": "up"})
    assert list(IssuePosition.objects.values_list("slug", flat=True)) == [
        "schools",
        "water",
        "housing",
    ]
    client.post(
        reverse("staff:position_edit", args=[schools.pk]),
        {"title": "Great schools", "slug": "schools", "summary": "Every child", "body": ""},
    )
    schools.refresh_from_db()
    assert (schools.title, schools.published) == ("Great schools", False)
    client.post(reverse("staff:position_delete", args=[schools.pk]))
    assert list(IssuePosition.objects.values_list("slug", flat=True)) == ["water", "housing"]
    html = client.get(reverse("staff:platform")).content.decode()
    assert html.index("Water") < html.index("Housing")
    assert "<p>One.</p>" in html  # the public markup, previewed


def test_the_preview_shows_unsaved_text_as_the_public_page_would(persona_client):
    client = persona_client("admin")
    response = client.post(
        reverse("staff:position_create"),
        {
            "title": "Clean <water>",
            "summary": "For all",
            "body": "First.\n\nSecond <b>bold</b>.",
            "preview": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved yet" in html
    assert "<p>First.</p>" in html and "<p>Second &lt;b&gt;bold&lt;/b&gt;.</p>" in html
    assert "Clean &lt;water&gt;" in html
    assert not IssuePosition.objects.exists()


def test_a_position_slug_must_be_unique(persona_client):
    IssuePosition.objects.create(title="Water", slug="water", summary="s")
    response = persona_client("admin").post(
        reverse("staff:position_create"), {"title": "Water", "summary": "again"}
    )
    assert response.status_code == 400
    assert "Another issue position has that short name." in response.content.decode()


# ---------------------------------------------------------------- the demo


def test_the_demo_site_is_seeded_once_and_leaves_staff_edits_alone(client):
    assert campaign_site_seed() == {"positions": 5, "pages": 4}
    site = site_get()
    assert site.candidate_name and site.name.endswith("for Congress")
    site.name = "Edited by staff"
    site.save()
    assert campaign_site_seed() == {"positions": 0, "pages": 0}
    assert site_get().name == "Edited by staff"
    kinds = dict(ActionPage.objects.values_list("slug", "kind"))
    assert kinds["newsletter"] == "newsletter"
    assert sorted(kinds.values()) == ["newsletter", "participation", "petition", "signup"]
    assert ActionPage.objects.get(kind="petition").goal
    for url in ("/", "/about/", "/platform/", *(f"/a/{slug}/" for slug in kinds)):
        assert client.get(url).status_code == 200
