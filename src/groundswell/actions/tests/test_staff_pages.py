"""The page builder: who may use it, pages, questions, variants and submissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.actions.models import (
    ActionPage,
    CustomQuestion,
    Exposure,
    IssuePosition,
    PageVariant,
    Submission,
)
from groundswell.actions.services import (
    SubmissionMeta,
    submission_process_now,
    submission_receive,
)

pytestmark = pytest.mark.django_db

BUILDERS = {"admin", "organizer"}
ROLES = ["admin", "finance", "organizer", "volunteer"]


@pytest.fixture
def world():
    page = ActionPage.objects.create(slug="join", title="Join us", headline="Join us")
    question = CustomQuestion.objects.create(page=page, key="why", label="Why?")
    variant = PageVariant.objects.create(page=page, name="B", headline="Join today")
    position = IssuePosition.objects.create(title="Water", slug="water", summary="Clean")
    return {"page": page, "question": question, "variant": variant, "position": position}


def _urls(world) -> list[tuple[str, str]]:
    """(method, url) of every page-builder view."""
    p, q, v, pos = world["page"].pk, world["question"].pk, world["variant"].pk, world["position"].pk
    return [
        ("get", reverse("staff:page_list")),
        ("get", reverse("staff:page_create")),
        ("get", reverse("staff:page_detail", args=[p])),
        ("get", reverse("staff:page_edit", args=[p])),
        ("post", reverse("staff:page_publish", args=[p])),
        ("get", reverse("staff:page_submissions", args=[p])),
        ("get", reverse("staff:question_create", args=[p])),
        ("get", reverse("staff:question_edit", args=[p, q])),
        ("post", reverse("staff:question_move", args=[p, q])),
        ("post", reverse("staff:question_delete", args=[p, q])),
        ("get", reverse("staff:variant_create", args=[p])),
        ("get", reverse("staff:variant_edit", args=[p, v])),
        ("post", reverse("staff:variant_toggle", args=[p, v])),
        ("post", reverse("staff:variant_keep", args=[p, v])),
        ("get", reverse("staff:site")),
        ("get", reverse("staff:platform")),
        ("get", reverse("staff:position_create")),
        ("get", reverse("staff:position_edit", args=[pos])),
        ("post", reverse("staff:position_move", args=[pos])),
        ("post", reverse("staff:position_delete", args=[pos])),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_organizers_may_build_pages(persona_client, world, role):
    client = persona_client(role)
    for method, url in _urls(world):
        response = getattr(client, method)(url)
        if role in BUILDERS:
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            assert response.status_code == 403, url
    if role not in BUILDERS:  # nothing was changed by the refused requests
        assert CustomQuestion.objects.filter(pk=world["question"].pk).exists()
        assert IssuePosition.objects.filter(pk=world["position"].pk).exists()
        assert PageVariant.objects.get(pk=world["variant"].pk).active


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    for method, url in _urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
def test_the_staff_nav_shows_pages_to_those_who_may_build_them(persona_client, role):
    html = persona_client(role).get(reverse("people:list")).content.decode()
    assert (f'href="{reverse("staff:page_list")}"' in html) == (role in BUILDERS)


def test_the_page_list_shows_kind_count_and_status(persona_client, django_assert_max_num_queries):
    ActionPage.objects.create(
        kind="petition", slug="p", title="Save the park", headline="h", submission_count=1234
    )
    ActionPage.objects.create(slug="d", title="Draft one", headline="h", published=False)
    client = persona_client("organizer")
    with django_assert_max_num_queries(6):
        html = client.get(reverse("staff:page_list")).content.decode()
    assert "Save the park" in html and "Petition" in html and "1,234" in html
    assert "Published" in html and "Draft" in html
    assert 'href="/a/p/"' in html


def _page_data(**overrides) -> dict:
    data = {
        "kind": "petition",
        "slug": "Save-The-Park",
        "title": "Save the park",
        "published": "on",
        "headline": "Save Elm Park",
        "intro": "The park is for everyone.",
        "button_text": "Sign",
        "thank_you": "Thank you!",
        "field_given_name": "required",
        "field_family_name": "optional",
        "field_mobile_phone": "hidden",
        "field_address_line1": "hidden",
        "field_city": "hidden",
        "field_state": "hidden",
        "field_postal_code": "required",
        "field_employer": "hidden",
        "field_occupation": "hidden",
        "tags_text": "park, petition: park,  park ",
        "subscribes": "on",
        "consent_text": "I agree to receive e-mail.",
        "autoresponse_subject": "Thanks",
        "autoresponse_body": "Hi {first_name}",
        "petition_text": "We ask the council...",
        "goal": "500",
        "trigger": "delay",
        "trigger_value": "8",
    }
    data.update(overrides)
    return data


def test_an_organizer_creates_a_petition_with_fields_tags_and_a_goal(persona_client):
    client = persona_client("organizer")
    response = client.post(reverse("staff:page_create"), _page_data())
    page = ActionPage.objects.get()
    assert response["Location"] == reverse("staff:page_detail", args=[page.pk])
    assert page.slug == "save-the-park"
    assert page.fields == {
        "given_name": "required",
        "family_name": "optional",
        "postal_code": "required",
    }
    assert page.tags == ["park", "petition: park"]
    assert page.goal == 500 and page.autoresponse_body == "Hi {first_name}"
    detail = client.get(response["Location"]).content.decode()
    assert "http://testserver/a/save-the-park/" in detail
    assert (
        "&lt;script src=&quot;http://testserver/embed.js&quot; data-form=&quot;save-the-park&quot;"
        " async&gt;&lt;/script&gt;" in detail
    )
    assert "allowed origins" in detail


def test_a_slug_must_be_unique_and_valid(persona_client):
    ActionPage.objects.create(slug="save-the-park", title="t", headline="h")
    client = persona_client("admin")
    response = client.post(reverse("staff:page_create"), _page_data())
    assert response.status_code == 400
    assert "Action page with this Slug already exists." in response.content.decode()
    response = client.post(reverse("staff:page_create"), _page_data(slug="no spaces/please"))
    assert response.status_code == 400
    assert ActionPage.objects.count() == 1


def test_page_form_errors_are_explained(persona_client):
    client = persona_client("admin")
    response = client.post(
        reverse("staff:page_create"),
        _page_data(
            autoresponse_body="",
            trigger="scroll",
            trigger_value="250",
            consent_text="",
            goal="-4",
            field_city="sometimes",
            tags_text="x" * 101,
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write the message, or clear the subject." in html
    assert "A scroll depth is a percentage: 100 at most." in html
    assert "Say what signers agree to" in html
    assert "Select a valid choice. sometimes is not one of the available choices." in html
    assert "is longer than 100 characters" in html
    assert not ActionPage.objects.exists()


def test_editing_a_page_keeps_its_settings(persona_client, world):
    page = world["page"]
    page.fields = {"postal_code": "optional"}
    page.tags = ["a", "b"]
    page.save()
    client = persona_client("organizer")
    html = client.get(reverse("staff:page_edit", args=[page.pk])).content.decode()
    assert 'value="a, b"' in html
    assert '<option value="optional" selected>Optional</option>' in html
    response = client.post(
        reverse("staff:page_edit", args=[page.pk]),
        _page_data(slug="join", kind="signup", title="Join us now", tags_text="a"),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.title == "Join us now" and page.tags == ["a"]


def test_questions_are_added_edited_reordered_and_removed(persona_client, world):
    page = world["page"]
    client = persona_client("organizer")
    url = reverse("staff:question_create", args=[page.pk])
    client.post(url, {"label": "T-shirt size", "kind": "choice", "choices_text": "S\nM\n\nL\nM"})
    client.post(url, {"label": "Languages", "kind": "multi", "choices_text": "English\nSpanish"})
    shirt = CustomQuestion.objects.get(key="t-shirt-size")
    assert shirt.choices == ["S", "M", "L"]
    assert list(page.questions.values_list("key", flat=True)) == [
        "why",
        "t-shirt-size",
        "languages",
    ]

    move = reverse("staff:question_move", args=[page.pk, shirt.pk])
    client.post(move, {"direction": "up"})
    assert list(page.questions.values_list("key", flat=True)) == [
        "t-shirt-size",
        "why",
        "languages",
    ]
    client.post(move, {"direction": "up"})  # already first: nothing changes
    client.post(move, {"direction": "down"})
    assert list(page.questions.values_list("key", flat=True)) == [
        "why",
        "t-shirt-size",
        "languages",
    ]

    client.post(
        reverse("staff:question_edit", args=[page.pk, shirt.pk]),
        {"label": "Shirt size", "kind": "choice", "key": "t-shirt-size", "choices_text": "S\nXL"},
    )
    shirt.refresh_from_db()
    assert (shirt.label, shirt.choices) == ("Shirt size", ["S", "XL"])

    client.post(reverse("staff:question_delete", args=[page.pk, shirt.pk]))
    assert not CustomQuestion.objects.filter(pk=shirt.pk).exists()
    html = client.get(reverse("public:page", args=[page.slug])).content.decode()
    assert "Languages" in html and "Spanish" in html


def test_a_question_is_checked_before_it_is_saved(persona_client, world):
    page = world["page"]
    client = persona_client("organizer")
    url = reverse("staff:question_create", args=[page.pk])
    cases = [
        ({"label": "Pick", "kind": "choice", "choices_text": "Only one"}, "at least two choices"),
        ({"label": "Why?", "kind": "text", "key": "why"}, "Another question on this page"),
        ({"label": "Other", "kind": "text", "key": "issues"}, "used by the participation form"),
        ({"label": "???", "kind": "text"}, "Give a key made of letters or digits."),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert page.questions.count() == 1


def test_the_first_variant_also_adds_the_original_copy(persona_client, world):
    page = ActionPage.objects.create(
        slug="fresh", title="Fresh", headline="Original headline", button_text="Go"
    )
    client = persona_client("organizer")
    url = reverse("staff:variant_create", args=[page.pk])
    assert "an “Original” variant" in client.get(url).content.decode()
    client.post(url, {"name": "Urgent", "headline": "Act now", "active": "on"})
    assert list(page.variants.values_list("name", "headline", "button_text")) == [
        ("Original", "Original headline", "Go"),
        ("Urgent", "Act now", ""),
    ]
    client.post(url, {"name": "Third", "button_text": "Yes!", "active": "on"})
    assert page.variants.count() == 3  # no second "Original"
    response = client.post(url, {"name": "Empty", "active": "on"})
    assert response.status_code == 400
    assert "Change at least one of the headline" in response.content.decode()


def test_variants_are_edited_and_deactivated(persona_client, world):
    variant = world["variant"]
    page = world["page"]
    client = persona_client("organizer")
    client.post(
        reverse("staff:variant_edit", args=[page.pk, variant.pk]),
        {"name": "B2", "headline": "Join us today", "active": "on"},
    )
    client.post(reverse("staff:variant_toggle", args=[page.pk, variant.pk]))
    variant.refresh_from_db()
    assert (variant.name, variant.headline, variant.active) == ("B2", "Join us today", False)
    html = client.get(reverse("public:page", args=[page.slug])).content.decode()
    assert "Join us today" not in html  # inactive: new visitors see the page's copy


def test_the_variant_results_table_counts_exposures_conversions_and_rate(persona_client, world):
    page, variant = world["page"], world["variant"]
    other = PageVariant.objects.create(page=page, name="C", headline="Never seen")
    for index in range(4):
        Exposure.objects.create(variant=variant, visitor=f"v{index}")
    submission_receive(
        page=page,
        token="t1",
        data={"email": "a@example.org"},
        meta=SubmissionMeta(variant_id=variant.pk),
    )
    html = persona_client("organizer").get(reverse("staff:page_detail", args=[page.pk]))
    html = html.content.decode()
    row = html[html.index(">B</a>") : html.index(">C</a>")]
    assert '<td data-label="Exposures" class="num">4</td>' in row
    assert '<td data-label="Conversions" class="num">1</td>' in row
    # The rate with its 90% credible interval (Beta(2, 4): 7.6–65.7%) and its chance of being
    # best; the variant nobody saw has no rate.
    assert '<td data-label="Rate" class="num">25.0%<div class="muted small nowrap"' in row
    assert ">7.6–65.7%</div>" in row
    assert '<td data-label="Chance best" class="num">' in row
    assert other.pk and '<td data-label="Rate" class="num">—</td>' in html


def test_the_submissions_list_links_to_people_and_pages_through(
    persona_client, world, django_assert_max_num_queries
):
    page = world["page"]
    for index in range(55):
        submission, _ = submission_receive(
            page=page,
            token=f"t{index}",
            data={"email": f"p{index}@example.org"},
            meta=SubmissionMeta(refcode="radio"),
        )
    submission_process_now(submission)
    client = persona_client("organizer")
    url = reverse("staff:page_submissions", args=[page.pk])
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert "p54@example.org" in html and "p4@example.org" not in html
    assert f'href="/people/{submission.person_id}/"' in html
    assert "radio" in html and "Processed" in html and "Received" in html
    assert "Page 1 of 2" in html
    assert "p4@example.org" in client.get(url + "?page=2").content.decode()
    assert Submission.objects.count() == 55
