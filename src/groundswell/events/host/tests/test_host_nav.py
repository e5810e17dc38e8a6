"""The public nav's Events link, lent by the events app through ``actions.site``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.events.models import EventStatus
from groundswell.events.tests.conftest_public import event_make, shift_make

pytestmark = pytest.mark.django_db


def _nav(client) -> str:
    html = client.get(reverse("public:home")).content.decode()
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_public_nav_links_to_events_while_an_upcoming_public_event_exists(client):
    shift_make(event_make())
    assert f'href="{reverse("events:list")}">Events<' in _nav(client)


def test_the_public_nav_has_no_events_link_when_only_past_or_unpublished_events_exist(client):
    shift_make(event_make(), days=-2)
    shift_make(event_make(status=EventStatus.PROPOSED))
    assert ">Events<" not in _nav(client)
