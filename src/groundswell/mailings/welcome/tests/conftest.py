"""The mailings world (a loopback SMTP server, a sender, synthetic people) and a welcome series
of two messages — one at once, one two days later — taking sign-ups from any page."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.actions.services import submission_process_now, submission_receive
from groundswell.mailings.tests.conftest import (  # noqa: F401 (fixtures)
    everyone,
    mailing_make,
    person_make,
    sender,
    smtp_sink,
)
from groundswell.mailings.welcome.models import WelcomeSeries, WelcomeTrigger
from groundswell.mailings.welcome.services import series_control, series_save, step_save

ABOUT = "https://campaign.example.org/about/"


def page_make(slug: str) -> ActionPage:
    return ActionPage.objects.create(
        kind="signup",
        slug=slug,
        title=slug.replace("-", " ").title(),
        headline="Join us",
        fields={"given_name": "required"},
    )


def sign_up(page: ActionPage, address: str, given_name: str):
    """A real sign-up: received like the public form's, then processed into a person."""
    submission, _ = submission_receive(
        page=page, token=address, data={"email": address, "given_name": given_name}
    )
    return submission_process_now(submission)


@pytest.fixture
def join_page(db):
    return page_make("join-us")


@pytest.fixture
def series_make(sender, admin_user):  # noqa: F811 (the imported fixture)
    def make(*, trigger=WelcomeTrigger.SIGNUPS, pages=(), activate=True, steps=None):
        series = series_save(
            series=WelcomeSeries(name="New supporters", sender=sender, trigger=trigger),
            pages=list(pages),
            actor=admin_user,
        )
        if steps is None:
            steps = (
                (0, 'Welcome, {{ first_name|default:"friend" }}', "<p>Thanks for joining.</p>"),
                (
                    2,
                    "Meet the team",
                    '<p>Read <a href="https://campaign.example.org/about/">about us</a></p>',
                ),
            )
        for days, subject, body in steps:
            step_save(
                series=series,
                step=None,
                subject=subject,
                html=body,
                text="",
                delay_days=days,
                delay_hours=0,
                actor=admin_user,
            )
        if activate:
            series_control(
                series=series,
                action="activate",
                actor=admin_user,
                base_url="https://campaign.example.org",
            )
        return series

    return make
