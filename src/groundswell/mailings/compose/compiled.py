"""A message compiled once per mailing into pieces, then filled in per recipient.

Parsing HTML, compiling MJML, inlining CSS and writing the plain text cost milliseconds; a send
renders thousands of messages a second, so all of that runs once per (content, theme, ask) and
is cached. Merge tags are first replaced by sentinels carrying a random nonce (letters and
digits, which every HTML and text step keeps intact), the layout and text are produced around
them, and the result is cut into a tuple of pieces: literal text, a merge field, a link (to be
wrapped by the click tracker), the footer, the open pixel. Rendering one recipient is then a
join over those pieces: no parsing per recipient.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from groundswell.core.untrusted import text_clean
from groundswell.mailings.compose.ask import AskContext, AskLinks
from groundswell.mailings.compose.fields import TAG
from groundswell.mailings.compose.layout import (
    FOOTER_SLOT,
    PIXEL_SLOT,
    PREHEADER_SLOT,
    Theme,
    layout_fill,
)
from groundswell.mailings.compose.text import html_to_text, lines_fit

# Piece kinds (a piece is a str, or a tuple whose first item is one of these).
MERGE, LINK, FOOTER, PIXEL = 1, 2, 3, 4
_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.I)
_TEXT_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


@dataclass(frozen=True)
class Compiled:
    subject: tuple
    preheader: bool
    html: tuple
    text: tuple
    links: tuple[str, ...]  # the static http(s) links of both parts, in order, each once
    ask: AskLinks | None


class _Sentinels:
    """Merge tags swapped for ``Q<nonce>M<i>Q`` and back; the footer and pixel slots too."""

    def __init__(self):
        self.nonce = secrets.token_hex(6)
        self.fields: list[tuple[str, str]] = []  # (field, default) by index
        self.footer = f"Q{self.nonce}FQ"
        self.pixel = f"Q{self.nonce}PQ"
        self.pattern = re.compile(f"Q{self.nonce}(?:M(\\d+)|F|P)Q")

    def swap(self, body: str) -> str:
        def sentinel(match: re.Match) -> str:
            self.fields.append((match.group(1), match.group(2) or ""))
            return f"Q{self.nonce}M{len(self.fields) - 1}Q"

        return TAG.sub(sentinel, body)

    def pieces(self, body: str) -> list:
        out: list = []
        at = 0
        for match in self.pattern.finditer(body):
            if match.start() > at:
                out.append(body[at : match.start()])
            if match.group(1) is not None:
                out.append((MERGE, *self.fields[int(match.group(1))]))
            else:
                out.append((FOOTER,) if match.group(0) == self.footer else (PIXEL,))
            at = match.end()
        if at < len(body):
            out.append(body[at:])
        return out


def _html_pieces(page: str, marks: _Sentinels, ask: AskLinks | None, links: list[str]) -> tuple:
    out: list = []
    at = 0
    for match in _HREF.finditer(page):
        out += marks.pieces(page[at : match.end(1)])
        href = html.unescape(match.group(2))
        if marks.pattern.search(href) is None:
            href = ask.refcode_add(href) if ask else href
            if href.startswith(("https://", "http://")):
                links.append(href)
            out.append((LINK, (href,)))
        else:
            out.append((LINK, tuple(marks.pieces(href))))
        at = match.start(3)
    out += marks.pieces(page[at:])
    return tuple(out)


def _text_pieces(text: str, marks: _Sentinels, ask: AskLinks | None, links: list[str]) -> tuple:
    out: list = []
    at = 0
    for match in _TEXT_URL.finditer(text):
        out += marks.pieces(text[at : match.start()])
        url = match.group(0)
        if marks.pattern.search(url) is None:
            url = ask.refcode_add(url) if ask else url
            links.append(url)  # a written text part may name links the HTML does not
            out.append((LINK, (url,)))
        else:
            out.append((LINK, tuple(marks.pieces(url))))
        at = match.end()
    out += marks.pieces(text[at:])
    return tuple(out)


def compile_message(
    *, subject: str, preheader: str, body: str, text: str, theme: Theme, ask: AskContext | None
) -> Compiled:
    """The pieces of a message; only ``ask``'s mailing part (page, site, refcode) is read."""
    links_of_ask = AskLinks(ask) if ask is not None else None
    marks = _Sentinels()
    html_body = marks.swap(body)
    page = layout_fill(
        theme,
        body=html_body,
        slots={
            FOOTER_SLOT: marks.footer,
            PIXEL_SLOT: marks.pixel,
            PREHEADER_SLOT: html.escape(marks.swap(preheader)),
        },
        preheader=bool(preheader.strip()),
    )
    links: list[str] = []
    html_pieces = _html_pieces(page, marks, links_of_ask, links)
    plain = marks.swap(text) if text.strip() else html_to_text(html_body)
    text_pieces = _text_pieces(plain.rstrip("\n") + "\n", marks, links_of_ask, links)
    return Compiled(
        subject=tuple(marks.pieces(marks.swap(subject))),
        preheader=bool(preheader.strip()),
        html=html_pieces,
        text=text_pieces,
        links=tuple(dict.fromkeys(links)),
        ask=links_of_ask,
    )


