"""Segment conditions over e-mail engagement, registered with segments from ``ready()``:
opened or clicked (any mailing or one of them) in the last N days, or not; received a mailing
in the last N days, or a given mailing.

Opens and clicks count only a person's (``PERSON_CLASSES``): a privacy proxy's preload or a
security scanner's click says nothing about whether someone reads the campaign's mail, and a
segment of "people who open" built on them would include nearly every Apple Mail user.
"""

from __future__ import annotations

from django.db.models import Q

from groundswell.mailings.models import (
    PERSON_CLASSES,
    Delivery,
    DeliveryState,
    Engagement,
    EngagementKind,
    Mailing,
)
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register
from groundswell.segments.conditions_person import days_ago
from groundswell.segments.errors import DefinitionError

GROUP = "E-mail"


def mailing_choices() -> list[tuple[str, str]]:
    sent = Mailing.objects.filter(started_at__isnull=False).order_by("-started_at")
    return [("", "any mailing")] + [
        (str(pk), name) for pk, name in sent.values_list("pk", "name")[:500]
    ]


def _mailing(params: dict) -> int | None:
    if params.get("mailing") in (None, ""):
        return None
    pk = p.integer(params, "mailing", "the mailing", low=1, high=2**62)
    if not Mailing.objects.filter(pk=pk).exists():
        raise DefinitionError("That mailing no longer exists; choose another or any mailing.")
    return pk


def _clean(params: dict) -> dict:
    did = p.choice(params, "did", "did or did not", {"yes", "no"}) if "did" in params else "yes"
    return {"did": did, "mailing": _mailing(params), "days": p.within_days(params)}


def _engaged_q(kind: str):
    def q(params: dict) -> Q:
        rows = Engagement.objects.filter(kind=kind, hit_class__in=PERSON_CLASSES)
        if params.get("mailing"):
            rows = rows.filter(mailing_id=params["mailing"])
        if params.get("days"):
            rows = rows.filter(at__gte=days_ago(params["days"]))
        found = Q(pk__in=rows.values("person_id"))
        return ~found if params.get("did") == "no" else found

    return q


def _received_q(params: dict) -> Q:
    rows = Delivery.objects.filter(state=DeliveryState.SENT)
    if params.get("mailing"):
        rows = rows.filter(mailing_id=params["mailing"])
    if params.get("days"):
        rows = rows.filter(sent_at__gte=days_ago(params["days"]))
    found = Q(pk__in=rows.values("person_id"))
    return ~found if params.get("did") == "no" else found


def _describe(done: str, do: str):
    def describe(params: dict) -> str:
        which = "a mailing"
        if params.get("mailing"):
            name = Mailing.objects.filter(pk=params["mailing"]).values_list("name", flat=True)
            which = f"“{name.first() or 'a deleted mailing'}”"
        when = f" in the last {params['days']} days" if params.get("days") else ""
        verb = f"Did not {do}" if params.get("did") == "no" else done
        return f"{verb} {which}{when}"

    return describe


DID = Param("did", "", "select", choices=lambda: [("yes", "did"), ("no", "did not")])
MAILING = Param("mailing", "Mailing", "select", choices=mailing_choices, required=False)
DAYS = Param("days", "in the last … days (blank: ever)", "number", required=False)


def _kind(kind: str, label: str, q, done: str, do: str) -> ConditionKind:
    # The three engagement conditions share their parameters, cleaning and sentence shape.
    return ConditionKind(
        kind=kind,
        label=label,
        group=GROUP,
        clean=_clean,
        q=q,
        params=(DID, MAILING, DAYS),
        describe=_describe(done, do),
    )


def register() -> None:
    for kind in (
        _kind(
            "mail_opened",
            "Opened a mailing (people's opens, not privacy proxies')",
            _engaged_q(EngagementKind.OPEN),
            "Opened",
            "open",
        ),
        _kind(
            "mail_clicked",
            "Clicked a link in a mailing (not security scanners)",
            _engaged_q(EngagementKind.CLICK),
            "Clicked in",
            "click in",
        ),
        _kind("mail_received", "Received a mailing", _received_q, "Received", "receive"),
    ):
        condition_register(kind)
