"""The demo's donation pages in test mode: impossible outside the demo, never with live keys, and
said on every donation page; the demo's local Stripe double starts and stops with it."""

from __future__ import annotations

import urllib.request

import pytest

from groundswell.config import env
from groundswell.config.env import SettingError, stripe_test_mode_check
from groundswell.demo import stripe_test_mode
from groundswell.demo.stripe_test_mode import LiveKeysRefused, stripe_test_mode_start
from groundswell.donations.models import DonationPage

BANNER = "Test mode — no real money."


def test_the_demo_sets_the_variable_the_settings_read():
    assert stripe_test_mode.STRIPE_TEST_MODE_VAR == env.STRIPE_TEST_MODE_VAR


def test_test_mode_outside_the_demo_refuses_to_start():
    with pytest.raises(SettingError, match="only for the demo"):
        stripe_test_mode_check(test_mode=True, demo=False, secret_key="", publishable_key="")


@pytest.mark.parametrize(
    ("secret", "publishable"),
    [
        ("sk_live_abc", "pk_test_abc"),
        ("sk_test_abc", "pk_live_abc"),
        ("rk_live_abc", ""),
        ("anything", ""),
    ],
)
def test_test_mode_refuses_live_keys(secret, publishable):
    with pytest.raises(SettingError, match="refuses live Stripe keys"):
        stripe_test_mode_check(
            test_mode=True, demo=True, secret_key=secret, publishable_key=publishable
        )


def test_test_mode_in_the_demo_takes_test_keys_and_without_test_mode_nothing_is_checked():
    stripe_test_mode_check(
        test_mode=True, demo=True, secret_key="sk_test_a", publishable_key="pk_test_a"
    )
    stripe_test_mode_check(
        test_mode=False, demo=False, secret_key="sk_live_a", publishable_key="pk_live_a"
    )


def test_the_demo_refuses_to_start_test_mode_with_live_keys():
    environ = {"STRIPE_SECRET_KEY": "sk_live_real", "STRIPE_PUBLISHABLE_KEY": "pk_live_real"}
    with pytest.raises(LiveKeysRefused, match="refuse live Stripe keys"):
        stripe_test_mode_start(bind="127.0.0.1:8000", environ=environ)


def test_the_demo_uses_stripes_test_keys_when_they_are_set():
    environ = {"STRIPE_SECRET_KEY": "sk_test_mine", "STRIPE_PUBLISHABLE_KEY": "pk_test_mine"}
    mode = stripe_test_mode_start(bind="127.0.0.1:8000", environ=environ)
    assert mode.child is None
    assert mode.env == {"GROUNDSWELL_STRIPE_TEST_MODE": "1"}


def test_without_keys_the_demo_runs_a_local_stripe_double_as_a_child_process():
    mode = stripe_test_mode_start(bind="127.0.0.1:8000", environ={})
    try:
        assert mode.env["GROUNDSWELL_STRIPE_TEST_MODE"] == "1"
        assert mode.env["STRIPE_SECRET_KEY"].startswith("sk_test_")
        assert mode.env["STRIPE_API_BASE"].startswith("http://127.0.0.1:")
        with urllib.request.urlopen(mode.env["STRIPE_JS_URL"], timeout=5) as answer:  # noqa: S310
            assert b"Stripe" in answer.read()
        stripe_test_mode_check(
            test_mode=True,
            demo=True,
            secret_key=mode.env["STRIPE_SECRET_KEY"],
            publishable_key=mode.env["STRIPE_PUBLISHABLE_KEY"],
        )
    finally:
        mode.stop()
    assert mode.child.poll() is not None


@pytest.mark.django_db
def test_every_donation_page_says_test_mode_only_in_test_mode(client, settings):
    DonationPage.objects.create(slug="give", title="Give", is_published=True)
    pages = ("/donate/give/", "/donate/give/thanks/")
    for path in pages:
        assert BANNER not in client.get(path).content.decode(), path
    settings.STRIPE_TEST_MODE = True
    for path in pages:
        assert BANNER in client.get(path).content.decode(), path
