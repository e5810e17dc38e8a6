"""Preview as any person: staff search for a person and see the message as they would get it
(``mailings.preview``), for a mailing and for a welcome series' step."""

from __future__ import annotations

import logging
import re

from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import MAILINGS_SEND, PEOPLE_VIEW
from groundswell.core.untrusted import text_clean
from groundswell.mailings import selectors
from groundswell.mailings.models import Mailing
from groundswell.mailings.preview import mailing_preview
from groundswell.mailings.welcome.selectors import steps_for
from groundswell.people.selectors import person_list

logger = logging.getLogger(__name__)

QUERY_MAX = 100
# ASCII digits only ("²".isdigit() is true, and int() refuses it), and no more than a bigint.
PERSON_ID = re.compile(r"[0-9]{1,18}")
RESULTS_SHOWN = 10


def preview_respond(request, *, mailing: Mailing, back_url: str, title: str):
    """The preview page of ``mailing``: a person search, and the chosen person's message."""
    # NUL and lone surrogates dropped: PostgreSQL refuses them in a query parameter.
    query = text_clean(request.GET.get("q") or "")[:QUERY_MAX].strip()
    raw_person = request.GET.get("person") or ""
    if raw_person and not PERSON_ID.fullmatch(raw_person):
        logger.info("preview of mailing %s: refused person %r", mailing.pk, raw_person[:40])
        return HttpResponseBadRequest("The person to preview as is a number.")
    may_search = request.user.can(PEOPLE_VIEW)
    people = person_list(user=request.user, query=query) if may_search else None
    results = list(people[:RESULTS_SHOWN]) if people is not None and query else []
    person = preview = None
    if raw_person and may_search:
        person = get_object_or_404(person_list(user=request.user), pk=int(raw_person))
        preview = mailing_preview(
            mailing=mailing,
            person=person,
            viewer=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    return render(
        request,
        "mailings/preview.html",
        {
            "mailing": mailing,
            "title": title,
            "back_url": back_url,
            "query": query,
            "results": results,
            "may_search": may_search,
            "person": person,
            "preview": preview,
        },
    )


@capability_required(MAILINGS_SEND)
def mailing_preview_page(request, pk: int):
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk)
    return preview_respond(
        request,
        mailing=mailing,
        back_url=reverse("mailings:detail", args=[mailing.pk]),
        title=mailing.name,
    )


@capability_required(MAILINGS_SEND)
def step_preview_page(request, pk: int):
    step = get_object_or_404(steps_for(user=request.user), pk=pk)
    return preview_respond(
        request,
        mailing=step.mailing,
        back_url=reverse("mailings:welcome_detail", args=[step.series_id]),
        title=f"{step.series.name} · {step.delay_label}",
    )
