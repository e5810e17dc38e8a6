"""The API's endpoints: the entry point, people (with the person signup helper), tags and
taggings, as Action Network's API v2 answers them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PEOPLE_EDIT, PEOPLE_EXPORT, PEOPLE_VIEW
from groundswell.api import hal
from groundswell.api.auth import api_view, body_read, page_read
from groundswell.api.filters import filter_q
from groundswell.api.openapi import openapi_document
from groundswell.api.persons import person_doc, signup_read
from groundswell.api.services import api_people_read_record
from groundswell.core.untrusted import Refused, text_clean
from groundswell.people.choices import ConsentMethod
from groundswell.people.editing import person_tag_add, person_tag_remove, tag_ensure
from groundswell.people.intake import person_input_clean
from groundswell.people.models import ExternalId, Person, Tag, Tagging
from groundswell.people.normalize import InvalidEmail, clean_text, email_verify, name_key
from groundswell.people.services import IntakeContext, person_upsert

PEOPLE_DATES = {"created_date": "created_at", "modified_date": "modified_at"}


def _email_q(value: str) -> Q:
    try:
        address = email_verify(value).address
    except InvalidEmail:
        raise Refused("filter", f"“{value[:60]}” is not an e-mail address") from None
    return Q(emails__address=address)


# Each compares the normalised, indexed column the CRM keeps for it: names by their search
# key (case and accents aside), e-mail as stored, a state by its code.
PEOPLE_EXACT = {
    "email_address": _email_q,
    "given_name": lambda v: Q(given_key=name_key(v)),
    "family_name": lambda v: Q(family_key=name_key(v)),
    "postal_code": lambda v: Q(postal_code=v.strip()),
    "region": lambda v: Q(state=v.strip().upper()),
}
TAG_DATES = {"created_date": "created_at"}
TAG_EXACT = {"name": lambda v: Q(name__iexact=v)}


@capability_required(PEOPLE_VIEW)
def docs(request):
    """What each resource is and how to call it (the curies of every answer point here)."""
    return render(
        request, "api/docs.html", {"base": request.build_absolute_uri(reverse("api:entry"))}
    )


def openapi(request):
    """The OpenAPI 3.1 document of this API (public, as Action Network's documentation is:
    it describes calls, and every call needs a key)."""
    server = request.build_absolute_uri(reverse("api:entry"))
    return JsonResponse(openapi_document(server=server), json_dumps_params={"indent": 1})


@api_view(GET=PEOPLE_VIEW)
def entry(request):
    """The API entry point: what this server is and where each collection lives."""
    return hal.respond(
        {
            "motd": "Groundswell's API: Action Network API v2 (OSDI) compatible.",
            "vendor_name": "Groundswell",
            "product_name": "Groundswell",
            "osdi_version": "1.1",
            "max_pagesize": hal.MAX_PER_PAGE,
            "_links": {
                "self": hal.href(request, "entry"),
                "osdi:people": hal.href(request, "people"),
                "osdi:person_signup_helper": hal.href(request, "people"),
                "osdi:tags": hal.href(request, "tags"),
                "osdi:petitions": hal.href(request, "petitions"),
                "osdi:forms": hal.href(request, "forms"),
                "osdi:events": hal.href(request, "events"),
                "docs": {"href": request.build_absolute_uri(reverse("api:docs"))},
                "openapi": {"href": request.build_absolute_uri(reverse("api:openapi"))},
                "curies": hal.curies(request),
            },
        }
    )


def _people():
    # Erased people keep a row for the law's records but no longer exist for an integration.
    return (
        Person.objects.active()
        .filter(erased_at__isnull=True)
        .prefetch_related(
            "emails",
            "phones",
            "addresses",
            Prefetch("external_ids", ExternalId.objects.order_by("system", "value")),
        )
    )


def page_of(request, queryset, *, name: str, doc) -> dict:
    """One page of a collection (``page``, ``per_page``), oldest first, as HAL."""
    number, per_page = page_read(request)
    total = queryset.count()
    number = min(number, hal.total_pages(total, per_page))
    items = [
        doc(item) for item in queryset.order_by("pk")[(number - 1) * per_page : number * per_page]
    ]
    return hal.collection(
        request, name=name, page=number, per_page=per_page, total=total, items=items
    )


@api_view(GET=PEOPLE_EXPORT, POST=PEOPLE_EDIT)
def people(request):
    """GET: people, paged, with ``filter``. POST: the person signup helper (an upsert)."""
    if request.method == "POST":
        return _person_signup(request)
    queryset = _people()
    if request.GET.get("filter"):
        queryset = queryset.filter(
            filter_q(request.GET["filter"], dates=PEOPLE_DATES, exact=PEOPLE_EXACT)
        )
    api_people_read_record(key=request.api_key, ip_address=request.api_ip)
    return hal.respond(
        page_of(
            request,
            queryset,
            name="people",
            doc=lambda p: person_doc(p, request=request, user=request.user),
        )
    )


def _person_signup(request):
    signup = signup_read(body_read(request), user=request.user)
    data, errors = person_input_clean(signup.raw)
    if errors:
        first = errors[0]
        where = first.field or "person"
        return hal.error(
            request,
            400,
            f"{where} {first.reason}".strip(),
            errors=[{"field": e.field, "value": e.value, "reason": e.reason} for e in errors],
        )
    data.tags = tag_names_clean(signup.add_tags, field="add_tags")
    removed = tag_names_clean(signup.remove_tags, field="remove_tags")
    key = request.api_key
    with transaction.atomic():
        result = person_upsert(
            data,
            context=IntakeContext(
                method=ConsentMethod.API,
                source=f"API key {key.name}",
                actor=request.user,
                ip_address=request.api_ip,
                activity_kind="api",
                activity_summary=f"Added or updated through the API (key “{key.name}”)",
            ),
        )
        for name in removed:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is not None:
                person = Person.objects.get(pk=result.person_id)
                person_tag_remove(person=person, tag=tag, actor=request.user)
    person = _people().get(pk=result.person_id)
    return hal.respond(
        person_doc(person, request=request, user=request.user), 201 if result.created else 200
    )


def tag_names_clean(names: list[str], *, field: str) -> list[str]:
    """Tag names as stored (spaces collapsed), checked before anything is written."""
    cleaned = []
    for name in names:
        try:
            text = clean_text(name, 100)
        except ValueError as exc:
            raise Refused(field, f"holds a tag name that {exc}") from None
        if not text:
            raise Refused(field, "holds a blank tag name")
        cleaned.append(text)
    return cleaned


def _person_or_error(request, pk: int):
    person = Person.objects.filter(pk=pk, erased_at__isnull=True).only("pk", "merged_into").first()
    if person is None:
        return None, hal.error(request, 404, "There is no such person.")
    if person.merged_into_id:
        # A merged record lives on as the person it was merged into.
        return None, HttpResponsePermanentRedirect(
            reverse("api:person", args=[person.merged_into_id])
        )
    return person, None


@api_view(GET=PEOPLE_EXPORT)
def person(request, pk: int):
    found, response = _person_or_error(request, pk)
    if response is not None:
        return response
    api_people_read_record(key=request.api_key, ip_address=request.api_ip)
    return hal.respond(person_doc(_people().get(pk=found.pk), request=request, user=request.user))


def _tag_doc(request, tag: Tag) -> dict:
    return {
        "identifiers": [hal.identifier(tag.pk)],
        "name": tag.name,
        "created_date": hal.date(tag.created_at),
        "modified_date": hal.date(tag.created_at),
        "_links": {
            "self": hal.href(request, "tag", tag.pk),
            "osdi:taggings": hal.href(request, "tag_taggings", tag.pk),
        },
    }


def _tagging_doc(request, tagging: Tagging) -> dict:
    return {
        "identifiers": [hal.identifier(tagging.pk)],
        "created_date": hal.date(tagging.created_at),
        "modified_date": hal.date(tagging.created_at),
        "_links": {
            "self": hal.href(request, "tagging", tagging.tag_id, tagging.pk),
            "osdi:tag": hal.href(request, "tag", tagging.tag_id),
            "osdi:person": hal.href(request, "person", tagging.person_id),
        },
    }


@api_view(GET=PEOPLE_VIEW, POST=PEOPLE_EDIT)
def tags(request):
    """GET: every tag, paged. POST ``{"name": ...}``: a tag (the existing one if it exists)."""
    if request.method == "POST":
        body = body_read(request)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise Refused("name", "is required and must be text")
        try:
            tag, created = tag_ensure(name=body["name"], actor=request.user)
        except ValidationError as exc:
            raise Refused("name", " ".join(exc.messages)) from None
        return hal.respond(_tag_doc(request, tag), 201 if created else 200)
    queryset = Tag.objects.all()
    if request.GET.get("filter"):
        queryset = queryset.filter(
            filter_q(request.GET["filter"], dates=TAG_DATES, exact=TAG_EXACT)
        )
    return hal.respond(page_of(request, queryset, name="tags", doc=lambda t: _tag_doc(request, t)))


def _tag_or_error(request, pk: int):
    tag = Tag.objects.filter(pk=pk).first()
    return tag, (hal.error(request, 404, "There is no such tag.") if tag is None else None)


@api_view(GET=PEOPLE_VIEW)
def tag(request, pk: int):
    found, response = _tag_or_error(request, pk)
    return response or hal.respond(_tag_doc(request, found))


@api_view(GET=PEOPLE_EXPORT, POST=PEOPLE_EDIT)
def tag_taggings(request, pk: int):
    """GET: who has this tag, paged. POST ``{"_links": {"osdi:person": {"href": ...}}}``:
    tag that person (tagging twice changes nothing)."""
    found, response = _tag_or_error(request, pk)
    if response is not None:
        return response
    if request.method == "POST":
        person_id = _linked_person(body_read(request), host=request.get_host())
        person = Person.objects.active().filter(pk=person_id, erased_at__isnull=True).first()
        if person is None:
            raise Refused("_links.osdi:person", "names no person here")
        existed = Tagging.objects.filter(person=person, tag=found).exists()
        person_tag_add(person=person, name=found.name, actor=request.user)
        tagging = Tagging.objects.get(person=person, tag=found)
        return hal.respond(_tagging_doc(request, tagging), 200 if existed else 201)
    api_people_read_record(key=request.api_key, ip_address=request.api_ip)
    queryset = Tagging.objects.filter(tag=found, person__erased_at__isnull=True)
    return hal.respond(
        page_of(request, queryset, name="taggings", doc=lambda t: _tagging_doc(request, t))
    )


def _linked_person(body: object, *, host: str) -> int:
    """The person a tagging body links to, by the href of one of our person URLs (on this
    host, or a path alone)."""
    try:
        link = body["_links"]["osdi:person"]["href"]
    except (TypeError, KeyError):
        link = None
    if not isinstance(link, str):
        raise Refused("_links.osdi:person", 'is required: {"href": "<a person\'s URL>"}')
    try:
        parts = urlsplit(text_clean(link))
        match = resolve(parts.path) if parts.netloc in ("", host) else None
    except (Resolver404, ValueError):
        match = None
    if match is None or match.view_name != "api:person":
        raise Refused("_links.osdi:person", "is not the URL of a person in this API")
    return match.kwargs["pk"]


@api_view(GET=PEOPLE_EXPORT, DELETE=PEOPLE_EDIT)
def tagging(request, pk: int, tagging_pk: int):
    found = (
        Tagging.objects.filter(pk=tagging_pk, tag_id=pk, person__erased_at__isnull=True)
        .select_related("tag", "person")
        .first()
    )
    if found is None:
        return hal.error(request, 404, "There is no such tagging.")
    if request.method == "DELETE":
        person_tag_remove(person=found.person, tag=found.tag, actor=request.user)
        return hal.respond({"notice": "This tagging was successfully deleted."})
    return hal.respond(_tagging_doc(request, found))


@api_view(GET=PEOPLE_EXPORT)
def person_taggings(request, pk: int):
    found, response = _person_or_error(request, pk)
    if response is not None:
        return response
    queryset = Tagging.objects.filter(person=found)
    return hal.respond(
        page_of(request, queryset, name="taggings", doc=lambda t: _tagging_doc(request, t))
    )
