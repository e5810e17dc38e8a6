"""The public site's "Events" link (``actions.site.nav_links_source_set``).

Shown only while there is something to find: a published public event with a shift ahead. The
question is one EXISTS over the (status, visibility) index and the shifts' start index, asked
once per public page; a nav link to an empty list would send visitors nowhere.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from groundswell.events.choices import EventStatus, Visibility
from groundswell.events.models import Event


def events_nav_links() -> list[tuple[str, str]]:
    upcoming = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        shifts__starts_at__gt=timezone.now(),
    ).exists()
    return [("Events", reverse("events:list"))] if upcoming else []
