"""Merge fields and the two parts of a message (see the package docstring)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

# The merge fields a message may use, with what each means; anything else is refused when the
# message is saved, so a typo never reaches a recipient as "{{ frist_name }}".
MERGE_FIELDS: dict[str, str] = {
    "first_name": "The recipient's given name",
    "last_name": "The recipient's family name",
    "email": "The address the message is sent to",
    "city": "City of the primary address",
    "state": "State of the primary address",
    "postal_code": "ZIP code of the primary address",
}

# {{ first_name }} or {{ first_name|default:"Friend" }}
_TAG = re.compile(r"\{\{\s*([a-z_]+)\s*(?:\|\s*default\s*:\s*\"([^\"{}]*)\"\s*)?\}\}")
_ANY_TAG = re.compile(r"\{\{.*?\}\}|\{\{|\}\}", re.S)


class MergeFieldError(ValueError):
    """A message that uses a merge field we do not know or a broken tag, with its line."""

    def __init__(self, message: str, *, part: str, line: int):
        super().__init__(f"{part}, line {line}: {message}")
        self.part = part
        self.line = line


@dataclass(frozen=True)
class MessageContent:
    subject: str
    html: str  # the body as staff wrote it
    text: str = ""  # the plain-text part; generated from the HTML when blank


@dataclass(frozen=True)
class Footer:
    """What the send path appends to every message: the unsubscribe link, the committee's
    postal address and "Paid for by" (already escaped HTML, and its plain-text twin)."""

    html: str
    text: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    html: str
    text: str


def content_check(content: MessageContent) -> None:
    """Raise MergeFieldError for the first unknown field or broken tag in any part."""
    for part, body in (
        ("Subject", content.subject),
        ("HTML", content.html),
        ("Text", content.text),
    ):
        for match in _ANY_TAG.finditer(body):
            line = body.count("\n", 0, match.start()) + 1
            tag = _TAG.fullmatch(match.group(0))
            if tag is None:
                raise MergeFieldError(
                    f"{match.group(0)[:40]!r} is not a merge field; write "
                    '{{ first_name }} or {{ first_name|default:"Friend" }}',
                    part=part,
                    line=line,
                )
            if tag.group(1) not in MERGE_FIELDS:
                raise MergeFieldError(
                    f"unknown merge field {tag.group(1)!r} (known: {', '.join(MERGE_FIELDS)})",
                    part=part,
                    line=line,
                )


def _merge(body: str, merge: Mapping[str, str], escape: Callable[[str], str]) -> str:
    def value(match: re.Match) -> str:
        found = (merge.get(match.group(1)) or "").strip()
        return escape(found or (match.group(2) or ""))

    return _TAG.sub(value, body)


class _TextOf(HTMLParser):
    """The readable text of an HTML body, links written out, blocks on their own lines."""

    _BLOCKS = {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "li", "table", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._href: list[str | None] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        if tag in self._BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self._href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        if tag == "a" and self._href:
            href = self._href.pop()
            if href and not href.startswith("mailto:"):
                self.out.append(f" ({href})")
        if tag in self._BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(body: str) -> str:
    parser = _TextOf()
    parser.feed(body)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


_HREF = re.compile(r'(<a\b[^>]*?\bhref\s*=\s*)(["\'])(https?://[^"\']+)\2', re.I)


def message_render(
    *,
    content: MessageContent,
    merge: Mapping[str, str],
    footer: Footer | None = None,
    link_wrap: Callable[[str], str] | None = None,
    open_pixel_url: str | None = None,
) -> RenderedMessage:
    """The message one recipient receives: merge values escaped in HTML, plain in text.

    ``link_wrap`` turns each http(s) link of the HTML part into the recipient's tracked link
    (the footer's links are left alone: an unsubscribe must not depend on the tracker);
    ``open_pixel_url`` adds the open-tracking image at the end of the HTML body.
    """
    subject = _merge(content.subject, merge, lambda s: s.replace("\n", " "))
    body = _merge(content.html, merge, html.escape)
    text = _merge(content.text, merge, str) if content.text.strip() else html_to_text(body)
    if link_wrap is not None:
        body = _HREF.sub(
            lambda m: (
                f"{m.group(1)}{m.group(2)}"
                f"{html.escape(link_wrap(html.unescape(m.group(3))))}{m.group(2)}"
            ),
            body,
        )
    if footer is not None:
        body = f"{body}\n{footer.html}"
        text = f"{text}\n-- \n{footer.text.strip()}\n"
    if open_pixel_url:
        body += f'\n<img src="{html.escape(open_pixel_url)}" width="1" height="1" alt="">'
    return RenderedMessage(subject=subject, html=body, text=text)
