"""The autoresponse greets a submitter by a cleaned first name, or not at all."""

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from groundswell.actions.autoresponse import (
    DEFAULT_GREETING,
    NAME_MAX_CHARS,
    NAME_MAX_WORDS,
    autoresponse_body,
    greeting_name,
)


@given(st.text(max_size=200))
@example("Wren\r\nBcc: victim@example.org")
@example("Wren http://evil.example.com")
@example('<a href="https://evil.example">Wren</a>')
@example("Ｗｒｅｎ．com")
@example("Wrеn")  # a Cyrillic "е" among Latin letters
@example("\u202enerW")  # a right-to-left override
@example("Wr\u200ben")  # a zero-width space
@example("W" * 10_000)
def test_a_greeting_name_is_one_short_line_of_letters_or_none(raw):
    name = greeting_name(raw)
    if name is None:
        return
    assert 0 < len(name) <= NAME_MAX_CHARS and len(name.split(" ")) <= NAME_MAX_WORDS
    assert name == name.strip() and "  " not in name
    for char in name:
        category = unicodedata.category(char)
        assert char in " -'" or category[0] in "LM", (char, category)
    # Nothing that could make a link, an address, markup or a header survives.
    for forbidden in ("\r", "\n", ".", "/", ":", "@", "<", ">", "&"):
        assert forbidden not in name


def _letters(first: int, last: int) -> list[str]:
    """The letters of a range that are already in their normal form (not "Ŀ", which is L·)."""
    return [
        c
        for c in map(chr, range(first, last))
        if unicodedata.category(c) in ("Lu", "Ll") and unicodedata.normalize("NFKC", c) == c
    ]


# Letters of one script per name: Latin with its accents, Cyrillic or Greek.
_SCRIPTS = [_letters(0x41, 0x250), _letters(0x410, 0x450), _letters(0x391, 0x3CA)]


@st.composite
def _names(draw):
    letters = st.sampled_from(draw(st.sampled_from(_SCRIPTS)))
    words = draw(st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=3))
    return " ".join(words)


@given(_names())
def test_a_plain_name_of_a_few_words_in_one_script_is_kept(raw):
    expected = unicodedata.normalize("NFKC", raw)
    if len(expected) <= NAME_MAX_CHARS:
        assert greeting_name(raw) == expected
    else:
        assert greeting_name(raw) is None


def test_names_with_accents_hyphens_apostrophes_and_other_scripts_are_kept():
    for name in ("Zoë", "Mary-Jane", "O'Neill", "Anne Marie", "Ngọc", "Юлия", "さくら", "José"):
        assert greeting_name(name) == unicodedata.normalize("NFKC", name)
    assert greeting_name("D\u2019Arcy") == "D'Arcy"
    assert greeting_name("  Wren  ") == "Wren"
    assert greeting_name("Ｗｒｅｎ") == "Wren"  # full-width letters are letters


def test_anything_that_is_not_a_name_gets_the_default_greeting():
    for raw in (
        "",
        "   ",
        None,
        42,
        "Wren\nVisit evil.example",
        "www evil example com now",  # too many words
        "A" * (NAME_MAX_CHARS + 1),
        "Wren2",
        "-Wren",
        "Wren--Lee",
        "Wren  Lee",
        "Wrеn",
        "Wren;",
        "{first_name}",
    ):
        assert greeting_name(raw) is None, raw
        assert autoresponse_body(template="Hi {first_name}!", given_name=raw) == (
            f"Hi {DEFAULT_GREETING}!"
        )
