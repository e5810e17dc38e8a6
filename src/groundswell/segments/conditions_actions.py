"""Conditions over what people did on the campaign's pages (the actions app): a page they
submitted, any page of a kind (any petition), and the referrals they made."""

from __future__ import annotations

from django.db.models import Count, Q

from groundswell.actions.models import ActionPage, Referral, Submission
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register
from groundswell.segments.conditions_person import days_ago


def page_choices() -> list[tuple[str, str]]:
    pages = ActionPage.objects.order_by("title").values_list("slug", "title")[:1000]
    return [(slug, f"{title} (/a/{slug}/)") for slug, title in pages]


def _submitted(params: dict, **page_filter) -> Q:
    done = Submission.objects.filter(person__isnull=False, **page_filter)
    if params.get("days"):
        done = done.filter(received_at__gte=days_ago(params["days"]))
    q = Q(pk__in=done.values("person_id"))
    return ~q if params.get("did") == "no" else q


def _did(params: dict) -> str:
    return p.choice(params, "did", "did or did not", {"yes", "no"}) if "did" in params else "yes"


def _page_clean(params: dict) -> dict:
    slugs = p.strings(params, "pages", "pages", max_length=80)
    return {"pages": slugs, "days": p.within_days(params), "did": _did(params)}


def _kind_clean(params: dict) -> dict:
    kind = p.choice(params, "page_kind", "a kind of page", set(ActionPage.Kind.values))
    return {"page_kind": kind, "days": p.within_days(params), "did": _did(params)}


def _referrals_clean(params: dict) -> dict:
    return {
        "min": p.integer(params, "min", "the number of people recruited", low=1, high=1_000_000),
        "days": p.within_days(params),
    }


def _referrals_q(params: dict) -> Q:
    made = Referral.objects.all()
    if params.get("days"):
        made = made.filter(created_at__gte=days_ago(params["days"]))
    enough = made.values("recruiter_id").annotate(n=Count("id")).filter(n__gte=params["min"])
    return Q(pk__in=enough.values("recruiter_id"))


DID = Param("did", "", "select", choices=lambda: [("yes", "did"), ("no", "did not")])
DAYS = Param("days", "in the last … days (blank: ever)", "number", required=False)


def register() -> None:
    for kind in (
        ConditionKind(
            kind="action_page",
            label="Submitted one of the pages",
            group="Actions",
            clean=_page_clean,
            q=lambda prm: _submitted(prm, page__slug__in=prm["pages"]),
            params=(DID, Param("pages", "Pages", "multiselect", choices=page_choices), DAYS),
        ),
        ConditionKind(
            kind="action_kind",
            label="Submitted any page of a kind (any petition)",
            group="Actions",
            clean=_kind_clean,
            q=lambda prm: _submitted(prm, page__kind=prm["page_kind"]),
            params=(
                DID,
                Param("page_kind", "Kind", "select", choices=lambda: ActionPage.Kind.choices),
                DAYS,
            ),
        ),
        ConditionKind(
            kind="referrals",
            label="Recruited at least … people (referrals)",
            group="Actions",
            clean=_referrals_clean,
            q=_referrals_q,
            params=(Param("min", "people", "number"), DAYS),
        ),
    ):
        condition_register(kind)
