"""The volunteer forms and the ladder's lists under generated and hostile input: saved, or a
4xx with a reason, never a server error. Each example runs in a savepoint rolled back."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.events.ladder.tests.conftest_ladder import event_of, shift_of, someone

STAFF_SUITE = hypothesis_settings(parent=SUITE, max_examples=max(SUITE.max_examples // 20, 50))
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "\x00", "\ud800", "a\x00b", "x" * 600, "-1", "<script>x</script>"]),
)
FIELDS = ("skills", "availability", "languages", "interests", "notes")


def _post(client: Client, url: str, pairs: list[tuple[str, str]]):
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def _rolled_back(run):
    with transaction.atomic():
        response = run()
        transaction.set_rollback(True)
    return response


@pytest.fixture
def organizer(make_user, db):
    client = Client()
    client.force_login(make_user("organizer"))
    return client


@pytest.mark.django_db
def test_the_profile_form_and_the_assignment_answer_hostile_input_without_a_server_error(
    organizer,
):
    person = someone("Quintessa")
    shift = shift_of(event_of("canvass"), starts_at=timezone.now() + timedelta(days=2))
    profile_url = reverse("events_staff:volunteer_profile", args=[person.pk])
    assign_url = reverse("events_staff:volunteer_assign", args=[person.pk])

    @STAFF_SUITE
    @given(
        values=st.lists(HOSTILE_TEXT, min_size=len(FIELDS), max_size=len(FIELDS)),
        shift_value=st.one_of(HOSTILE_TEXT, st.just(str(shift.pk))),
        page=HOSTILE_TEXT,
    )
    def run(values, shift_value, page):
        pairs = list(zip(FIELDS, values, strict=True))
        saved = _rolled_back(lambda: _post(organizer, profile_url, pairs))
        assert saved.status_code in (200, 302, 400)
        assigned = _rolled_back(lambda: _post(organizer, assign_url, [("shift", shift_value)]))
        assert assigned.status_code in (302, 400)
        for name, args in (("ladder_next", ["attendees-to-volunteers"]), ("volunteers", [])):
            query = urlencode({"page": page}, encoding="utf-8", errors="surrogatepass")
            listed = organizer.get(f"{reverse(f'events_staff:{name}', args=args)}?{query}")
            assert listed.status_code in (200, 400)

    run()
