"""The newsletter pop-up embedded in a foreign website, in a real headless Chromium.

The foreign site is a tiny http.server on another 127.0.0.1 port, so the page and Groundswell
(served on localhost) are different origins and every request of the script is cross-origin.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import override_settings

from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.services import embed_token_make, site_get, submissions_process
from groundswell.actions.views_embed import cache_clear
from groundswell.core.tests.axe import axe_check
from groundswell.people.models import Activity, ConsentEvent, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
POPUP = "groundswell-popup [role=dialog]"

# A campaign's own website, with styles hostile to anything dropped into it.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rivera for Council</title>
<style>
  * { font-family: Georgia, serif; letter-spacing: .04em; }
  body { margin: 0; color: #333; background: #f4efe6; text-transform: uppercase; }
  header { background: #14213d; color: #fff; padding: 18px 32px; font-size: 22px; }
  main { max-width: 760px; margin: 32px auto; padding: 0 20px; line-height: 1.7; }
  button, input { background: hotpink; border: 4px dashed lime; padding: 0; font-size: 9px; }
  h2 { color: red; font-size: 60px; }
  div { margin: 7px; }
  p { margin: 0 0 18px; }
</style></head>
<body>
<header>Rivera for Council</header>
<main>
  <h1>Safe streets for every neighbourhood</h1>
  <p>Maria Rivera has lived on the east side for twenty years. She is running for council to
  fix our crossings, light our parks and keep the library open late.</p>
  <p><input id="search" aria-label="Search this site" placeholder="Search"></p>
  <p>Join neighbours at the town hall on Thursday. Childcare provided; everyone welcome.</p>
</main>
__SCRIPT__
</body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self):  # noqa: N802  (the http.server API)
        if self.path.split("?")[0] != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.html)))
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


@pytest.fixture
def foreign_site(live_server):
    """Start a website on another origin that includes the embed script; returns its URL."""
    servers = []

    def start(slug: str = "newsletter", tall: bool = False) -> str:
        tag = f'<script src="{live_server.url}/embed.js" data-form="{slug}" async></script>'
        html = HOST_PAGE.replace("__SCRIPT__", "")
        if tall:  # a long article, for the scroll-depth trigger, with the script in its <head>
            html = html.replace("</head>", tag + "</head>").replace(
                "</main>", '</main><div id="more" style="height:4000px"></div>'
            )
        else:
            html = html.replace("</body>", tag + "</body>")
        handler = type("Handler", (_Handler,), {"html": html.encode()})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_rate_limit_hits_from_earlier_tests():
    # Every browser test signs up from 127.0.0.1; the counters live in the shared cache.
    # (src/groundswell/conftest.py clears it, but `import *` skips its underscored fixture.)
    from django.core.cache import cache

    cache.clear()


def _allow(*origins: str) -> None:
    site = site_get()
    site.embed_origins = "\n".join(origins)
    site.primary_color = "#b5179e"
    site.save()
    cache_clear()


@pytest.fixture
def newsletter():
    return ActionPage.objects.create(
        kind="newsletter",
        slug="newsletter",
        title="Newsletter",
        headline="Get Maria's weekly update",
        intro="One short e-mail a week about the campaign and how to help. No spam, ever.",
        button_text="Sign me up",
        thank_you="You're on the list. Watch your inbox on Friday.",
        fields={"given_name": "optional"},
        tags=["newsletter"],
        trigger="delay",
        trigger_value=1,
    )


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def _inner(page, script: str):
    """Evaluate `script` with `root` bound to the pop-up's shadow root."""
    return page.evaluate(
        "() => { const root = document.querySelector('groundswell-popup').shadowRoot; "
        f"return {script}; }}"
    )


def _focus_in_dialog(page) -> bool:
    return page.evaluate(
        "() => { const host = document.querySelector('groundswell-popup');"
        " return !!host && document.activeElement === host"
        " && !!host.shadowRoot.activeElement"
        " && host.shadowRoot.querySelector('[role=dialog]')"
        ".contains(host.shadowRoot.activeElement); }"
    )


