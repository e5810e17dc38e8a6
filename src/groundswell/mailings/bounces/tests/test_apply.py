"""Bounces and complaints applied to people: a maildir of real-format DSN and ARF reports read by
`groundswell bounces_read`, and the soft-bounce threshold."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from groundswell.mailings.bounces import Action, Bounce, Complaint
from groundswell.mailings.bounces.services import (
    KIND_BOUNCED,
    KIND_COMPLAINT,
    KIND_SOFT,
    bounce_events_apply,
    delivery_lookup_register,
    delivery_lookup_unregister,
)
from groundswell.mailings.bounces.tests.test_readers import (  # noqa: F401 (a fixture)
    imap_server,
    unseen,
)
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    ConsentMethod,
    EmailAddress,
    EmailStatus,
    Person,
)
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"
HARD = "quillon.marsh@example.org"  # postfix_hard.eml: 5.1.1
COMPLAINER = "wendeline.quarry@example.com"  # yahoo_arf.eml
DELAYED = "brisa.tandy@example.net"  # postfix_delayed.eml: 4.4.1
MAILBOX_FULL = "perpetua.lindqvist@example.org"  # mailbox_full.eml: 5.2.2 (soft in practice)


def subscribed(address: str) -> Person:
    person = person_create(email=address, email_status="subscribed", method=ConsentMethod.FORM)
    email = EmailAddress.objects.get(address=address)
    assert email.status == EmailStatus.SUBSCRIBED
    return person


def status(address: str) -> str:
    return EmailAddress.objects.get(address=address).status


@pytest.fixture
def maildir(tmp_path):
    box = mailbox.Maildir(str(tmp_path / "bounces"), create=True)
    for name in ("postfix_hard.eml", "yahoo_arf.eml", "human_reply.eml", "postfix_delayed.eml"):
        box.add((MESSAGES / name).read_bytes())
    return tmp_path / "bounces"


def read(maildir: Path) -> str:
    out = StringIO()
    call_command("bounces_read", "--once", "--url", f"maildir://{maildir}", stdout=out)
    return out.getvalue()


def test_the_command_suppresses_hard_bounces_and_complaints_with_consent_history(maildir):
    bounced, complainer, delayed = subscribed(HARD), subscribed(COMPLAINER), subscribed(DELAYED)

    output = read(maildir)

    assert "4 messages: 2 addresses suppressed, 1 soft bounces counted" in output
    assert status(HARD) == EmailStatus.BOUNCING
    assert Person.objects.get(pk=bounced.pk).email_status == EmailStatus.BOUNCING
    assert status(COMPLAINER) == EmailStatus.SPAM_COMPLAINT
    assert status(DELAYED) == EmailStatus.SUBSCRIBED  # one soft bounce is not enough
    hard = ConsentEvent.objects.get(person=bounced, status=EmailStatus.BOUNCING)
    assert hard.method == ConsentMethod.BOUNCE and hard.previous_status == EmailStatus.SUBSCRIBED
    assert hard.source.startswith(f"maildir://{maildir}") and "5.1.1" in hard.source
    complaint = ConsentEvent.objects.get(person=complainer, status=EmailStatus.SPAM_COMPLAINT)
    assert complaint.method == ConsentMethod.COMPLAINT
    line = Activity.objects.get(person=bounced, kind=KIND_BOUNCED)
    assert line.summary.startswith(f"E-mail to {HARD} bounced: 5.1.1")
    assert Activity.objects.filter(person=complainer, kind=KIND_COMPLAINT).count() == 1
    assert Activity.objects.filter(person=delayed, kind=KIND_SOFT).count() == 1
    assert all(p.name.endswith(":2,S") for p in (maildir / "cur").iterdir())


def test_reading_the_same_reports_again_changes_nothing_more(maildir):
    for address in (HARD, COMPLAINER, DELAYED):
        subscribed(address)
    read(maildir)
    before = (ConsentEvent.objects.count(), Activity.objects.count())
    # The messages put back as unseen, as after a crash between applying and marking seen.
    for file in (maildir / "cur").iterdir():
        file.rename(maildir / "new" / file.name.split(":", 1)[0])

    output = read(maildir)

    assert "0 addresses suppressed, 0 soft bounces counted, 3 already applied" in output
    assert (ConsentEvent.objects.count(), Activity.objects.count()) == before


def test_a_report_about_an_address_we_do_not_have_suppresses_no_one(maildir):
    bystander = subscribed("orla.bystander@example.org")
    output = read(maildir)
    assert "0 addresses suppressed" in output and "3 not ours" in output
    assert status(bystander.primary_email) == EmailStatus.SUBSCRIBED
    assert not EmailAddress.objects.filter(address=HARD).exists()


def test_an_unsubscribed_address_that_bounces_stays_unsubscribed_with_the_bounce_on_record(
    maildir,
):
    person = subscribed(HARD)
    EmailAddress.objects.filter(address=HARD).update(status=EmailStatus.UNSUBSCRIBED)
    read(maildir)
    assert status(HARD) == EmailStatus.UNSUBSCRIBED
    assert Activity.objects.filter(person=person, kind=KIND_BOUNCED).count() == 1


def delayed_report(message_id: str) -> bytes:
    raw = (MESSAGES / "postfix_delayed.eml").read_bytes()
    raw = raw.replace(b"<m42.d1002.91bc@campaign.example.com>", f"<{message_id}>".encode())
    # Another delivery: its own token too (one delivery's token names one message).
    raw = raw.replace(b"d1002.Qm9yaXNhVGFuZHk", f"d-{message_id}".encode())
    return raw.replace(b"7Rt9Pq1Ab2z4x@relay", f"{message_id}.report@relay".encode())


def test_soft_bounces_are_counted_and_suppress_at_the_third_within_a_week(tmp_path):
    subscribed(DELAYED)
    box = mailbox.Maildir(str(tmp_path / "soft"), create=True)
    box.add(delayed_report("m1.soft@campaign.example.com"))
    box.add(delayed_report("m2.soft@campaign.example.com"))
    assert "0 addresses suppressed, 2 soft bounces counted" in read(tmp_path / "soft")
    assert status(DELAYED) == EmailStatus.SUBSCRIBED

    box.add(delayed_report("m3.soft@campaign.example.com"))
    assert "1 addresses suppressed, 0 soft bounces counted" in read(tmp_path / "soft")

    assert status(DELAYED) == EmailStatus.BOUNCING
    event = ConsentEvent.objects.get(address=DELAYED, status=EmailStatus.BOUNCING)
    assert "3 soft bounces within 7 days" in event.source
    assert Activity.objects.filter(kind=KIND_SOFT, data__address=DELAYED).count() == 3


def soft(message_id: str, address: str = MAILBOX_FULL) -> Bounce:
    return Bounce(
        recipient=address,
        action=Action.FAILED,
        status="5.2.2",
        diagnostic="552 5.2.2 mailbox full",
        message_id=message_id,
        token="",
        source="dsn",
    )


def test_soft_bounces_older_than_the_window_do_not_count():
    subscribed(MAILBOX_FULL)
    now = timezone.now()
    bounce_events_apply(events=[soft("a@x")], source="test", now=now - timedelta(days=9))
    bounce_events_apply(events=[soft("b@x")], source="test", now=now - timedelta(days=8))
    result = bounce_events_apply(events=[soft("c@x")], source="test", now=now)
    assert result.counted == 1 and result.suppressed == []
    assert status(MAILBOX_FULL) == EmailStatus.SUBSCRIBED
    result = bounce_events_apply(events=[soft("d@x"), soft("e@x")], source="test", now=now)
    assert result.suppressed == [MAILBOX_FULL]


def test_the_same_soft_bounce_applied_twice_counts_once():
    subscribed(MAILBOX_FULL)
    for _ in range(3):
        result = bounce_events_apply(events=[soft("same@x")], source="test")
    assert result.repeated == 1 and result.counted == 0
    assert Activity.objects.filter(kind=KIND_SOFT).count() == 1
    assert status(MAILBOX_FULL) == EmailStatus.SUBSCRIBED


def test_a_redacted_complaint_is_applied_through_a_registered_delivery_lookup():
    subscribed(COMPLAINER)
    redacted = Complaint(
        recipient="",
        feedback_type="abuse",
        user_agent="",
        message_id="<m9@campaign.example.com>",
        token="tok-123",
    )
    assert bounce_events_apply(events=[redacted], source="test").unknown == 1

    def lookup(token: str) -> str | None:
        return COMPLAINER if token == "tok-123" else None

    delivery_lookup_register(lookup)
    try:
        result = bounce_events_apply(events=[redacted], source="test")
    finally:
        delivery_lookup_unregister(lookup)
    assert result.suppressed == [COMPLAINER]
    assert status(COMPLAINER) == EmailStatus.SPAM_COMPLAINT


def test_a_not_spam_report_changes_nothing():
    subscribed(COMPLAINER)
    event = Complaint(COMPLAINER, "not-spam", "", "<m1@campaign.example.com>", "")
    assert bounce_events_apply(events=[event], source="test").ignored == 1
    assert status(COMPLAINER) == EmailStatus.SUBSCRIBED
    assert not ConsentEvent.objects.filter(method=ConsentMethod.COMPLAINT).exists()


def test_the_command_without_a_mailbox_says_how_to_set_one(settings):
    settings.BOUNCE_MAILBOX_URL = ""
    with pytest.raises(Exception, match="BOUNCE_MAILBOX_URL"):
        call_command("bounces_read", "--once")


def test_the_periodic_task_reads_the_configured_mailbox(settings, maildir):
    from groundswell.mailings.bounces.tasks import bounces_read

    subscribed(HARD)
    settings.BOUNCE_MAILBOX_URL = f"maildir://{maildir}"
    assert bounces_read.call() == {
        "messages": 4,
        "suppressed": 1,
        "counted": 0,
        "unsubscribed": 0,
        "bad": 0,
    }
    assert status(HARD) == EmailStatus.BOUNCING


def test_the_command_reads_an_imap_folder_and_marks_each_message_seen_after_applying(
    imap_server,  # noqa: F811 (the fixture imported above)
):
    subscribed(HARD), subscribed(COMPLAINER)
    url = (
        f"imap://{imap_server.user}:{imap_server.password}@127.0.0.1:{imap_server.port}"
        f"/{imap_server.folder}"
    )
    out = StringIO()
    call_command("bounces_read", "--once", "--url", url, stdout=out)
    assert "4 messages: 2 addresses suppressed" in out.getvalue()
    assert (status(HARD), status(COMPLAINER)) == (EmailStatus.BOUNCING, EmailStatus.SPAM_COMPLAINT)
    event = ConsentEvent.objects.get(address=HARD, status=EmailStatus.BOUNCING)
    assert event.source.startswith(f"imap://{imap_server.user}@127.0.0.1:")
    assert imap_server.password not in event.source
    assert unseen(imap_server) == 0


def test_the_person_page_shows_the_bounce_on_the_timeline_and_in_the_consent_history(
    maildir, persona_client
):
    person = subscribed(HARD)
    read(maildir)
    page = persona_client("volunteer").get(f"/people/{person.pk}/").content.decode()
    assert f"E-mail to {HARD} bounced: 5.1.1" in page
    consent = page[page.index('id="consent"') :]
    assert 'badge-bouncing">Bouncing' in consent and "<div>Bounce</div>" in consent
    assert f"maildir://{maildir}: hard bounce: 5.1.1" in consent
