"""One-click unsubscribe (RFC 8058) from the parsed message, the unsubscribe page, forged tokens."""

from __future__ import annotations

import email
import logging
import re
from email import policy
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.mailings.models import Delivery, KindOptOut, MailingKind
from groundswell.mailings.recipients import mailing_recipients
from groundswell.mailings.services import mailing_send
from groundswell.mailings.tests.conftest import person_make
from groundswell.people.models import Activity, ConsentEvent, EmailAddress, EmailStatus, Person

pytestmark = pytest.mark.django_db


def _one_message(sink, mailing_make, actor, capture, **fields):
    mailing = mailing_make(**fields)
    with capture(execute=True):
        mailing_send(mailing=mailing, actor=actor)
    message = email.message_from_bytes(sink.received[-1][2], policy=policy.default)
    return mailing, message


def _one_click_path(message) -> str:
    url = re.search(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    return urlsplit(url).path


def test_the_one_click_post_from_the_message_unsubscribes_at_once_without_login(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, client
):
    person = person_make("wren@one.example")
    mailing, message = _one_message(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    response = client.post(
        _one_click_path(message),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email_status == EmailStatus.UNSUBSCRIBED
    event = ConsentEvent.objects.get(person=person)
    assert (event.status, event.method, event.source) == (
        "unsubscribed",
        "unsubscribe_link",
        f"mailing {mailing.name}",
    )
    assert Activity.objects.filter(person=person, kind="mailing_unsubscribe").count() == 1
    # Honoured for every later message.
    later = mailing_make(name="Later")
    assert not mailing_recipients(mailing=later).exists()
    # A repeat changes nothing and still answers 200.
    again = client.post(
        _one_click_path(message),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200
    assert ConsentEvent.objects.filter(person=person).count() == 1


def test_the_page_changes_nothing_until_its_button_is_pressed(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, client
):
    person = person_make("wren@one.example")
    _, message = _one_message(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    page = client.get(_one_click_path(message))
    assert page.status_code == 200
    assert b"wren@one.example" in page.content
    person.refresh_from_db()
    assert person.email_status == EmailStatus.SUBSCRIBED
    done = client.post(_one_click_path(message), {"scope": "all"})
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    person.refresh_from_db()
    assert person.email_status == EmailStatus.UNSUBSCRIBED


def test_stopping_one_kind_keeps_the_other_kinds_coming(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, client
):
    person = person_make("wren@one.example")
    _, message = _one_message(
        smtp_sink,
        mailing_make,
        admin_user,
        django_capture_on_commit_callbacks,
        kind=MailingKind.FUNDRAISING,
    )
    response = client.post(_one_click_path(message), {"scope": "kind"})
    assert response.status_code == 200
    assert KindOptOut.objects.filter(person=person, kind=MailingKind.FUNDRAISING).exists()
    person.refresh_from_db()
    assert person.email_status == EmailStatus.SUBSCRIBED
    asks = mailing_make(name="Ask", kind=MailingKind.FUNDRAISING)
    news = mailing_make(name="News", kind=MailingKind.NEWS)
    assert not mailing_recipients(mailing=asks).exists()
    assert list(mailing_recipients(mailing=news)) == [Person.objects.get(pk=person.pk)]


def test_a_forged_token_is_a_404_with_a_log_entry(client, caplog, sender):
    person_make("wren@one.example")
    with caplog.at_level(logging.WARNING, logger="groundswell.mailings.views_public"):
        response = client.post("/u/AAAAAAAAAAAAAAAAAAAAAA", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert "unknown token" in caplog.text
    assert not ConsentEvent.objects.exists()


@pytest.fixture
def one_delivery(sender, everyone):
    from groundswell.mailings.models import Mailing

    person = person_make("wren@one.example")
    mailing = Mailing.objects.create(
        name="M", sender=sender, segment=everyone, subject="S", html="<p>x</p>"
    )
    return Delivery.objects.create(mailing=mailing, person=person, address=person.primary_email)


@hypothesis_settings(
    parent=SUITE,
    suppress_health_check=[*SUITE.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), method=st.sampled_from(["get", "post"]))
def test_any_token_in_the_address_gets_a_clear_answer_never_an_error(one_delivery, data, method):
    """Random text, and the real token cut, extended or with one character changed."""
    real = one_delivery.token
    token = data.draw(
        st.one_of(
            st.text(min_size=1, max_size=80),
            st.integers(1, len(real) - 1).map(lambda n: real[:n]),
            st.text(min_size=1, max_size=5).map(lambda extra: real + extra),
            st.tuples(st.integers(0, len(real) - 1), st.characters()).map(
                lambda p: real[: p[0]] + p[1] + real[p[0] + 1 :]
            ),
        )
    )
    # Examples share the database: each starts subscribed again.
    Person.objects.filter(pk=one_delivery.person_id).update(email_status=EmailStatus.SUBSCRIBED)
    EmailAddress.objects.filter(person_id=one_delivery.person_id).update(
        status=EmailStatus.SUBSCRIBED
    )
    # Percent-encoded as a hostile client may send it: lone surrogates become invalid UTF-8.
    path = "/u/" + quote(token.encode("utf-8", "surrogatepass"), safe="")
    response = getattr(Client(), method)(path)
    if token == real:
        assert response.status_code == 200
    else:
        assert response.status_code in (404, 405), (token, response.status_code)
    one_delivery.person.refresh_from_db()
    unsubscribed = token == real and method == "post"
    assert (one_delivery.person.email_status == EmailStatus.UNSUBSCRIBED) is unsubscribed


def _mailto_request(message, sender_address: str) -> bytes:
    """What a mail client writes for the List-Unsubscribe mailto URI of ``message``."""
    uri = re.search(r"<mailto:([^>]+)>", message["List-Unsubscribe"]).group(1)
    to, _, query = uri.partition("?")
    subject = dict(part.split("=", 1) for part in query.split("&"))["subject"]
    reply = email.message.EmailMessage()
    reply["From"] = sender_address
    reply["To"] = to
    reply["Subject"] = subject.replace("%20", " ")
    reply["Message-ID"] = "<unsub-1@client.example>"
    reply.set_content("This message was generated automatically by my mail program.\n")
    return bytes(reply)


def test_a_mail_to_the_list_unsubscribe_address_unsubscribes_its_recipient_once(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    import mailbox

    from groundswell.mailings.bounces.mailbox import bounce_mailbox_process

    settings.GROUNDSWELL_UNSUBSCRIBE_MAILTO = "unsubscribe@campaign.example.org"
    person = person_make("tamsin@one.example")
    bystander = person_make("odile@two.example")
    mailing, message = _one_message(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    ours = [m for _, rcpt, m in smtp_sink.received if rcpt == "tamsin@one.example"]
    message = email.message_from_bytes(ours[-1], policy=policy.default)
    box = mailbox.Maildir(str(tmp_path / "box"), create=True)
    # Written from another address of theirs (a forward): the token, not the sender, counts.
    box.add(_mailto_request(message, "tamsin.alias@elsewhere.example"))
    forged = email.message.EmailMessage()
    forged["Subject"] = "unsubscribe " + "A" * 22
    forged.set_content("guessing")
    box.add(bytes(forged))

    run = bounce_mailbox_process(url=f"maildir://{tmp_path / 'box'}")
    assert (run.messages, run.unsubscribed) == (2, 1)
    person.refresh_from_db()
    bystander.refresh_from_db()
    assert person.email_status == EmailStatus.UNSUBSCRIBED
    assert bystander.email_status == EmailStatus.SUBSCRIBED
    event = ConsentEvent.objects.get(person=person)
    assert event.source == f"mailing {mailing.name} (unsubscribe by e-mail)"
    # Read again (the message redelivered): nothing changes twice.
    box.add(_mailto_request(message, "tamsin@one.example"))
    assert bounce_mailbox_process(url=f"maildir://{tmp_path / 'box'}").unsubscribed == 0
    assert ConsentEvent.objects.filter(person=person).count() == 1
