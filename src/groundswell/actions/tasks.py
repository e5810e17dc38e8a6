"""Background tasks of the actions app; each is safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django_tasks import task

from groundswell.actions.models import Submission

logger = logging.getLogger(__name__)


@task()
def submissions_process_pending() -> int:
    """Process every received submission, in batches (one task may drain many)."""
    from groundswell.actions.services import submissions_process

    total = 0
    while True:
        done = submissions_process(limit=500)
        total += done
        if done == 0:
            return total


@task()
def autoresponse_send(submission_ids: list[int]) -> int:
    """Send each submission's page autoresponse once."""
    from groundswell.actions.services import site_get

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
            given = submission.data.get("person", {}).get("given_name", "").strip()
            body = page.autoresponse_body.replace("{first_name}", given or "friend")
            message = mail.EmailMessage(
                subject=page.autoresponse_subject,
                body=body,
                from_email=_from_address(site.name),
                to=[submission.email],
                connection=connection,
            )
            message.send()
            # Marked after sending: a crash between the two may send twice, never zero times.
            submission.data["autoresponse_sent"] = True
            Submission.objects.filter(pk=submission.pk).update(data=submission.data)
            sent += 1
    return sent


def _from_address(name: str) -> str:
    """The configured sender's address under the campaign's name."""
    from email.utils import formataddr, parseaddr

    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
