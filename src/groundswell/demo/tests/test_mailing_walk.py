"""Issue 13's "done when", walked as staff walk it: on the demo's mailings seed and synthetic
people, the admin builds a segment in the segment builder, composes a mailing to it, runs an A/B
subject test through a real SMTP server on loopback, readers click the parsed messages' tracked
links, the periodic job sends the winner to the rest, the report fills in, and a reader
unsubscribes in one click and is skipped by the next send.

The last point of the list, a killed and resumed send delivering no duplicates, is walked with a
real worker process killed mid-send in mailings/tests/test_killed_worker.py; it is not redone
here."""

from __future__ import annotations

import email
import json
import re
from collections import Counter
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.actions.services import site_get
from groundswell.demo.mailings_seed import demo_mailings_seed
from groundswell.donations.models import Contribution
from groundswell.mailings.abtests.selectors import abtest_variants
from groundswell.mailings.abtests.services import abtests_advance
from groundswell.mailings.models import AbTest, AbTestState, Delivery, Mailing, MailingStatus
from groundswell.people.models import EmailAddress, EmailStatus, Person
from groundswell.segments.models import Segment

pytestmark = pytest.mark.django_db

# Enough people that each variant reaches the form's least "minimum per variant" (100) at the
# largest test share (50%): the decision rule may then name a winner before the deadline.
TARGETS = 420
STATES = ("OH", "PA", "MI")
DEFINITION = {
    "op": "and",
    "negate": False,
    "items": [
        {"kind": "email_status", "statuses": ["subscribed"]},
        {"kind": "state", "states": list(STATES)},
        {"kind": "gift_count", "min": 1},
        {"kind": "last_gift", "when": "not_within", "days": 30},
    ],
}
SUBJECT_A = "A note from the campaign"
SUBJECT_B = '{{ first_name|default:"Friend" }}, the deadline is tonight'
HTML = (
    '<p>Dear {{ first_name|default:"Friend" }},</p>'
    '<p><a href="https://campaign.example.org/a/join/">Chip in before midnight</a></p>'
)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"
TRACKED = re.compile(r"https://campaign\.example\.org/m/c/[A-Za-z0-9_-]+/\d+/[A-Za-z0-9_-]+/")
# How many readers of each variant click: B clearly better.
CLICKERS = {"A": 4, "B": 35}


def _people(prefix: str, count: int, *, status=EmailStatus.SUBSCRIBED, states=STATES):
    people = Person.objects.bulk_create(
        Person(
            given_name=f"{prefix.title()}{n}",
            family_name="Quillfeather",
            state=states[n % len(states)],
            primary_email=f"{prefix}{n}@walk.example",
            email_status=status,
        )
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(person=p, address=p.primary_email, is_primary=True, status=status)
        for p in people
    )
    return people


def _gifts(people, *, days_ago: int) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    Contribution.objects.bulk_create(
        Contribution(
            person=p,
            amount_cents=2_500,
            received_at=when,
            processor="offline",
            processor_id=f"walk-{days_ago}-{p.pk}",
        )
        for p in people
    )


@pytest.fixture
def world(db):
    """The demo's mailings seed, the lapsed donors the segment should find, and people it
    must not: recent donors, an unsubscribed donor, a donor elsewhere, a non-donor."""
    site = site_get()
    site.paid_for_by = "Paid for by Quillon for Congress"
    site.save()
    seeded = demo_mailings_seed()
    targets = _people("lapsed", TARGETS)
    _gifts(targets, days_ago=45)
    recent = _people("recent", 6)
    _gifts(recent, days_ago=45)
    _gifts(recent, days_ago=10)
    gone = _people("gone", 3, status=EmailStatus.UNSUBSCRIBED)
    _gifts(gone, days_ago=60)
    _gifts(_people("texan", 3, states=("TX",)), days_ago=60)
    _people("nondonor", 3)
    return {"seeded": seeded, "targets": targets}


def _parsed(sink) -> dict[str, email.message.EmailMessage]:
    """Each recipient's message, parsed; a second message to anyone fails the walk."""
    counts = Counter(rcpt for _, rcpt, _ in sink.received)
    assert set(counts.values()) <= {1}, counts.most_common(3)
    return {
        rcpt: email.message_from_bytes(raw, policy=policy.default) for _, rcpt, raw in sink.received
    }


def _variant_letter(message) -> str:
    subject = str(message["Subject"])
    return "A" if subject == SUBJECT_A else "B" if subject.endswith("deadline is tonight") else "?"


def _figures(client, mailing) -> dict[str, int]:
    page = client.get(reverse("mailings:detail", args=[mailing.pk])).content.decode()
    found = re.findall(r'data-figure="(\w+)"[^>]*>([\d,]+)<', page)
    return {name: int(value.replace(",", "")) for name, value in found}


def _segment_built(client) -> Segment:
    preview = client.post(reverse("segments:preview"), {"definition": json.dumps(DEFINITION)})
    assert preview.status_code == 200
    assert f'data-count="{TARGETS}"' in preview.content.decode()
    saved = client.post(
        reverse("segments:new"),
        {
            "name": "Lapsed donors, OH PA MI",
            "definition": json.dumps(DEFINITION),
            "mode": "dynamic",
        },
    )
    assert saved.status_code == 302
    segment = Segment.objects.get(name="Lapsed donors, OH PA MI")
    count = client.get(reverse("segments:count", args=[segment.pk]))
    assert re.sub(r"\D", "", count.content.decode()) == str(TARGETS)
    return segment


