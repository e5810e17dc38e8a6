"""The person page lists the mailings a person was sent and whether they opened and clicked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.mailings.models import Delivery, DeliveryState, Engagement
from groundswell.mailings.tests.conftest import person_make

pytestmark = pytest.mark.django_db


def _row(content: str, delivery: Delivery) -> str:
    return re.search(rf'data-delivery="{delivery.pk}">([^<]*)<', content).group(1)


def test_the_person_page_shows_each_mailing_received_with_opens_and_clicks(
    mailing_make, client, admin_user, volunteer_user
):
    wren = person_make("wren@one.example")
    spring = mailing_make(name="Spring appeal")
    summer = mailing_make(name="Summer news")
    draft = mailing_make(name="Not sent yet")
    sent_at = timezone.now() - timedelta(days=2)
    opened = Delivery.objects.create(
        mailing=spring, person=wren, address=wren.primary_email, state="sent", sent_at=sent_at
    )
    preloaded = Delivery.objects.create(
        mailing=summer, person=wren, address=wren.primary_email, state="sent", sent_at=sent_at
    )
    Delivery.objects.create(
        mailing=draft, person=wren, address=wren.primary_email, state=DeliveryState.QUEUED
    )
    for kind, hit_class in (("open", "human"), ("click", "human")):
        Engagement.objects.create(
            delivery=opened, mailing=spring, person=wren, kind=kind, hit_class=hit_class
        )
    Engagement.objects.create(
        delivery=preloaded, mailing=summer, person=wren, kind="open", hit_class="machine"
    )
    client.force_login(admin_user)
    content = client.get(reverse("people:detail", args=[wren.pk])).content.decode()
    assert "opened · clicked" in _row(content, opened)
    assert "machine hits only" in _row(content, preloaded)
    assert "opened" not in _row(content, preloaded)
    assert "Not sent yet" not in content
    assert reverse("mailings:detail", args=[spring.pk]) in content

    # A role that cannot open mailings still sees the names, without links to their pages.
    client.force_login(volunteer_user)
    response = client.get(reverse("people:detail", args=[wren.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Spring appeal" in content
    assert reverse("mailings:detail", args=[spring.pk]) not in content


def test_a_person_never_mailed_gets_an_empty_state(client, admin_user):
    wren = person_make("wren@one.example")
    client.force_login(admin_user)
    content = client.get(reverse("people:detail", args=[wren.pk])).content.decode()
    assert "No mailing has been sent to this person." in content
