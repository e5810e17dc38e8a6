"""Conditions over what people owns: tags, the primary address's state, subscription status."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from groundswell.people.choices import EmailStatus
from groundswell.people.models import Tagging
from groundswell.segments.conditions import ConditionKind, condition_register


def _error(message: str):
    # Imported here: definition imports this registry's module, not the other way round.
    from groundswell.segments.definition import DefinitionError

    return DefinitionError(message)


def _tag_clean(params: dict) -> dict:
    tag = params.get("tag")
    if not isinstance(tag, str) or not tag.strip() or len(tag) > 100:
        raise _error("Choose a tag.")
    return {"tag": tag.strip()}


def _tag_q(params: dict) -> Q:
    tagged = Tagging.objects.filter(person=OuterRef("pk"), tag__name=params["tag"])
    return Q(Exists(tagged))


def _states_clean(params: dict) -> dict:
    states = params.get("states")
    if not isinstance(states, list) or not states or len(states) > 60:
        raise _error("Choose one or more states.")
    clean = sorted({s.strip().upper() for s in states if isinstance(s, str)})
    if any(len(s) != 2 or not s.isalpha() for s in clean) or not clean:
        raise _error("States are two-letter codes, such as PA.")
    return {"states": clean}


def _email_status_clean(params: dict) -> dict:
    status = params.get("status")
    if status not in EmailStatus.values:
        raise _error("Choose a subscription status.")
    return {"status": status}


def register_all() -> None:
    condition_register(
        ConditionKind(kind="tag", label="Has the tag", group="Person", clean=_tag_clean, q=_tag_q)
    )
    condition_register(
        ConditionKind(
            kind="state",
            label="Lives in one of the states",
            group="Location",
            clean=_states_clean,
            q=lambda p: Q(state__in=p["states"]),
        )
    )
    condition_register(
        ConditionKind(
            kind="email_status",
            label="E-mail subscription status is",
            group="Subscription",
            clean=_email_status_clean,
            q=lambda p: Q(email_status=p["status"]),
        )
    )
