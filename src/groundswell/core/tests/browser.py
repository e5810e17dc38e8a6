"""What the browser tests share: viewport sizes, the staff log-in, the no-sideways-scroll check.

Chromium is Debian's (``browser_type_launch_args`` in the root conftest); screenshots go to
``$GROUNDSWELL_SCREENSHOTS`` or a folder under the temporary directory, for a human to look at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# make_user's default password (the root conftest).
PASSWORD = "pw-for-tests-1"
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)


def staff_login(page, live_server, username: str, next_url: str) -> None:
    """Log in through the real form and wait until the page asked for has opened."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def shot(page, name: str) -> None:
    """A full-page screenshot named ``name``.png in SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page, name: str = "", *, slack: int = 0) -> bool:
    """Whether the page is no wider than the window (nothing scrolls sideways on a phone).

    ``slack`` pixels allow for sub-pixel rounding where a page's layout is fluid; ``name`` also
    saves a screenshot.
    """
    if name:
        shot(page, name)
    return page.evaluate(f"document.documentElement.scrollWidth <= window.innerWidth + {slack}")


def phone_fits(prefix: str):
    """``fits`` for one area's phone pages: ``check(page, "holds")`` saves ``<prefix>-holds-phone``
    (no screenshot without a name)."""

    def check(page, name: str = "") -> bool:
        return fits(page, f"{prefix}-{name}-phone" if name else "")

    return check
