"""Signed click and open addresses for one recipient (pure: no database, no request).

A click address names the recipient's delivery token (the ledger's random per-recipient value),
the index of one of the mailing's own links and a signature::

    <site>/m/c/<token>/<link-id>/<sig>/      the click redirect: goes to links[link-id]
    <site>/m/o/<token>/<sig>.gif              the open pixel

The target is never read from the address, so the redirect cannot be pointed anywhere else (no
open redirect); the signature is an HMAC-SHA256 under ``SECRET_KEY`` with a salt of its own,
over the token, the index and the target itself, so an altered token, index or signature is
refused, and so is a click on an index whose link changed after the message went out. Keys
in ``SECRET_KEY_FALLBACKS`` still verify, so rotating the secret does not break links already
in inboxes. Signing is one HMAC (a few microseconds), done per link per recipient.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.conf import settings

CLICK_SALT = "groundswell.mailings.tracking.click"
OPEN_SALT = "groundswell.mailings.tracking.open"
CLICK_PREFIX = "/m/c/"
OPEN_PREFIX = "/m/o/"
# The ledger's token: URL-safe base64 (secrets.token_urlsafe), bounded before anything reads it.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# 96 bits: forging one needs about 2**95 guesses against a rate-limited endpoint.
SIG_BYTES = 12
SIG = re.compile(r"^[A-Za-z0-9_-]{16}$")
MAX_LINKS = 10_000


@lru_cache(maxsize=16)
def _key(salt: str, secret: str) -> bytes:
    # As django.utils.crypto.salted_hmac derives its key, computed once per (salt, secret).
    return hashlib.sha256((salt + secret).encode()).digest()


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _sign(salt: str, message: str, secret: str) -> str:
    digest = hmac.new(_key(salt, secret), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIG_BYTES]).decode()


def _verify(salt: str, message: str, sig: str) -> bool:
    if not isinstance(sig, str) or not SIG.match(sig):
        return False
    return any(hmac.compare_digest(_sign(salt, message, s), sig) for s in _secrets())


def _click_message(token: str, link_id: int, target: str) -> str:
    return f"{token}\x1f{link_id}\x1f{target}"


def click_url(*, base_url: str, token: str, link_id: int, target: str) -> str:
    """The tracked address of ``target`` (the mailing's link number ``link_id``) for one
    recipient."""
    if not TOKEN.match(token):
        raise ValueError("a delivery token is 8 to 64 URL-safe characters")
    sig = _sign(CLICK_SALT, _click_message(token, link_id, target), settings.SECRET_KEY)
    return f"{base_url.rstrip('/')}{CLICK_PREFIX}{token}/{link_id}/{sig}/"


def open_url(*, base_url: str, token: str) -> str:
    """The open-pixel address for one recipient."""
    if not TOKEN.match(token):
        raise ValueError("a delivery token is 8 to 64 URL-safe characters")
    sig = _sign(OPEN_SALT, token, settings.SECRET_KEY)
    return f"{base_url.rstrip('/')}{OPEN_PREFIX}{token}/{sig}.gif"


@lru_cache(maxsize=64)
def _index(links: tuple[str, ...]) -> dict[str, int]:
    index: dict[str, int] = {}
    for number, link in enumerate(links):
        index.setdefault(link, number)
    return index


def link_wrap_for(*, base_url: str, token: str, links: Sequence[str]) -> Callable[[str], str]:
    """The ``link_wrap`` for ``message_render`` for one recipient: each of the mailing's own
    links (``mailings.compose.content_links``) becomes its signed click address; any other
    address (a personalised one, the footer's) is left as it is, so it still works untracked."""
    index = _index(tuple(links[:MAX_LINKS]))
    base = base_url.rstrip("/")
    if not TOKEN.match(token):
        raise ValueError("a delivery token is 8 to 64 URL-safe characters")
    secret = settings.SECRET_KEY

    wrapped: dict[str, str] = {}  # each link appears in both parts: sign it once

    def wrap(url: str) -> str:
        found = wrapped.get(url)
        if found is not None:
            return found
        link_id = index.get(url)
        if link_id is None:
            return url
        sig = _sign(CLICK_SALT, _click_message(token, link_id, url), secret)
        wrapped[url] = found = f"{base}{CLICK_PREFIX}{token}/{link_id}/{sig}/"
        return found

    return wrap


def click_parse(token: object, link_id: object, sig: object) -> tuple[str, int, str] | None:
    """The parts of an incoming click address if well formed (strings from the URL), else
    None: a token of the ledger's shape, a link number, a signature of the right length."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    if isinstance(link_id, str):
        if not (link_id.isascii() and link_id.isdigit() and len(link_id) <= 5):
            return None
        link_id = int(link_id)
    if not isinstance(link_id, int) or isinstance(link_id, bool) or not 0 <= link_id < MAX_LINKS:
        return None
    if not isinstance(sig, str) or not SIG.match(sig):
        return None
    return token, link_id, sig


def click_verify(
    *, token: object, link_id: object, sig: object, links: Sequence[str]
) -> str | None:
    """Where a click goes: the mailing's own link number ``link_id`` when the signature holds
    for this token, this number and that link; None for anything forged, altered or unknown.

    The caller looks the delivery up by ``token`` first (to get its mailing's ``links``); a
    None answer is a 404 with a log entry, never a redirect."""
    parts = click_parse(token, link_id, sig)
    if parts is None:
        return None
    token, number, sig = parts
    if number >= len(links):
        return None
    target = links[number]
    if not _verify(CLICK_SALT, _click_message(token, number, target), sig):
        return None
    return target


def open_verify(*, token: object, sig: object) -> bool:
    """Whether an open-pixel address (``sig`` without its ``.gif``) was signed for ``token``."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return False
    if isinstance(sig, str) and sig.endswith(".gif"):
        sig = sig[:-4]
    return _verify(OPEN_SALT, token, sig)
