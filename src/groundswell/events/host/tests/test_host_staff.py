"""The organizers' page of a hosted event's link and messages: reading needs EVENTS_VIEW, revoking
and sending a new link need EVENTS_MANAGE, and a revoked link stops opening the host page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.events.host import services as host_services
from groundswell.events.host.models import EventHostKey, EventHostMessage
from groundswell.events.host.tests.conftest_host import hosted_event
from groundswell.events.tests.conftest_notices import inbox_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


def test_organizers_see_the_host_link_state_and_the_hosts_messages(client, make_user):
    event, _, key = hosted_event()
    EventHostMessage.objects.create(event=event, key=key, subject="Parking <b>tip</b>", body="x")
    client.force_login(make_user("organizer"))
    page = client.get(reverse("events_staff:host", args=[event.pk])).content.decode()
    assert "live" in page and "Parking &lt;b&gt;tip&lt;/b&gt;" in page
    assert key.token not in page  # staff see whether a link is live, never the link itself


def test_a_volunteer_cannot_revoke_a_host_link(client, make_user):
    event, _, key = hosted_event()
    client.force_login(make_user("volunteer"))
    response = client.post(reverse("events_staff:host_revoke", args=[event.pk]))
    assert response.status_code in (302, 403)
    key.refresh_from_db()
    assert key.revoked_at is None


def test_an_organizer_revokes_the_link_and_the_host_page_stops_opening(client, make_user):
    event, _, key = hosted_event()
    client.force_login(make_user("organizer"))
    assert client.post(reverse("events_staff:host_revoke", args=[event.pk])).status_code == 302
    client.logout()
    assert client.get(reverse("events:host_page", args=[key.token])).status_code == 404
    assert AuditEvent.objects.filter(action=host_services.AUDIT_KEY).exists()


def test_sending_a_new_link_closes_the_old_one_and_mails_the_new_one(client, make_user, inbox):
    event, person, old = hosted_event()
    type(person).objects.filter(pk=person.pk).update(primary_email="newlink@example.org")
    client.force_login(make_user("organizer"))
    assert client.post(reverse("events_staff:host_resend", args=[event.pk])).status_code == 302
    old.refresh_from_db()
    new = EventHostKey.objects.get(event=event, revoked_at__isnull=True)
    assert old.revoked_at is not None and new.token != old.token
    [message] = inbox.to("newlink@example.org")
    assert new.token in message.get_content() and old.token not in message.get_content()
