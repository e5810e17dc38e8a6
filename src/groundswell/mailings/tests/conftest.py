"""A world to mail: a real SMTP server on loopback, a sender, a segment, synthetic people."""

from __future__ import annotations

import time

import pytest

from groundswell.actions.services import site_get
from groundswell.core.tests.smtp import smtp_loopback
from groundswell.mailings.models import Mailing, SenderIdentity
from groundswell.people.models import EmailAddress, EmailStatus, Person
from groundswell.segments.models import Segment


class Sink:
    """Keeps every message the server accepted, with when it arrived."""

    def __init__(self):
        self.received: list[tuple[float, str, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.received.append((time.monotonic(), rcpt, envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    with smtp_loopback(sink, settings):
        settings.GROUNDSWELL_PUBLIC_URL = "https://campaign.example.org"
        settings.GROUNDSWELL_MAILING_WORKERS = 1
        yield sink


def person_make(address: str, status: str = EmailStatus.SUBSCRIBED, **fields) -> Person:
    """A synthetic person whose primary address has ``status``."""
    person = Person.objects.create(
        given_name=fields.pop("given_name", address.split("@")[0].title()),
        primary_email=address,
        email_status=status,
        **fields,
    )
    EmailAddress.objects.create(person=person, address=address, is_primary=True, status=status)
    return person


@pytest.fixture
def sender(db):
    site = site_get()
    site.paid_for_by = "Paid for by Quillon for Congress"
    site.save()
    return SenderIdentity.objects.create(
        from_name="Mara Quillon",
        from_address="mara@campaign.example.org",
        reply_to="team@campaign.example.org",
        postal_address="PO Box 4471\nColumbus, OH 43215",
        is_default=True,
    )


@pytest.fixture
def everyone(db):
    return Segment.objects.create(name="Everyone", definition={})


@pytest.fixture
def mailing_make(sender, everyone, admin_user):
    def make(**fields) -> Mailing:
        values = {
            "name": "Spring update",
            "sender": sender,
            "segment": everyone,
            "subject": 'Hello {{ first_name|default:"Friend" }}',
            "html": '<p>Dear {{ first_name|default:"Friend" }},</p>'
            '<p><a href="https://campaign.example.org/a/join/">Join us</a></p>',
            "created_by": admin_user,
        }
        values.update(fields)
        return Mailing.objects.create(**values)

    return make
