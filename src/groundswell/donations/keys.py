"""The snapshot donor key, free of Django so import helper processes can compute it too."""

from __future__ import annotations

import re

_NON_LETTERS = re.compile(r"[^a-z]")
_NON_DIGITS = re.compile(r"\D")


def name_key(given_name: str, family_name: str, postal_code: str) -> str:
    """ "n:<family>|<given>|<zip5>" for a gift with no linked person ("" with no name at all)."""
    given = _NON_LETTERS.sub("", given_name.casefold())
    family = _NON_LETTERS.sub("", family_name.casefold())
    if not (given or family):
        return ""
    zip5 = _NON_DIGITS.sub("", postal_code)[:5]
    return f"n:{family}|{given}|{zip5}"
