"""Fixtures shared by the donation pages' tests of the path to give (the "chip in" ask)."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.actions.services import site_get
from groundswell.donations.models import DonationPage


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="rapid-response",
        title="Rapid response",
        amounts_cents=[300, 1000, 2700, 10000],
        is_published=True,
    )


@pytest.fixture
def default_page(donation_page):
    site = site_get()
    site.donate_page = donation_page.slug
    site.save()
    return donation_page


@pytest.fixture
def petition(db):
    return ActionPage.objects.create(
        kind="petition",
        slug="fund-schools",
        title="Fund our schools",
        headline="Fund our schools",
        button_text="Sign",
        fields={"given_name": "required"},
        published=True,
    )
