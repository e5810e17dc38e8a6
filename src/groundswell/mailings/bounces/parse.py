"""Delivery status notifications (RFC 3464) and feedback-loop complaints (ARF, RFC 5965) parsed
into typed events, from the raw bytes of one message in the bounce mailbox.

A standard report is read field by field: each recipient's action, status and diagnostic, and the
message we sent (its Message-ID and our delivery token, `X-Groundswell-Delivery`) from the
returned copy or headers. What is not a standard report but reads like a bounce (Exim's classic
text, old Exchange, odd gateways) goes to flufl.bounce's heuristic detectors for the addresses.

Anything else, including bytes that are not an e-mail at all, is a `Report` with no events and
the reason; parsing never raises (the readers hand every message here, and one malformed
message must not stop the mailbox).

Anyone can send a forged report to a bounce address. So an event says what the report claims,
and whoever acts on it should trust it only as far as its token does: a signed delivery token
naming that recipient (or a Message-ID we sent to them) ties the report to a real message; a
report without either should not suppress anyone who was never mailed from here.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import logging
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import HeaderParser
from email.utils import getaddresses
from enum import StrEnum

from flufl.bounce import all_failures

logger = logging.getLogger(__name__)

# The header our send path stamps on every message: the delivery's signed token.
TOKEN_HEADER = "X-Groundswell-Delivery"  # noqa: S105 (a header name, not a secret)

# Bounded, so a hostile message cannot make a field (or a log line) of any size.
_MAX_FIELD = 500
_MAX_ADDRESS = 254
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_ADDRESS = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,253}$")
_BOUNCE_SENDERS = re.compile(r"mailer-daemon|postmaster|mail delivery", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"undeliver|returned mail|delivery (status|failure|has failed)|failure notice|"
    r"could not be delivered|delivery incomplete|mail delivery failed",
    re.IGNORECASE,
)
# Lines of a returned message quoted in a text bounce ("Message-ID: <…>").
_QUOTED_HEADER = re.compile(
    rf"^\s*(Message-ID|{TOKEN_HEADER}):\s*(\S[^\r\n]*)$", re.IGNORECASE | re.MULTILINE
)


class Action(StrEnum):
    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RELAYED = "relayed"
    EXPANDED = "expanded"


@dataclass(frozen=True)
class Bounce:
    """One recipient's delivery status: "failed" with 5.x.x is hard, 4.x.x (or delayed) soft."""

    recipient: str
    action: Action
    status: str  # "5.1.1", or "" when the report gave none
    diagnostic: str
    message_id: str  # of the message we sent, from the returned headers
    token: str  # our X-Groundswell-Delivery token, if the returned headers kept it
    source: str  # "dsn", or "heuristic" (flufl.bounce on a non-standard bounce)

    @property
    def hard(self) -> bool:
        """A permanent failure: suppress at once.

        5.2.2 (mailbox full) is a permanent code by the RFC but temporary in practice: people
        empty their mailboxes, so it counts as soft, like the mailbox providers treat it.
        """
        if self.action is not Action.FAILED:
            return False
        return self.status != "5.2.2" and not self.status.startswith("4.")

    @property
    def soft(self) -> bool:
        return not self.hard and self.action in (Action.FAILED, Action.DELAYED)


@dataclass(frozen=True)
class Complaint:
    """A feedback-loop report: the recipient marked our message as spam."""

    recipient: str  # "" when the provider redacted it (then only the token identifies them)
    feedback_type: str  # "abuse", "fraud", "not-spam", …
    user_agent: str
    message_id: str
    token: str


@dataclass(frozen=True)
class Report:
    """What one message in the bounce mailbox says: its events, or why it has none."""

    events: tuple[Bounce | Complaint, ...] = ()
    reason: str = ""  # why it is not a bounce or complaint ("" when it is one)
    report_id: str = ""  # the report's own Message-ID, for logs
    # A recipient's mail to the List-Unsubscribe mailto address ("unsubscribe <token>"): the
    # delivery token it names, "" for any other message.
    unsubscribe_token: str = ""

    @property
    def is_bounce(self) -> bool:
        return bool(self.events)


