"""What other apps contribute to people: panels on the person page, and work after a merge.

Dependencies point one way — feature apps import people, people imports none of them — yet
the person page shows someone's giving (donations) and referrals (actions), and a merge must
recount donor totals (donations) and withdraw review verdicts (identity). Each such app
registers here once, in its ``AppConfig.ready()``, and people calls what is registered:

- ``person_panel_register``: a card on the person page, with the template that renders it,
  a function that builds its context, and the capability a viewer needs (the function is not
  even called for others, so no query runs for a role that may not see the data).
- ``merge_hook_register``: a function called with ``record``, ``actor`` and ``ip_address``
  inside the transaction of every merge (``after_merge``) or undo (``after_undo``), so the
  owning app's derived data stays consistent with the people it points at, or the whole
  merge rolls back. This is the only after-merge mechanism; there are no signals.

- ``person_removal_register``: what an app does when staff delete a person or erase their
  personal data. ``blockers(person=..., action=...)`` returns sentences saying why the person
  may not be deleted or erased now ("3 contributions the law requires us to keep");
  ``erase(person=..., actor=...)`` removes the personal data the app holds about them (its own
  models only) and returns what it did, in words, for the audit log. Both run inside the
  deletion's or erasure's transaction.

Registration order is the order of ``INSTALLED_APPS``; panels are shown by ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# Where a panel goes on the person page: under the contact details, or in the activity column
# between consent history and merges.
Column = Literal["details", "activity"]


@dataclass(frozen=True)
class PersonPanel:
    name: str
    template: str
    # Called as context(request=..., person=...); returns the variables the template reads.
    context: Callable[..., dict]
    column: Column = "activity"
    order: int = 100
    capability: str | None = None


@dataclass(frozen=True)
class MergeHook:
    name: str
    after_merge: Callable[..., None] | None = None
    after_undo: Callable[..., None] | None = None


@dataclass(frozen=True)
class RemovalHook:
    name: str
    blockers: Callable[..., list[str]] | None = None
    erase: Callable[..., list[str]] | None = None


_panels: dict[str, PersonPanel] = {}
_merge_hooks: dict[str, MergeHook] = {}
_removal_hooks: dict[str, RemovalHook] = {}


def person_panel_register(
    name: str,
    *,
    template: str,
    context: Callable[..., dict],
    column: Column = "activity",
    order: int = 100,
    capability: str | None = None,
) -> None:
    """Show a card on the person page, built by ``context`` and rendered by ``template``."""
    if column not in ("details", "activity"):
        raise ValueError(f"panel {name!r}: no column {column!r} on the person page")
    _panels[name] = PersonPanel(name, template, context, column, order, capability)


def person_panels(*, request, person, column: Column) -> list[dict]:
    """The panels of one column this viewer may see, each with its template and context."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.column != column:
            continue
        if panel.capability and not request.user.can(panel.capability):
            continue
        shown.append(
            {
                "name": panel.name,
                "template": panel.template,
                **panel.context(request=request, person=person),
            }
        )
    return shown


def merge_hook_register(
    name: str,
    *,
    after_merge: Callable[..., None] | None = None,
    after_undo: Callable[..., None] | None = None,
) -> None:
    """Run ``after_merge`` / ``after_undo`` inside every merge / undo's transaction."""
    _merge_hooks[name] = MergeHook(name, after_merge, after_undo)


def merge_hooks_run(*, undo: bool, record, actor=None, ip_address: str | None = None) -> None:
    """Call every registered hook for a merge (or its undo) that has just been written."""
    for hook in _merge_hooks.values():
        func = hook.after_undo if undo else hook.after_merge
        if func is not None:
            func(record=record, actor=actor, ip_address=ip_address)


# What a removal is: "delete" takes the row away, "erase" keeps it but strips what is personal.
RemovalAction = Literal["delete", "erase"]


def person_removal_register(
    name: str,
    *,
    blockers: Callable[..., list[str]] | None = None,
    erase: Callable[..., list[str]] | None = None,
) -> None:
    """Say why a person may not be deleted or erased, and erase what this app holds on them."""
    _removal_hooks[name] = RemovalHook(name, blockers, erase)


def person_removal_blockers(*, person, action: RemovalAction) -> list[str]:
    """Every registered app's reasons why ``person`` may not be deleted (or erased) now."""
    reasons: list[str] = []
    for hook in _removal_hooks.values():
        if hook.blockers is not None:
            reasons.extend(hook.blockers(person=person, action=action))
    return reasons


def person_erase_hooks_run(*, person, actor) -> dict[str, list[str]]:
    """Let every app erase what it holds on ``person``; what each did, by app, for the audit."""
    done: dict[str, list[str]] = {}
    for hook in _removal_hooks.values():
        if hook.erase is not None:
            lines = hook.erase(person=person, actor=actor)
            if lines:
                done[hook.name] = list(lines)
    return done
