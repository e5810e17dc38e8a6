"""The public site's shared parts: the campaign's look, not-found, clean input, the honeypot,
and the signed ids of thank-you links.

Every public page (sign-up and petition pages, the embedded pop-up, donation pages and every
later one) renders and reads its input through here, so the look, the not-found answer and the
input limits cannot drift apart between apps. Text cleaning itself is ``core.untrusted``'s;
this module only applies it to a request's parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.http import QueryDict
from django.shortcuts import render

from groundswell.actions.services import site_get
from groundswell.core.untrusted import text_clean

# The form field people cannot see (hidden by CSS, skipped by screen readers): a bot fills it.
HONEYPOT = "website"
# Bounds on a request's parameters before anything reads them: how many names, how long a name.
MAX_PARAMS = 200
MAX_PARAM_NAME = 100
# How many values one name may carry (a multi-select offers far fewer choices than this).
MAX_VALUES_PER_PARAM = 100
NOT_FOUND = "There is nothing at this address."
# A thank-you link shows what was just submitted (a sign-up's share link, a gift) for a day;
# after that it shows a plain thank-you.
THANKS_MAX_AGE = 24 * 3600
# The cookie by which a browser proves a past gift (the signed highest gift in cents the
# donation pages set after a gift or on a donor's own mailed link); only donations writes and
# verifies it, actions just hands its raw value on (see ``thanks_ask``).
ASK_COOKIE = "gs_ask"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A supporter's share code (``?ref=<code>``, ``actions.services.referral_code_for``) is kept
# in this cookie for 30 days, so a sign-up or an RSVP a few clicks later still credits them.
REF_COOKIE = "gs_ref"
REF_MAX_AGE = 30 * 24 * 3600
_REF = re.compile(r"[A-Za-z0-9]{1,16}")


# ---------------------------------------------------------------- the site's look


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _darken(hex_color: str, factor: float) -> str:
    return "#" + "".join(f"{int(int(hex_color[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def _readable_on_white(hex_color: str) -> str:
    """The colour, darkened until text in it reads on white (WCAG AA, 4.5:1)."""
    color = hex_color
    for _ in range(20):
        if _contrast(color, "#ffffff") >= 4.5:
            return color
        color = _darken(color, 0.85)
    return "#1a1a1a"


def site_theme(site) -> dict[str, str]:
    """CSS colours from the campaign's two colours, with text colours that keep contrast."""
    primary = site.primary_color if _COLOR.match(site.primary_color or "") else "#1f6f5c"
    accent = site.accent_color if _COLOR.match(site.accent_color or "") else "#f2b134"

    def on(color: str) -> str:
        return (
            "#ffffff" if _contrast(color, "#ffffff") >= _contrast(color, "#111111") else "#111111"
        )

    return {
        "primary": primary.lower(),
        "on_primary": on(primary),
        "accent": accent.lower(),
        "on_accent": on(accent),
        "link": _readable_on_white(primary).lower(),
        "primary_dark": _darken(primary, 0.8),
    }


