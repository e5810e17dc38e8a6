"""Merge fields: which exist, how a tag is written, and the errors that name a part and a line."""

from __future__ import annotations

import re
from collections.abc import Iterator

# The merge fields a message may use, with what each means; anything else is refused when the
# message is saved, so a typo never reaches a recipient as "{{ frist_name }}".
MERGE_FIELDS: dict[str, str] = {
    "first_name": "The recipient's given name",
    "last_name": "The recipient's family name",
    "email": "The address the message is sent to",
    "city": "City of the primary address",
    "state": "State of the primary address",
    "postal_code": "ZIP code of the primary address",
    "ask_ladder": "A row of donation amounts built from the recipient's giving (HTML: buttons)",
    "donate_url": "The recipient's signed donation link (the ladder's middle amount preselected)",
}
# Fields whose values come from the recipient's contributions. Their amounts are computed from
# the highest previous gift (never printed as such), so a preview as a person shows them only to
# a viewer allowed to see finance data; the composer asks `content_fields` which a message uses.
FINANCE_FIELDS = frozenset({"ask_ladder", "donate_url"})
# Fields that make no sense in a subject line or a preheader (a row of buttons, a long link).
BODY_ONLY_FIELDS = frozenset({"ask_ladder", "donate_url"})

# {{ first_name }} or {{ first_name|default:"Friend" }}
TAG = re.compile(r"\{\{\s*([a-z_]+)\s*(?:\|\s*default\s*:\s*\"([^\"{}\n]*)\"\s*)?\}\}")
ANY_TAG = re.compile(r"\{\{.*?\}\}|\{\{|\}\}", re.S)


class MergeFieldError(ValueError):
    """A message that uses a merge field we do not know or a broken tag, with its line.

    The base of every refusal of a message's content: callers catch this one class."""

    def __init__(self, message: str, *, part: str, line: int):
        super().__init__(f"{part}, line {line}: {message}")
        self.part = part
        self.line = line
        self.reason = message


class ContentError(MergeFieldError):
    """Content refused for something other than a merge tag: broken or unsafe HTML, a link that
    is not https, a subject that is too long or has a line break."""


def line_of(body: str, index: int) -> int:
    return body.count("\n", 0, index) + 1


def tags_check(part: str, body: str) -> Iterator[tuple[str, re.Match]]:
    """Each merge tag of ``body`` as (field, match); MergeFieldError for a broken or unknown one."""
    for match in ANY_TAG.finditer(body):
        line = line_of(body, match.start())
        tag = TAG.fullmatch(match.group(0))
        if tag is None:
            raise MergeFieldError(
                f"{match.group(0)[:40]!r} is not a merge field; write "
                '{{ first_name }} or {{ first_name|default:"Friend" }}',
                part=part,
                line=line,
            )
        if tag.group(1) not in MERGE_FIELDS:
            raise MergeFieldError(
                f"unknown merge field {tag.group(1)!r} (known: {', '.join(MERGE_FIELDS)})",
                part=part,
                line=line,
            )
        if part in ("Subject", "Preheader") and tag.group(1) in BODY_ONLY_FIELDS:
            raise MergeFieldError(
                f"{{{{ {tag.group(1)} }}}} belongs in the body, not the {part.lower()}",
                part=part,
                line=line,
            )
        yield tag.group(1), match
