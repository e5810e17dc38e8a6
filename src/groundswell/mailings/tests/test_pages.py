"""The staff pages: compose with merge-field errors on their line, preview the removals, test,
confirm a large send, pause, resume, cancel; who may use them; the audit log."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.mailings.models import Mailing, MailingStatus, SenderIdentity
from groundswell.mailings.sender import mailing_work
from groundswell.mailings.tests.conftest import person_make
from groundswell.people.models import EmailStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(client, organizer_user):
    organizer_user.email = "org@campaign.example.org"
    organizer_user.save()
    client.force_login(organizer_user)
    return client


def _form(sender, segment, **changes) -> dict:
    data = {
        "name": "June appeal",
        "kind": "fundraising",
        "sender": sender.pk,
        "segment": segment.pk,
        "subject": "Hi {{ first_name }}",
        "html": "<p>Hello</p>",
        "text": "",
        "refcode": "",
        "exclude_mailed_within_days": 0,
    }
    data.update(changes)
    return data


def test_an_unknown_merge_field_is_refused_with_its_line(organizer, sender, everyone):
    html = "<p>Hello</p>\n<p>{{ frist_name }}</p>"
    response = organizer.post(reverse("mailings:create"), _form(sender, everyone, html=html))
    assert response.status_code == 200
    assert "HTML, line 2: unknown merge field" in response.content.decode()
    assert not Mailing.objects.exists()


def test_the_detail_page_counts_who_each_suppression_removes(organizer, sender, everyone):
    person_make("ada@one.example")
    person_make("gone@one.example", EmailStatus.UNSUBSCRIBED)
    person_make("quiet@one.example", EmailStatus.UNKNOWN)
    organizer.post(reverse("mailings:create"), _form(sender, everyone))
    mailing = Mailing.objects.get()
    page = organizer.get(reverse("mailings:detail", args=[mailing.pk])).content.decode()
    assert "<strong>1</strong> of the segment's 3 people" in page
    assert '<td>unsubscribed</td><td class="num">1</td>' in page
    assert '<td>no consent recorded</td><td class="num">1</td>' in page


def test_a_test_send_goes_to_the_staff_members_own_address(organizer, sender, everyone, smtp_sink):
    organizer.post(reverse("mailings:create"), _form(sender, everyone))
    mailing = Mailing.objects.get()
    organizer.post(reverse("mailings:test", args=[mailing.pk]))
    (message,) = [
        email.message_from_bytes(r, policy=policy.default) for *_, r in smtp_sink.received
    ]
    assert message["To"] == "org@campaign.example.org"
    assert message["Subject"].startswith("[Test] ")
    assert AuditEvent.objects.filter(action="mailing_test").count() == 1


def test_a_large_send_asks_for_the_number_then_sends_and_can_be_paused_resumed_and_cancelled(
    organizer, sender, everyone, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE = 1
    for n in range(3):
        person_make(f"p{n}@one.example")
    organizer.post(reverse("mailings:create"), _form(sender, everyone))
    mailing = Mailing.objects.get()
    send = reverse("mailings:send", args=[mailing.pk])
    refused = organizer.post(send, {"when": "now"})
    assert refused.status_code == 400
    assert "Type the number of recipients (3)" in refused.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DRAFT
    # Started, but its workers are held back (no on-commit run): pause, resume, cancel.
    organizer.post(send, {"when": "now", "confirmed": 3})
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENDING
    organizer.post(reverse("mailings:control", args=[mailing.pk, "pause"]))
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.PAUSED
    assert mailing_work(mailing_id=mailing.pk).sent == 0  # a paused send sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(reverse("mailings:control", args=[mailing.pk, "resume"]))
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT
    assert len(smtp_sink.received) == 3
    assert (
        organizer.post(reverse("mailings:control", args=[mailing.pk, "cancel"])).status_code == 302
    )
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT  # a finished send cannot be cancelled
    assert AuditEvent.objects.filter(action="mailing_send").count() == 1
    assert AuditEvent.objects.filter(action="mailing_control").count() == 2


def test_a_cancelled_send_stops_between_messages(
    organizer, sender, everyone, smtp_sink, monkeypatch, django_capture_on_commit_callbacks
):
    from groundswell.mailings import sender as sender_module
    from groundswell.mailings.transport import Transport

    monkeypatch.setattr(sender_module, "STATUS_EVERY", 0)  # read the status before each message
    for n in range(5):
        person_make(f"p{n}@one.example")
    organizer.post(reverse("mailings:create"), _form(sender, everyone))
    mailing = Mailing.objects.get()
    real_send = Transport.send

    def send_then_cancel(self, message, **kw):
        real_send(self, message, **kw)
        Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.CANCELLED)

    monkeypatch.setattr(Transport, "send", send_then_cancel)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(reverse("mailings:send", args=[mailing.pk]), {"when": "now"})
    assert len(smtp_sink.received) == 1


def test_roles_without_the_sending_capability_cannot_open_the_pages(
    persona_client, sender, everyone
):
    mailing = Mailing.objects.create(
        name="M", sender=sender, segment=everyone, subject="S", html="<p>x</p>"
    )
    for role in ("finance", "volunteer"):
        client = persona_client(role)
        assert client.get(reverse("mailings:list")).status_code == 403
        assert client.get(reverse("mailings:detail", args=[mailing.pk])).status_code == 403
        assert client.post(reverse("mailings:send", args=[mailing.pk])).status_code == 403
    assert persona_client("organizer").get(reverse("mailings:list")).status_code == 200


def test_the_first_sender_becomes_the_default_and_a_new_default_takes_over(organizer):
    url = reverse("mailings:senders")
    base = {"from_name": "A", "reply_to": "", "postal_address": "PO Box 1"}
    organizer.post(url, {**base, "from_address": "a@campaign.example.org"})
    organizer.post(url, {**base, "from_address": "b@campaign.example.org", "is_default": "on"})
    defaults = SenderIdentity.objects.filter(is_default=True)
    assert [s.from_address for s in defaults] == ["b@campaign.example.org"]


def test_the_progress_fragment_counts_the_ledger_and_keeps_polling_while_sending(
    organizer, sender, everyone
):
    from groundswell.mailings.models import Delivery, DeliveryState

    mailing = Mailing.objects.create(
        name="M",
        sender=sender,
        segment=everyone,
        subject="S",
        html="<p>x</p>",
        status=MailingStatus.SENDING,
    )
    for n, state in enumerate(["sent", "sent", "queued", "sending"]):
        person = person_make(f"p{n}@one.example")
        Delivery.objects.create(
            mailing=mailing, person=person, address=person.primary_email, state=state
        )
    url = reverse("mailings:progress", args=[mailing.pk])
    fragment = organizer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "75% handed to the mail server" in fragment
    assert "<dt>Unknown, not retried</dt><dd>1" in fragment
    assert DeliveryState.SENT in fragment.lower()


def test_a_test_send_with_the_mail_server_down_says_so_instead_of_failing(
    organizer, sender, everyone, settings
):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 2
    organizer.post(reverse("mailings:create"), _form(sender, everyone))
    mailing = Mailing.objects.get()
    response = organizer.post(reverse("mailings:test", args=[mailing.pk]), follow=True)
    assert response.status_code == 200
    assert "The mail server did not take the test message" in response.content.decode()
