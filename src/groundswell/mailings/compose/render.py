"""Checking a message's content, and the message one recipient receives (see the package doc)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from groundswell.core.untrusted import text_clean
from groundswell.mailings.compose.ask import AskContext
from groundswell.mailings.compose.check import html_check
from groundswell.mailings.compose.compiled import (
    Compiled,
    Recipient,
    compile_message,
    html_render,
    subject_render,
    text_render,
)
from groundswell.mailings.compose.fields import (
    MERGE_FIELDS,
    ContentError,
    MergeFieldError,
    line_of,
    tags_check,
)
from groundswell.mailings.compose.layout import Theme
from groundswell.mailings.compose.text import html_to_text

__all__ = [
    "MERGE_FIELDS",
    "ContentError",
    "Footer",
    "MergeFieldError",
    "MessageContent",
    "RenderedMessage",
    "content_check",
    "content_fields",
    "content_links",
    "html_to_text",
    "message_render",
]

# Inbox lists cut a subject near 60 characters and phones near 40; past this length it is a
# mistake (a pasted paragraph), not a subject.
SUBJECT_MAX = 200
PREHEADER_MAX = 250
# The body's size where Gmail clips a message ("[Message clipped]") is about 100 kB; refuse well
# before anything pathological reaches the parser.
BODY_MAX = 400_000
# What no part of an e-mail can carry: NUL and other control characters (tab and line breaks
# excepted) and lone surrogates, which cannot even be encoded to send.
_UNSENDABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class MessageContent:
    subject: str
    html: str  # the body as staff wrote it (the layout adds the page, header and footer)
    text: str = ""  # the plain-text part; generated from the HTML when blank
    preheader: str = ""  # the preview line shown after the subject in an inbox
    allow_http: bool = False  # let plain-http links through (each one is refused otherwise)


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


def _subject_check(subject: str) -> None:
    if "\n" in subject or "\r" in subject:
        raise ContentError(
            "a subject is one line; remove the line break",
            part="Subject",
            line=line_of(subject, subject.find("\n") if "\n" in subject else subject.find("\r")),
        )
    if len(subject) > SUBJECT_MAX:
        raise ContentError(
            f"the subject has {len(subject)} characters; keep it under {SUBJECT_MAX} "
            "(inboxes show about 60)",
            part="Subject",
            line=1,
        )


def content_check(content: MessageContent) -> None:
    """Raise MergeFieldError (ContentError for what is not a merge tag) for the first problem
    in any part, naming the part and the line: an unknown field or broken tag, broken or unsafe
    HTML, a link that is not https, a subject with a line break or too long."""
    _subject_check(content.subject)
    if len(content.preheader) > PREHEADER_MAX or "\n" in content.preheader:
        raise ContentError(
            f"a preheader is one line of at most {PREHEADER_MAX} characters",
            part="Preheader",
            line=1,
        )
    for part, body in (
        ("Subject", content.subject),
        ("Preheader", content.preheader),
        ("HTML", content.html),
        ("Text", content.text),
    ):
        if bad := _UNSENDABLE.search(body):
            raise ContentError(
                f"a control character or broken character (U+{ord(bad.group(0)):04X}) cannot be "
                "sent; retype the text around it",
                part=part,
                line=line_of(body, bad.start()),
            )
        if len(body) > BODY_MAX:
            raise ContentError(
                f"the {part.lower()} part is over {BODY_MAX // 1000} kB; mail clients clip it",
                part=part,
                line=1,
            )
    for part, body in (
        ("Subject", content.subject),
        ("Preheader", content.preheader),
        ("HTML", content.html),
        ("Text", content.text),
    ):
        for _ in tags_check(part, body):
            pass
    html_check(content.html, allow_http=content.allow_http)


def content_fields(content: MessageContent) -> set[str]:
    """The merge fields a (checked) message uses; e.g. whether it needs the finance data behind
    ``mailings.compose.fields.FINANCE_FIELDS`` (the send helper then passes ``ask``)."""
    found: set[str] = set()
    for part, body in (
        ("Subject", content.subject),
        ("Preheader", content.preheader),
        ("HTML", content.html),
        ("Text", content.text),
    ):
        found.update(field for field, _ in tags_check(part, body))
    return found


# Compiled messages by (content, theme, the mailing's part of the ask). A send renders one
# content for its whole list; a few entries serve A/B variants and test sends side by side.
_COMPILED: dict[tuple, Compiled] = {}
_COMPILED_MAX = 32
_COMPILED_LOCK = threading.Lock()


def _compiled(content: MessageContent, theme: Theme, ask: AskContext | None) -> Compiled:
    key = (content, theme, ask.mailing_key() if ask is not None else None)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    # Unchecked content still renders: what cannot be sent is dropped rather than crash a send.
    compiled = compile_message(
        subject=text_clean(content.subject),
        preheader=text_clean(content.preheader),
        body=text_clean(content.html),
        text=text_clean(content.text),
        theme=theme,
        ask=ask,
    )
    with _COMPILED_LOCK:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = compiled
    return compiled


def content_links(
    content: MessageContent, *, theme: Theme | None = None, ask: AskContext | None = None
) -> tuple[str, ...]:
    """The message's own http(s) links in order, each once, as ``link_wrap`` will be asked for
    them (a donation link carries the mailing's refcode): the list the click tracker indexes
    (``mailings.tracking.tokens.link_wrap_for``). Personalised links (the ask ladder, a link
    with a merge field) are not in it; they are passed to ``link_wrap``, which leaves unknown
    links as they are."""
    return _compiled(content, theme or Theme(), ask).links


def _no_wrap(url: str) -> str:
    return url


def message_render(
    *,
    content: MessageContent,
    merge: Mapping[str, str],
    footer: Footer | None = None,
    link_wrap: Callable[[str], str] | None = None,
    open_pixel_url: str | None = None,
    theme: Theme | None = None,
    ask: AskContext | None = None,
) -> RenderedMessage:
    """The message one recipient receives: merge values escaped in HTML, plain in text.

    The body is set in the campaign's layout (``theme``: pass
    ``layout.theme_for_site(site=actions.services.site_get(), base_url=<public origin>)`` once
    per send; the default is the stock colours). ``link_wrap`` turns each http(s) link of both
    parts into the recipient's tracked link (the footer's links are left alone: an unsubscribe
    must not depend on the tracker); ``open_pixel_url`` adds the open-tracking image at the end
    of the HTML body; ``footer`` goes in the layout's footer and after the text part's ``-- ``.

    ``ask`` (an ``AskContext``: the mailing's donation page, the public origin, the mailing's
    refcode and this recipient's highest previous gift from
    ``donations.pages.donate.person_highest_gift``) fills ``{{ ask_ladder }}`` and
    ``{{ donate_url }}`` with signed links the donation page prefills from, and adds the refcode
    to every link to a donation page. Without it those fields take their default. The layout,
    the plain text and the link positions are compiled once per content and cached; per
    recipient only the pieces are joined.
    """
    compiled = _compiled(content, theme or Theme(), ask)
    who = Recipient(
        merge=merge,
        ask=compiled.ask,
        highest=ask.highest_cents if ask is not None else None,
        footer=footer,
        pixel=open_pixel_url or "",
        theme=theme or Theme(),
        wrap=link_wrap or _no_wrap,
    )
    text = text_render(compiled, who)
    if footer is not None:
        text = f"{text}\n-- \n{footer.text.strip()}\n"
    return RenderedMessage(
        subject=subject_render(compiled, who), html=html_render(compiled, who), text=text
    )
