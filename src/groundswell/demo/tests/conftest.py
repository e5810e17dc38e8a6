"""Fixtures of the demo's tests."""

from __future__ import annotations

import pytest

from groundswell.demo.stripe_test_mode import stripe_test_mode_start
from groundswell.mailings.tests.conftest import smtp_sink  # noqa: F401 (fixture of the mailing walk)


@pytest.fixture
def demo_test_mode(settings):
    """The demo's test mode, started as `groundswell demo` starts it, for this live server."""
    # The double's webhooks go to a closed port: the browser's return records the gift, and on
    # the test's in-memory SQLite a webhook landing in the same instant hits a table lock that
    # a real database waits out (their race is tested in donations/pages/tests/test_stripe.py).
    mode = stripe_test_mode_start(bind="127.0.0.1:9", environ={})
    for name, value in mode.env.items():
        if name.startswith("STRIPE_"):
            setattr(settings, name, value)
    settings.STRIPE_TEST_MODE = True
    settings.GROUNDSWELL_CHECK_MX = False
    yield mode
    mode.stop()
