"""One reused connection to the mail server for a worker (settings' EMAIL backend, EMAIL_URL).

Over SMTP the message goes out as bytes through the backend's ``smtplib`` connection, so a DKIM
signature can be put in front of exactly the bytes sent. Other backends (the demo's file
backend, tests' memory backend) get the message object; they are not signed.
"""

from __future__ import annotations

import smtplib
import time

from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from groundswell.mailings.message import DkimKey, dkim_sign
from groundswell.mailings.mime import RawEmail

# Seconds without a message after which the connection is checked before the next one.
IDLE_CHECK_AFTER = 10.0


class TransportDown(RuntimeError):
    """The mail server cannot be reached: nothing was handed to it."""


class Transport:
    def __init__(self):
        self.backend = mail.get_connection(fail_silently=False)
        self.is_smtp = isinstance(self.backend, SmtpBackend)
        self._open = False
        self._used_at = 0.0

    def ensure_open(self) -> None:
        """Connect if not connected, before the ledger says "sending" (so a server that is down
        stops the worker instead of failing every recipient). A connection idle for a while
        (a throttled send) is checked with NOOP first: servers drop idle clients, and a message
        handed to a dropped connection would be counted failed though never offered."""
        connected = self._open and self.is_smtp and self.backend.connection is not None
        if connected and time.monotonic() - self._used_at > IDLE_CHECK_AFTER:
            try:
                alive = self.backend.connection.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self.close()
        self._used_at = time.monotonic()
        if self._open and (not self.is_smtp or self.backend.connection is not None):
            return
        try:
            self.backend.open()
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportDown(str(exc)) from exc
        self._open = True

    def send(self, message: RawEmail, *, envelope_from: str, dkim: DkimKey | None) -> None:
        if not self.is_smtp:
            message.connection = self.backend
            self.backend.send_messages([message])
            return
        raw = message.raw
        if dkim is not None:
            raw = dkim_sign(raw, dkim)
        self.backend.connection.sendmail(envelope_from, message.to, raw)

    def reset(self) -> None:
        """Drop a broken connection; the next ensure_open reconnects."""
        self.close()

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            # Closing a connection the server already dropped: nothing left to do.
            if self.is_smtp:
                self.backend.connection = None
