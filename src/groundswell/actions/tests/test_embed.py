"""The embeddable pop-up: its script, and its cross-origin config and submit endpoints."""

import json
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.test import TestCase

from groundswell.actions.models import ActionPage, CustomQuestion, Exposure, PageVariant, Submission
from groundswell.actions.services import embed_token_make, site_get
from groundswell.actions.views_embed import SCRIPT_PATH, cache_clear
from groundswell.people.models import Activity, ConsentEvent, Person

pytestmark = pytest.mark.django_db

ORIGIN = "https://www.campaign.example"
OTHER = "https://evil.example"


@pytest.fixture(autouse=True)
def allowed_origins():
    site = site_get()
    site.embed_origins = f"{ORIGIN}\nhttp://127.0.0.1:8123/\n"
    site.primary_color = "#7a1fa2"
    site.save()
    cache_clear()
    yield
    cache_clear()


@pytest.fixture
def newsletter():
    return ActionPage.objects.create(
        kind="newsletter",
        slug="newsletter",
        title="Newsletter",
        headline="Get the news first",
        intro="One e-mail a week.\n\nNo spam.",
        button_text="Count me in",
        thank_you="You are on the list!",
        fields={"given_name": "optional"},
        tags=["newsletter"],
        trigger="scroll",
        trigger_value=40,
    )


def config(client, slug="newsletter", origin=ORIGIN, **params):
    headers = {"Origin": origin} if origin else {}
    return client.get(f"/embed/{slug}/config", params, headers=headers)


def token_for(client, slug="newsletter", origin=ORIGIN):
    return config(client, slug, origin).json()["token"]


def submit(client, body, slug="newsletter", origin=ORIGIN, content_type=None, **extra):
    if content_type is None:
        content_type = "application/x-www-form-urlencoded"
        if isinstance(body, dict):
            body = urlencode(body, doseq=True)
    headers = {"Origin": origin} if origin else {}
    return client.post(
        f"/embed/{slug}/submit", body, content_type=content_type, headers=headers, **extra
    )


def sign_up(client, token, **fields):
    body = {"email": "ada@example.org", "given_name": "Ada", "website": "", "token": token}
    body.update(fields)
    return submit(client, body)


# ---------------------------------------------------------------- the script