def page_render(request, template: str, context: dict | None = None, status: int = 200):
    """A page in the campaign site's look (the public site's base template and colours), with
    ``donate_href``: where its Donate links point, or empty for no link."""
    site = site_get()
    base = {
        "site": site,
        "theme": site_theme(site),
        "honeypot": HONEYPOT,
        "donate_href": donate_href(site),
        "nav_links": nav_links(),
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def page_not_found(request, message: str = NOT_FOUND):
    """The public site's 404, in its look, saying ``message``."""
    return page_render(request, "actions/public/404.html", {"message": message}, status=404)


# ---------------------------------------------------------------- input hygiene


def param_clean(value) -> str:
    """One parameter's value as storable text (NUL breaks PostgreSQL); line breaks and tabs stay."""
    return text_clean(str(value))


def params_clean(params, *, values_per_param: int = MAX_VALUES_PER_PARAM) -> QueryDict:
    """A bounded copy of submitted parameters that any database can store."""
    clean = QueryDict(mutable=True)
    for key in list(params.keys())[:MAX_PARAMS]:
        values = params.getlist(key)[:values_per_param]
        clean.setlist(param_clean(key)[:MAX_PARAM_NAME], [param_clean(v) for v in values])
    return clean


def honeypot_filled(data) -> bool:
    """Whether the field people cannot see was filled: a bot, to be thanked with nothing kept."""
    return bool(data.get(HONEYPOT, "").strip())


# ---------------------------------------------------------------- thank-you links


def thanks_id_sign(pk: int, *, salt: str) -> str:
    """A thank-you link's signed id: a visitor cannot reach another's by changing a number."""
    return signing.TimestampSigner(salt=salt).sign(str(pk))


def thanks_id_read(signed: str | None, *, salt: str) -> int | None:
    """The id a thank-you link names, or None without one or when it is forged or a day old."""
    if not signed:
        return None
    try:
        value = signing.TimestampSigner(salt=salt).unsign(signed, max_age=THANKS_MAX_AGE)
    except signing.BadSignature:
        return None
    return int(value) if value.isascii() and value.isdigit() else None


def thanks_row(queryset, signed: str | None, *, salt: str):
    """The row of ``queryset`` a thank-you link names; None without one, or when it is forged,
    a day old or not among them."""
    pk = thanks_id_read(signed, salt=salt)
    return None if pk is None else queryset.filter(pk=pk).first()


# ---------------------------------------------------------------- the path to give
#
# Donation pages belong to donations, which sits above actions: it hands the public site its
# pages and the ask after an action through these two registries (set in its AppConfig.ready),
# so actions never imports it. Without donations installed the site simply has no ask.


@dataclass(frozen=True)
class DonationPageRef:
    """One of our published donation pages, as the site settings and Donate links need it."""

    slug: str
    title: str
    url: str  # the page's address on this site, e.g. /donate/give/


@dataclass(frozen=True)
class AskAmount:
    cents: int
    label: str  # "$27"
    url: str  # the donation page with this amount preselected and the refcode carried


@dataclass(frozen=True)
class ThanksAsk:
    """The "chip in" ask on a thank-you page: amounts from the ask ladder, each a link."""

    amounts: tuple[AskAmount, ...]
    other_url: str  # the page with no amount chosen, the refcode still carried


_donation_pages_source: Callable[..., list[DonationPageRef]] | None = None
_thanks_ask_source: Callable[..., ThanksAsk | None] | None = None


def donation_pages_source_set(source: Callable[..., list[DonationPageRef]] | None) -> None:
    """Name the function listing the published donation pages: ``source(slug=None)``, all of
    them, or only the one with that slug."""
    global _donation_pages_source
    _donation_pages_source = source


def thanks_ask_source_set(source: Callable[..., ThanksAsk | None] | None) -> None:
    """Name the function building the ask after an action:
    ``source(page_slug=..., refcode=..., ask_proof=...)``."""
    global _thanks_ask_source
    _thanks_ask_source = source


def donation_pages() -> list[DonationPageRef]:
    """The published donation pages staff may choose as the site's default."""
    return _donation_pages_source() if _donation_pages_source else []


def donate_page_default(site) -> DonationPageRef | None:
    """The site's default donation page while it is published; None otherwise (no dead link)."""
    if not site.donate_page or _donation_pages_source is None:
        return None
    found = _donation_pages_source(slug=site.donate_page)
    return found[0] if found else None


def donate_href(site) -> str:
    """Where the public site's Donate links point: the default donation page, else the outside
    address staff gave, else nowhere."""
    page = donate_page_default(site)
    return page.url if page is not None else site.donate_url


def thanks_ask(*, site, refcode: str, ask_proof: str = "") -> ThanksAsk | None:
    """The ask to give after an action, on the site's default donation page; None without one.

    Personalised only from what the browser proves, never from what was typed: ``ask_proof`` is
    the raw ``ASK_COOKIE`` value, a signed highest gift our donation pages gave this browser
    after its own gift or when its donor opened their own mailed link. The source verifies it;
    a forged, expired or absent proof gives the page's ordinary ladder. The e-mail address typed
    into the form is never used: whoever typed it is not known to own it, and amounts built on
    its highest gift would let anyone read roughly what a donor gave by signing a petition with
    their address.
    """
    page = donate_page_default(site)
    if page is None or _thanks_ask_source is None:
        return None
    return _thanks_ask_source(page_slug=page.slug, refcode=refcode, ask_proof=ask_proof)


# ---------------------------------------------------------------- links other apps add to the nav

_nav_link_sources: list[Callable[[], list[tuple[str, str]]]] = []


def nav_links_source_set(source: Callable[[], list[tuple[str, str]]]) -> None:
    """Add a function giving ``[(label, url)]`` for the public nav (e.g. Events, while there is
    an event to find). Apps above this one call it from ``ready()``; adding the same function
    twice keeps one."""
    if source not in _nav_link_sources:
        _nav_link_sources.append(source)


def nav_links() -> list[tuple[str, str]]:
    """The public nav's links from other apps, in the order they were added."""
    return [link for source in _nav_link_sources for link in source()]


# ---------------------------------------------------------------- share codes


def ref_of(request, value: str = "") -> str:
    """The share code a visit carries: ``value`` (the ``ref`` parameter, or a form's hidden
    field) when it is one, else the one kept in the cookie; "" when neither is."""
    for candidate in (value, request.COOKIES.get(REF_COOKIE, "")):
        code = " ".join(param_clean(candidate or "").split())[:16]
        if code and _REF.fullmatch(code):
            return code
    return ""


def ref_remember(request, response):
    """Keep a share code seen in the query string (``?ref=``) in the cookie; returns response."""
    ref = " ".join(param_clean(request.GET.get("ref", "")).split())[:16]
    if ref and _REF.fullmatch(ref):
        response.set_cookie(REF_COOKIE, ref, max_age=REF_MAX_AGE, samesite="Lax", httponly=True)
    return response
