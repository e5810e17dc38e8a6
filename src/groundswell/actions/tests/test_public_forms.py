"""Action pages in the visitor's browser: the form, its errors, abuse, and the thank-you page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from groundswell.actions.models import (
    ActionPage,
    CustomQuestion,
    IssuePosition,
    Referral,
    Submission,
)
from groundswell.actions.services import site_get
from groundswell.actions.site import thanks_id_read
from groundswell.actions.views_public import THANKS_SALT
from groundswell.people.models import Activity, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition():
    page = ActionPage.objects.create(
        kind="petition",
        slug="fund-schools",
        title="Fund our schools",
        headline="Fund our schools",
        intro="Our schools need you.",
        petition_text="To the legislature:\n\nRestore the funding.",
        button_text="Sign the petition",
        thank_you="Thanks for signing!",
        fields={"given_name": "required", "family_name": "optional", "postal_code": "optional"},
        tags=["schools"],
        goal=200,
        submission_count=50,
    )
    CustomQuestion.objects.create(
        page=page, key="why", label="Why do you care?", kind="long_text", order=0
    )
    CustomQuestion.objects.create(
        page=page,
        key="grade",
        label="Your child's grade",
        kind="choice",
        choices=["K-5", "6-8", "9-12"],
        order=1,
    )
    return page


@pytest.fixture
def participation():
    IssuePosition.objects.create(title="Clean water", slug="water", summary="Safe taps", order=0)
    IssuePosition.objects.create(title="Housing", slug="housing", summary="Homes", order=1)
    return ActionPage.objects.create(
        kind="participation",
        slug="get-involved",
        title="Get involved",
        headline="How do you want to help?",
        fields={"given_name": "required"},
    )


def _form(client, page, query: str = "", **headers) -> tuple[str, dict]:
    response = client.get(f"/a/{page.slug}/{query}", **headers)
    assert response.status_code == 200
    html = response.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    return html, hidden


def _submit(client, page, data: dict, query: str = "", **headers):
    _, hidden = _form(client, page, query)
    hidden.pop("csrfmiddlewaretoken", None)
    return client.post(f"/a/{page.slug}/", {**hidden, **data}, **headers)


# ---------------------------------------------------------------- the form


def test_the_form_shows_its_fields_questions_consent_and_a_token(client, petition):
    html, hidden = _form(client, petition)
    assert '<label for="f-given_name">First name</label>' in html
    assert '<label for="f-family_name">Last name <span class="optional">(optional)</span>' in html
    assert 'id="f-email" name="email" type="email"' in html and 'autocomplete="email"' in html
    assert "f-mobile_phone" not in html  # hidden on this page
    assert '<textarea id="f-q_why" name="q_why"' in html
    assert (
        '<legend>Your child&#x27;s grade <span class="optional">(optional)</span></legend>' in html
    )
    assert 'type="radio" id="f-q_grade-1" name="q_grade" value="6-8"' in html
    assert "I agree to receive e-mail from the campaign" in html
    assert len(hidden["token"]) >= 20
    assert "csrfmiddlewaretoken" in hidden


def test_every_rendered_form_carries_its_own_token(client, petition):
    assert _form(client, petition)[1]["token"] != _form(client, petition)[1]["token"]


def test_the_honeypot_is_hidden_from_people_and_from_the_keyboard(client, petition):
    html, _ = _form(client, petition)
    honeypot = re.search(r'<div class="hp" aria-hidden="true">.*?</div>', html).group(0)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot


def test_a_petition_shows_its_text_goal_and_count_with_a_progress_bar(client, petition):
    html, _ = _form(client, petition)
    assert "<p>Restore the funding.</p>" in html
    assert "<strong>50</strong> signatures" in html and "of 200" in html
    assert 'role="progressbar"' in html and 'aria-valuenow="50"' in html
    assert "width: 25%" in html


def test_the_participation_form_offers_ways_to_help_and_the_platforms_issues(client, participation):
    html, _ = _form(client, participation)
    assert "How do you want to help?" in html
    for label in ("Knock on doors", "Make phone calls", "Host an event", "Something else"):
        assert label in html
    assert 'name="help_other"' in html
    assert "Which issues matter most to you?" in html
    assert 'name="issues" value="water"' in html and "Clean water" in html


def test_the_query_string_and_referrer_are_carried_into_the_form_and_stored(client, petition):
    query = "?refcode=radio-ad&utm_source=fb&utm_medium=paid&utm_campaign=spring&ref=abc123"
    headers = {"HTTP_REFERER": "https://news.example.com/story"}
    _, hidden = _form(client, petition, query, **headers)
    assert hidden["refcode"] == "radio-ad" and hidden["utm_campaign"] == "spring"
    assert hidden["referrer"] == "https://news.example.com/story"
    response = _submit(
        client, petition, {"email": "sam@example.org", "given_name": "Sam"}, query, **headers
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.refcode, submission.utm_source, submission.utm_medium) == (
        "radio-ad",
        "fb",
        "paid",
    )
    assert submission.referral_code == "abc123"
    assert submission.referrer == "https://news.example.com/story"
    assert submission.channel == "page"
    assert submission.ip_address == "127.0.0.1"


def test_our_own_pages_are_not_recorded_as_the_referrer(client, petition):
    _, hidden = _form(client, petition, HTTP_REFERER="http://testserver/")
    assert "referrer" not in hidden


# ---------------------------------------------------------------- submitting


def test_a_submission_redirects_to_a_thank_you_page_with_a_personal_share_link(client, petition):
    response = _submit(
        client,
        petition,
        {"email": "Sam@Example.org", "given_name": "Sam", "q_why": "My kids", "q_grade": "6-8"},
    )
    assert response.status_code == 302
    assert re.fullmatch(r"/a/fund-schools/thanks/[^/]+/", response["Location"])
    page = client.get(response["Location"]).content.decode()
    # The thank-you page turned the submission into a person, without waiting for a worker.
    person = Person.objects.get()
    assert person.primary_email == "sam@example.org"
    assert person.custom_fields == {"why": "My kids", "grade": "6-8"}
    assert list(person.tags.values_list("name", flat=True)) == ["schools"]
    assert Activity.objects.filter(person=person, kind="petition").exists()
    code = person.referral_code.code
    assert "Thanks for signing!" in page
    assert f'value="http://testserver/a/fund-schools/?ref={code}"' in page
    assert "facebook.com/sharer" in page and 'rel="noopener noreferrer"' in page
    assert 'target="_blank"' in page
    assert 'id="copy-link"' in page  # the copy button, shown by a few lines of script


def test_a_forged_or_foreign_thank_you_link_shows_no_share_link(client, petition):
    other = ActionPage.objects.create(slug="other", title="Other", headline="Other")
    location = _submit(client, petition, {"email": "sam@example.org", "given_name": "Sam"})[
        "Location"
    ]
    signed = location.rstrip("/").rsplit("/", 1)[1]
    forged = client.get(f"/a/fund-schools/thanks/1:{signed.split(':', 1)[1][:-2]}xx/")
    foreign = client.get(f"/a/other/thanks/{signed}/")
    for response in (forged, foreign):
        assert response.status_code == 200
        assert "share-url" not in response.content.decode()
    assert other.pk and not Person.objects.exists()  # nothing was processed by those views


def test_the_thank_you_page_proposes_the_next_rung_of_the_ladder(client, petition, participation):
    # After signing: donate if the campaign takes donations...
    site = site_get()
    site.donate_url = "https://donate.example.org/"
    site.save()
    location = _submit(client, petition, {"email": "a@example.org", "given_name": "A"})["Location"]
    page = client.get(location).content.decode()
    assert "Can you chip in?" in page and 'href="https://donate.example.org/"' in page
    # ... otherwise volunteer, through the participation form.
    site.donate_url = ""
    site.save()
    page = client.get(location).content.decode()
    assert "Take the next step" in page and 'href="/a/get-involved/"' in page
    # After volunteering: share.
    location = _submit(
        client, participation, {"email": "b@example.org", "given_name": "B", "help": "canvass"}
    )["Location"]
    page = client.get(location).content.decode()
    assert "Now bring a friend" in page


def test_csrf_is_enforced_on_the_public_form(petition):
    client = Client(enforce_csrf_checks=True)
    _, hidden = _form(client, petition)
    data = {"token": hidden["token"], "email": "sam@example.org", "given_name": "Sam"}
    response = client.post("/a/fund-schools/", data)
    assert response.status_code == 403
    assert not Submission.objects.exists()
    response = client.post(
        "/a/fund-schools/", {**data, "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"]}
    )
    assert response.status_code == 302
    assert Submission.objects.count() == 1


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client, petition):
    response = _submit(
        client,
        petition,
        {"email": "bot@example.org", "given_name": "Bot", "website": "http://spam.example"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/a/fund-schools/thanks/"
    assert "Thanks for signing!" in client.get(response["Location"]).content.decode()
    assert not Submission.objects.exists() and not Person.objects.exists()


def test_a_double_clicked_submit_records_one_submission(client, petition):
    _, hidden = _form(client, petition)
    data = {**hidden, "email": "sam@example.org", "given_name": "Sam"}
    first = client.post("/a/fund-schools/", data)
    second = client.post("/a/fund-schools/", data)
    # Both go to the one submission's thank-you page. The links themselves may differ in their
    # signature's timestamp when the two posts straddle a second, so compare what they name.
    assert Submission.objects.count() == 1
    (submission,) = Submission.objects.all()
    for location in (first["Location"], second["Location"]):
        assert location.startswith("/a/fund-schools/thanks/")
        signed = location.rstrip("/").rsplit("/", 1)[-1]
        assert thanks_id_read(signed, salt=THANKS_SALT) == submission.pk
    client.get(first["Location"])
    client.get(second["Location"])
    assert Activity.objects.filter(kind="petition").count() == 1


def test_errors_are_shown_inline_with_a_summary_and_the_values_are_kept(client, petition):
    response = _submit(
        client,
        petition,
        {"email": "not-an-address", "given_name": "", "family_name": "O'Brien", "q_grade": "12"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" id="error-summary" role="alert"' in html
    assert '<a href="#f-given_name">First name is required.</a>' in html
    assert '<a href="#f-email">E-mail is not a valid e-mail address' in html
    assert '<a href="#f-q_grade-0">Choose one of the options given.</a>' in html
    assert 'aria-invalid="true" aria-describedby="f-email-error"' in html
    assert '<p class="field-error" id="f-given_name-error">' in html
    assert 'value="not-an-address"' in html and 'value="O&#x27;Brien"' in html
    assert not Submission.objects.exists()


def test_a_missing_token_asks_to_reload_and_gives_a_new_one(client, petition):
    response = client.post("/a/fund-schools/", {"email": "sam@example.org", "given_name": "Sam"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The form expired; reload the page and try again." in html
    assert re.search(r'name="token" value="[^"]{20,}"', html)


def test_too_many_submissions_from_one_address_get_a_friendly_429(client, petition, settings):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    for index in range(2):
        response = _submit(client, petition, {"email": f"p{index}@example.org", "given_name": "P"})
        assert response.status_code == 302
    response = _submit(client, petition, {"email": "p9@example.org", "given_name": "P"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Slow down a little" in html and "network address" in html
    assert Submission.objects.count() == 2


def test_a_closed_page_takes_no_submissions(client, petition):
    _, hidden = _form(client, petition)
    ActionPage.objects.filter(pk=petition.pk).update(published=False)
    response = client.post("/a/fund-schools/", {**hidden, "email": "a@example.org"})
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_the_participation_form_stores_help_and_issues(client, participation):
    response = _submit(
        client,
        participation,
        {
            "email": "hal@example.org",
            "given_name": "Hal",
            "help": ["canvass", "other"],
            "help_other": "Drive voters",
            "issues": ["housing"],
        },
    )
    client.get(response["Location"])
    person = Person.objects.get()
    tags = set(person.tags.values_list("name", flat=True))
    assert {"help: Knock on doors", "help: Something else", "issue: Housing"} <= tags
    assert person.custom_fields["help_other"] == "Drive voters"


def test_the_participation_form_explains_what_is_missing(client, participation):
    response = _submit(
        client, participation, {"email": "hal@example.org", "given_name": "Hal", "help": "other"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tell us what else you would like to do." in html
    assert 'value="other" checked' in html  # the choice is kept


# ---------------------------------------------------------------- hostile input

JUNK = [
    {"email": "<script>alert(1)</script>@example.org", "given_name": "<script>alert(1)</script>"},
    {"email": "a@example.org", "given_name": "x" * 100_000},
    {"email": "a@example.org", "given_name": "nul\x00byte", "q_why": "\x00\x01\x02"},
    {"email": ["a@example.org", "b@example.org"], "given_name": ["one", "two"]},
    {"email": "a@example.org", "given_name": "Ok", "q_grade": ["K-5", "6-8"]},
    {"email": "a@example.org", "given_name": "Ok", "help": "canvass", "issues": "../../etc"},
    {"email": "a@example.org", "given_name": "Ok", "token": "t" * 10_000},
    {"email": "a@example.org", "given_name": "Ok", "variant": "99999999999999999999999"},
    {"email": "a@example.org", "given_name": "Ok", "variant": "-1; drop table"},
    {"email": "a@example.org", "given_name": "Ok", "ref": "\x00" * 40, "refcode": "é" * 500},
    {"email": "", "given_name": "", "token": ""},
    {"email": "\u202eexample.org@a", "given_name": "\u200b"},
    {"email": "a@example.org", "given_name": "Ok", "q_why": "🙂" * 5000},
]


@pytest.mark.parametrize("data", JUNK)
def test_junk_never_causes_a_server_error(client, petition, data):
    _, hidden = _form(client, petition)
    hidden.pop("csrfmiddlewaretoken")
    response = client.post("/a/fund-schools/", {**hidden, **data})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html


def test_undecodable_bytes_and_odd_requests_never_cause_a_server_error(client, petition):
    responses = [
        client.post(
            "/a/fund-schools/",
            data=b"email=%FF%FE%00&given_name=%C3%28&token=%80abc",
            content_type="application/x-www-form-urlencoded",
        ),
        client.post("/a/fund-schools/", data=b"\x00\xff{]", content_type="application/json"),
        client.post("/a/fund-schools/", data=b"--x\r\n", content_type="multipart/form-data"),
        client.get("/a/fund-schools/?refcode=%FF%00&ref=%00&utm_source=" + "x" * 5000),
        client.get("/a/fund-schools/", HTTP_REFERER="\x00://\xff"),
        client.get("/a/fund-schools/", HTTP_COOKIE="gs_vid=../../x; gs_v1=abc; gs_ref=\x00"),
        client.get("/a/fund-schools/thanks/%00%FF/"),
        client.get("/a/fund-schools/thanks/" + "a" * 3000 + "/"),
        client.put("/a/fund-schools/"),
    ]
    for response in responses:
        assert response.status_code < 500, response.status_code


def test_a_hostile_name_is_text_on_the_staff_submission_list_and_person_page(
    client, persona_client, petition
):
    location = _submit(
        client,
        petition,
        {"email": "evil@example.org", "given_name": "<script>alert(1)</script>"},
    )["Location"]
    client.get(location)
    person = Person.objects.get()
    staff = persona_client("organizer")
    for url in (
        reverse("staff:page_submissions", args=[petition.pk]),
        reverse("staff:page_detail", args=[petition.pk]),
        reverse("people:detail", args=[person.pk]),
    ):
        html = staff.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)</script>" not in html


# ---------------------------------------------------------------- referrals


def test_a_sign_up_through_a_share_link_shows_on_both_peoples_pages(
    client, persona_client, petition
):
    location = _submit(client, petition, {"email": "rita@example.org", "given_name": "Rita"})[
        "Location"
    ]
    share_url = re.search(
        r'id="share-url" type="text" value="([^"]+)"', client.get(location).content.decode()
    ).group(1)
    friend = Client()
    query = share_url.split("testserver/a/fund-schools/", 1)[1]
    location = _submit(
        friend, petition, {"email": "newt@example.org", "given_name": "Newt"}, query
    )["Location"]
    friend.get(location)
    rita = Person.objects.get(given_key="rita")
    newt = Person.objects.get(given_key="newt")
    assert Referral.objects.get().recruiter == rita
    staff = persona_client("volunteer")
    rita_page = staff.get(reverse("people:detail", args=[rita.pk])).content.decode()
    newt_page = staff.get(reverse("people:detail", args=[newt.pk])).content.decode()
    assert f'href="/people/{newt.pk}/">Newt (#{newt.pk})</a>' in rita_page
    assert f'href="/people/{rita.pk}/">Rita (#{rita.pk})</a>' in newt_page
    assert "via Fund our schools" in newt_page
    assert f"?ref={rita.referral_code.code}" in rita_page  # her link, for staff to copy


def test_a_share_code_seen_on_the_home_page_counts_on_a_later_sign_up(client, petition):
    recruiter = Client()
    location = _submit(recruiter, petition, {"email": "rita@example.org", "given_name": "Rita"})[
        "Location"
    ]
    recruiter.get(location)
    code = Person.objects.get().referral_code.code
    client.get(f"/?ref={code}")
    location = _submit(client, petition, {"email": "newt@example.org", "given_name": "Newt"})[
        "Location"
    ]
    client.get(location)
    assert Referral.objects.get().recruit.primary_email == "newt@example.org"


# ---------------------------------------------------------------- copy variants


def test_a_visitor_stays_on_their_variant_and_exposures_and_conversions_are_counted(petition):
    a = petition.variants.create(name="A", headline="Headline A", button_text="Go A")
    b = petition.variants.create(name="B", headline="Headline B", button_text="Go B")
    seen = {}
    for index in range(6):
        visitor = Client()
        first, hidden = _form(visitor, petition)
        shown = "A" if "Headline A" in first else "B"
        for _ in range(3):
            again, _ = _form(visitor, petition)
            assert f"Headline {shown}" in again  # the same variant on every visit
        seen[index] = shown
        if index % 2 == 0:
            hidden.pop("csrfmiddlewaretoken")
            visitor.post(
                "/a/fund-schools/",
                {**hidden, "email": f"v{index}@example.org", "given_name": "V"},
            )
    exposures = {v.name: v.exposures.count() for v in (a, b)}
    assert sum(exposures.values()) == 6  # one per visitor, however often they come back
    assert exposures == {
        "A": sum(1 for s in seen.values() if s == "A"),
        "B": sum(1 for s in seen.values() if s == "B"),
    }
    conversions = {v.name: v.submissions.count() for v in (a, b)}
    assert conversions == {
        "A": sum(1 for i, s in seen.items() if s == "A" and i % 2 == 0),
        "B": sum(1 for i, s in seen.items() if s == "B" and i % 2 == 0),
    }


def test_a_variants_copy_replaces_the_pages_own(client, petition):
    petition.variants.create(name="Short", headline="Save our schools!", button_text="")
    html, hidden = _form(client, petition)
    assert "<h1>Save our schools!</h1>" in html
    assert ">Sign the petition</button>" in html  # blank in the variant: the page's own
    assert hidden["variant"] == str(petition.variants.get().pk)


def test_a_sign_up_without_variants_has_no_variant(client, petition):
    _submit(client, petition, {"email": "a@example.org", "given_name": "A"})
    assert Submission.objects.get().variant is None


def test_the_autoresponse_is_sent_after_a_page_submission(client, petition):
    petition.autoresponse_subject = "Thanks, friend"
    petition.autoresponse_body = "Hello {first_name}"
    petition.save()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        location = _submit(client, petition, {"email": "a@example.org", "given_name": "Ada"})[
            "Location"
        ]
    client.get(location)
    assert [m.subject for m in mail.outbox] == ["Thanks, friend"]
    assert mail.outbox[0].body == "Hello Ada"


def test_the_person_page_shows_many_recruits_in_a_bounded_number_of_queries(
    persona_client, django_assert_max_num_queries
):
    from groundswell.actions.services import referral_code_for
    from groundswell.people.tests.factories import PersonFactory

    recruiter = PersonFactory(given_name="Rita")
    referral_code_for(recruiter)
    recruits = PersonFactory.create_batch(60)
    Referral.objects.bulk_create([Referral(recruiter=recruiter, recruit=r) for r in recruits])
    client = persona_client("volunteer")
    # 25: the mailings panel, the external ids and the events card add one query each, and the
    # rung and volunteer cards four, not one per recruit.
    with django_assert_max_num_queries(25):
        html = client.get(reverse("people:detail", args=[recruiter.pk])).content.decode()
    assert 'Recruited <span class="muted small">60</span>' in html
    assert "The newest 50 are shown." in html
    assert html.count('<div class="item-meta">') >= 50


def test_a_form_refused_for_its_csrf_token_says_what_to_do(petition, settings):
    settings.CSRF_FAILURE_VIEW = "groundswell.actions.views_public.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    response = client.post("/a/fund-schools/", {"email": "sam@example.org"})
    assert response.status_code == 403
    assert "reload the page and send it again" in response.content.decode()
    response = client.post(reverse("people:list"))
    assert response.status_code == 403
    assert "reload the page" not in response.content.decode()


def test_a_processing_failure_still_thanks_the_visitor(client, petition, monkeypatch):
    from groundswell.actions import views_public

    def broken(submission):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(views_public, "submission_process_now", broken)
    location = _submit(client, petition, {"email": "sam@example.org", "given_name": "Sam"})[
        "Location"
    ]
    response = client.get(location)
    assert response.status_code == 200
    assert "Thanks for signing!" in response.content.decode()
    assert Submission.objects.get().status == "received"  # left for the worker


def test_a_pages_latest_submissions_name_the_person_without_an_internal_number(
    client, persona_client, petition
):
    location = _submit(client, petition, {"email": "quillon@example.org", "given_name": "Quillon"})
    client.get(location["Location"])  # the thank-you page processes the submission
    person = Person.objects.get()
    html = persona_client("organizer").get(reverse("staff:page_detail", args=[petition.pk]))
    html = html.content.decode()
    recent = html.split('id="h-recent"', 1)[1]
    assert f'href="{reverse("people:detail", args=[person.pk])}">Quillon' in recent
    assert f"#{person.pk}" not in recent
    # A compact list in the half-width card, not the full list's seven-column table.
    assert '<ul class="items">' in recent and "<table" not in recent
