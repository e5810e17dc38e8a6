"""The events map at a phone's width and a desktop's, and the widget embedded in another site
(headless Chromium; the other site is served by Playwright at its own origin, so the browser
itself enforces who may frame the widget)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from groundswell.actions.services import site_get
from groundswell.core.tests.browser import SHOTS
from groundswell.events.choices import Visibility
from groundswell.events.tests.conftest_public import event_make, shift_make


@contextmanager
def _partner_site(host: str, live_url: str):
    """Another website, served by a real HTTP server on its own loopback origin, whose page
    carries the loader snippet (loopback: Chromium refuses a public page's requests into the
    local network; plain http like the live server, so nothing is mixed content)."""
    html = (
        "<!doctype html><html lang='en'><head><title>Friends of the campaign</title></head>"
        "<body><main><h1>Our partner's events</h1>"
        f"<script src='{live_url}/events/embed.js' data-type='canvass' async></script>"
        "</main></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_map_fits_the_screen_and_a_dot_opens_its_event(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    dc = event_make(title="Shaw doors", zip_code="20001")
    shift_make(dc)
    shift_make(event_make(title="Echo Park calls", zip_code="90026", city="Los Angeles"))
    page.goto(f"{live_server.url}/events/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"events-map-{width}.png"), full_page=True)
    box = page.locator(".event-map svg").bounding_box()
    assert box["width"] <= width and box["height"] > 100
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".event-map a.dot").count() == 2
    page.locator(".event-map a.dot", has_text="Shaw doors").click()
    page.wait_for_url(f"**/events/{dc.slug}/")


def test_the_widget_appears_on_an_allowed_site_and_its_links_open_in_the_top_window(
    page, live_server
):
    event = event_make(title="Widget canvass")
    shift_make(event)
    shift_make(event_make(title="Widget unlisted", visibility=Visibility.UNLISTED))
    page.set_viewport_size({"width": 390, "height": 900})
    with _partner_site("127.0.0.1", live_server.url) as partner:
        site = site_get()
        site.embed_origins = partner
        site.save()
        page.goto(f"{partner}/events")
        _widget_followed(page, live_server, event)


def _widget_followed(page, live_server, event) -> None:
    frame = page.frame_locator("iframe[title='Upcoming events']")
    frame.locator("text=Widget canvass").wait_for()
    assert "Widget unlisted" not in frame.locator("main").inner_text()
    # The loader sized the frame to its list.
    page.wait_for_function(
        "document.querySelector('iframe').style.height !== '480px'", timeout=5000
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "events-embed-390.png"), full_page=True)
    frame.locator("text=Widget canvass").click()
    page.wait_for_url(f"{live_server.url}/events/{event.slug}/?source=embed")


def test_a_site_not_allowed_cannot_frame_the_widget(page, live_server):
    site = site_get()
    site.embed_origins = "https://www.example.org"
    site.save()
    shift_make(event_make(title="Not for framing"))
    with _partner_site("127.0.0.1", live_server.url) as partner:
        page.goto(f"{partner}/events")
        page.wait_for_selector("iframe")
        page.wait_for_timeout(1500)
        frame = page.frames[-1]
        assert frame != page.main_frame
        assert "Not for framing" not in frame.content()
