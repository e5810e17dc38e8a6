"""Message planning's test world reuses the mailings fixtures (a sender, a segment, mailings)."""

import pytest

from groundswell.analytics.tests.conftest import extract_file  # noqa: F401 (a fixture)
from groundswell.mailings.tests.conftest import (  # noqa: F401 (fixtures)
    everyone,
    mailing_make,
    sender,
)


@pytest.fixture(autouse=True)
def forms_offline(settings):
    """The world's forms come from one test: no rate limit, no DNS lookup of their domains."""
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9
