"""The API under hostile input: generated bodies and filters never cause a server error, a
valid signup is stored once (and found again when sent twice), and a refused body writes
nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from groundswell.api.services import api_key_create
from groundswell.core.tests.hostile import (
    EXAMPLES,
    HOSTILE_TEXT,
    SUITE,
    clean_for_postgres,
    hostile_body,
)
from groundswell.people.models import ConsentEvent, EmailAddress, Person, Tag, Tagging

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
# Each example is rolled back but the rate limits' counts are not: the suites run without them.
pytestmark = pytest.mark.usefixtures("rate_limits_off")

signups = st.fixed_dictionaries(
    {
        "person": st.fixed_dictionaries(
            {
                "given_name": st.text(max_size=12),  # controls, NUL and odd scripts: cleaned
                "family_name": st.sampled_from(["Quorrel", "O'Vane", "<b>Ferris</b>", ""]),
                "email_addresses": st.lists(
                    st.fixed_dictionaries(
                        {
                            "address": st.text(alphabet=ALNUM, min_size=1, max_size=16).map(
                                lambda local: f"{local}@example.org"
                            ),
                            "status": st.sampled_from(["subscribed", "unsubscribed"]),
                        }
                    ),
                    min_size=1,
                    max_size=1,
                ),
                "postal_addresses": st.just(
                    [{"address_lines": ["12 Example Row"], "region": "OH", "postal_code": "43215"}]
                ),
                "custom_fields": st.dictionaries(
                    st.sampled_from(["shirt", "team"]), st.text(max_size=8), max_size=2
                ),
            }
        ),
        "add_tags": st.lists(st.sampled_from(["volunteer", "canvass"]), max_size=2),
    }
)


@pytest.fixture
def key(db, make_user):
    user = make_user("finance", username="hostile-sync")
    return api_key_create(name="hostile", user=user, actor=user)[1]


def _stored_cleanly() -> None:
    for person in Person.objects.all():
        assert clean_for_postgres(f"{person.given_name}{person.family_name}{person.custom_fields}")


def test_generated_signup_bodies_get_no_server_error_and_valid_ones_are_kept_once(client, key):
    sent = {"bodies": 0, "stored": 0, "refused": 0}

    @SUITE
    @given(hostile_body(signups))
    def property_holds(case):
        body, raw, pristine = case
        with transaction.atomic():
            response = client.post(
                "/api/v2/people/",
                data=raw,
                content_type="application/json",
                HTTP_OSDI_API_TOKEN=key,
            )
            sent["bodies"] += 1
            assert response.status_code in (200, 201, 400), response.content
            if response.status_code == 400:
                sent["refused"] += 1
                assert "error" in response.json()
                # Refused: nothing of it was written.
                assert not Person.objects.exists() and not ConsentEvent.objects.exists()
                assert not Tagging.objects.exists()
            else:
                again = client.post(
                    "/api/v2/people/",
                    data=raw,
                    content_type="application/json",
                    HTTP_OSDI_API_TOKEN=key,
                )
                assert again.status_code == 200, again.content
                assert Person.objects.count() == 1
                assert again.json()["identifiers"] == response.json()["identifiers"]
                _stored_cleanly()
            if pristine:
                sent["stored"] += 1
                assert response.status_code == 201, response.content
                address = body["person"]["email_addresses"][0]["address"]
                assert EmailAddress.objects.filter(address=address).count() == 1
                assert set(
                    Tag.objects.filter(people__isnull=False).values_list("name", flat=True)
                ) == set(body["add_tags"])
            transaction.set_rollback(True)

    property_holds()
    assert sent["bodies"] >= EXAMPLES
    assert min(sent["stored"], sent["refused"]) >= EXAMPLES // 10


FILTER_PARTS = st.sampled_from(
    [
        "modified_date",
        "created_date",
        "region",
        "email_address",
        "employer",
        "eq",
        "gt",
        "lt",
        "ge",
        "and",
        "or",
        "not",
        "'",
        "''",
        "'2026-11-01'",
        "'2026-02-30'",
        "'9999-12-31T23:59:59-23:59'",
        "'CA'",
        "(",
        ")",
        " ",
        "  ",
        "\t",
    ]
)


def test_generated_filters_and_page_numbers_get_no_server_error(client, key):
    @SUITE
    @given(
        st.lists(st.one_of(FILTER_PARTS, HOSTILE_TEXT), max_size=12).map(" ".join),
        st.one_of(HOSTILE_TEXT, st.integers(-5, 10**12).map(str)),
        st.one_of(HOSTILE_TEXT, st.integers(-5, 10**6).map(str)),
        st.sampled_from(["/api/v2/people/", "/api/v2/tags/"]),
    )
    def property_holds(text, page, per_page, path):
        # Encoded by hand: a lone surrogate is sent as the bytes a careless client would send.
        query = "&".join(
            f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}"
            for name, value in (("filter", text), ("page", page), ("per_page", per_page))
        )
        response = client.get(f"{path}?{query}", HTTP_OSDI_API_TOKEN=key)
        assert response.status_code in (200, 400), response.content
        if response.status_code == 200:
            assert 1 <= response.json()["per_page"] <= 100

    property_holds()


def test_generated_signature_bodies_get_no_server_error_and_valid_ones_sign_once(client, key):
    from hypothesis import settings as hypothesis_settings

    from groundswell.actions.models import ActionPage, Submission

    page = ActionPage.objects.create(
        kind="petition",
        slug="hostile-petition",
        title="Hostile",
        headline="Sign",
        fields={"postal_code": "required"},
    )
    url = f"/api/v2/petitions/{page.pk}/signatures/"
    sent = {"bodies": 0, "stored": 0, "refused": 0}

    # A quarter of the people suite's count: the body is read by the same code, and the
    # form's validation has its own 10,000-body suite (actions/tests).
    @hypothesis_settings(SUITE, max_examples=max(50, EXAMPLES // 4))
    @given(hostile_body(signups))
    def property_holds(case):
        body, raw, pristine = case
        with transaction.atomic():
            response = client.post(
                url, data=raw, content_type="application/json", HTTP_OSDI_API_TOKEN=key
            )
            sent["bodies"] += 1
            assert response.status_code in (200, 201, 400), response.content
            if response.status_code == 400:
                sent["refused"] += 1
                assert not Submission.objects.exists() and not Person.objects.exists()
            else:
                again = client.post(
                    url, data=raw, content_type="application/json", HTTP_OSDI_API_TOKEN=key
                )
                assert again.status_code == 200, again.content
                assert Submission.objects.count() == 1 and Person.objects.count() == 1
                _stored_cleanly()
            if pristine:
                sent["stored"] += 1
                assert response.status_code == 201, response.content
            transaction.set_rollback(True)

    property_holds()
    assert min(sent["stored"], sent["refused"]) >= max(50, EXAMPLES // 4) // 10
