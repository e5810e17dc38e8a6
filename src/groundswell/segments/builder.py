"""What the query builder needs from the registry: the kinds a viewer may use, grouped, with
their inputs and choices (as JSON for builder.js), and a definition told in sentences."""

from __future__ import annotations

from groundswell.segments.conditions import condition_kind, condition_kinds_for


def builder_catalog(*, user) -> list[dict]:
    """[{group, kinds: [{kind, label, params: [{name, label, widget, choices, …}]}]}]."""
    groups: dict[str, list[dict]] = {}
    for kind in condition_kinds_for(user=user):
        groups.setdefault(kind.group, []).append(
            {
                "kind": kind.kind,
                "label": kind.label,
                "params": [
                    {
                        "name": param.name,
                        "label": param.label,
                        "widget": param.widget,
                        "help": param.help,
                        "required": param.required,
                        "choices": [list(c) for c in param.choices()] if param.choices else [],
                    }
                    for param in kind.params
                ],
            }
        )
    return [{"group": group, "kinds": kinds} for group, kinds in groups.items()]


GROUP_WORDS = {
    ("and", False): "All of",
    ("or", False): "Any of",
    ("and", True): "Not all of",
    ("or", True): "None of",
}


def definition_describe(definition: object) -> dict:
    """A clean definition as a tree of sentences for the read-only page:
    {"words": "All of", "items": [{"text": "Lives in one of the states: PA, OH"}, {...group}]}.
    """
    if not isinstance(definition, dict) or "op" not in definition:
        return {"words": "Everyone", "items": []}
    items = []
    for item in definition.get("items", []):
        if isinstance(item, dict) and "op" in item:
            items.append(definition_describe(item))
        elif isinstance(item, dict):
            items.append({"text": _leaf_text(item)})
    words = GROUP_WORDS.get((definition.get("op"), bool(definition.get("negate"))), "All of")
    return {"words": words if items else "Everyone", "items": items}


def _leaf_text(item: dict) -> str:
    kind = condition_kind(str(item.get("kind")))
    if kind is None:
        return f"(a condition no longer available: {item.get('kind')})"
    if kind.describe:
        return kind.describe(item)
    parts = []
    for param in kind.params:
        value = item.get(param.name)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if param.choices and param.widget == "select":
            value = dict(param.choices()).get(value, value)
        parts.append(f"{param.label} {value}".strip())
    return f"{kind.label}: {'; '.join(parts)}" if parts else kind.label
