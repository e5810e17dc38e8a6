"""A segment's definition: a bounded tree of AND / OR groups (each may be negated) of conditions.

    {"op": "and", "negate": false, "items": [
        {"kind": "tag", "tag": "volunteer"},
        {"op": "or", "negate": true, "items": [{"kind": "state", "states": ["PA", "OH"]}]}
    ]}

A leaf names a registered condition kind (``segments.conditions``) and carries its parameters.
Definitions come from the staff's browser, so they are checked before use: bounded depth and
size, known kinds, parameters each kind accepts. ``definition_q`` turns a clean definition into
one ``Q`` over ``people.Person``, so a count or a page of members is a single query.
"""

from __future__ import annotations

from django.db.models import Q

from groundswell.segments.conditions import condition_kind
from groundswell.segments.errors import DefinitionError

__all__ = ["DefinitionError", "definition_clean", "definition_q", "definition_kinds"]

MAX_DEPTH = 4
MAX_CONDITIONS = 50
MAX_GROUPS = 50


def definition_clean(raw: object) -> dict:
    """The definition, checked and normalised; raises DefinitionError saying what is wrong."""
    if raw in (None, {}):
        return {"op": "and", "negate": False, "items": []}
    counter = [0, 0]  # conditions, groups
    return _group_clean(raw, depth=1, counter=counter)


def _group_clean(raw: object, *, depth: int, counter: list[int]) -> dict:
    if not isinstance(raw, dict) or raw.get("op") not in ("and", "or"):
        raise DefinitionError("A group needs an operator: all of (AND) or any of (OR).")
    if depth > MAX_DEPTH:
        raise DefinitionError(f"Groups may be nested at most {MAX_DEPTH} deep.")
    counter[1] += 1
    if counter[1] > MAX_GROUPS:
        raise DefinitionError(f"A segment may have at most {MAX_GROUPS} groups.")
    items = raw.get("items", [])
    if not isinstance(items, list):
        raise DefinitionError("A group's conditions must be a list.")
    clean_items = []
    for item in items:
        if isinstance(item, dict) and "op" in item:
            clean_items.append(_group_clean(item, depth=depth + 1, counter=counter))
            continue
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise DefinitionError(f"A segment may have at most {MAX_CONDITIONS} conditions.")
        clean_items.append(_leaf_clean(item))
    return {"op": raw["op"], "negate": bool(raw.get("negate", False)), "items": clean_items}


def _leaf_clean(raw: object) -> dict:
    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        raise DefinitionError("Each condition needs a kind.")
    kind = condition_kind(raw["kind"])
    if kind is None:
        raise DefinitionError(f"Unknown condition: {raw['kind'][:50]!r}.")
    params = kind.clean({k: v for k, v in raw.items() if k != "kind"})
    return {"kind": kind.kind, **params}


def definition_q(definition: dict) -> Q:
    """One Q over Person for a clean definition (an empty group matches everyone)."""
    return _group_q(definition)


def _group_q(group: dict) -> Q:
    parts = [
        _group_q(item) if "op" in item else condition_kind(item["kind"]).q(item)
        for item in group["items"]
    ]
    q = Q()
    for part in parts:
        q = (q & part) if group["op"] == "and" else (q | part)
    if group["op"] == "or" and not parts:
        q = Q()
    return ~q if group["negate"] and parts else q


def definition_kinds(definition: dict) -> set[str]:
    """Every condition kind a definition uses (to check the viewer may use each)."""
    kinds: set[str] = set()
    for item in definition.get("items", []):
        kinds |= definition_kinds(item) if "op" in item else {item["kind"]}
    return kinds
