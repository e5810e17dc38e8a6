"""The pop-up's submit endpoint under hostile bodies: never a server error, sign-ups kept once.

A property-based suite (Hypothesis) sends 10,000 generated bodies to /embed/<slug>/submit:
valid sign-ups (each must be stored exactly once, also when sent twice) mixed with hostile
mutations of them, in JSON, form encoding and content types the endpoint does not read.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.services import embed_token_make, site_get
from groundswell.actions.tests.hostile_forms import submissions_kept_once, suite_run
from groundswell.actions.views_embed import cache_clear
from groundswell.core.tests.hostile import REQUIRED_SUITE, dumps, hostile_body

ORIGIN = "https://www.campaign.example"
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
CONTENT_TYPES = ["application/json"] * 4 + ["application/x-www-form-urlencoded", "text/plain"]


pytestmark = pytest.mark.usefixtures("rate_limits_off")


def sign_ups(token: str) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            "email": st.text(alphabet=ALNUM, min_size=1, max_size=20).map(
                lambda local: f"{local}@example.org"
            ),
            "given_name": st.text(max_size=12),  # controls, NUL and odd scripts: cleaned
            "website": st.just(""),
            "token": st.just(token),
            "url": st.sampled_from(["", "https://www.campaign.example/?refcode=hostile"]),
        }
    )


@pytest.mark.django_db
def test_ten_thousand_generated_bodies_get_no_server_error_and_sign_ups_are_kept_once():
    site = site_get()
    site.embed_origins = ORIGIN
    site.save()
    page = ActionPage.objects.create(
        kind="newsletter", slug="newsletter", title="Newsletter", fields={"given_name": "optional"}
    )
    cache_clear()
    token = embed_token_make(page, ORIGIN)
    digest = hashlib.sha256(token.encode()).hexdigest()
    client = Client(headers={"Origin": ORIGIN})
    sent = {"bodies": 0, "stored": 0, "refused": 0}

    @REQUIRED_SUITE
    @given(hostile_body(sign_ups(token)), st.sampled_from(CONTENT_TYPES))
    def property_holds(case, content_type):
        body, raw, pristine = case
        if content_type != "application/json" and pristine:
            raw = urlencode(body).encode() if "form" in content_type else raw
        with transaction.atomic():
            response = client.post("/embed/newsletter/submit", data=raw, content_type=content_type)
            sent["bodies"] += 1
            assert response.status_code in (200, 201, 400, 403, 413), response.content
            if response.status_code in (200, 201):
                again = client.post("/embed/newsletter/submit", data=raw, content_type=content_type)
                submissions = submissions_kept_once()
                # The same token again: a repeat (a filled honeypot is thanked, never stored).
                assert again.status_code == (200 if submissions else 201), again.content
                if pristine and content_type != "text/plain":
                    sent["stored"] += 1
                    assert response.status_code == 201
                    assert [s.token for s in submissions] == [digest]
            else:
                assert not (pristine and content_type == "application/json"), response.content
                sent["refused"] += 1
                assert not Submission.objects.exists()
            transaction.set_rollback(True)

    suite_run(property_holds, sent, label="Pop-up", total="bodies")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b'{"email": "a@example.org", "token": ' + b"[" * 9_000 + b"]" * 9_000 + b"}",
        b'{"email": "a@example.org", "n": 1e999999}',
        b'{"email": "a@example.org", "n": ' + b"9" * 5000 + b"}",
        b'{"email": "a@example.org", "n": NaN}',
        b'{"email": "a\x00@example.org"}',
        b'{"email": "\xed\xa0\x80@example.org"}',
    ],
    ids=["deep", "far exponent", "5,000 digits", "NaN", "raw NUL", "encoded surrogate"],
)
def test_each_hostile_json_body_is_refused_as_unreadable(client, raw):
    site = site_get()
    site.embed_origins = ORIGIN
    site.save()
    ActionPage.objects.create(kind="newsletter", slug="newsletter", title="Newsletter")
    cache_clear()
    response = client.post(
        "/embed/newsletter/submit", raw, content_type="application/json", headers={"Origin": ORIGIN}
    )
    assert response.status_code == 400
    assert "could not be read" in response.json()["errors"]["form"]
    cache_clear()


def test_dumps_writes_a_lone_surrogate_as_an_escape():
    assert dumps({"a": "\ud800"}) == b'{"a": "\\ud800"}'
