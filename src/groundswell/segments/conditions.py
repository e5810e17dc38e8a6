"""The registry of condition kinds a segment can use.

Each app contributes the conditions over the data it owns, in its ``AppConfig.ready()``:
people's fields and tags, locations, giving, actions and referrals are registered by this app
(``conditions_builtin``: the apps below segments cannot import it); mailings adds e-mail
engagement from its own ``ready()``, so segments never imports mailings. A kind knows how to
check its parameters (``clean``, raising ``DefinitionError`` with a message staff can act on),
how to turn them into a ``Q`` over ``people.Person`` (``q``), which capability a viewer needs to
use it (giving history is finance data), and which inputs the builder shows for it (``params``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Param:
    """One input of a condition in the builder.

    ``widget`` is one of text, number, date, select, multiselect, states; ``choices`` (for
    select and multiselect) is called when the builder renders, so lists that grow (tags,
    pages) are read then, not at start-up.
    """

    name: str
    label: str
    widget: str = "text"
    choices: Callable[[], list[tuple[str, str]]] | None = None
    help: str = ""
    required: bool = True


@dataclass(frozen=True)
class ConditionKind:
    kind: str
    label: str
    group: str  # the heading it sits under in the builder: "Person", "Location", "Giving", …
    clean: Callable[[dict], dict]
    q: Callable[[dict], Q]
    capability: str | None = None
    params: tuple[Param, ...] = ()
    # A short sentence for a clean condition ("Lives in PA, OH"), for lists and summaries.
    describe: Callable[[dict], str] | None = None
    # Beyond the capability: whether this viewer may use these parameters (a source of first
    # contact that says someone gave is finance data, see people.sensitivity).
    permits: Callable[[dict, object], bool] | None = None


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


def condition_kinds_for(*, user) -> list[ConditionKind]:
    """The kinds this viewer may use (giving conditions only for finance roles)."""
    return [k for k in condition_kinds() if k.capability is None or user.can(k.capability)]
