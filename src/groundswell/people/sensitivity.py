"""Which parts of a person's record need which capability to be seen.

The people app shows everything other apps put on a person (timeline entries, a source of
first contact), so it cannot know on its own that "Gave $5.00 via Stripe" is finance data.
Each app that writes such data declares it here once, when the app is ready (see
``donations.apps``), and every selector that reads a person for a viewing user asks here what
to leave out. A new page built on those selectors inherits the rule; a new kind of activity
is visible to every role until its writer declares it.
"""

from __future__ import annotations

from groundswell.accounts.roles import FINANCE_VIEW

# Person columns that only some roles may read. Selectors do not even load them for others,
# so a template slip cannot show them.
PERSON_FIELDS: dict[str, str] = {
    "employer": FINANCE_VIEW,
    "occupation": FINANCE_VIEW,
}

_activity_kinds: dict[str, str] = {}
_sources: dict[str, str] = {}


def activity_kind_register(kind: str, *, capability: str) -> None:
    """Declare that timeline entries of ``kind`` are shown only to roles with ``capability``."""
    current = _activity_kinds.get(kind)
    if current is not None and current != capability:
        raise ValueError(f"activity kind {kind!r} already needs {current!r}")
    _activity_kinds[kind] = capability


def source_register(source: str, *, capability: str) -> None:
    """Declare that a person or consent source named ``source`` (or "``source`` …") is
    shown only to roles with ``capability``: "ActBlue" as where someone came from says that
    they gave, and so does "Donation page spring-match"."""
    key = source.casefold()
    current = _sources.get(key)
    if current is not None and current != capability:
        raise ValueError(f"source {source!r} already needs {current!r}")
    _sources[key] = capability


def activity_kinds_hidden(*, user) -> list[str]:
    """The timeline kinds this user may not see (sorted, for a stable query)."""
    return sorted(kind for kind, cap in _activity_kinds.items() if not user.can(cap))


def person_fields_hidden(*, user) -> tuple[str, ...]:
    """The person columns this user may not read."""
    return tuple(name for name, cap in PERSON_FIELDS.items() if not user.can(cap))


def source_visible(source: str | None, *, user) -> bool:
    """Whether this user may see a source of first contact (or of a consent change)."""
    if not source:
        return True
    text = " ".join(source.split()).casefold()
    for prefix, capability in _sources.items():
        if (text == prefix or text.startswith(prefix + " ")) and not user.can(capability):
            return False
    return True


def source_shown(source: str | None, *, user) -> str:
    """A source as this user may see it: blank when it would tell them what they may not."""
    return (source or "") if source_visible(source, user=user) else ""