class Recipient:
    """One recipient's values for the pieces: merge fields, the ask, the tracker's wrapper."""

    __slots__ = ("ask", "footer", "highest", "merge", "pixel", "theme", "wrap")

    def __init__(self, *, merge, ask, highest, footer, pixel, theme, wrap):
        self.merge: Mapping[str, str] = merge
        self.ask: AskLinks | None = ask
        self.highest: int | None = highest
        self.footer = footer
        self.pixel: str = pixel
        self.theme: Theme = theme
        self.wrap: Callable[[str], str] = wrap

    def value(self, field: str, default: str, *, part: str) -> str:
        """A merge value as plain text (the caller escapes it), or HTML for the ladder."""
        if field == "ask_ladder":
            if self.ask is None:
                return html.escape(default) if part == "html" else default
            if part == "html":
                return self.ask.ladder_html(self.highest, theme=self.theme, wrap=self.wrap)
            return self.ask.ladder_text(self.highest, wrap=self.wrap)
        if field == "donate_url":
            return self.ask.donate_url(self.highest) if self.ask is not None else default
        # A recipient's value may hold what cannot be sent (NUL, a lone surrogate): dropped.
        return text_clean((self.merge.get(field) or "").strip()) or default


def _link(piece: tuple, who: Recipient, part: str) -> str:
    items = piece[1]
    if len(items) == 1 and isinstance(items[0], str):
        url = items[0]
    else:
        url = "".join(
            item if isinstance(item, str) else who.value(item[1], item[2], part="link")
            for item in items
        )
    return who.wrap(url) if url.startswith(("https://", "http://")) else url


def html_render(compiled: Compiled, who: Recipient) -> str:
    out = []
    escape = html.escape
    for piece in compiled.html:
        if isinstance(piece, str):
            out.append(piece)
        elif piece[0] == LINK:
            out.append(escape(_link(piece, who, "html")))
        elif piece[0] == MERGE:
            value = who.value(piece[1], piece[2], part="html")
            out.append(value if piece[1] == "ask_ladder" else escape(value))
        elif piece[0] == FOOTER:
            out.append(who.footer.html if who.footer is not None else "")
        elif who.pixel:
            out.append(f'<img src="{escape(who.pixel)}" width="1" height="1" alt="">')
    return "".join(out)


def text_render(compiled: Compiled, who: Recipient) -> str:
    out = []
    for piece in compiled.text:
        if isinstance(piece, str):
            out.append(piece)
        elif piece[0] == LINK:
            out.append(_link(piece, who, "text"))
        elif piece[0] == MERGE:
            value = who.value(piece[1], piece[2], part="text")
            out.append(who.wrap(value) if piece[1] == "donate_url" and value else value)
    return lines_fit("".join(out))


def subject_render(compiled: Compiled, who: Recipient) -> str:
    out = []
    for piece in compiled.subject:
        if isinstance(piece, str):
            out.append(piece)
        else:
            value = who.value(piece[1], piece[2], part="subject")
            out.append(" ".join(value.split()))  # a value must not break the header line
    return "".join(out)
