"""The registry of condition kinds a segment can use.

Each app contributes the conditions over the data it owns, in its ``AppConfig.ready()``:
people's fields and tags are registered by this app (``conditions_builtin``); mailings adds
e-mail engagement, so segments never imports mailings. A kind knows how to check its
parameters (``clean``, raising ``DefinitionError`` with a message staff can act on), how to
turn them into a ``Q`` over ``people.Person`` (``q``), and which capability a viewer needs to
use it (giving history is finance data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class ConditionKind:
    kind: str
    label: str
    group: str  # the heading it sits under in the builder: "Person", "Location", "Giving", …
    clean: Callable[[dict], dict]
    q: Callable[[dict], Q]
    capability: str | None = None


_KINDS: dict[str, ConditionKind] = {}


def condition_register(kind: ConditionKind) -> None:
    """Add a condition kind; registering one kind twice is a programming error."""
    if kind.kind in _KINDS and _KINDS[kind.kind] is not kind:
        raise ValueError(f"condition kind {kind.kind!r} is already registered")
    _KINDS[kind.kind] = kind


def condition_kind(kind: str) -> ConditionKind | None:
    return _KINDS.get(kind)


def condition_kinds() -> list[ConditionKind]:
    """All registered kinds, in the order the builder lists them."""
    return sorted(_KINDS.values(), key=lambda k: (k.group, k.label))
