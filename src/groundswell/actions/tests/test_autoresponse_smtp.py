"""The autoresponse goes out over real SMTP, to a server on loopback.

Anyone may make the campaign send it to any address, so these tests submit hostile input
through the public form and read the message the SMTP server really received.
"""

import re

import pytest
from aiosmtpd.handlers import Message

from groundswell.actions.choices import PAGE_FIELD_NAMES
from groundswell.actions.models import ActionPage, CustomQuestion, Submission
from groundswell.actions.ratelimit import AUTORESPONSES_PER_RECIPIENT
from groundswell.actions.services import submission_process_now, submission_receive
from groundswell.actions.tasks import autoresponse_send
from groundswell.core.tests.smtp import smtp_loopback

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    with smtp_loopback(inbox, settings) as port:
        settings.DEFAULT_FROM_EMAIL = "Campaign <hello@campaign.example.org>"
        yield port, inbox


def _autoresponding_page(slug: str, *, kind: str = "signup", body: str = "", **extra):
    """A page that answers each sign-up with "Welcome aboard" and ``body`` (TEMPLATE if empty)."""
    return ActionPage.objects.create(
        kind=kind,
        slug=slug,
        title=slug,
        headline=slug,
        autoresponse_subject="Welcome aboard",
        autoresponse_body=body or TEMPLATE,
        **extra,
    )