def _composed(client, seeded, segment, name, subject) -> Mailing:
    response = client.post(
        reverse("mailings:create"),
        {
            "name": name,
            "kind": "fundraising",
            "sender": seeded.sender_id,
            "segment": segment.pk,
            "subject": subject,
            "html": HTML,
            "text": "",
            "refcode": "",
            "exclude_mailed_within_days": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mailing.objects.get(name=name)


def _ab_started(client, mailing, capture) -> AbTest:
    url = reverse("mailings:abtest", args=[mailing.pk])
    form = {
        "metric": "clicks",
        "test_percent": "50",
        "min_per_variant": "100",
        "wait_hours": "4",
        "send_on_decision": "on",
        "unsubscribe_percent": "1.00",
        "complaint_percent": "0.10",
        "b_subject": SUBJECT_B,
        **{f"{v}_{part}": "" for v in "bcd" for part in ("sender", "html")},
        "c_subject": "",
        "d_subject": "",
    }
    assert client.post(url, form).status_code == 302
    share = round(TARGETS * 50 / 100)
    assert f"about {share}, {share // 2} per variant" in client.get(url).content.decode()
    with capture(execute=True):
        started = client.post(reverse("mailings:abtest_start", args=[mailing.pk]), {})
    assert started.status_code == 302
    test = AbTest.objects.get(mailing=mailing)
    assert test.state == AbTestState.TESTING
    return test


def _readers_click(messages, letter: str, how_many: int) -> set[str]:
    """The first ``how_many`` readers of variant ``letter`` follow their message's link."""
    readers = sorted(r for r, m in messages.items() if _variant_letter(m) == letter)
    clicked = set()
    for rcpt in readers[:how_many]:
        html = messages[rcpt].get_body(preferencelist=("html",)).get_content()
        link = TRACKED.search(html).group(0)
        response = Client(HTTP_USER_AGENT=BROWSER).get(urlsplit(link).path)
        assert response.status_code == 302
        assert response["Location"] == "https://campaign.example.org/a/join/"
        clicked.add(rcpt)
    return clicked


def test_staff_segment_lapsed_donors_ab_test_a_mailing_send_the_winner_and_honour_an_unsubscribe(
    persona_client, world, smtp_sink, django_capture_on_commit_callbacks
):
    staff = persona_client("admin")
    capture = django_capture_on_commit_callbacks
    targets = {p.primary_email for p in world["targets"]}

    # 1. The segment, built in the builder; its live count is the people made for it.
    segment = _segment_built(staff)

    # 2. A mailing to it, and an A/B subject test started from its "A/B test" page.
    mailing = _composed(staff, world["seeded"], segment, "Lapsed donor appeal", SUBJECT_A)
    test = _ab_started(staff, mailing, capture)
    variant_a, variant_b = abtest_variants(test=test)
    tested = _parsed(smtp_sink)
    assert set(tested) < targets
    assert Counter(_variant_letter(m) for m in tested.values()) == {
        "A": Delivery.objects.filter(mailing=variant_a).count(),
        "B": Delivery.objects.filter(mailing=variant_b).count(),
    }

    # 3. Readers come back an hour later (a click seconds after sending is a scanner's) and
    # click; B's subject draws far more of them. The periodic job names B and sends it on.
    Delivery.objects.filter(mailing__in=[variant_a, variant_b]).update(
        sent_at=timezone.now() - timedelta(hours=1)
    )
    clicked = {letter: _readers_click(tested, letter, n) for letter, n in CLICKERS.items()}
    with capture(execute=True):
        abtests_advance()
    test.refresh_from_db()
    assert test.state == AbTestState.WINNER_SENT, test.sentence
    assert test.winner == variant_b
    everyone = _parsed(smtp_sink)
    assert set(everyone) == targets  # each lapsed donor exactly one message, nobody else
    rest = {r: m for r, m in everyone.items() if r not in tested}
    assert rest and {_variant_letter(m) for m in rest.values()} == {"B"}

    # 4. The report of each variant and of the mailing itself fills in with what happened.
    for variant, letter in ((variant_a, "A"), (variant_b, "B")):
        figures = _figures(staff, variant)
        sent_here = sum(1 for m in tested.values() if _variant_letter(m) == letter)
        assert (figures["sent"], figures["clicked"]) == (sent_here, len(clicked[letter]))
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT
    assert _figures(staff, mailing)["sent"] == len(rest)

    # 5. One reader of the winner unsubscribes with the one-click header of their message.
    leaver = sorted(rest)[0]
    header = rest[leaver]["List-Unsubscribe"]
    one_click = re.search(r"<(https://[^>]+)>", header).group(1)
    response = Client().post(
        urlsplit(one_click).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Person.objects.get(primary_email=leaver).email_status == EmailStatus.UNSUBSCRIBED
    assert _figures(staff, mailing)["unsubscribed"] == 1

    # A later mailing to the same segment reaches everyone else, and not them.
    before = len(smtp_sink.received)
    later = _composed(staff, world["seeded"], segment, "Lapsed donor reminder", "One more day")
    with capture(execute=True):
        sent = staff.post(reverse("mailings:send", args=[later.pk]), {"when": "now"})
    assert sent.status_code == 302
    second = Counter(rcpt for _, rcpt, _ in smtp_sink.received[before:])
    assert set(second) == targets - {leaver}
    assert set(second.values()) == {1}
