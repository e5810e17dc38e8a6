"""Background tasks of the actions app; each is safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.core.mail import BadHeaderError
from django_tasks import task

from groundswell.actions.autoresponse import autoresponse_body
from groundswell.actions.models import Submission
from groundswell.actions.ratelimit import autoresponse_allowed
from groundswell.actions.services import site_get, submissions_process

logger = logging.getLogger(__name__)


@task()
def submissions_process_pending() -> int:
    """Process every received submission, in batches (one task may drain many)."""
    total = 0
    while True:
        done = submissions_process(limit=500)
        total += done
        if done == 0:
            return total


@task()
def autoresponse_send(submission_ids: list[int]) -> int:
    """Send each submission's page autoresponse once (within the per-recipient limit)."""
    site = site_get()
    sent = 0
    submissions = (
        Submission.objects.filter(pk__in=submission_ids, status="processed")
        .exclude(data__has_key="autoresponse_sent")
        .select_related("page")
    )
    with mail.get_connection() as connection:
        for submission in submissions:
            page = submission.page
            if not (page.autoresponse_subject and page.autoresponse_body):
                continue
            if autoresponse_allowed(email=submission.email):
                outcome = _autoresponse_deliver(submission, site.name, connection)
            else:
                outcome = "more than the daily autoresponses to this address"
            # Marked after sending: a crash between the two may send twice, never zero times.
            submission.data["autoresponse_sent"] = outcome == "sent"
            if outcome != "sent":
                submission.data["autoresponse_skipped"] = outcome
                logger.warning(
                    "autoresponse of submission %s (page %s) not sent: %s",
                    submission.pk,
                    page.slug,
                    outcome,
                )
            Submission.objects.filter(pk=submission.pk).update(data=submission.data)
            sent += outcome == "sent"
    return sent


def _autoresponse_deliver(submission: Submission, site_name: str, connection) -> str:
    """Send one autoresponse; "sent", or why it was refused."""
    page = submission.page
    person = submission.data.get("person", {})
    message = mail.EmailMessage(
        subject=page.autoresponse_subject,
        body=autoresponse_body(
            template=page.autoresponse_body, given_name=person.get("given_name")
        ),
        from_email=_from_address(site_name),
        to=[submission.email],
        connection=connection,
    )
    try:
        message.send()
    except (BadHeaderError, ValueError):
        # The address was validated on receipt; a line break or a malformed address here
        # means the rules changed since, and no header may carry what a stranger typed.
        return "the address cannot be a mail header"
    return "sent"


def _from_address(name: str) -> str:
    """The configured sender's address under the campaign's name."""
    from email.utils import formataddr, parseaddr

    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
