"""Input from outside, bounded before it is used: JSON bodies, numbers and text.

Every intake of outside JSON or text (the processors' webhooks, the pop-up, the public forms)
goes through here, so one set of limits keeps a hostile body from costing a server error or
a minute of CPU. The limits are checked *before* the costly step: nesting depth before
``json.loads`` recurses, the digits and exponent of a number before ``Decimal`` or ``int``
converts it (``int(Decimal("1e1000000"))`` alone takes about a minute), and text is cleaned
of what no database stores (NUL breaks PostgreSQL; a lone surrogate cannot be encoded).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any


class Refused(ValueError):
    """Outside input that cannot be used; ``field`` says where (may be empty), ``reason`` why."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


@dataclass(frozen=True)
class JsonLimits:
    """How big a JSON body may be; the defaults fit a webhook delivery with room to spare."""

    max_bytes: int = 64 * 1024
    max_depth: int = 16
    max_string: int = 10_000
    # Digits of a number literal, and how far its decimal exponent may reach either way.
    max_digits: int = 30
    max_exponent: int = 30


# C0 and C1 controls but tab and line breaks, DEL, and surrogates (in a Python str every
# surrogate is unpaired: a pair decodes to one character).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A JSON string, unrolled so that the regex engine neither backtracks nor recurses.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
MAX_NUMBER_CHARS = 64


def text_clean(value: str) -> str:
    """The text without NUL, other control characters (tab and newlines stay) or surrogates."""
    if value.isprintable():
        return value
    return _UNSTORABLE.sub("", value)


def whole_number(text, *, max_digits: int = 18) -> int | None:
    """A non-negative int from outside text (ASCII digits, at most ``max_digits``), else None.

    ``str.isdigit()`` also admits "²" and other digits that ``int()`` refuses, and a long run of
    digits overflows the database's integer: both were server errors.
    """
    if isinstance(text, str) and 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def excerpt(body: bytes, *, limit: int = 4096) -> str:
    """The start of a body as clean text, for a log a person reads: capped, never unstorable."""
    text = body[:limit].decode("utf-8", errors="replace")
    cut = "" if len(body) <= limit else f"\n… ({len(body) - limit:,} more bytes not kept)"
    return text_clean(text) + cut


def decimal_parse(
    value: str | int | Decimal, *, where: str = "", max_digits: int = 30, max_exponent: int = 30
) -> Decimal:
    """A finite Decimal from outside text, refused unless its digits and magnitude are bounded.

    The exponent and the digit count are read from the text before anything converts it, so
    "1e999999" is refused at once instead of overflowing (or burning CPU) further on.
    """
    if isinstance(value, Decimal):
        value = str(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        # An int from json_load is already bounded; any other int is checked by its length.
        value = str(value) if abs(value) < 10**max_digits else "9" * (max_digits + 1)
    if not isinstance(value, str):
        raise Refused(where, "must be a number")
    text = value.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise Refused(where, f"is longer than {MAX_NUMBER_CHARS} characters")
    match = _NUMBER.fullmatch(text)
    if match is None or not (match[2] or match[3]):
        raise Refused(where, f"{text[:40]!r} is not a number")
    digits = (match[2] + (match[3] or "")).lstrip("0")
    if len(digits) > max_digits:
        raise Refused(where, f"has more than {max_digits} digits")
    exponent = match[4] or "0"
    if len(exponent.lstrip("+-").lstrip("0")) > 6 or abs(int(exponent)) > 10**6:
        raise Refused(where, "is out of range")
    # The magnitude: the position of the leading digit, from the text alone.
    whole, fraction = match[2].lstrip("0"), match[3] or ""
    leading = len(whole) - 1 if whole else len(fraction.lstrip("0")) - len(fraction) - 1
    if digits and abs(leading + int(exponent)) > max_exponent:
        raise Refused(where, "is out of range")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise Refused(where, f"{text[:40]!r} is not a number") from None


def _depth(text: str) -> int:
    """How deep arrays and objects nest, counted without recursing (strings skipped)."""
    if text.count("[") + text.count("{") == 0:
        return 0
    brackets = _BRACKETS.findall(_JSON_STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def _refuse_constant(name: str):
    raise Refused("", f"{name} is not a number JSON allows")


def json_load(body: bytes | str, *, limits: JsonLimits = JsonLimits()) -> Any:
    """Parse outside JSON within ``limits``: Decimals for fractions, text cleaned; or Refused.

    Refused for a body that is too big, not UTF-8 or not JSON, nests too deep, holds a number
    with too many digits or too far an exponent, NaN or Infinity, or a string that is too long.
    NUL, other control characters and lone surrogates are dropped from every string and key.
    """
    if len(body) > limits.max_bytes:
        raise Refused("", f"the body is larger than {limits.max_bytes:,} bytes")
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("", "the body is not UTF-8 text") from None
    if _depth(body) > limits.max_depth:
        raise Refused("", f"the body nests deeper than {limits.max_depth} levels")

    def whole(text: str) -> int:
        if len(text.lstrip("-")) > limits.max_digits:
            raise Refused("", f"a number in the body has more than {limits.max_digits} digits")
        return int(text)

    def fraction(text: str) -> Decimal:
        return decimal_parse(
            text,
            where="a number in the body",
            max_digits=limits.max_digits,
            max_exponent=limits.max_exponent,
        )

    try:
        parsed = json.loads(
            body, parse_int=whole, parse_float=fraction, parse_constant=_refuse_constant
        )
    except Refused:
        raise
    except (ValueError, RecursionError):
        raise Refused("", "the body is not JSON") from None
    return _clean_tree(parsed, limits.max_string)


def _clean_tree(value: Any, max_string: int) -> Any:
    """Clean every string and key in place, walking with a stack rather than recursion."""

    def clean(text: str, where: str) -> str:
        if len(text) > max_string:
            raise Refused(where, f"is longer than {max_string:,} characters")
        return text_clean(text)

    if isinstance(value, str):
        return clean(value, "")
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, item in items:
                # The path names the cleaned key: a refusal's reason is itself clean text.
                key = clean(key, f"{path}.(a key)" if path else "(a key)")
                where = f"{path}.{key}" if path else key
                node[key] = clean(item, where[:200]) if isinstance(item, str) else item
                if isinstance(item, dict | list):
                    stack.append((item, where[:200]))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                where = f"{path}[{index}]"
                if isinstance(item, str):
                    node[index] = clean(item, where[:200])
                elif isinstance(item, dict | list):
                    stack.append((item, where[:200]))
    return value
