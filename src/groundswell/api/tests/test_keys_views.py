"""Admins issue and revoke API keys on /api/keys/; the secret is shown once."""

from __future__ import annotations

import re

import pytest

from groundswell.accounts.models import AuditEvent
from groundswell.api.models import API_KEY_CREATE, API_KEY_REVOKE, ApiKey

pytestmark = pytest.mark.django_db


def test_an_admin_issues_a_key_that_works_once_shown_and_revokes_it(client, make_user):
    admin = make_user("admin")
    sync = make_user("organizer", username="sync-account")
    client.force_login(admin)
    assert client.get("/api/keys/").status_code == 200
    response = client.post("/api/keys/new/", {"name": "Zapier sync", "user": sync.pk})
    assert response.status_code == 200
    secret = re.search(r'id="new-secret"[^>]*>([^<]+)<', response.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert (key.name, key.user, key.created_by) == ("Zapier sync", sync, admin)
    assert secret not in client.get("/api/keys/").content.decode()  # shown only once
    assert secret not in str(list(ApiKey.objects.values()))  # kept only as a hash
    assert AuditEvent.objects.filter(action=API_KEY_CREATE, actor=admin).count() == 1

    assert client.get("/api/v2/people/", HTTP_OSDI_API_TOKEN=secret).status_code == 200
    assert client.post(f"/api/keys/{key.pk}/revoke/").status_code == 302
    assert client.get("/api/v2/people/", HTTP_OSDI_API_TOKEN=secret).status_code == 401
    assert AuditEvent.objects.filter(action=API_KEY_REVOKE).count() == 1


def test_a_key_needs_a_name_and_an_active_account(client, make_user):
    admin = make_user("admin")
    gone = make_user("organizer", username="gone")
    gone.is_active = False
    gone.save()
    client.force_login(admin)
    assert client.post("/api/keys/new/", {"name": "  ", "user": admin.pk}).status_code == 400
    assert client.post("/api/keys/new/", {"name": "Old", "user": gone.pk}).status_code == 400
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_only_admins_manage_keys(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/api/keys/").status_code == 403
    assert client.post("/api/keys/new/", {"name": "x", "user": 1}).status_code == 403
