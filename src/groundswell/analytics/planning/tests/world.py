"""A tiny campaign for message planning, small enough to count by hand.

Participation answers (issues), in the dates unless said otherwise:

    person  state  issues                               donor
    ada     OH     housing, climate; later also water   no
    bo      OH     housing                              yes (a counted gift)
    cy      OH     climate                              no
    dee     PA     housing                              no
    eve     PA     (none)                               no
    fay     PA     water — 200 days ago, out of range   no
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.test import TestCase
from django.utils import timezone

from groundswell.actions.models import ActionPage, IssuePosition, Submission
from groundswell.actions.services import SubmissionMeta, submission_receive
from groundswell.donations.models import Contribution
from groundswell.people.models import Person

ISSUES = {"housing": "Housing for all", "climate": "Climate jobs", "water": "Clean water"}
_tokens = count(1)


def positions_make() -> None:
    for order, (slug, title) in enumerate(ISSUES.items()):
        IssuePosition.objects.create(slug=slug, title=title, summary=title, order=order)


def participation_page() -> ActionPage:
    return ActionPage.objects.create(
        kind=ActionPage.Kind.PARTICIPATION,
        slug="join-in",
        title="Join in",
        headline="Join in",
        fields={"given_name": "optional", "state": "optional"},
    )


def answer(page: ActionPage, name: str, state: str, issues: list[str], **meta) -> Submission:
    """One participation form, received and turned into a person by the real services."""
    data = {
        "email": f"{name}@planning.example.org",
        "given_name": name.title(),
        "state": state,
        "help": ["share"],
        "issues": issues,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission, _ = submission_receive(
            page=page, token=f"t{next(_tokens)}", data=data, meta=SubmissionMeta(**meta)
        )
    submission.refresh_from_db()
    return submission


def person(name: str) -> Person:
    return Person.objects.get(primary_email=f"{name}@planning.example.org")


def gift(who: Person, cents: int = 2_500) -> Contribution:
    return Contribution.objects.create(
        person=who,
        amount_cents=cents,
        received_at=timezone.now(),
        processor="offline",
        processor_id=f"plan-{next(_tokens)}",
    )


def issues_world() -> ActionPage:
    """The table in the module's docstring."""
    positions_make()
    page = participation_page()
    answer(page, "ada", "OH", ["housing", "climate"])
    answer(page, "ada", "OH", ["water"])
    answer(page, "bo", "OH", ["housing"])
    answer(page, "cy", "OH", ["climate"])
    answer(page, "dee", "PA", ["housing"])
    answer(page, "eve", "PA", [])
    old = answer(page, "fay", "PA", ["water"])
    Submission.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=200))
    gift(person("bo"))
    return page
