"""A real SMTP server on loopback for the tests that send mail (aiosmtpd), and Django pointed at it.

One place starts the server so that every sending test talks SMTP the same way: a free port on
127.0.0.1, plain SMTP (no TLS, no login), stopped when the test ends.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_loopback(handler, settings=None) -> Iterator[int]:
    """Serve ``handler`` (an aiosmtpd handler) on a free loopback port and yield the port; with
    pytest-django's ``settings``, Django's SMTP backend is pointed at it for the test."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    if settings is not None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield port
    finally:
        controller.stop()