def test_the_autoresponse_is_delivered_over_smtp_once(smtp_server):
    port, inbox = smtp_server
    page = _autoresponding_page(
        "join", body="Hi {first_name}, welcome!", fields={"given_name": "optional"}
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


# ---------------------------------------------------------------- hostile submitters

INJECTION = "x\r\nBcc: victim@evil.example\r\nSubject: You won\r\n\r\nClick https://evil.example"
# What the delivered message may carry: ours, and the trace headers aiosmtpd adds.
ALLOWED_HEADERS = {
    "content-type",
    "mime-version",
    "content-transfer-encoding",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "x-peer",
    "x-mailfrom",
    "x-rcptto",
}
TEMPLATE = "Hi {first_name}, thanks for joining.\n\nThe campaign team"


@pytest.fixture
def open_page():
    fields = {name: "optional" for name in PAGE_FIELD_NAMES if name != "email"}
    page = _autoresponding_page("join-us", fields=fields)
    CustomQuestion.objects.create(page=page, key="why", label="Why?", kind="long_text", order=0)
    return page


def _sign_up(client, page, data: dict, capture) -> int:
    html = client.get(f"/a/{page.slug}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    with capture(execute=True):
        response = client.post(f"/a/{page.slug}/", {"token": token, **data}, follow=True)
    return response.status_code


def _body(message) -> str:
    text = message.get_payload(decode=True).decode(message.get_content_charset())
    return text.replace("\r\n", "\n")


def _assert_only_ours(message, *, to: str, greeted: str) -> None:
    """Our headers, to the one recipient, our template greeting ``greeted``: nothing else."""
    assert {name.lower() for name in message} <= ALLOWED_HEADERS, message.keys()
    assert message["Subject"] == "Welcome aboard"
    assert message["To"] == to and message["X-RcptTo"] == to
    assert "evil" not in message.as_string()
    assert _body(message).strip() == TEMPLATE.replace("{first_name}", greeted)


HOSTILE_NAMES = {
    "Wren\r\nBcc: victim@evil.example": None,
    "Wren\nVisit https://evil.example/login to keep your account": None,
    '<a href="https://evil.example">Claim your refund</a>': None,
    "Wren evil.example": None,
    "Ｗｒｅｎ": "Wren",  # full-width letters: a name, folded
    "Wrеn": None,  # a Cyrillic "е" among Latin letters
    "Wren\u2024example\u2024com": None,  # one-dot leaders that look like dots
    "\u202enerW": None,  # a right-to-left override
    "W" * 10_240: None,  # a 10 KB name
    "Zoë-Anne O'Neill": "Zoë-Anne O'Neill",
}


def test_hostile_names_get_the_default_greeting_and_no_other_submitter_text(
    client, smtp_server, open_page, django_capture_on_commit_callbacks
):
    _, inbox = smtp_server
    for i, name in enumerate(HOSTILE_NAMES):
        status = _sign_up(
            client,
            open_page,
            {"email": f"signer{i}@example.org", "given_name": name, "q_why": "See evil.example"},
            django_capture_on_commit_callbacks,
        )
        # A name the form refuses (too long) sends nothing; every other is accepted.
        assert status in (200, 400), (name[:40], status)
    accepted = {s.email: s for s in Submission.objects.all()}
    assert len(inbox.messages) == len(accepted) >= len(HOSTILE_NAMES) - 1
    for message in inbox.messages:
        to = message["To"]
        raw = accepted[to].data["person"]["given_name"]
        expected = HOSTILE_NAMES[raw] or "friend"
        _assert_only_ours(message, to=to, greeted=expected)


def test_header_injection_through_any_public_field_reaches_no_header(
    client, smtp_server, open_page, django_capture_on_commit_callbacks
):
    _, inbox = smtp_server
    fields = [name for name in PAGE_FIELD_NAMES if name != "email"] + ["q_why"]
    tracking = ["refcode", "utm_source", "utm_medium", "utm_campaign", "referrer", "ref"]
    statuses = {}
    for i, field in enumerate([*fields, *tracking]):
        data = {"email": f"field{i}@example.org", field: INJECTION}
        statuses[field] = _sign_up(client, open_page, data, django_capture_on_commit_callbacks)
    # Fields with a shape (a phone, a state, a ZIP) refuse the text with a 400; free text is
    # stored as typed, which is fine as long as none of it reaches the message.
    assert set(statuses.values()) <= {200, 400}, statuses
    stored = set(Submission.objects.values_list("email", flat=True))
    assert len(stored) == list(statuses.values()).count(200) >= len(tracking) + 3
    for email in (
        f"field@example.org{INJECTION}",
        "field@example.org\r\nBcc: victim@evil.example",
        "field@example.org, victim@evil.example",
        '"field\r\nBcc: victim@evil.example"@example.org',
        "Field <victim@evil.example>",
    ):
        status = _sign_up(
            client,
            open_page,
            {"email": email, "given_name": "Wren"},
            django_capture_on_commit_callbacks,
        )
        assert status == 400, email  # the form says what is wrong; nothing is stored or sent
    delivered = {m["To"]: m for m in inbox.messages}
    assert len(inbox.messages) == len(delivered) and set(delivered) == stored
    for to, message in delivered.items():
        _assert_only_ours(message, to=to, greeted="friend")


def test_one_address_gets_a_few_autoresponses_a_day_however_many_sign_ups_name_it(
    client, smtp_server, open_page, django_capture_on_commit_callbacks, settings
):
    _, inbox = smtp_server
    settings.GROUNDSWELL_RATE_PER_EMAIL = 100  # the sign-ups themselves are let through
    other = _autoresponding_page("petition", kind="petition")
    for i in range(AUTORESPONSES_PER_RECIPIENT + 3):
        page = open_page if i % 2 else other
        _sign_up(client, page, {"email": "Target@Example.org"}, django_capture_on_commit_callbacks)
    _sign_up(client, other, {"email": "someone@example.org"}, django_capture_on_commit_callbacks)
    recipients = [m["To"] for m in inbox.messages]
    assert recipients.count("target@example.org") == AUTORESPONSES_PER_RECIPIENT
    assert recipients.count("someone@example.org") == 1
    skipped = Submission.objects.filter(data__autoresponse_sent=False)
    assert skipped.count() == 3 and all(
        s.data["autoresponse_skipped"].startswith("more than") for s in skipped
    )
    # Every sign-up itself was kept: only the mail was held back.
    assert Submission.objects.filter(status="processed").count() == AUTORESPONSES_PER_RECIPIENT + 4
