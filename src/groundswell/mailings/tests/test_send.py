"""A mailing goes out over real SMTP (a server on loopback), once per recipient, with the
headers and footer the law and the mailbox providers ask for; read back with ``email``."""

from __future__ import annotations

import email
import re
from email import policy

import pytest

from groundswell.mailings.models import Delivery, DeliveryState, MailingStatus
from groundswell.mailings.recipients import mailing_recipients, recipients_summary
from groundswell.mailings.sender import mailing_work
from groundswell.mailings.services import ConfirmationNeeded, mailing_send
from groundswell.mailings.tests.conftest import person_make
from groundswell.mailings.transport import Transport
from groundswell.people.models import EmailAddress, EmailStatus
from groundswell.people.services import email_status_set

pytestmark = pytest.mark.django_db


def _parsed(sink):
    return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.received]


def _send(mailing, actor, capture, **kw):
    with capture(execute=True):
        mailing_send(mailing=mailing, actor=actor, **kw)
    mailing.refresh_from_db()


def test_each_mailable_person_gets_one_multipart_message_with_compliance_headers_and_footer(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    for name in ("ada", "bo", "cy"):
        person_make(f"{name}@one.example")
    person_make("gone@one.example", EmailStatus.UNSUBSCRIBED)
    person_make("bounce@one.example", EmailStatus.BOUNCING)
    person_make("spam@one.example", EmailStatus.SPAM_COMPLAINT)
    person_make("quiet@one.example", EmailStatus.UNKNOWN)
    mailing = mailing_make()

    _send(mailing, admin_user, django_capture_on_commit_callbacks)

    assert mailing.status == MailingStatus.SENT
    messages = _parsed(smtp_sink)
    assert sorted(m["To"] for m in messages) == [
        "ada@one.example",
        "bo@one.example",
        "cy@one.example",
    ]
    for message in messages:
        delivery = Delivery.objects.get(address=message["To"])
        assert delivery.state == DeliveryState.SENT
        assert message["Message-ID"] == delivery.message_id
        assert message["Date"]
        assert message["From"] == "Mara Quillon <mara@campaign.example.org>"
        assert message["Reply-To"] == "team@campaign.example.org"
        assert message["Subject"] == f"Hello {delivery.person.given_name}"
        assert message.get_content_type() == "multipart/alternative"
        text, html = (part.get_content() for part in message.iter_parts())
        url = f"https://campaign.example.org/u/{delivery.token}"
        assert message["List-Unsubscribe"] == f"<{url}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        for part in (text, html):
            assert "Paid for by Quillon for Congress" in part
            assert "PO Box 4471 Columbus, OH 43215" in part
            assert url in part
        assert f"Dear {delivery.person.given_name}," in text
    assert mailing.removed == {
        "no_email": 0,
        "unsubscribed": 1,
        "bouncing": 1,
        "complained": 1,
        "no_consent": 1,
        "kind_opt_out": 0,
        "recently_mailed": 0,
    }


def test_sending_twice_or_running_a_second_worker_sends_nothing_more(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("ada@one.example")
    mailing = mailing_make()
    _send(mailing, admin_user, django_capture_on_commit_callbacks)
    assert mailing_work(mailing_id=mailing.pk).sent == 0
    Delivery.objects.update(state=DeliveryState.QUEUED)  # as if a row were re-queued by hand
    mailing.status = MailingStatus.SENDING
    mailing.save()
    Delivery.objects.update(state=DeliveryState.SENDING)
    assert mailing_work(mailing_id=mailing.pk).sent == 0  # a "sending" row is never re-sent
    assert len(smtp_sink.received) == 1


def test_an_unsubscribe_made_mid_send_is_honoured_for_the_rest_of_the_send(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    people = [person_make(f"p{n}@one.example") for n in range(5)]
    late = people[0]  # ordered by id: the first is sent first, the last ones later
    last = people[-1]
    real_send = Transport.send

    def send_then_unsubscribe(self, message, **kw):
        real_send(self, message, **kw)
        if message.to == [late.primary_email]:
            email_status_set(
                email=EmailAddress.objects.get(address=last.primary_email),
                status=EmailStatus.UNSUBSCRIBED,
                method="unsubscribe_link",
                source="test",
            )

    monkeypatch.setattr(Transport, "send", send_then_unsubscribe)
    mailing = mailing_make()
    _send(mailing, admin_user, django_capture_on_commit_callbacks)
    received = [rcpt for _, rcpt, _ in smtp_sink.received]
    assert last.primary_email not in received
    assert len(received) == 4
    assert Delivery.objects.get(person=last).state == DeliveryState.SUPPRESSED


def test_people_mailed_within_the_window_are_skipped_and_counted(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("ada@one.example")
    _send(mailing_make(), admin_user, django_capture_on_commit_callbacks)
    person_make("new@one.example")
    second = mailing_make(name="Second", exclude_mailed_within_days=3)
    assert list(mailing_recipients(mailing=second).values_list("primary_email", flat=True)) == [
        "new@one.example"
    ]
    assert recipients_summary(mailing=second)["removed"]["recently_mailed"] == 1
    without_window = mailing_make(name="Third")
    assert recipients_summary(mailing=without_window)["recipients"] == 2


def test_a_large_send_needs_the_number_of_recipients_typed_to_confirm(
    smtp_sink, mailing_make, admin_user, settings
):
    settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE = 2
    for n in range(3):
        person_make(f"p{n}@one.example")
    mailing = mailing_make()
    with pytest.raises(ConfirmationNeeded):
        mailing_send(mailing=mailing, actor=admin_user)
    with pytest.raises(ConfirmationNeeded):
        mailing_send(mailing=mailing, actor=admin_user, confirmed=2)
    mailing_send(mailing=mailing, actor=admin_user, confirmed=3)
    assert mailing.status == MailingStatus.SENDING


def test_the_per_domain_rate_spaces_messages_to_that_domain_and_not_the_others(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, settings
):
    settings.GROUNDSWELL_MAILING_DOMAIN_RATES = ["slow.example=5"]
    for n in range(5):
        person_make(f"s{n}@slow.example")
        person_make(f"f{n}@fast.example")
    _send(mailing_make(), admin_user, django_capture_on_commit_callbacks)
    slow = [t for t, rcpt, _ in smtp_sink.received if rcpt.endswith("@slow.example")]
    fast = [t for t, rcpt, _ in smtp_sink.received if rcpt.endswith("@fast.example")]
    assert len(slow) == len(fast) == 5
    gaps = [b - a for a, b in zip(slow, slow[1:], strict=False)]
    # 5 a second: 0.2 s apart (a little less may be seen: the sink stamps on arrival).
    assert min(gaps) >= 0.15, gaps
    # The other domain is not held back behind the slow one.
    assert max(fast) < slow[-1]


def test_a_send_without_a_paid_for_by_line_is_refused_with_where_to_set_it(
    smtp_sink, mailing_make, admin_user
):
    from groundswell.actions.services import site_get
    from groundswell.mailings.message import NotReady

    person_make("ada@one.example")
    site = site_get()
    site.paid_for_by = ""
    site.save()
    with pytest.raises(NotReady, match="Paid for by"):
        mailing_send(mailing=mailing_make(), actor=admin_user)
    assert not smtp_sink.received


def test_the_message_id_names_the_delivery(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("ada@one.example")
    mailing = mailing_make()
    _send(mailing, admin_user, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert re.fullmatch(
        rf"<{re.escape(delivery.token)}\.m{mailing.pk}@campaign\.example\.org>", delivery.message_id
    )


def test_a_scheduled_mailing_starts_when_due_and_a_send_without_live_workers_restarts(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from groundswell.mailings.models import Mailing
    from groundswell.mailings.services import mailing_schedule, mailings_start_due

    person_make("ada@one.example")
    mailing = mailing_make()
    when = timezone.now() + timedelta(hours=1)
    mailing_schedule(mailing=mailing, actor=admin_user, when=when)
    assert mailings_start_due() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert mailings_start_due(now=when + timedelta(seconds=1)) == [mailing.pk]
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT
    assert len(smtp_sink.received) == 1
    # A sending mailing whose workers died (no heartbeat for minutes) gets new ones.
    person_make("bo@one.example")
    stalled = mailing_make(name="Stalled")
    Mailing.objects.filter(pk=stalled.pk).update(
        status=MailingStatus.SENDING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    assert mailings_start_due() == [stalled.pk]
    stalled.refresh_from_db()
    assert stalled.status == MailingStatus.SENT
    assert mailings_start_due() == []


def test_names_and_text_beyond_ascii_arrive_intact(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, sender
):
    sender.from_name = "Zoë Quillon — für alle"
    sender.save()
    person_make("zoe@one.example", given_name="Zoë")
    mailing = mailing_make(html="<p>Grüße, {{ first_name }}! 🌱 = 100% &amp; more</p>")
    _send(mailing, admin_user, django_capture_on_commit_callbacks)
    (message,) = _parsed(smtp_sink)
    assert message["Subject"] == "Hello Zoë"
    assert message["From"].addresses[0].display_name == "Zoë Quillon — für alle"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "Grüße, Zoë! 🌱 = 100% & more" in text
    assert "Grüße, Zoë! 🌱 = 100% &amp; more" in html
