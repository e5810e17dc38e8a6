"""Fixtures of the donations tests: a local Stripe double the Stripe code talks to over HTTP."""

from __future__ import annotations

import pytest

from groundswell.donations.testing.stripe_double import StripeDouble


@pytest.fixture
def stripe_double(settings):
    """A running Stripe double, with the Stripe settings pointing at it (see double_running)."""
    yield from double_running(settings)


def double_running(settings):
    """Run a Stripe double with the Stripe settings pointing at it, until the test ends.

    Its webhooks go nowhere until a test sets ``stripe_double.webhook_url`` (to a live server's
    /webhooks/stripe/). The page loads Stripe.js from the double here; in production it loads
    it from js.stripe.com: PCI requires the card field to come from the processor itself, the
    one thing on our pages not served by us.
    """
    double = StripeDouble(
        secret_key="sk_test_groundswell_double",
        publishable_key="pk_test_groundswell_double",
        webhook_secret="whsec_groundswell_double",
    ).start()
    settings.STRIPE_SECRET_KEY = double.secret_key
    settings.STRIPE_PUBLISHABLE_KEY = double.publishable_key
    settings.STRIPE_WEBHOOK_SECRET = double.webhook_secret
    settings.STRIPE_API_BASE = double.url
    settings.STRIPE_JS_URL = double.js_url
    yield double
    double.stop()
