"""The clean-up forms under generated and hostile input: a 4xx with a reason, never a 500.

The bulk change (action, tag, confirmed count and the list's filters in the query string), the
delete-or-erase form (action, reason, confirmation) and the list's filters (several tags, any
or all) get generated values: plausible ones, and NUL, lone surrogates, huge numbers, overlong
text, repeated keys. Each example runs in a savepoint that is rolled back.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.people.models import Person
from groundswell.people.tests.factories import person_create

# These forms are behind a staff login (admin and organizer), not open to the internet like the
# public endpoints that get EXAMPLES bodies each: a twentieth of that here, as the A/B test and
# preview forms do, keeps CI's time for the public suites.
STAFF_SUITE = hypothesis_settings(parent=SUITE, max_examples=max(SUITE.max_examples // 20, 50))

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "\x00", "\ud800", "a\x00b", "x" * 600, "1e999999", "-1", "NaN", "host", "Ohio team"]
    ),
)
COUNTS = st.one_of(
    st.integers(-(10**20), 10**20).map(str), st.sampled_from(["", "3", "2", "1e3", "\x00", "٣"])
)


def _body(pairs: list[tuple[str, str]]) -> str:
    # Lone surrogates go out as the bytes a broken client would send, not as an error here.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def _post(client: Client, url: str, pairs: list[tuple[str, str]]):
    return client.post(url, _body(pairs), content_type="application/x-www-form-urlencoded")


def _rolled_back(run):
    with transaction.atomic():
        response = run()
        transaction.set_rollback(True)
    return response


@pytest.fixture
def staff(make_user, db):
    for index, tags in enumerate(("host", "host, canvasser", "")):
        person_create(email=f"hostile{index}@example.org", state="OH", tags=tags)
    admin = Client()
    admin.force_login(make_user("admin"))
    return admin


def test_generated_bulk_changes_get_a_reason_or_are_done_never_a_server_error(staff):
    @STAFF_SUITE
    @given(
        action=st.one_of(st.sampled_from(["tag", "untag"]), HOSTILE_TEXT),
        tag_name=HOSTILE_TEXT,
        expected=COUNTS,
        state=st.one_of(st.just("OH"), HOSTILE_TEXT),
        tags=st.lists(HOSTILE_TEXT, max_size=3),
        match=HOSTILE_TEXT,
    )
    def check(action, tag_name, expected, state, tags, match):
        query = urlencode(
            [("state", state), ("match", match), *(("tag", t) for t in tags)],
            errors="surrogatepass",
        )
        url = f"{reverse('people:bulk')}?{query}"
        response = _rolled_back(
            lambda: _post(
                staff, url, [("action", action), ("tag_name", tag_name), ("expected", expected)]
            )
        )
        assert response.status_code in (302, 400, 409), response.status_code
        if action not in ("tag", "untag") or "\x00" in tag_name or not tag_name.strip():
            assert response.status_code == 400

    check()


def test_generated_delete_or_erase_forms_get_a_reason_or_are_done_never_a_server_error(staff):
    person = Person.objects.order_by("pk").first()
    url = reverse("people:remove", args=[person.pk])

    @STAFF_SUITE
    @given(
        action=st.one_of(st.sampled_from(["delete", "erase"]), HOSTILE_TEXT),
        reason=HOSTILE_TEXT,
        confirm=st.sampled_from(["on", "", "\x00", "yes"]),
        repeated=st.booleans(),
    )
    def check(action, reason, confirm, repeated):
        pairs = [("action", action), ("reason", reason), ("confirm", confirm)]
        if repeated:
            pairs += [("action", "delete"), ("reason", "\x00")]
        response = _rolled_back(lambda: _post(staff, url, pairs))
        assert response.status_code in (302, 400), response.status_code
        if not confirm or action not in ("delete", "erase") or "\x00" in reason:
            assert response.status_code == 400

    check()
    assert Person.objects.filter(pk=person.pk, erased_at__isnull=True).exists()


def test_generated_list_filters_answer_a_list_never_a_server_error(staff):
    @STAFF_SUITE
    @given(tags=st.lists(HOSTILE_TEXT, max_size=60), match=HOSTILE_TEXT, q=HOSTILE_TEXT)
    def check(tags, match, q):
        query = urlencode(
            [("q", q), ("match", match), *(("tag", t) for t in tags)], errors="surrogatepass"
        )
        response = staff.get(f"{reverse('people:list')}?{query}")
        assert response.status_code == 200

    check()
