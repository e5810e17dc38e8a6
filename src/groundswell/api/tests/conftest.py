import pytest
from django.test import Client

from groundswell.api.services import api_key_create


@pytest.fixture
def api(db, make_user):
    """A client for one role: ``api("organizer")`` sends that role's key with every request."""

    def make(role: str, username: str | None = None) -> Client:
        user = make_user(role, username=username or f"{role}-api")
        admin = make_user("admin", username="key-issuer")
        _, secret = api_key_create(name=f"{role} sync", user=user, actor=admin)
        client = Client(headers={"OSDI-API-Token": secret})
        client.secret = secret
        client.user = user
        return client

    return make
