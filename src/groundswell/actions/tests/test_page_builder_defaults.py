"""A new page in the builder: the common fields shown, a draft until published, its address
made from the title, and ZIP and e-mail errors in our words on the public form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.actions.choices import PAGE_FIELDS
from groundswell.actions.forms import NEW_PAGE_FIELDS
from groundswell.actions.models import ActionPage, Submission

pytestmark = pytest.mark.django_db


def _new_page(client, **overrides):
    """Post the new-page form as a browser does, starting from what the form offers."""
    form = client.get(reverse("staff:page_create")).context["form"]
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() not in (None, False) and name != "slug"
    }
    data.update({"title": "Save the Elm Street park!", "headline": "Save the park", **overrides})
    return client.post(reverse("staff:page_create"), data)


def test_a_new_page_shows_first_name_last_name_email_and_zip_and_hides_the_rest(persona_client):
    form = persona_client("organizer").get(reverse("staff:page_create")).context["form"]
    shown = {name for name, _ in PAGE_FIELDS if name != "email"}
    modes = {name: form[f"field_{name}"].value() for name in shown}
    assert {n for n, m in modes.items() if m != "hidden"} == set(NEW_PAGE_FIELDS)
    assert {"given_name", "family_name", "postal_code"} == set(NEW_PAGE_FIELDS)


def test_a_page_made_with_the_defaults_asks_the_public_for_the_common_fields(persona_client):
    client = persona_client("organizer")
    response = _new_page(client)
    page = ActionPage.objects.get()
    assert response.status_code == 302
    assert page.fields == NEW_PAGE_FIELDS
    html = client.get(reverse("public:page", args=[page.slug])).content.decode()
    for name in ("given_name", "family_name", "email", "postal_code"):
        assert f'name="{name}"' in html
    assert 'name="mobile_phone"' not in html


def test_a_new_page_is_a_draft_until_it_is_published(persona_client):
    staff = persona_client("organizer")
    client = Client()  # an anonymous visitor, beside the logged-in staff member
    response = _new_page(staff)
    page = ActionPage.objects.get()
    assert not page.published
    assert "as a draft" in staff.get(response["Location"]).content.decode()
    # The public cannot submit a draft.
    assert client.get(reverse("public:page", args=[page.slug])).status_code == 404
    staff.post(reverse("staff:page_publish", args=[page.pk]), {"publish": "1"})
    page.refresh_from_db()
    assert page.published
    assert client.get(reverse("public:page", args=[page.slug])).status_code == 200
    staff.post(reverse("staff:page_publish", args=[page.pk]), {"publish": "0"})
    page.refresh_from_db()
    assert not page.published


def test_editing_a_page_keeps_its_fields_and_status(persona_client):
    page = ActionPage.objects.create(slug="old", title="Old", headline="h", fields={})
    form = persona_client("organizer").get(reverse("staff:page_edit", args=[page.pk]))
    form = form.context["form"]
    assert form["field_given_name"].value() == "hidden"
    assert form["published"].value() is True


def test_an_empty_address_is_made_from_the_title_and_kept_unique(persona_client):
    client = persona_client("organizer")
    _new_page(client)
    _new_page(client)
    slugs = list(ActionPage.objects.order_by("pk").values_list("slug", flat=True))
    assert slugs == ["save-the-elm-street-park", "save-the-elm-street-park-2"]


def test_an_address_typed_by_staff_is_kept(persona_client):
    _new_page(persona_client("organizer"), slug="Park")
    assert ActionPage.objects.get().slug == "park"


def test_a_title_with_no_letters_or_digits_asks_for_an_address(persona_client):
    response = _new_page(persona_client("organizer"), title="!!!")
    assert response.status_code == 400
    assert "Give an address made of letters or digits." in response.content.decode()
    assert not ActionPage.objects.exists()


def test_the_address_script_is_a_static_file_and_the_field_names_its_title(persona_client):
    html = persona_client("organizer").get(reverse("staff:page_create")).content.decode()
    assert 'src="/static/actions/page_form.js"' in html
    assert 'data-slug-from="id_title"' in html
    assert "<script>" not in html


@pytest.fixture
def zip_page():
    return ActionPage.objects.create(
        slug="zip", title="Z", headline="Z", fields={"postal_code": "required"}
    )


@pytest.mark.parametrize("typed", ["1910", "191", "191045", "1910-4", "19104-12", "ABCDE"])
def test_the_public_form_refuses_a_zip_that_is_not_five_digits(client, zip_page, typed):
    response = client.post(
        reverse("public:page", args=["zip"]),
        {"email": "ann@example.org", "postal_code": typed, "token": "t" * 20},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ZIP code must be five digits (such as 19104) or ZIP+4" in html
    assert not Submission.objects.exists()


@pytest.mark.parametrize("typed", ["19104", "19104-1234", "191041234", " 02134 "])
def test_the_public_form_takes_a_zip_or_zip_plus_four(client, zip_page, typed, settings):
    settings.GROUNDSWELL_CHECK_MX = False
    response = client.post(
        reverse("public:page", args=["zip"]),
        {"email": "ann@example.org", "postal_code": typed, "token": "t" * 20},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Submission.objects.count() == 1


def test_an_email_error_on_the_public_form_is_in_our_words(client, zip_page):
    response = client.post(
        reverse("public:page", args=["zip"]),
        {"email": "ann@example", "postal_code": "19104", "token": "t" * 20},
    )
    html = response.content.decode()
    assert "E-mail is not a valid e-mail address: the part after the @ sign needs a dot" in html
    assert "It should have a period" not in html  # the validator's sentence
