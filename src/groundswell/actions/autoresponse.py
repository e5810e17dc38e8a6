"""The sign-up autoresponse: mail from the campaign to whatever address a stranger typed.

Anyone can make us send it, to any address, so nothing in it may be theirs to shape: the staff
write the subject and the body, and the only submitter text it carries is a first name that
passed ``greeting_name`` (a short, single-line run of letters, or the default greeting). A
message to one address is capped per day, whatever page or network it was requested from.
"""

from __future__ import annotations

import unicodedata

DEFAULT_GREETING = "friend"
NAME_MAX_CHARS = 30
NAME_MAX_WORDS = 3
# Latin, Cyrillic and Greek share look-alike letters ("а" and "a"): a name that mixes them is
# spoofing a word, not a name. Other scripts mix legitimately (Japanese kanji and kana).
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_JOINERS = "-'"


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return next((s for s in _LOOKALIKE_SCRIPTS if name.startswith(s)), "")


def greeting_name(raw: object) -> str | None:
    """The submitter's first name fit to greet them with, or None for the default greeting.

    Letters (with their accents), single spaces, hyphens and apostrophes only; at most
    NAME_MAX_CHARS characters and NAME_MAX_WORDS words; never a mix of look-alike scripts.
    Anything else (a line break, a dot, a URL, markup, an invisible control) means no name.
    """
    if not isinstance(raw, str) or len(raw) > 4 * NAME_MAX_CHARS:
        return None
    # NFKC folds full-width and other compatibility forms ("Ｗｒｅｎ" → "Wren"), so a look-alike
    # of a dot or a slash is judged as the character it imitates.
    text = unicodedata.normalize("NFKC", raw).replace("\u2019", "'").strip()
    words = text.split(" ")
    if not text or len(text) > NAME_MAX_CHARS or len(words) > NAME_MAX_WORDS:
        return None
    for word in words:
        # Each word starts and ends with a letter; joiners only between letters.
        if not word or not word[0].isalpha() or not word[-1].isalpha():
            return None
        previous = ""
        for char in word:
            category = unicodedata.category(char)
            if char in _JOINERS:
                if previous in _JOINERS:
                    return None
            elif not (
                category.startswith("L")
                or (category.startswith("M") and previous and previous not in _JOINERS)
            ):
                return None
            previous = char
    scripts = {_script(c) for c in text} - {""}
    if len(scripts) > 1:
        return None
    return text


def autoresponse_body(*, template: str, given_name: object) -> str:
    """The staff's message with ``{first_name}`` filled in; no other submitter text."""
    return template.replace("{first_name}", greeting_name(given_name) or DEFAULT_GREETING)
