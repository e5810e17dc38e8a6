"""The mailings test world (a loopback SMTP server, a sender, a segment) for A/B tests."""

from groundswell.mailings.tests.conftest import (  # noqa: F401 (fixtures)
    everyone,
    mailing_make,
    sender,
    smtp_sink,
)
