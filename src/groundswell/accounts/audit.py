"""What the audit log says, in words.

Each app registers the actions it audits — a code, a label, and optionally how to put an
event's details into sentences — in its ``AppConfig.ready()``; the audit page names, filters
and describes events through this registry. Action codes are not a database choice list, so a
new app's action needs no migration of the audit table, and no code is missing from the filter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: str
    describe: Callable[[dict], list[str]] | None = None


_ACTIONS: dict[str, AuditAction] = {}


def audit_action_register(
    code: str, label: str, *, describe: Callable[[dict], list[str]] | None = None
) -> None:
    """Name an audited action (and say how to word its details); the last registration wins,
    so an app may add a describer to an action another app declared."""
    _ACTIONS[code] = AuditAction(code=code, label=label, describe=describe)


def audit_action_label(code: str) -> str:
    action = _ACTIONS.get(code)
    if action is not None:
        return action.label
    # An action logged by code that no longer registers it: still readable, never a raw code.
    return code.replace(".", " ").replace("_", " ").capitalize()


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered action, by label, for the audit page's filter."""
    return sorted(((a.code, a.label) for a in _ACTIONS.values()), key=lambda c: c[1].lower())


def audit_details_words(code: str, details: dict) -> list[str]:
    """An event's details as short sentences: the action's own describer, else a generic one."""
    if not isinstance(details, dict) or not details:
        return []
    action = _ACTIONS.get(code)
    if action is not None and action.describe is not None:
        try:
            return action.describe(details)
        except Exception:  # noqa: BLE001 - an old event's odd details must not break the page
            logger.warning("audit describer for %s failed on %r", code, details, exc_info=True)
    return details_words(details)


def details_words(details: dict) -> list[str]:
    """A generic wording: "Moved: 2 e-mail addresses, 1 phone" rather than a Python dict."""
    lines = []
    # By key: PostgreSQL's jsonb keeps keys in its own order (shortest first), not as written,
    # so the same entry must not read differently on SQLite and PostgreSQL.
    for key, value in sorted(details.items(), key=lambda item: str(item[0])):
        if str(key).endswith("_cents") and isinstance(value, int) and not isinstance(value, bool):
            lines.append(f"{_key_words(str(key)[: -len('_cents')])}: {money_words(value)}")
        else:
            lines.append(f"{_key_words(key)}: {_value_words(value)}")
    return lines


def money_words(cents: int) -> str:
    """Integer cents as dollars: 350000 → "$3,500.00"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def _key_words(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def _value_words(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if not value:
            return "none"
        # In key order, as above: jsonb keeps its own order on PostgreSQL.
        return ", ".join(_counted(k, v) for k, v in sorted(value.items(), key=lambda i: str(i[0])))
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(v) for v in value) or "none"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _counted(key: str, value: object) -> str:
    """ "people.emailaddress": 2 → "2 e-mail addresses"; any other key → "key: value"."""
    if isinstance(value, int) and not isinstance(value, bool):
        noun = _model_noun(key, plural=value != 1)
        if noun:
            return f"{value:,} {noun}"
    return f"{_key_words(key).lower()}: {_value_words(value)}"


def _model_noun(label: str, *, plural: bool) -> str | None:
    if "." not in str(label):
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return str(model._meta.verbose_name_plural if plural else model._meta.verbose_name)
