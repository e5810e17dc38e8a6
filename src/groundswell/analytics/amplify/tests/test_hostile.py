"""Hostile input: any code on the public link, anything in the post form."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics.amplify.forms import PostForm
from groundswell.analytics.amplify.models import LinkClick, ShareLink
from groundswell.analytics.amplify.networks import X_LIMIT, x_length
from groundswell.analytics.amplify.targets import path_is_ours, targets_available
from groundswell.core.tests.hostile import SUITE, clean_for_postgres

pytestmark = pytest.mark.django_db

# The fixtures only seed rows each example reads; what an example writes (a click) is not
# asserted on by the next, so sharing them across examples is safe.
HOSTILE = hypothesis_settings(
    SUITE,
    suppress_health_check=[*SUITE.suppress_health_check, HealthCheck.function_scoped_fixture],
)

CODES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="ABCxyz019", min_size=10, max_size=10),
    st.sampled_from(["..", "%2F%2Fevil.example", "Code000001", "//evil", "\x00", "a" * 500]),
)


@pytest.fixture
def known(post, volunteer_user):
    return ShareLink.objects.create(post=post, user=volunteer_user, code="Code000001")


@HOSTILE
@given(code=CODES, agent=st.text(max_size=300))
def test_the_public_link_answers_any_code_with_our_page_or_a_404(known, code, agent):
    response = Client().get(
        f"/s/{quote(code, safe='')}/",
        HTTP_USER_AGENT=agent.encode("utf-8", "replace").decode("latin-1"),
    )
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert code == known.code
        location = response["Location"]
        assert path_is_ours(location) and location.startswith(
            f"{known.post.target_path}?refcode=amp-"
        )


def test_a_link_whose_stored_address_is_not_ours_never_redirects(client, known):
    for bad in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        known.post.target_path = bad
        known.post.save()
        assert client.get("/s/Code000001/", HTTP_USER_AGENT="Mozilla/5.0").status_code == 404
    assert not LinkClick.objects.exists()


FORM_TEXT = st.one_of(
    st.text(max_size=400), st.sampled_from(["", " ", "x" * 280, "\x00", "\ud800"])
)


@HOSTILE
@given(
    text=FORM_TEXT,
    hashtags=st.one_of(st.text(max_size=120), st.sampled_from(["#a #b", "#" * 60, "a,b,,c"])),
    target=st.one_of(
        st.text(max_size=60), st.sampled_from(["/a/clean-river/", "/", "//evil.example/"])
    ),
    networks=st.lists(
        st.sampled_from(["x", "facebook", "bluesky", "email", "myspace", ""]), max_size=4
    ),
    starts=st.sampled_from(["2026-01-01T09:00", "", "nonsense", "0001-01-01T00:00"]),
    ends=st.sampled_from(["", "2025-01-01T09:00", "2027-01-01T09:00", "9999-12-31T23:59"]),
)
def test_the_post_form_accepts_only_posts_that_fit_and_link_to_our_pages(
    petition, text, hashtags, target, networks, starts, ends
):
    form = PostForm(
        data={
            "text": text,
            "hashtags": hashtags,
            "target": target,
            "networks": networks,
            "starts_at": starts,
            "ends_at": ends,
        }
    )
    if not form.is_valid():
        return
    data = form.cleaned_data
    assert data["target_path"] in {t.path for t in targets_available()}
    assert path_is_ours(data["target_path"])
    assert data["text"] and len(data["text"]) <= 280 and "\x00" not in data["text"]
    assert clean_for_postgres(data["text"]) and clean_for_postgres(data["hashtags"])
    if "x" in data["networks"]:
        assert x_length(data["text"], data["hashtags"].split()) <= X_LIMIT
    assert data["ends_at"] is None or data["ends_at"] > data["starts_at"]


def test_the_share_page_reads_nonsense_in_its_query_string(client, volunteer_user, post):
    client.force_login(volunteer_user)
    url = reverse("analytics:amplify:share_page")
    for query in ("?page=%00", "?page=-5&start=2026-02-30", "?start=" + "9" * 400):
        assert client.get(url + query).status_code == 200


def test_an_out_of_range_post_number_is_a_404_not_a_500(client, organizer_user, post):
    client.force_login(organizer_user)
    huge = "9" * 30
    assert client.get(f"/analytics/amplify/posts/{huge}/").status_code == 404
    assert client.post(f"/analytics/amplify/posts/{huge}/archive/").status_code == 404
    assert client.post(f"/analytics/amplify/share/{huge}/", {"network": "x"}).status_code == 404
