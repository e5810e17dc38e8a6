"""Conditions over what the people app owns: names, contact points, dates, sources, tags,
subscription status, and the issues and help offered on the participation form (which the
actions app stores as tags "issue: …" and "help: …" on the person)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.people.choices import EmailStatus
from groundswell.people.models import Tag, Tagging
from groundswell.people.normalize import name_key
from groundswell.people.sensitivity import source_visible
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register
from groundswell.segments.errors import DefinitionError

ISSUE_PREFIX = "issue: "
HELP_PREFIX = "help: "


def tag_choices() -> list[tuple[str, str]]:
    names = Tag.objects.order_by("name").values_list("name", flat=True)[:2000]
    return [(n, n) for n in names]


def _prefixed_choices(prefix: str) -> list[tuple[str, str]]:
    names = Tag.objects.filter(name__startswith=prefix).order_by("name")
    return [(n, n.removeprefix(prefix)) for n in names.values_list("name", flat=True)[:500]]


def _tagged(names: list[str]) -> Q:
    # pk IN (…) over the (tag, person) index: a semi-join the planner runs from the tag side.
    return Q(pk__in=Tagging.objects.filter(tag__name__in=names).values("person_id"))


def local_start(day: str) -> datetime:
    """The first moment of a campaign-local day."""
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time.min))


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


# ---------------------------------------------------------------- name, contact, dates


def _name_clean(params: dict) -> dict:
    value = p.text(params, "text", "the part of the name to look for", max_length=100)
    if not name_key(value):
        raise DefinitionError("Type letters or digits of a name.")
    return {"text": value}


def _name_q(params: dict) -> Q:
    key = name_key(params["text"])
    return Q(given_key__contains=key) | Q(family_key__contains=key)


def _yes_no_clean(params: dict) -> dict:
    return {"has": p.choice(params, "has", "yes or no", {"yes", "no"})}


def _has_q(field: str):
    def q(params: dict) -> Q:
        present = ~Q(**{field: ""})
        return present if params["has"] == "yes" else ~present

    return q


def date_range_clean(params: dict) -> dict:
    start = p.day(params, "start", "the first day", required=False)
    end = p.day(params, "end", "the last day", required=False)
    if start is None and end is None:
        raise DefinitionError("Give a first day, a last day or both.")
    if start and end and start > end:
        raise DefinitionError("The first day must not be after the last day.")
    return {"start": start, "end": end}


def date_range_q(field: str, params: dict) -> Q:
    q = Q()
    if params.get("start"):
        q &= Q(**{f"{field}__gte": local_start(params["start"])})
    if params.get("end"):
        end = (date.fromisoformat(params["end"]) + timedelta(days=1)).isoformat()
        q &= Q(**{f"{field}__lt": local_start(end)})
    return q


# ---------------------------------------------------------------- source, refcode


def _source_clean(params: dict) -> dict:
    return {"source": p.text(params, "source", "the source", max_length=100)}


def _source_permits(params: dict, user) -> bool:
    # "Came from ActBlue" says that someone gave: such sources are declared finance data.
    return source_visible(params["source"], user=user)


def _refcode_clean(params: dict) -> dict:
    return {"refcode": p.text(params, "refcode", "the refcode", max_length=100)}


# ---------------------------------------------------------------- tags and status


def _tags_clean(params: dict) -> dict:
    return {"tags": p.strings(params, "tags", "tags", max_length=100)}


def _tags_all_q(params: dict) -> Q:
    q = Q()
    for name in params["tags"]:
        q &= _tagged([name])
    return q


def _tag_clean(params: dict) -> dict:
    return {"tag": p.text(params, "tag", "a tag", max_length=100)}


def _statuses_clean(params: dict) -> dict:
    value = params.get("statuses", params.get("status"))
    statuses = p.strings({"s": value}, "s", "subscription statuses")
    if set(statuses) - set(EmailStatus.values):
        raise DefinitionError("Choose subscription statuses from the list.")
    return {"statuses": statuses}


def _statuses_q(params: dict) -> Q:
    statuses = params.get("statuses") or [params["status"]]
    # People with no e-mail address at all have a blank status: "no consent recorded" too.
    if EmailStatus.UNKNOWN in statuses:
        return Q(email_status__in=[*statuses, ""])
    return Q(email_status__in=statuses)


def _prefixed_clean(params: dict) -> dict:
    return {"values": p.strings(params, "values", "answers", max_length=100)}


def _prefixed_q(prefix: str):
    def q(params: dict) -> Q:
        return _tagged([v if v.startswith(prefix) else prefix + v for v in params["values"]])

    return q


def _kind(kind, label, group, clean, q, *params_, **kw) -> ConditionKind:
    return ConditionKind(
        kind=kind, label=label, group=group, clean=clean, q=q, params=tuple(params_), **kw
    )


YES_NO = Param("has", "", "select", choices=lambda: [("yes", "yes"), ("no", "no")])


def register() -> None:
    tags = Param("tags", "Tags", "multiselect", choices=tag_choices)
    for kind in (
        _kind("name", "Name contains", "Person", _name_clean, _name_q, Param("text", "Name")),
        _kind(
            "has_email",
            "Has an e-mail address",
            "Person",
            _yes_no_clean,
            _has_q("primary_email"),
            YES_NO,
        ),
        _kind(
            "has_phone",
            "Has a phone number",
            "Person",
            _yes_no_clean,
            _has_q("primary_phone"),
            YES_NO,
        ),
        _kind(
            "created",
            "Added between",
            "Person",
            date_range_clean,
            lambda prm: date_range_q("created_at", prm),
            Param("start", "From", "date", required=False),
            Param("end", "To", "date", required=False),
        ),
        _kind(
            "source",
            "Came to us from (source)",
            "Person",
            _source_clean,
            lambda prm: Q(source=prm["source"]),
            Param("source", "Source"),
            permits=_source_permits,
        ),
        _kind(
            "refcode",
            "Refcode is",
            "Person",
            _refcode_clean,
            lambda prm: Q(refcode=prm["refcode"]),
            Param("refcode", "Refcode"),
            capability=FINANCE_VIEW,
        ),
        _kind(
            "tag",
            "Has the tag",
            "Tags",
            _tag_clean,
            lambda prm: _tagged([prm["tag"]]),
            Param("tag", "Tag", "select", choices=tag_choices),
        ),
        _kind(
            "tags_any",
            "Has any of the tags",
            "Tags",
            _tags_clean,
            lambda prm: _tagged(prm["tags"]),
            tags,
        ),
        _kind("tags_all", "Has all of the tags", "Tags", _tags_clean, _tags_all_q, tags),
        _kind(
            "tags_none",
            "Has none of the tags",
            "Tags",
            _tags_clean,
            lambda prm: ~_tagged(prm["tags"]),
            tags,
        ),
        _kind(
            "email_status",
            "E-mail subscription status is",
            "Subscription",
            _statuses_clean,
            _statuses_q,
            Param("statuses", "Statuses", "multiselect", choices=lambda: EmailStatus.choices),
        ),
        _kind(
            "issues",
            "Cares about an issue (participation form)",
            "Interests",
            _prefixed_clean,
            _prefixed_q(ISSUE_PREFIX),
            Param(
                "values", "Issues", "multiselect", choices=lambda: _prefixed_choices(ISSUE_PREFIX)
            ),
        ),
        _kind(
            "help_offered",
            "Offered to help (participation form)",
            "Interests",
            _prefixed_clean,
            _prefixed_q(HELP_PREFIX),
            Param(
                "values",
                "Ways to help",
                "multiselect",
                choices=lambda: _prefixed_choices(HELP_PREFIX),
            ),
        ),
    ):
        condition_register(kind)
