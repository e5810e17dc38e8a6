"""One recipient's message: the rendered parts, the compliance footer, the headers, DKIM.

Every message carries what the law and the big mailbox providers ask of bulk mail: a visible
unsubscribe link, the committee's postal address and "Paid for by" (52 U.S.C. 30120), and
``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058) so
the mailbox offers an unsubscribe button that needs no visit to our site.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.utils import formataddr, formatdate
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.actions.services import site_get
from groundswell.donations.models import DonationPage
from groundswell.mailings.compose import (
    FINANCE_FIELDS,
    AskContext,
    ContentError,
    Footer,
    MessageContent,
    content_fields,
    content_links,
    message_render,
)
from groundswell.mailings.compose.layout import Theme, theme_for_site
from groundswell.mailings.mime import RawEmail, mime_alternative
from groundswell.mailings.models import Mailing, SenderIdentity
from groundswell.mailings.signing import dkim_header
from groundswell.mailings.tracking import link_wrap_for, open_url

# Headers DKIM signs: what a reader sees and what the one-click unsubscribe depends on.
DKIM_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"reply-to",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
]


class NotReady(ValueError):
    """A mailing that cannot be sent yet, with what to fix."""


@dataclass(frozen=True)
class Envelope:
    """What is the same for every message of one send (worked out once per worker)."""

    content: MessageContent
    from_header: str
    reply_to: list[str]
    return_path: str
    domain: str
    postal_address: str
    paid_for_by: str
    link_base: str
    refcode: str
    theme: Theme | None = None  # the campaign's layout (colours, name, logo): mailings.compose
    # The mailing's own links the click tracker numbers (``content_links``), worked out once
    # per envelope; ``track=False`` (a test send, whose token is no delivery's) sends them bare.
    links: tuple[str, ...] = ()
    track: bool = True
    # For a message that uses the ask ladder or donate_url: the donation page its links lead
    # to, and whether each recipient's ladder is built from their own highest gift (only when
    # the mailing was composed by someone allowed to see giving; otherwise the page's amounts).
    ask_page: object | None = None
    ask_personal: bool = False


@dataclass(frozen=True)
class Recipient:
    token: str
    address: str
    merge: dict[str, str]
    highest_cents: int | None = None  # their highest previous gift (``Envelope.ask_personal``)


def paid_for_by() -> str:
    """The committee's "Paid for by" line, as set for the public site (Site settings)."""
    return site_get().paid_for_by.strip()


def envelope_for(mailing: Mailing, *, sender: SenderIdentity | None = None) -> Envelope:
    """The parts of a mailing every message shares; NotReady says what is missing."""
    sender = sender or mailing.sender
    disclaimer = paid_for_by()
    if not disclaimer:
        raise NotReady(
            "The campaign has no “Paid for by” line: set it under Pages → Site settings; "
            "every message must carry it."
        )
    if not sender.postal_address.strip():
        raise NotReady("The sender identity has no postal address; every message must carry it.")
    link_base = (settings.GROUNDSWELL_PUBLIC_URL or mailing.link_base).rstrip("/")
    content = MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text)
    theme = theme_for_site(site=site_get(), base_url=link_base)
    try:
        asks = bool(content_fields(content) & FINANCE_FIELDS)
    except ContentError:  # refused when it was saved; the send path reports it
        asks = False
    ask_page = ask_page_default() if asks else None
    composer = mailing.created_by
    return Envelope(
        content=content,
        from_header=formataddr((sender.from_name, sender.from_address)),
        reply_to=[sender.reply_to] if sender.reply_to else [],
        return_path=settings.GROUNDSWELL_MAILING_RETURN_PATH or sender.from_address,
        domain=sender_domain(sender),
        postal_address=" ".join(sender.postal_address.split()),
        paid_for_by=disclaimer,
        link_base=link_base,
        refcode=mailing.effective_refcode,
        theme=theme,
        links=content_links(content, theme=theme),
        ask_page=ask_page,
        ask_personal=composer is not None and composer.can(FINANCE_VIEW),
    )


_PATH_SLOT = "TOKEN0000000000000000"


@lru_cache(maxsize=1)
def _unsubscribe_path() -> tuple[str, str]:
    """The unsubscribe path around its token, reversed once (not once per message)."""
    before, _, after = reverse("mailings_public:unsubscribe", args=[_PATH_SLOT]).partition(
        _PATH_SLOT
    )
    return before, after


def unsubscribe_url(envelope: Envelope, token: str) -> str:
    before, after = _unsubscribe_path()
    return f"{envelope.link_base}{before}{token}{after}"


def footer_for(envelope: Envelope, token: str) -> Footer:
    url = unsubscribe_url(envelope, token)
    return Footer(
        html=(
            '<div style="margin-top:2em;font-size:12px;color:#555">'
            f"<p>{html.escape(envelope.paid_for_by)}<br>{html.escape(envelope.postal_address)}</p>"
            f'<p><a href="{html.escape(url)}">Unsubscribe</a> from these e-mails.</p></div>'
        ),
        text=f"{envelope.paid_for_by}\n{envelope.postal_address}\nUnsubscribe: {url}\n",
    )