def _processed_sign_up(email: str) -> Person:
    submission = Submission.objects.get(email=email)
    if submission.status == Submission.Status.RECEIVED:
        submissions_process()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PROCESSED
    assert submission.channel == Submission.Channel.POPUP
    return submission.person


def test_a_visitor_to_a_campaign_website_signs_up_through_the_pop_up(
    page, live_server, foreign_site, newsletter, shots
):
    site = foreign_site()
    assert not site.startswith(live_server.url)  # another origin
    _allow(site)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/?refcode=homepage&utm_source=site&utm_medium=popup")
    page.focus("#search")
    dialog = page.wait_for_selector(POPUP, timeout=5000)
    assert dialog.get_attribute("aria-modal") == "true"
    assert (
        _inner(
            page,
            "root.getElementById(root.querySelector('[role=dialog]')"
            ".getAttribute('aria-labelledby')).textContent",
        )
        == "Get Maria's weekly update"
    )
    assert _focus_in_dialog(page)
    assert _inner(page, "root.activeElement.name") == "given_name"
    # The host page is the test's stand-in; the pop-up in it is ours (axe reads its shadow DOM).
    axe_check(page, include="groundswell-popup", where="the pop-up, open")

    # Tab and Shift-Tab cycle inside the dialog and never reach the page behind.
    for _ in range(6):
        page.keyboard.press("Tab")
        assert _focus_in_dialog(page)
    page.keyboard.press("Shift+Tab")
    assert _focus_in_dialog(page)

    _pop_up_keeps_its_own_style(page, shots)
    _a_bad_address_is_shown_and_announced(page, shots)

    # A double click sends once; the thank-you replaces the form.
    page.fill(f"{POPUP} input[name=email]", "ada@example.org")
    page.dblclick(f"{POPUP} button.send")
    _wait_for_thanks(page)
    assert _focus_in_dialog(page)
    page.screenshot(path=str(shots / "embed-desktop-popup-thanks.png"))
    axe_check(page, include="groundswell-popup", where="the pop-up's thank-you")

    _the_sign_up_is_recorded(site)

    # Closing returns focus to where it was; signed up, the visitor is not asked again.
    page.click(f"{POPUP} button.send:has-text('Close')")
    page.wait_for_selector("groundswell-popup", state="detached")
    assert page.evaluate("document.activeElement.id") == "search"
    assert page.evaluate("document.documentElement.style.overflow") == ""
    page.reload()
    page.wait_for_timeout(2000)
    assert page.locator("groundswell-popup").count() == 0


def _pop_up_keeps_its_own_style(page, shots):
    # The host page's styles do not reach the pop-up: our button, our fonts, readable sizes.
    style = _inner(
        page,
        "(() => { const s = getComputedStyle(root.querySelector('button.send'));"
        " const i = getComputedStyle(root.querySelector('input[name=email]'));"
        " const h = getComputedStyle(root.querySelector('h2'));"
        " return [s.backgroundColor, s.textTransform, i.fontSize, h.color, h.fontSize]; })()",
    )
    assert style == ["rgb(181, 23, 158)", "none", "16px", "rgb(17, 24, 39)", "24px"]
    # Every field has a label.
    assert _inner(
        page,
        "[...root.querySelectorAll('input:not([tabindex=\"-1\"])')]"
        ".every(i => i.labels.length === 1)",
    )
    page.screenshot(path=str(shots / "embed-desktop-popup.png"))


