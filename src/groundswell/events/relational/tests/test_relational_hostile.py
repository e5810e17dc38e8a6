"""The contacts form and the kiosk under generated and hostile input: saved, or a 400 with a
reason, never a server error; and a hostile contact never subscribes anyone. Each example runs
in a savepoint that is rolled back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from groundswell.events.tests.conftest_staff import event_make, shift_make
from groundswell.events.tests.test_staff_hostile import (
    HOSTILE_TEXT,
    STAFF_SUITE,
    _post,
    _rolled_back,
)
from groundswell.people.models import ConsentEvent

pytestmark = pytest.mark.django_db

RELATIONSHIPS = st.one_of(
    st.sampled_from(["family", "friend", "neighbour", "coworker", "other"]), HOSTILE_TEXT
)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_generated_contacts_are_added_or_refused_never_a_server_error(make_user):
    volunteer = _client(make_user("volunteer"))
    url = reverse("events_staff:contacts")

    @STAFF_SUITE
    @given(
        given_name=st.one_of(st.just("Averill"), HOSTILE_TEXT),
        family_name=HOSTILE_TEXT,
        email=st.one_of(st.just("averill@example.org"), HOSTILE_TEXT),
        phone=st.one_of(st.just("215-555-0134"), HOSTILE_TEXT),
        relationship=RELATIONSHIPS,
        notes=HOSTILE_TEXT,
        extra=st.sampled_from(["email_status", "sms_status", "tags", "source"]),
        extra_value=st.one_of(st.just("subscribed"), HOSTILE_TEXT),
    )
    def check(given_name, family_name, email, phone, relationship, notes, extra, extra_value):
        pairs = [
            ("given_name", given_name),
            ("family_name", family_name),
            ("email", email),
            ("phone", phone),
            ("relationship", relationship),
            ("notes", notes),
            (extra, extra_value),
        ]

        def run():
            response = _post(volunteer, url, pairs)
            assert not ConsentEvent.objects.exists(), pairs
            return response

        response = _rolled_back(run)
        assert response.status_code in (302, 400), (response.status_code, pairs)

    check()


def test_generated_kiosk_sign_ins_are_checked_in_or_refused_never_a_server_error(make_user):
    organizer = _client(make_user("organizer"))
    event = event_make(title="Hostile rally")
    shift_make(event, starts_at=timezone.now() - timedelta(hours=1), capacity=1)
    url = reverse("events_staff:kiosk", args=[event.pk])

    @STAFF_SUITE
    @given(
        given_name=st.one_of(st.just("Averill"), HOSTILE_TEXT),
        family_name=HOSTILE_TEXT,
        email=st.one_of(st.just("averill@example.org"), HOSTILE_TEXT),
        phone=st.one_of(st.just("215-555-0134"), HOSTILE_TEXT),
        postal_code=st.one_of(st.just("19103"), HOSTILE_TEXT),
        consent=st.one_of(st.sampled_from(["", "on", "true"]), HOSTILE_TEXT),
    )
    def check(given_name, family_name, email, phone, postal_code, consent):
        pairs = [
            ("given_name", given_name),
            ("family_name", family_name),
            ("email", email),
            ("phone", phone),
            ("postal_code", postal_code),
            ("email_consent", consent),
        ]
        response = _rolled_back(lambda: _post(organizer, url, pairs))
        assert response.status_code in (302, 400), (response.status_code, pairs)

    check()
