"""Hostile query parameters and hostile stored values: a clear 400 or a page, never a 500."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics.audiences.tests.world import person_make
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE
from groundswell.segments.services import segment_create

pytestmark = pytest.mark.django_db

# Each example reads people and streams two files: a twentieth of EXAMPLES (at least 50).
STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))


@pytest.mark.parametrize("size", ["abc", "-1", "0", "101", "99999999999999999999", "١٠٠", "1e3"])
def test_a_bad_seed_size_is_refused_plainly(persona_client, size):
    client = persona_client("finance")
    for url in (
        reverse("analytics:audiences:donors"),
        reverse("analytics:audiences:donors_file", args=["meta"]),
    ):
        response = client.get(url, {"size": size})
        assert response.status_code == 400 and b"The size must be one of" in response.content


def test_an_unknown_platform_is_refused(persona_client, make_user):
    segment = segment_create(name="Any", definition={}, actor=make_user("organizer"))
    response = persona_client("organizer").get(
        reverse("analytics:audiences:segment_file", args=[segment.pk, "tiktok"])
    )
    assert response.status_code == 400 and b"no such audience format" in response.content


def _encode(text: str) -> str:
    # Lone surrogates cannot be UTF-8: encoded as a browser would (replaced).
    return quote(text.encode("utf-8", errors="replace"))


def test_any_size_parameter_gives_a_page_or_a_400(make_user):
    logging.getLogger("groundswell.analytics.audiences.views").setLevel(logging.ERROR)
    client = Client()
    client.force_login(make_user("finance"))
    seen = {200: 0, 400: 0}

    @STAFF_SUITE
    @given(
        size=st.one_of(HOSTILE_TEXT, st.text(max_size=40), st.sampled_from(["100", "250"])),
        platform=st.sampled_from(["meta", "google", "x", "META"]),
    )
    def property_holds(size, platform):
        for path in ("/analytics/audiences/donors/", f"/analytics/audiences/donors/{platform}.csv"):
            response = client.get(f"{path}?size={_encode(size)}")
            assert response.status_code in (200, 400), response.status_code
            seen[response.status_code] = seen.get(response.status_code, 0) + 1

    property_holds()
    assert seen[200] and seen[400], seen


# Text a database stores (no NUL, no lone surrogates) but otherwise anything at all.
STORED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)


def test_odd_stored_values_export_without_crashing(make_user):
    organizer = make_user("organizer")
    client = Client()
    client.force_login(organizer)
    segment = segment_create(
        name="Odd",
        definition={"op": "and", "items": [{"kind": "state", "states": ["WY"]}]},
        actor=organizer,
    )

    @STAFF_SUITE
    @given(given_name=STORED, family=STORED, email=STORED, phone=STORED, zip_=STORED, city=STORED)
    def property_holds(given_name, family, email, phone, zip_, city):
        with transaction.atomic():
            person_make(
                given_name[:100],
                family[:100],
                state="WY",
                emails=[(email[:254] or "x@example.org", "subscribed")],
                phones=[(phone[:20], "unknown")],
                postal_code=zip_[:12],
                city=city[:100],
                country=zip_[:2] or "US",
            )
            page = client.get(reverse("analytics:audiences:segment", args=[segment.pk]))
            assert page.status_code == 200
            for platform in ("meta", "google"):
                url = reverse("analytics:audiences:segment_file", args=[segment.pk, platform])
                response = client.get(url)
                assert response.status_code == 200
                lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
                assert len(lines) == 1 + page.context["summary"].rows
            transaction.set_rollback(True)  # each example starts from no one in Wyoming

    property_holds()


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999999"])
def test_a_segment_number_beyond_any_row_is_not_found(persona_client, pk):
    client = persona_client("organizer")
    for path in (
        f"/analytics/audiences/segment/{pk}/",
        f"/analytics/audiences/segment/{pk}/meta.csv",
    ):
        assert client.get(path).status_code == 404