def test_the_script_is_javascript_under_15_kb_that_any_site_may_load(client):
    assert SCRIPT_PATH.stat().st_size < 15_000
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]
    assert response.content == SCRIPT_PATH.read_bytes()
    again = client.get("/embed.js", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


# ---------------------------------------------------------------- config and CORS


def test_an_allowed_origin_gets_the_forms_copy_fields_trigger_and_a_token(client, newsletter):
    response = config(client)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF cookie
    data = response.json()
    assert data["headline"] == "Get the news first"
    assert data["button"] == "Count me in"
    assert data["trigger"] == "scroll" and data["value"] == 40
    assert data["color"] == "#7a1fa2"
    assert data["consent"].startswith("I agree to receive e-mail")
    assert [(f["name"], f["label"], f["required"]) for f in data["fields"]] == [
        ("given_name", "First name", False),
        ("email", "E-mail", True),
    ]
    assert data["fields"][1]["type"] == "email" and data["fields"][1]["autocomplete"] == "email"
    assert data["honeypot"] == "website"
    assert config(client).json()["token"] != data["token"]  # one token per pop-up shown


def test_an_origin_is_matched_exactly_and_an_allowed_one_may_have_a_port(client, newsletter):
    assert config(client, origin="http://127.0.0.1:8123").status_code == 200
    for near_miss in (
        "http://127.0.0.1:8124",
        "https://127.0.0.1:8123",
        "https://www.campaign.example.evil.example",
        "https://campaign.example",
        "null",
    ):
        response = config(client, origin=near_miss)
        assert response.status_code == 403, near_miss
        assert "Access-Control-Allow-Origin" not in response


def test_another_origin_is_refused_with_no_cors_allowance(client, newsletter):
    response = config(client, origin=OTHER)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert "may not embed" in response.json()["error"]


def test_a_request_with_no_origin_counts_as_this_servers_own_origin(client, newsletter):
    assert config(client, origin=None).status_code == 403
    site = site_get()
    site.embed_origins += "\nhttp://testserver"
    site.save()
    cache_clear()
    assert config(client, origin=None).status_code == 200


def test_an_unknown_or_unpublished_form_is_not_found_as_json(client, newsletter):
    response = config(client, slug="no-such-form")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response.json() == {"error": "There is no such form."}
    newsletter.published = False
    newsletter.save()
    cache_clear()  # a change reaches the pop-up within a few seconds (a per-process cache)
    assert config(client).status_code == 404


# Committed for real: the foreign key is checked when the sign-up's own transaction commits.
@pytest.mark.django_db(transaction=True)
def test_a_form_deleted_while_cached_is_not_found_rather_than_an_error(client, newsletter):
    token = token_for(client)
    newsletter.delete()
    response = sign_up(client, token)
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_a_preflight_is_answered_for_an_allowed_origin_only(client, newsletter):
    allowed = client.options(
        "/embed/newsletter/submit",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed["Access-Control-Allow-Methods"]
    assert allowed["Access-Control-Allow-Headers"] == "Content-Type"
    refused = client.options(
        "/embed/newsletter/submit",
        headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_the_copy_of_a_page_variant_is_served_and_the_visitor_keeps_it(client, newsletter):
    variant = PageVariant.objects.create(
        page=newsletter, name="B", headline="Be the first to know", button_text="Join"
    )
    data = config(client, visitor="v-123").json()
    assert (data["headline"], data["button"], data["variant"]) == (
        "Be the first to know",
        "Join",
        variant.pk,
    )
    assert Exposure.objects.filter(variant=variant, visitor="v-123").count() == 1
    assert config(client, visitor="v-123", variant=str(variant.pk)).json()["variant"] == variant.pk
    assert Exposure.objects.count() == 1
    token = data["token"]
    assert sign_up(client, token, variant=str(variant.pk)).status_code == 201
    assert Submission.objects.get().variant == variant


# ---------------------------------------------------------------- submitting


def test_a_sign_up_is_stored_then_becomes_a_person_an_action_and_consent(client, newsletter):
    token = token_for(client)
    page_url = "https://www.campaign.example/blog/post?refcode=blog&utm_source=site&ref=abc"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = sign_up(client, token, url=page_url)
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response.json() == {"ok": True, "message": "You are on the list!"}
    submission = Submission.objects.get()
    assert submission.channel == Submission.Channel.POPUP
    assert (submission.refcode, submission.utm_source, submission.referral_code) == (
        "blog",
        "site",
        "abc",
    )
    assert submission.referrer == page_url
    assert submission.ip_address == "127.0.0.1"
    assert submission.status == Submission.Status.PROCESSED
    person = Person.objects.get()
    assert (person.primary_email, person.given_name, person.email_status) == (
        "ada@example.org",
        "Ada",
        "subscribed",
    )
    assert Activity.objects.get(person=person, kind="newsletter").data["refcode"] == "blog"
    consent = ConsentEvent.objects.get(person=person)
    assert (consent.status, consent.method) == ("subscribed", "form")


def test_behind_a_trusted_proxy_the_visitors_address_is_recorded(client, newsletter, settings):
    settings.GROUNDSWELL_PROXY_HOPS = 1
    body = urlencode({"email": "ada@example.org", "token": token_for(client)})
    response = submit(client, body, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.20")
    assert response.status_code == 201
    assert Submission.objects.get().ip_address == "198.51.100.20"


def test_a_json_body_is_accepted_too(client, newsletter):
    body = json.dumps({"email": "json@example.org", "token": token_for(client), "given_name": ""})
    response = submit(client, body, content_type="application/json")
    assert response.status_code == 201
    assert Submission.objects.get().email == "json@example.org"


def test_submitting_twice_with_one_token_records_one_sign_up(client, newsletter):
    token = token_for(client)
    assert sign_up(client, token).status_code == 201
    repeat = sign_up(client, token)
    assert repeat.status_code == 200 and repeat.json()["ok"] is True
    assert Submission.objects.count() == 1
    assert sign_up(client, token_for(client)).status_code == 201  # a new pop-up, a new token
    assert Submission.objects.count() == 2


def test_a_forged_token_is_refused_with_reload_advice(client, newsletter):
    token = token_for(client)
    for forged in ("", "x", token[:-2] + "xx", "a" * 5000, token.replace(":", ";")):
        response = sign_up(client, forged)
        assert response.status_code == 403
        assert "reload the page" in response.json()["errors"]["form"]
        assert response["Access-Control-Allow-Origin"] == ORIGIN  # the script can show it
    assert not Submission.objects.exists()


def test_an_expired_token_is_refused(client, newsletter):
    import time

    with mock.patch.object(signing.time, "time", return_value=time.time() - 2 * 24 * 3600):
        old = embed_token_make(newsletter, ORIGIN)
    response = sign_up(client, old)
    assert response.status_code == 403 and "expired" in response.json()["errors"]["form"]


def test_a_token_for_another_page_or_origin_is_refused(client, newsletter):
    ActionPage.objects.create(kind="signup", slug="other", title="Other", headline="Other")
    assert sign_up(client, token_for(client, slug="other")).status_code == 403
    token = token_for(client, origin="http://127.0.0.1:8123")
    assert sign_up(client, token).status_code == 403  # sent from ORIGIN, made for another
    assert not Submission.objects.exists()


def test_a_submit_from_an_origin_not_allowed_is_refused_and_nothing_is_stored(client, newsletter):
    token = token_for(client)
    for origin in (OTHER, None):
        response = submit(client, {"email": "a@example.org", "token": token}, origin=origin)
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response
    assert not Submission.objects.exists()


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client, newsletter):
    response = sign_up(client, token_for(client), website="http://spam.example")
    assert response.status_code == 201 and response.json()["ok"] is True
    assert not Submission.objects.exists()


def test_bad_input_gets_an_error_per_field_as_json(client, newsletter):
    CustomQuestion.objects.create(page=newsletter, key="zip_code", label="Your ZIP", required=True)
    response = sign_up(client, token_for(client), email="not-an-address", given_name="x" * 400)
    assert response.status_code == 400
    errors = response.json()["errors"]
    # In our words, not the validator's ("An email address must have an @-sign.").
    assert errors["email"] == (
        "E-mail is not a valid e-mail address: the @ sign is missing "
        "(an address looks like jane@example.com)."
    )
    assert errors["given_name"] == "First name is too long (300 characters at most)."
    assert errors["q_zip_code"] == "Your ZIP is required."
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert not Submission.objects.exists()


def test_too_many_sign_ups_from_one_address_get_429_with_retry_after(client, newsletter, settings):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    for index in range(2):
        assert sign_up(client, token_for(client), email=f"a{index}@example.org").status_code == 201
    response = sign_up(client, token_for(client), email="a3@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many" in response.json()["errors"]["form"]
    assert Submission.objects.count() == 2


def test_an_oversized_body_is_refused_with_413(client, newsletter):
    response = sign_up(client, token_for(client), given_name="x" * 30_000)
    assert response.status_code == 413
    assert "too large" in response.json()["errors"]["form"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        ("--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b--", "multipart/form-data"),
        ("<xml/>", "application/xml"),
    ],
)
def test_an_unreadable_body_is_a_clear_400(client, newsletter, body, content_type):
    response = submit(client, body, content_type=content_type)
    assert response.status_code == 400
    assert "could not be read" in response.json()["errors"]["form"]


@pytest.mark.parametrize(
    "fields",
    [
        {"email": 42, "given_name": ["Ada", "Bob"]},
        {"email": {"nested": True}, "given_name": None},
        {"email": True, "given_name": 3.5},
        {"email": ["a@example.org", {"x": 1}]},
        {"email": "a@example.org", "given_name": "A\u0000da\ud800"},
        {"email": "a@example.org\u0000", "given_name": "<script>alert(1)</script>"},
        {"email": "a@example.org", "url": "http://[::1/?refcode=\u0000x"},
        {"email": "a@example.org", "url": "https://x.example/?utm_source=%00%ff&ref=" + "r" * 99},
        {"email": "a@example.org", "variant": "99999999999999999999"},
        {"email": "\u202e" * 200 + "@example.org"},
    ],
)
def test_hostile_or_wrongly_typed_json_never_fails_the_server(client, newsletter, fields):
    body = {"token": token_for(client), **fields}
    response = submit(client, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201, 400), response.content
    assert "errors" in response.json() or response.json()["ok"] is True
    for submission in Submission.objects.all():
        assert "\x00" not in json.dumps(submission.data)


def test_hostile_form_encoded_values_never_fail_the_server(client, newsletter):
    token = token_for(client)
    body = (
        f"token={token}&email=a%40example.org%00&given_name=%ED%A0%80%00%01"
        "&url=https%3A%2F%2Fx.example%2F%3Frefcode%3D%2500bad&q_x=1&q_x=2&%00=%00"
    )
    response = submit(client, body)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        submission = Submission.objects.get()
        assert "\x00" not in submission.refcode + json.dumps(submission.data)


def test_only_post_submits(client, newsletter):
    response = client.get("/embed/newsletter/submit", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert client.post("/embed/newsletter/config", headers={"Origin": ORIGIN}).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_surge_of_sign_ups_enqueues_one_deferred_processing_task(client, newsletter, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for index in range(5):
        assert sign_up(client, token_for(client), email=f"s{index}@example.org").status_code == 201
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("submissions_process_pending")
    # It starts after the window in which the other sign-ups skipped enqueueing: all are drained.
    assert task.run_after > timezone.now()
    assert Submission.objects.filter(status="received").count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_racing_duplicate_outside_a_transaction_is_the_first_sign_up(newsletter):
    from groundswell.actions.services import submission_receive

    data = {"email": "race@example.org"}
    first, created = submission_receive(page=newsletter, token="race", data=data)
    # The second request passed the duplicate check before the first was stored.
    with mock.patch("django.db.models.QuerySet.exists", return_value=False):
        second, again = submission_receive(page=newsletter, token="race", data=data)
    assert created and not again and second.pk == first.pk
    assert Submission.objects.count() == 1
