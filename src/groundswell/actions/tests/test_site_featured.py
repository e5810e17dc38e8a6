"""The home page's featured action: chosen by staff, else a stable default that publishing a new
page does not replace."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.actions.models import ActionPage
from groundswell.actions.services import site_get
from groundswell.actions.tests.test_staff_site import _site_data

pytestmark = pytest.mark.django_db


def _page(slug: str, *, kind: str = "petition", count: int = 0, published: bool = True):
    return ActionPage.objects.create(
        kind=kind,
        slug=slug,
        title=slug.replace("-", " ").title(),
        headline=slug,
        button_text=f"Act on {slug}",
        submission_count=count,
        published=published,
    )


def _main_button(client) -> str:
    html = client.get("/").content.decode()
    start = html.index('class="hero-actions"')
    return html[start : html.index("</div>", start)]


def test_the_home_page_features_the_page_most_people_took_not_the_newest(client):
    _page("fund-schools", count=133)
    _page("brand-new-petition", count=0)
    _page("pop-up", kind="newsletter", count=900)
    button = _main_button(client)
    assert 'href="/a/fund-schools/"' in button and "brand-new-petition" not in button
    assert "pop-up" not in button  # the pop-up is for other sites, whatever its count


def test_the_home_page_features_the_action_staff_chose(client):
    _page("fund-schools", count=133)
    chosen = _page("town-hall", kind="signup", count=2)
    site = site_get()
    site.featured_page = chosen
    site.save()
    assert 'href="/a/town-hall/"' in _main_button(client)


def test_a_featured_action_that_is_unpublished_falls_back_to_the_default(client):
    _page("fund-schools", count=133)
    chosen = _page("town-hall", kind="signup", count=2)
    site = site_get()
    site.featured_page = chosen
    site.save()
    chosen.published = False
    chosen.save()
    assert 'href="/a/fund-schools/"' in _main_button(client)


def test_with_no_published_page_the_home_page_has_no_main_button(client):
    _page("draft", published=False)
    assert "/a/" not in _main_button(client)


def test_the_settings_page_says_which_action_is_featured_and_why(persona_client):
    _page("fund-schools", count=133)
    town_hall = _page("town-hall", kind="signup", count=2)
    client = persona_client("organizer")
    html = client.get(reverse("staff:site")).content.decode()
    assert "now leads to “Fund Schools” (the page most people have taken" in html
    assert "The page most people have taken (now “Fund Schools”)" in html
    response = client.post(reverse("staff:site"), _site_data(featured_page=str(town_hall.pk)))
    assert response.status_code == 302
    assert site_get().featured_page == town_hall
    html = client.get(reverse("staff:site")).content.decode()
    assert "now leads to “Town Hall”." in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "Select a valid choice"),
        ("abc", "Select a valid choice"),
        ("1; DROP TABLE x", "Select a valid choice"),
        ("\x00", "Null characters are not allowed"),
        ("draft", "Select a valid choice"),  # the unpublished page's own id
    ],
)
def test_a_featured_action_that_is_not_a_published_page_is_refused(persona_client, value, message):
    draft = _page("draft", published=False)
    value = str(draft.pk) if value == "draft" else value
    response = persona_client("admin").post(reverse("staff:site"), _site_data(featured_page=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert site_get().featured_page is None
