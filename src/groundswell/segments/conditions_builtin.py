"""The conditions this app registers over the apps below it (people, actions, donations,
identity), which cannot register their own: they may not import segments. Mailings, above
segments, registers its engagement conditions from its own ``ready()``."""

from __future__ import annotations

from groundswell.segments import (
    conditions_actions,
    conditions_giving,
    conditions_location,
    conditions_person,
)


def register_all() -> None:
    conditions_person.register()
    conditions_location.register()
    conditions_giving.register()
    conditions_actions.register()
