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


@pytest.fixture
def rate_limits_off(settings):
    """For the hostile suites: each example is rolled back but the rate limits' counts are
    not (the limits are tested with the forms), and no example waits on a DNS lookup."""
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9
    settings.GROUNDSWELL_API_RATE_PER_MINUTE = 10**9
