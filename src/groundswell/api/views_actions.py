"""Petitions and forms through the API: the action pages, who took them, and recording a
signature or a submission as the page itself would (the same validation, the same
processing into a person, tags, consent and timeline)."""

from __future__ import annotations

import hashlib
import json

from django.urls import reverse

from groundswell.accounts.roles import PEOPLE_EDIT, PEOPLE_EXPORT, PEOPLE_VIEW
from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.ratelimit import RateLimited
from groundswell.actions.services import (
    SubmissionInvalid,
    submission_process_now,
    submission_receive,
)
from groundswell.api import hal
from groundswell.api.auth import api_view, body_read
from groundswell.api.persons import signup_read
from groundswell.api.services import api_people_read_record
from groundswell.api.views import page_of, tag_names_clean
from groundswell.people.editing import person_tag_add
from groundswell.people.models import Person

# Which pages each collection holds, and OSDI's names for it and for what a person does there.
KINDS = {
    "petitions": ([ActionPage.Kind.PETITION], "signatures"),
    "forms": (
        [ActionPage.Kind.SIGNUP, ActionPage.Kind.PARTICIPATION, ActionPage.Kind.NEWSLETTER],
        "submissions",
    ),
}


def _page_doc(request, page: ActionPage, collection: str) -> dict:
    taken = KINDS[collection][1]
    doc = {
        "identifiers": [hal.identifier(page.pk)],
        "created_date": hal.date(page.created_at),
        "modified_date": hal.date(page.modified_at),
        "title": page.title,
        "description": page.intro,
        "browser_url": request.build_absolute_uri(reverse("public:page", args=[page.slug])),
        "status": "open" if page.published else "closed",
        f"total_{taken}": page.submission_count,
        "_links": {
            "self": hal.href(request, collection[:-1], page.pk),
            f"osdi:{taken}": hal.href(request, f"{collection[:-1]}_{taken}", page.pk),
        },
    }
    if page.kind == ActionPage.Kind.PETITION:
        doc["petition_text"] = page.petition_text
        if page.goal:
            doc["target_signatures"] = page.goal
    return doc


def _taken_doc(request, submission: Submission, collection: str) -> dict:
    taken = KINDS[collection][1]
    links = {
        "self": hal.href(
            request, f"{collection[:-1]}_{taken[:-1]}", submission.page_id, submission.pk
        ),
        f"osdi:{collection[:-1]}": hal.href(request, collection[:-1], submission.page_id),
    }
    if submission.person_id:
        links["osdi:person"] = hal.href(request, "person", submission.person_id)
    return {
        "identifiers": [hal.identifier(submission.pk)],
        "created_date": hal.date(submission.received_at),
        "modified_date": hal.date(submission.processed_at or submission.received_at),
        "_links": links,
    }


def _pages(collection: str):
    return ActionPage.objects.filter(kind__in=KINDS[collection][0])


def _page_or_error(request, collection: str, pk: int):
    page = _pages(collection).filter(pk=pk).first()
    if page is None:
        return None, hal.error(request, 404, f"There is no such {collection[:-1]}.")
    return page, None


def _collection_view(collection: str):
    @api_view(GET=PEOPLE_VIEW)
    def view(request):
        return hal.respond(
            page_of(
                request,
                _pages(collection),
                name=collection,
                doc=lambda p: _page_doc(request, p, collection),
            )
        )

    return view


def _item_view(collection: str):
    @api_view(GET=PEOPLE_VIEW)
    def view(request, pk: int):
        page, response = _page_or_error(request, collection, pk)
        return response or hal.respond(_page_doc(request, page, collection))

    return view


def _taken_view(collection: str):
    """GET: who took the action, paged. POST ``{"person": {...}, "add_tags": [...]}``: record
    one, as if the person had filled in the page's form (its required fields included)."""

    @api_view(GET=PEOPLE_EXPORT, POST=PEOPLE_EDIT)
    def view(request, pk: int):
        page, response = _page_or_error(request, collection, pk)
        if response is not None:
            return response
        if request.method == "POST":
            return _record(request, page, collection)
        api_people_read_record(key=request.api_key, ip_address=request.api_ip)
        taken = Submission.objects.filter(page=page, person__erased_at__isnull=True)
        return hal.respond(
            page_of(
                request,
                taken,
                name=KINDS[collection][1],
                doc=lambda s: _taken_doc(request, s, collection),
            )
        )

    return view


def _record(request, page: ActionPage, collection: str):
    body = body_read(request)
    signup = signup_read(body, user=request.user)
    tags = tag_names_clean(signup.add_tags, field="add_tags")
    data = {name: value for name, value in signup.raw.items() if value}
    # The same body from the same key is one action, as a double-clicked form is: a client
    # that retries after a lost answer does not sign twice.
    canonical = json.dumps(body, sort_keys=True, default=str)
    token = hashlib.sha256(f"api:{request.api_key.pk}:{canonical}".encode()).hexdigest()
    try:
        # No address: the key is the caller, and a tool pushing a day's signatures from one
        # server must not be held to a visitor's limit. The e-mail's own limit still holds.
        submission, created = submission_receive(
            page=page, token=token, data=data, channel=Submission.Channel.API, ip_address=None
        )
    except SubmissionInvalid as exc:
        field, reason = next(iter(exc.errors.items()))
        return hal.error(
            request,
            400,
            f"{field} {reason[:1].lower()}{reason[1:]}",
            field=field,
            errors=exc.errors,
        )
    except RateLimited as exc:
        response = hal.error(request, 429, str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response
    submission = submission_process_now(submission)
    if submission.person_id and tags:
        person = Person.objects.get(pk=submission.person_id)
        for name in tags:
            person_tag_add(person=person, name=name, actor=request.user)
    return hal.respond(_taken_doc(request, submission, collection), 201 if created else 200)


def _taken_item_view(collection: str):
    @api_view(GET=PEOPLE_EXPORT)
    def view(request, pk: int, taken_pk: int):
        found = (
            Submission.objects.filter(pk=taken_pk, page_id=pk, page__kind__in=KINDS[collection][0])
            .exclude(person__erased_at__isnull=False)
            .first()
        )
        if found is None:
            return hal.error(request, 404, f"There is no such {KINDS[collection][1][:-1]}.")
        return hal.respond(_taken_doc(request, found, collection))

    return view


petitions = _collection_view("petitions")
petition = _item_view("petitions")
petition_signatures = _taken_view("petitions")
petition_signature = _taken_item_view("petitions")
forms = _collection_view("forms")
form = _item_view("forms")
form_submissions = _taken_view("forms")
form_submission = _taken_item_view("forms")
