"""The bytes of one message, written directly: multipart/alternative, both parts UTF-8 in
quoted-printable, headers RFC 2047-encoded where not ASCII.

Building the same message through ``email``'s object model (as Django's EmailMessage does) costs
about 3 ms a message on the development machine, more than everything else a worker does for
it; this writes the few shapes a mailing has in a tenth of that. The tests parse every message
back with ``email`` and check its parts and headers, and DKIM signatures verify over these bytes.
"""

from __future__ import annotations

import binascii
import secrets
from email import message_from_bytes
from email.header import Header
from email.policy import compat32

from django.core.mail import EmailMessage


def header_value(value: str) -> str:
    """A header's value as sent; a line break (header injection) is refused."""
    if "\r" in value or "\n" in value:
        raise ValueError("a line break cannot be part of a header")
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep="\r\n")


def _quoted_printable(body: str) -> bytes:
    data = body.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def _part(content_type: str, body: str) -> bytes:
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + _quoted_printable(body)


def mime_alternative(*, headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """The whole message: ``headers`` (already encoded names and ASCII-safe values allowed),
    then the plain-text part and the HTML part."""
    # "=_" never occurs in quoted-printable text (a literal "=" is written =3D).
    boundary = "=_gs_" + secrets.token_hex(12)
    head = "".join(f"{name}: {header_value(value)}\r\n" for name, value in headers)
    head += f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary}"\r\n'
    sep = f"\r\n--{boundary}\r\n".encode()
    return b"".join(
        [
            head.encode("ascii"),
            b"\r\n--" + boundary.encode() + b"\r\n",
            _part("text/plain", text),
            sep,
            _part("text/html", html),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )


class RawEmail(EmailMessage):
    """A message already written as bytes, for Django's mail backends (files in the demo,
    memory in tests); over SMTP the bytes are sent as they are."""

    def __init__(self, raw: bytes, *, subject: str, from_email: str, to: list[str]):
        super().__init__(subject=subject, from_email=from_email, to=to)
        self.raw = raw

    def message(self, *args, **kwargs):
        return message_from_bytes(self.raw, policy=compat32)