def _wait_for_thanks(page) -> None:
    """Wait for the thank-you; when it does not come, say what the pop-up and the database show."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(f"{POPUP} >> text=You're on the list.")
    except PlaywrightTimeout as exc:
        shown = _inner(page, "root.querySelector('[role=dialog]').innerText")
        stored = list(Submission.objects.values_list("email", "status"))
        raise AssertionError(
            f"no thank-you after 30 s; the pop-up shows {shown!r}; submissions stored: {stored}"
        ) from exc


def _a_bad_address_is_shown_and_announced(page, shots):
    # A bad address: the error is shown by the field and announced.
    page.fill(f"{POPUP} input[name=given_name]", "Ada")
    page.fill(f"{POPUP} input[name=email]", "ada-at-example")
    page.click(f"{POPUP} button.send")
    page.wait_for_selector(f"{POPUP} input[name=email][aria-invalid=true]")
    described = _inner(
        page,
        "root.getElementById(root.querySelector('input[name=email]')"
        ".getAttribute('aria-describedby')).textContent",
    )
    assert described.startswith("E-mail is not a valid e-mail address")
    assert described in _inner(page, "root.querySelector('[aria-live]').textContent")
    assert _inner(page, "root.activeElement.name") == "email"
    page.screenshot(path=str(shots / "embed-desktop-popup-error.png"))
    axe_check(page, include="groundswell-popup", where="the pop-up, showing an error")


def _the_sign_up_is_recorded(site):
    assert Submission.objects.count() == 1
    person = _processed_sign_up("ada@example.org")
    assert (person.given_name, person.email_status) == ("Ada", "subscribed")
    assert person.refcode == "homepage"
    activity = Activity.objects.get(person=person, kind="newsletter")
    assert activity.data["utm_source"] == "site" and activity.data["channel"] == "popup"
    assert activity.data["referrer"].startswith(site)
    consent = ConsentEvent.objects.get(person=person)
    assert (consent.status, consent.method) == ("subscribed", "form")
    assert list(person.tags.values_list("name", flat=True)) == ["newsletter"]


def test_on_a_phone_the_pop_up_is_a_full_width_sheet(
    browser, live_server, foreign_site, newsletter, shots
):
    site = foreign_site()
    _allow(site)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(site)
        page.wait_for_selector(POPUP, timeout=5000)
        page.wait_for_timeout(400)  # the sheet's slide-in
        box = page.locator(POPUP).bounding_box()
        assert box["width"] == PHONE["width"] and box["x"] == 0
        assert abs(box["y"] + box["height"] - PHONE["height"]) < 2  # anchored to the bottom
        sizes = _inner(
            page,
            "[...root.querySelectorAll('input:not([tabindex=\"-1\"]), button')]"
            ".map(n => [parseFloat(getComputedStyle(n).fontSize),"
            " n.getBoundingClientRect().height])",
        )
        assert all(height >= 44 for _, height in sizes)
        assert all(size >= 16 for size, _ in sizes[:-1])  # the inputs (no zoom on iOS)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / "embed-phone-popup.png"))
        page.tap(f"{POPUP} input[name=email]")
        page.fill(f"{POPUP} input[name=email]", "phone.signup@example.org")
        page.tap(f"{POPUP} button.send")
        _wait_for_thanks(page)
        page.screenshot(path=str(shots / "embed-phone-popup-thanks.png"))
        assert _processed_sign_up("phone.signup@example.org").email_status == "subscribed"
    finally:
        context.close()


def test_escape_dismisses_the_pop_up_for_good(page, live_server, foreign_site, newsletter):
    site = foreign_site()
    _allow(site)
    page.goto(site)
    page.focus("#search")
    page.wait_for_selector(POPUP, timeout=5000)
    page.keyboard.press("Escape")
    page.wait_for_selector("groundswell-popup", state="detached")
    assert page.evaluate("document.activeElement.id") == "search"
    page.reload()
    page.wait_for_timeout(2000)
    assert page.locator("groundswell-popup").count() == 0
    assert not Submission.objects.exists()


def test_a_click_on_the_backdrop_dismisses_it(page, live_server, foreign_site, newsletter):
    site = foreign_site()
    _allow(site)
    page.set_viewport_size(DESKTOP)
    page.goto(site)
    page.wait_for_selector(POPUP, timeout=5000)
    page.mouse.click(20, 20)
    page.wait_for_selector("groundswell-popup", state="detached")
    page.reload()
    page.wait_for_timeout(2000)
    assert page.locator("groundswell-popup").count() == 0


def test_a_website_that_is_not_allowed_never_shows_it_and_cannot_submit(
    page, live_server, foreign_site, newsletter
):
    allowed, stranger = foreign_site(), foreign_site()
    _allow(allowed)
    page.goto(stranger)
    page.wait_for_timeout(2500)
    assert page.locator("groundswell-popup").count() == 0
    # Even with a genuine token (made for the allowed site), its post is refused.
    token = embed_token_make(newsletter, allowed)
    outcome = page.evaluate(
        """async ([url, token]) => {
            const body = new URLSearchParams({email: "sneaky@example.org", token});
            try { await fetch(url, {method: "POST", body}); return "read"; }
            catch (e) { return "blocked"; }
        }""",
        [f"{live_server.url}/embed/newsletter/submit", token],
    )
    assert outcome == "blocked"
    assert not Submission.objects.exists()


def test_it_waits_for_the_scroll_depth_or_the_pointer_leaving_the_page(
    page, live_server, foreign_site, newsletter
):
    newsletter.trigger, newsletter.trigger_value = "scroll", 50
    newsletter.save()
    site = foreign_site(tall=True)
    _allow(site)
    page.set_viewport_size(DESKTOP)
    page.goto(site)
    page.wait_for_timeout(1500)
    page.mouse.wheel(0, 600)  # about a fifth of the page
    page.wait_for_timeout(500)
    assert page.locator("groundswell-popup").count() == 0
    page.mouse.wheel(0, 2000)
    page.wait_for_selector(POPUP, timeout=5000)

    newsletter.trigger = "exit"
    newsletter.save()
    cache_clear()
    page.reload()  # shown but not dismissed: it may show again
    page.wait_for_timeout(1500)
    page.mouse.move(600, 400)
    assert page.locator("groundswell-popup").count() == 0
    # Leaving through the top of the window, as towards the address bar or another tab.
    page.evaluate(
        "document.dispatchEvent(new MouseEvent('mouseout', {clientY: -2, relatedTarget: null}))"
    )
    page.wait_for_selector(POPUP, timeout=5000)


def test_a_refused_sign_up_says_why_in_the_pop_up(
    page, live_server, foreign_site, newsletter, shots, monkeypatch
):
    import types

    from groundswell.actions import ratelimit
    from groundswell.actions.ratelimit import submission_rate_check

    # The limit counts in fixed one-minute windows: a minute turning between the sign-up used
    # up here and the pop-up's would let the second through. The clock stands still instead.
    now = time.time()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: now))
    site = foreign_site()
    _allow(site)
    with override_settings(GROUNDSWELL_RATE_PER_IP=1):
        submission_rate_check(ip_address="127.0.0.1", email="")  # this address's one sign-up
        page.set_viewport_size(DESKTOP)
        page.goto(site)
        page.wait_for_selector(POPUP, timeout=5000)
        page.fill(f"{POPUP} input[name=email]", "late@example.org")
        page.click(f"{POPUP} button.send")
        page.wait_for_selector(f"{POPUP} .live.bad >> text=Too many submissions")
    assert page.locator(f"{POPUP} button.send").is_enabled()
    page.screenshot(path=str(shots / "embed-desktop-popup-refused.png"))
    assert not Submission.objects.exists()


def test_the_pop_ups_thank_you_asks_to_chip_in_with_links_to_the_donation_page(
    page, live_server, foreign_site, newsletter, shots
):
    from groundswell.donations.models import DonationPage

    DonationPage.objects.create(
        slug="give", title="Give", amounts_cents=[1000, 2700, 5000], is_published=True
    )
    site = foreign_site()
    _allow(site)
    config = site_get()
    config.donate_page = "give"
    config.save()
    cache_clear()
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/?refcode=homepage")
    page.wait_for_selector(POPUP, timeout=5000)
    page.fill(f"{POPUP} input[name=email]", "chip.in@example.org")
    page.click(f"{POPUP} button.send")
    page.wait_for_selector(f"{POPUP} >> text=Can you chip in?")
    links = _inner(
        page, "[...root.querySelectorAll('ul a')].map(a => [a.textContent, a.href, a.target])"
    )
    assert [text for text, _, _ in links] == ["Give $10", "Give $27", "Give $50", "Another amount"]
    assert all(href.startswith(f"{live_server.url}/donate/give/?") for _, href, _ in links)
    assert "amount=2700&refcode=homepage" in links[1][1]
    assert all(target == "_blank" for _, _, target in links)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(shots / "embed-phone-popup-ask.png"))
