"""Telling a person's open or click from a machine's (pure: the caller passes what it saw).

Counting every pixel fetch as an open overstates opens badly since 2021, and counting every
redirect as a click lets mail-security scanners "click" every link of every message:

* **Privacy proxies** fetch every image of every message whether or not anyone reads it. Apple
  Mail Privacy Protection preloads images through Apple's relays with a bare ``Mozilla/5.0``
  user agent, from Apple's own address block (17.0.0.0/8). Such an open says the message
  arrived, not that it was read: it is counted apart (``machine``), as the issue asks.
* **Image proxies** (Gmail's ``GoogleImageProxy``, Yahoo's ``YahooMailProxy``) fetch an image
  when the reader opens the message and then cache it: a first fetch is a real open, but the
  reader's device and address are hidden, so it is kept as ``proxied`` (a human open).
* **Security scanners** (Microsoft Safe Links, Mimecast, Proofpoint, Barracuda and the like)
  fetch links as the message is delivered, often with a library's user agent, a ``HEAD``
  request or a headless browser, within seconds, and several links at once. A click seconds
  after sending, or less than a second after another link of the same message, is not a
  person's: few people read a message and choose a link that fast.

Nothing here is certain — a proxy may change its user agent — so the verdict carries its
reason, and the report shows machine hits apart rather than discarding them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

# Apple's allocation (Apple Inc. has held 17.0.0.0/8 since 1990).
APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")
_BARE_UA = {"mozilla/5.0", ""}
_IMAGE_PROXY = re.compile(r"GoogleImageProxy|ggpht\.com|YahooMailProxy", re.I)
_SCANNER = re.compile(
    r"barracuda|mimecast|proofpoint|fireeye|trendmicro|symantec|messagelabs|forcepoint|"
    r"cisco|ironport|sophos|zscaler|safelinks|headlesschrome|phantomjs|python-requests|"
    r"python-urllib|aiohttp|httpx|go-http-client|curl/|wget/|libwww|java/|okhttp|"
    r"bot\b|crawler|spider|scanner|preview",
    re.I,
)
# A click this soon after the message left is a scanner at delivery, not a reader.
SCANNER_CLICK_SECONDS = 10.0
# Two different links of one message within this long: a scanner walking every link.
SCANNER_BURST_SECONDS = 1.0


class HitKind(StrEnum):
    HUMAN = "human"
    PROXIED = "proxied"  # a person's open through a mail provider's image proxy
    MACHINE = "machine"  # a privacy proxy's preload: the message arrived, nobody read it yet
    SCANNER = "scanner"  # a security scanner or a bot


@dataclass(frozen=True)
class HitVerdict:
    kind: HitKind
    reason: str

    @property
    def is_person(self) -> bool:
        """Whether the hit counts as a person's open or click."""
        return self.kind in (HitKind.HUMAN, HitKind.PROXIED)


def _in_apple(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.strip()) in APPLE_NETWORK
    except ValueError:
        return False


def hit_classify(
    *,
    kind: str,
    user_agent: str = "",
    ip: str = "",
    method: str = "GET",
    seconds_since_sent: float | None = None,
    seconds_since_other_link: float | None = None,
) -> HitVerdict:
    """Who fetched an open pixel (``kind="open"``) or a click address (``kind="click"``).

    ``seconds_since_sent`` is the time from the delivery's send to this hit;
    ``seconds_since_other_link`` the time since the same recipient's last click on a *different*
    link of the message (None when there was none)."""
    ua = (user_agent or "").strip()[:500]
    if method.upper() == "HEAD":
        return HitVerdict(HitKind.SCANNER, "a HEAD request checks a link, nobody follows it")
    if _SCANNER.search(ua):
        return HitVerdict(HitKind.SCANNER, "the user agent is a scanner's or a library's")
    if _IMAGE_PROXY.search(ua):
        return HitVerdict(HitKind.PROXIED, "a mail provider's image proxy, on the reader's open")
    if kind == "open" and (ua.lower() in _BARE_UA or (_in_apple(ip) and "Mobile/" not in ua)):
        return HitVerdict(HitKind.MACHINE, "a privacy proxy's preload (Apple Mail Privacy)")
    if kind == "click":
        if seconds_since_sent is not None and 0 <= seconds_since_sent < SCANNER_CLICK_SECONDS:
            return HitVerdict(HitKind.SCANNER, "clicked seconds after sending: a scanner")
        if (
            seconds_since_other_link is not None
            and seconds_since_other_link < SCANNER_BURST_SECONDS
        ):
            return HitVerdict(HitKind.SCANNER, "several links within a second: a scanner")
        if ua.lower() in _BARE_UA:
            return HitVerdict(HitKind.SCANNER, "no browser user agent")
    return HitVerdict(HitKind.HUMAN, "a browser or mail client")