def report_parse(raw: bytes) -> Report:
    """Parse one raw message (never raises: a message it cannot read is "not a bounce")."""
    try:
        message = email.message_from_bytes(raw)
        report_id = _header(message, "Message-ID")
        events = _events(message)
    except Exception as error:  # hostile bytes: any parser failure is "not one"
        logger.info("bounce mailbox: unreadable message (%s)", type(error).__name__)
        return Report(reason=f"unreadable message ({type(error).__name__})")
    if not events:
        token = _unsubscribe_token(message)
        if token:
            return Report(
                reason="unsubscribe request", report_id=report_id, unsubscribe_token=token
            )
        return Report(reason="not a bounce or complaint", report_id=report_id)
    return Report(events=tuple(events), report_id=report_id)


# The subject our List-Unsubscribe mailto URI asks for (mailings.message): "unsubscribe" and the
# delivery's token (22 URL-safe characters). A reply may add "Re:" or other words around it.
_UNSUBSCRIBE_SUBJECT = re.compile(r"(?:^|\s)unsubscribe\s+([A-Za-z0-9_-]{8,64})(?:\s|$)", re.I)


def _unsubscribe_token(message: email.message.Message) -> str:
    found = _UNSUBSCRIBE_SUBJECT.search(_header(message, "Subject"))
    return found.group(1) if found else ""


def _events(message: email.message.Message) -> list[Bounce | Complaint]:
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "", header="content-type")).lower()
        if report_type == "feedback-report":
            return _complaints(message)
        if report_type == "delivery-status":
            found = _dsn(message)
            if found:
                return found
    if _looks_like_a_bounce(message):
        return _heuristic(message)
    return []


# ---------------------------------------------------------------- header helpers


def _clean(value: object, limit: int = _MAX_FIELD) -> str:
    text = str(value or "")
    # An undecodable encoded word stays as it came.
    with contextlib.suppress(Exception):
        text = str(make_header(decode_header(text)))
    text = "".join(c for c in text if c.isprintable() or c == " ")
    return " ".join(text.split())[:limit]


def _header(message: email.message.Message, name: str) -> str:
    return _clean(message.get(name, ""))


def _address(value: str) -> str:
    """The address of "rfc822; ada@example.org" or "<ada@example.org>", lower-cased, or ""."""
    if ";" in value:
        value = value.split(";", 1)[1]
    pairs = getaddresses([value])
    address = pairs[0][1].strip().lower() if pairs else ""
    return address if _ADDRESS.match(address) and len(address) <= _MAX_ADDRESS else ""


def _parts(message: email.message.Message):
    """Every part, depth first, bounded (a report has three; a hostile one may nest deeply)."""
    stack, seen = [message], 0
    while stack and seen < 50:
        part = stack.pop(0)
        seen += 1
        yield part
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(p for p in payload if isinstance(p, email.message.Message))


def _returned(message: email.message.Message) -> tuple[str, str]:
    """The Message-ID and our token from the returned message or its headers."""
    for part in _parts(message):
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global") and part.is_multipart():
            original = part.get_payload(0)
            return _header(original, "Message-ID"), _header(original, TOKEN_HEADER)
        if kind in ("text/rfc822-headers", "text/rfc822-header"):
            text = part.get_payload(decode=True) or b""
            headers = HeaderParser().parsestr(text.decode("utf-8", "replace"))
            return _header(headers, "Message-ID"), _header(headers, TOKEN_HEADER)
    return _quoted(message)


def _quoted(message: email.message.Message) -> tuple[str, str]:
    """A text bounce quotes the returned headers in its body: find ours there."""
    found = {"message-id": "", TOKEN_HEADER.lower(): ""}
    for part in _parts(message):
        if part.get_content_maintype() != "text":
            continue
        body = (part.get_payload(decode=True) or b"")[:200_000].decode("utf-8", "replace")
        for name, value in _QUOTED_HEADER.findall(body):
            found[name.lower()] = found[name.lower()] or _clean(value)
    return found["message-id"], found[TOKEN_HEADER.lower()]


# ---------------------------------------------------------------- RFC 3464


def _status_blocks(message: email.message.Message) -> list[email.message.Message]:
    """The per-recipient blocks of the message/delivery-status part (the first is per-message)."""
    for part in _parts(message):
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            if isinstance(payload, list):
                return [b for b in payload[1:] if isinstance(b, email.message.Message)]
            # Some servers send it base64-encoded, which leaves the blocks as text.
            text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            blocks = [HeaderParser().parsestr(b) for b in re.split(r"\r?\n\s*\r?\n", text)]
            return blocks[1:]
    return []


