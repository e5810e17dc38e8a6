"""The demo's mailings: a sender identity, a segment and a draft mailing, ready to test and send
(the demo's mail goes to files in the data folder's sent-mail/, or to EMAIL_URL)."""

from __future__ import annotations

from django.db import transaction

from groundswell.actions.services import site_get
from groundswell.mailings.models import AbMetric, AbTest, Mailing, MailingKind, SenderIdentity
from groundswell.mailings.welcome.models import WelcomeSeries, WelcomeStep, WelcomeTrigger
from groundswell.segments.models import Segment

SEGMENT = "Subscribed supporters in Ohio"
BODY = """<p>Dear {{ first_name|default:"Friend" }},</p>
<p>Early voting starts in three weeks, and every door we knock on in {{ city|default:"Ohio" }}
counts. Can you give two hours this Saturday?</p>
<p><a href="https://example.org/a/volunteer/">Sign up for a shift</a></p>
<p>Thank you,<br>The campaign team</p>"""


@transaction.atomic
def demo_mailings_seed() -> Mailing:
    """Idempotent: a second run changes nothing."""
    site = site_get()
    sender = SenderIdentity.objects.filter(is_default=True).first()
    if sender is None:
        sender = SenderIdentity.objects.create(
            from_name=site.name,
            from_address="team@campaign.example.org",
            reply_to="hello@campaign.example.org",
            postal_address="PO Box 2026\nColumbus, OH 43215",
            is_default=True,
        )
    segment, _ = Segment.objects.get_or_create(
        name=SEGMENT,
        defaults={
            "description": "Everyone in Ohio whose e-mail is subscribed",
            "definition": {
                "op": "and",
                "negate": False,
                "items": [
                    {"kind": "state", "states": ["OH"]},
                    {"kind": "email_status", "status": "subscribed"},
                ],
            },
        },
    )
    mailing, _ = Mailing.objects.get_or_create(
        name="Weekend canvass",
        defaults={
            "kind": MailingKind.EVENTS,
            "sender": sender,
            "segment": segment,
            "subject": '{{ first_name|default:"Friend" }}, can you knock doors Saturday?',
            "html": BODY,
            "exclude_mailed_within_days": 2,
        },
    )
    # A subject test staff can start from the mailing's "A/B test" page (a draft: nothing sent).
    AbTest.objects.get_or_create(
        mailing=mailing,
        defaults={
            "metric": AbMetric.CLICKS,
            "test_percent": 30,
            "min_per_variant": 100,
            "wait_hours": 2,
            "variants": [{"subject": "Two hours this Saturday could swing Ohio"}],
        },
    )
    demo_welcome_seed(sender=sender)
    return mailing


WELCOME = (
    (0, 'Welcome aboard, {{ first_name|default:"friend" }}', "<p>Thank you for joining us.</p>"),
    (
        2,
        "Meet the team behind the campaign",
        '<p>{{ first_name|default:"Friend" }}, here is who we are and why we run.</p>'
        '<p><a href="https://example.org/about/">Read our story</a></p>',
    ),
    (
        7,
        "One week in: will you chip in?",
        '<p>{{ first_name|default:"Friend" }}, a first gift goes furthest.</p>'
        "<p>{{ ask_ladder }}</p>",
    ),
)


def demo_welcome_seed(*, sender: SenderIdentity) -> WelcomeSeries:
    """A paused welcome series of three messages (at once, two days, a week): staff preview
    it as a supporter and activate it. Idempotent."""
    series, created = WelcomeSeries.objects.get_or_create(
        name="New supporters",
        defaults={"sender": sender, "trigger": WelcomeTrigger.SIGNUPS},
    )
    if not created:
        return series
    for position, (days, subject, html) in enumerate(WELCOME, start=1):
        mailing = Mailing.objects.create(
            name=f"Welcome: {series.name} · step {position}",
            sender=sender,
            kind=series.kind,
            subject=subject,
            html=html,
        )
        WelcomeStep.objects.create(series=series, mailing=mailing, delay_days=days)
    return series