def ask_page_default():
    """The donation page a mailing's ask leads to: the site's default donation page when
    published, else the first published one; None when there is none."""
    pages = DonationPage.objects.filter(is_published=True).order_by("title", "pk")
    slug = site_get().donate_page
    return (slug and pages.filter(slug=slug).first()) or pages.first()


def _ask_for(envelope: Envelope, recipient: Recipient) -> AskContext | None:
    if envelope.ask_page is None:
        return None
    return AskContext(
        page=envelope.ask_page,
        base_url=envelope.link_base,
        refcode=envelope.refcode,
        highest_cents=recipient.highest_cents if envelope.ask_personal else None,
    )


def message_build(envelope: Envelope, recipient: Recipient) -> RawEmail:
    """The MIME message for one recipient: multipart/alternative, text first, then HTML.

    With ``envelope.track`` every one of the mailing's own links, in both parts, becomes the
    recipient's signed click address and the HTML carries the open pixel; the footer's
    unsubscribe link is never wrapped (it must work whatever happens to the tracker)."""
    wrap = pixel = None
    if envelope.track and envelope.link_base:
        wrap = link_wrap_for(
            base_url=envelope.link_base, token=recipient.token, links=envelope.links
        )
        pixel = open_url(base_url=envelope.link_base, token=recipient.token)
    rendered = message_render(
        content=envelope.content,
        merge=recipient.merge,
        footer=footer_for(envelope, recipient.token),
        link_wrap=wrap,
        open_pixel_url=pixel,
        theme=envelope.theme,
        ask=_ask_for(envelope, recipient),
    )
    one_click = unsubscribe_url(envelope, recipient.token)
    unsubscribe = f"<{one_click}>"
    if settings.GROUNDSWELL_UNSUBSCRIBE_MAILTO:
        unsubscribe += (
            f", <mailto:{settings.GROUNDSWELL_UNSUBSCRIBE_MAILTO}"
            f"?subject=unsubscribe%20{recipient.token}>"
        )
    headers = [
        ("From", envelope.from_header),
        ("To", recipient.address),
        ("Subject", rendered.subject),
        ("Date", formatdate(localtime=False)),
        ("Message-ID", message_id(envelope, recipient.token)),
    ]
    if envelope.reply_to:
        headers.append(("Reply-To", ", ".join(envelope.reply_to)))
    headers += [
        ("List-Unsubscribe", unsubscribe),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("X-Groundswell-Refcode", envelope.refcode),
        # Returned inside bounce reports and complaints, so mailings.bounces can tie them to
        # this delivery (delivery_address_for) rather than trust the address a report names.
        ("X-Groundswell-Delivery", recipient.token),
    ]
    if not recipient.address.isascii():
        raise ValueError("an address that is not ASCII needs SMTPUTF8, which is not supported")
    raw = mime_alternative(headers=headers, text=rendered.text, html=rendered.html)
    return RawEmail(
        raw, subject=rendered.subject, from_email=envelope.from_header, to=[recipient.address]
    )


def message_id(envelope: Envelope, token: str) -> str:
    """Unique per delivery and traceable to it (a bounce quoting it names the recipient)."""
    return message_id_for(token=token, refcode=envelope.refcode, domain=envelope.domain)


def message_id_for(*, token: str, refcode: str, domain: str) -> str:
    return f"<{token}.{refcode}@{domain}>"


def sender_domain(sender: SenderIdentity) -> str:
    return sender.from_address.rpartition("@")[2].lower() or "localhost"


@dataclass(frozen=True)
class DkimKey:
    selector: bytes
    domain: bytes
    private_key: bytes


@lru_cache(maxsize=4)
def _key_read(path: str) -> bytes:
    return Path(path).read_bytes()


def dkim_key(envelope: Envelope) -> DkimKey | None:
    """The configured DKIM key, or None (most campaigns relay through a provider that signs)."""
    if not settings.GROUNDSWELL_DKIM_KEY_FILE:
        return None
    return DkimKey(
        selector=settings.GROUNDSWELL_DKIM_SELECTOR.encode(),
        domain=(settings.GROUNDSWELL_DKIM_DOMAIN or envelope.domain).encode(),
        private_key=_key_read(settings.GROUNDSWELL_DKIM_KEY_FILE),
    )


def dkim_sign(raw: bytes, key: DkimKey) -> bytes:
    """The message with its DKIM-Signature header in front (relaxed/relaxed, rsa-sha256)."""
    header = dkim_header(
        raw,
        selector=key.selector,
        domain=key.domain,
        private_key=key.private_key,
        include_headers=DKIM_HEADERS,
    )
    return header + raw
