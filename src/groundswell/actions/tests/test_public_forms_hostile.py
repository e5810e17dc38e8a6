"""A public action page's form under hostile posts: never a server error, sign-ups kept once.

A property-based suite (Hypothesis) posts 10,000 generated form bodies to a petition: valid
signatures (each stored exactly once, also when posted twice) mixed with hostile ones: NUL
and lone surrogates percent-encoded or raw, invalid UTF-8, overlong and unknown fields,
repeated fields, thousands of fields, cut bodies and noise.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groundswell.actions.models import ActionPage, CustomQuestion, Submission
from groundswell.actions.tests.hostile_forms import submissions_kept_once, suite_run
from groundswell.core.tests.hostile import HOSTILE_TEXT, REQUIRED_SUITE

URL = "/a/fund-schools/"
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
FIELDS = ["given_name", "family_name", "email", "postal_code", "q_why", "q_grade", "token"]
EXTRA = [
    "website",
    "refcode",
    "utm_source",
    "referrer",
    "variant",
    "q_unknown",
    "csrfmiddlewaretoken",
]
# A required name is a name: letters in any script (control characters are dropped, and a
# name of nothing but them is missing).
NAMES = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12)
SALT = [b"%00", b"%ED%A0%80", b"%FF", b"%", b"%G0", b"\x00", b"\xff", b"&&", b"==", b";"]


pytestmark = pytest.mark.usefixtures("rate_limits_off")


def _encode(text: str) -> str:
    # A lone surrogate cannot be UTF-8: a browser sends its replacement; so does this.
    return quote(text.encode("utf-8", errors="replace"))


@st.composite
def signatures(draw) -> dict[str, str]:
    """A valid petition signature, with a fresh form token."""
    local = draw(st.text(alphabet=ALNUM, min_size=1, max_size=20))
    return {
        "given_name": draw(NAMES),
        "family_name": draw(st.text(max_size=12)),
        "email": f"{local}@example.org",
        "postal_code": draw(st.sampled_from(["", "62701", "10001-1234"])),
        "q_why": draw(st.text(max_size=40)),
        "q_grade": draw(st.sampled_from(["", "K-5", "6-8", "9-12"])),
        "token": draw(st.text(alphabet=ALNUM, min_size=16, max_size=24)),
        "website": "",
    }


@st.composite
def form_bodies(draw) -> tuple[dict, bytes, bool]:
    """(the valid signature, the bytes to post, whether they are it untouched)."""
    valid = draw(signatures())
    encode = lambda fields: "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)  # noqa: E731
    if draw(st.integers(0, 9)) < 3:
        return valid, encode(valid.items()).encode(), True
    fields = list(valid.items())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["set", "set", "delete", "add", "repeat"]))
        name = draw(st.sampled_from(FIELDS + EXTRA))
        value = draw(HOSTILE_TEXT | st.text(max_size=12))
        if kind == "delete":
            fields = [(k, v) for k, v in fields if k != name]
        elif kind == "set":
            fields = [(k, value if k == name else v) for k, v in fields]
        else:
            fields.append((name if kind == "repeat" else draw(HOSTILE_TEXT), value))
    raw = encode(fields).encode()
    how = draw(st.sampled_from(["none", "none", "salt", "cut", "noise", "many"]))
    if how == "salt":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(SALT)) + raw[at:]
    elif how == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif how == "noise":
        raw = draw(st.binary(max_size=64))
    elif how == "many":
        raw += b"&" + urlencode([("x", "1")] * draw(st.integers(900, 1200))).encode()
    return valid, raw, False


@pytest.mark.django_db
def test_ten_thousand_generated_posts_get_no_server_error_and_signatures_are_kept_once():
    page = ActionPage.objects.create(
        kind="petition",
        slug="fund-schools",
        title="Fund our schools",
        fields={"given_name": "required", "family_name": "optional", "postal_code": "optional"},
    )
    CustomQuestion.objects.create(page=page, key="why", label="Why?", kind="long_text", order=0)
    CustomQuestion.objects.create(
        page=page, key="grade", label="Grade", kind="choice", choices=["K-5", "6-8", "9-12"]
    )
    client = Client()
    sent = {"posts": 0, "stored": 0, "refused": 0}

    @REQUIRED_SUITE
    @given(form_bodies())
    def property_holds(case):
        valid, raw, pristine = case
        with transaction.atomic():
            post = lambda: client.post(  # noqa: E731
                URL, data=raw, content_type="application/x-www-form-urlencoded"
            )
            response = post()
            sent["posts"] += 1
            assert response.status_code in (302, 400), response.status_code
            if response.status_code == 302:
                assert post().status_code == 302
                submissions = submissions_kept_once()
                if pristine:
                    sent["stored"] += 1
                    assert [s.token for s in submissions] == [valid["token"]]
            else:
                assert not pristine, response.content[:2000]
                sent["refused"] += 1
                assert not Submission.objects.exists()
            transaction.set_rollback(True)

    suite_run(property_holds, sent, label="Public form", total="posts")


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["\u00b2", "\u0663", "9" * 30])
def test_a_variant_of_odd_digits_is_ignored_not_a_server_error(client, variant):
    ActionPage.objects.create(kind="petition", slug="fund-schools", title="Fund our schools")
    data = {"email": "ada@example.org", "given_name": "Ada", "token": "t" * 20, "variant": variant}
    response = client.post(URL, data)
    assert response.status_code == 302
    assert Submission.objects.get().variant_id is None
