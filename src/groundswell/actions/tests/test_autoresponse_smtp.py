"""The autoresponse goes out over real SMTP, to a server on loopback."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.services import submission_process_now, submission_receive
from groundswell.actions.tasks import autoresponse_send

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def test_the_autoresponse_is_delivered_over_smtp_once(settings, smtp_server):
    port, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Campaign <hello@campaign.example.org>"
    page = ActionPage.objects.create(
        kind="signup",
        slug="join",
        title="Join",
        headline="Join us",
        autoresponse_subject="Welcome aboard",
        autoresponse_body="Hi {first_name}, welcome!",
        fields={"given_name": "optional"},
    )
    submission, _ = submission_receive(
        page=page, token="t", data={"email": "wren@example.org", "given_name": "Wren"}
    )
    submission_process_now(submission)
    assert autoresponse_send.call(submission_ids=[submission.pk]) == 1
    assert autoresponse_send.call(submission_ids=[submission.pk]) == 0  # a repeat sends nothing
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "wren@example.org"
    assert message["Subject"] == "Welcome aboard"
    assert "hello@campaign.example.org" in message["From"]
    assert "Hi Wren, welcome!" in message.get_payload(decode=True).decode()
    assert Submission.objects.get().data["autoresponse_sent"] is True