def _dsn(message: email.message.Message) -> list[Bounce]:
    message_id, token = _returned(message)
    bounces = []
    for block in _status_blocks(message)[:100]:
        recipient = _address(_header(block, "Final-Recipient")) or _address(
            _header(block, "Original-Recipient")
        )
        action_text = _header(block, "Action").lower().split(" ")[0]
        if not recipient or action_text not in Action._value2member_map_:
            continue
        status_match = _STATUS.search(_header(block, "Status"))
        diagnostic = _header(block, "Diagnostic-Code")
        if ";" in diagnostic:
            diagnostic = diagnostic.split(";", 1)[1].strip()
        bounces.append(
            Bounce(
                recipient=recipient,
                action=Action(action_text),
                status=status_match.group(0) if status_match else "",
                diagnostic=diagnostic,
                message_id=message_id,
                token=token,
                source="dsn",
            )
        )
    return bounces


# ---------------------------------------------------------------- RFC 5965


def _complaints(message: email.message.Message) -> list[Complaint]:
    for part in _parts(message):
        if part.get_content_type() != "message/feedback-report":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            fields = payload[0]
        else:
            text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            fields = HeaderParser().parsestr(text)
        message_id, token = _returned(message)
        recipient = _address(_header(fields, "Original-Rcpt-To"))
        feedback_type = _header(fields, "Feedback-Type").lower()[:40]
        if not feedback_type:
            return []
        return [
            Complaint(
                recipient=recipient,
                feedback_type=feedback_type,
                user_agent=_header(fields, "User-Agent"),
                message_id=message_id or _header(fields, "Original-Message-ID"),
                token=token,
            )
        ]
    return []


# ---------------------------------------------------------------- non-standard bounces


def _looks_like_a_bounce(message: email.message.Message) -> bool:
    """Only what a mail server sent is scanned by the heuristics: a person's reply that quotes
    an address must not suppress it."""
    sender = _header(message, "From")
    return_path = _header(message, "Return-Path")
    return bool(
        _BOUNCE_SENDERS.search(sender)
        or (return_path in ("<>", "") and _BOUNCE_SUBJECTS.search(_header(message, "Subject")))
    )


def _heuristic(message: email.message.Message) -> list[Bounce]:
    try:
        temporary, permanent = all_failures(message)
    except Exception as error:  # a third-party heuristic on a hostile message
        logger.info("bounce mailbox: flufl.bounce failed (%s)", type(error).__name__)
        return []
    message_id, token = _returned(message)
    text = _human_text(message)
    bounces = []
    for found, action in ((permanent, Action.FAILED), (temporary, Action.DELAYED)):
        for raw in sorted(found)[:100]:
            recipient = _address(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)
            if recipient:
                status, diagnostic = _explained(text, recipient)
                bounces.append(
                    Bounce(
                        recipient=recipient,
                        action=action,
                        status=status,
                        diagnostic=diagnostic,
                        message_id=message_id,
                        token=token,
                        source="heuristic",
                    )
                )
    return bounces


def _human_text(message: email.message.Message) -> str:
    """The bounce's own words: its text parts up to where the returned message is quoted."""
    texts = []
    for part in _parts(message):
        if part.get_content_type() == "text/plain":
            body = (part.get_payload(decode=True) or b"")[:100_000]
            texts.append(body.decode("utf-8", "replace"))
    text = "\n".join(texts)
    cut = re.search(r"^-+ ?(This is a copy of|Original message|Below this line)", text, re.I | re.M)
    return text[: cut.start()] if cut else text


def _explained(text: str, recipient: str) -> tuple[str, str]:
    """The status code and the server's words next to the address in a text bounce.

    The heuristics say which addresses failed, not why: the lines after the address usually do
    ("550 5.1.1 user unknown", "mailbox is full").
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if recipient not in line.lower():
            continue
        near = []
        for nearby in lines[index : index + 5]:
            if not nearby.strip() and near:
                break
            if nearby.strip().strip("<>:").lower() != recipient and nearby.strip():
                near.append(nearby.strip())
        coded = [x for x in near if _STATUS.search(x)]
        if coded:
            return _STATUS.search(coded[-1]).group(0), _clean(coded[-1])
        return "", _clean(" ".join(near))
    return "", ""
