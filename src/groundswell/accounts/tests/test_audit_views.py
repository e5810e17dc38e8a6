"""The audit log page: admins only, newest first, filtered by action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record

AUDIT = reverse("accounts:audit")


@pytest.fixture
def events(admin_user):
    audit_record(
        actor=admin_user, action=AuditEvent.Action.EXPORT, summary="exported 12 people to CSV"
    )
    audit_record(actor=admin_user, action=AuditEvent.Action.MERGE, summary="merged #3 into #4")


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_only_an_admin_sees_the_audit_log(persona_client, events, role):
    assert persona_client(role).get(AUDIT).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, events):
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_admin_sees_every_event_with_who_and_what(persona_client, events):
    page = persona_client("admin").get(AUDIT).content.decode()
    assert "exported 12 people to CSV" in page
    assert "merged #3 into #4" in page
    assert "admin-user" in page
    assert page.index("merged #3 into #4") < page.index("exported 12 people")  # newest first


def test_the_audit_log_filters_by_action(persona_client, events):
    page = persona_client("admin").get(AUDIT, {"action": "export"}).content.decode()
    assert "exported 12 people to CSV" in page
    assert "merged #3 into #4" not in page


def test_the_audit_log_is_paginated_with_the_filter_kept(persona_client, admin_user):
    for index in range(60):
        audit_record(actor=admin_user, action=AuditEvent.Action.EXPORT, summary=f"export {index}")
    client = persona_client("admin")
    page = client.get(AUDIT, {"action": "export"}).content.decode()
    assert "?action=export&amp;page=2" in page
    assert "export 59<" in page and "export 9<" not in page
    second = client.get(AUDIT, {"action": "export", "page": 2}).content.decode()
    assert "export 9<" in second


def test_an_empty_audit_log_says_so(persona_client):
    page = persona_client("admin").get(AUDIT).content.decode()
    assert "Nothing logged" in page
