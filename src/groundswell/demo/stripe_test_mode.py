"""The demo's donation pages in test mode: gifts go to the local Stripe double (a child process
on a loopback port) or, when the operator set them, to Stripe's own test keys.

`groundswell demo` calls ``stripe_test_mode_start`` before it serves; the server's processes
inherit the environment it returns. Settings refuse test mode outside the demo and with live keys
(``config.env.stripe_test_mode_check``); this module refuses live keys before starting anything.
Run as ``python -m groundswell.demo.stripe_test_mode``, it is that child: it prints the
double's address, then serves until its parent (the demo) is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass

from groundswell.donations.testing.stripe_double import StripeDouble

# The variable settings read (config.env.STRIPE_TEST_MODE_VAR; demo sits beside config and does
# not import it, so a test checks the two agree).
STRIPE_TEST_MODE_VAR = "GROUNDSWELL_STRIPE_TEST_MODE"

# The double's keys: test-mode keys of a local stand-in, not secrets.
DOUBLE_SECRET_KEY = "sk_test_groundswell_demo_double"  # noqa: S105
DOUBLE_PUBLISHABLE_KEY = "pk_test_groundswell_demo_double"
DOUBLE_WEBHOOK_SECRET = "whsec_groundswell_demo_double"  # noqa: S105
TEST_CARD = "4242 4242 4242 4242"


class LiveKeysRefused(Exception):
    """The operator's Stripe keys are live: the demo never takes real money."""


@dataclass
class StripeTestMode:
    env: dict[str, str]  # what the server's processes need in their environment
    child: subprocess.Popen | None  # the double, when the demo runs one
    how: str  # a sentence for the demo's start-up message

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.child.kill()


def stripe_test_mode_start(*, bind: str, environ: dict[str, str] | None = None) -> StripeTestMode:
    """Test mode for the demo's server: Stripe's test keys if set, else a local double."""
    environ = os.environ if environ is None else environ
    secret = environ.get("STRIPE_SECRET_KEY", "")
    publishable = environ.get("STRIPE_PUBLISHABLE_KEY", "")
    if secret or publishable:
        if not (secret.startswith("sk_test_") and publishable.startswith("pk_test_")):
            raise LiveKeysRefused(
                "The demo's donation pages run in test mode and refuse live Stripe keys: unset "
                "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY, or use your sk_test_/pk_test_ keys."
            )
        return StripeTestMode(env={STRIPE_TEST_MODE_VAR: "1"}, child=None, how="Stripe's test mode")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groundswell.demo.stripe_test_mode",
            f"http://{bind}/webhooks/stripe/",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = (child.stdout.readline() if child.stdout else "").strip()
    if not url.startswith("http://127.0.0.1:"):
        child.kill()
        raise RuntimeError("the local Stripe double did not start")
    env = {
        STRIPE_TEST_MODE_VAR: "1",
        "STRIPE_SECRET_KEY": DOUBLE_SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": DOUBLE_PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": DOUBLE_WEBHOOK_SECRET,
        "STRIPE_API_BASE": url,
        "STRIPE_JS_URL": f"{url}/js/stripe.js",
    }
    return StripeTestMode(env=env, child=child, how="a local Stripe stand-in")


def _serve(webhook_url: str) -> None:
    double = StripeDouble(
        secret_key=DOUBLE_SECRET_KEY,
        publishable_key=DOUBLE_PUBLISHABLE_KEY,
        webhook_secret=DOUBLE_WEBHOOK_SECRET,
        webhook_url=webhook_url,
    ).start()
    print(double.url, flush=True)
    parent = os.getppid()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # Ends with the demo, even one killed with -9 (a new parent means the old one is gone).
    while not stop.wait(1.0) and os.getppid() == parent:
        pass
    double.stop()


if __name__ == "__main__":
    _serve(sys.argv[1] if len(sys.argv) > 1 else "")
