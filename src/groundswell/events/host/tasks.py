"""Host-your-own's background tasks; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from groundswell.events.host.services import host_approval_send, host_message_deliver_now


@task()
def host_approval_deliver(event_id: int) -> bool:
    """Mail the host of a newly approved event their host link."""
    return host_approval_send(event_id=event_id)


@task()
def host_message_deliver(message_id: int) -> int:
    """Send a host's recorded message to the event's registered attendees."""
    return host_message_deliver_now(message_id=message_id)
