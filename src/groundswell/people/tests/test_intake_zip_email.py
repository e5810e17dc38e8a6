"""ZIP codes and e-mail addresses from outside, as every intake path cleans them: a person's
typed ZIP is five digits or ZIP+4 (a spreadsheet's lost leading zeros are repaired only for
files), and a refused address is explained in our words, never the validator's."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.people.intake import person_input_clean

ZIP_SHAPE = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
# Sentences of the e-mail validator that staff and supporters saw before.
VALIDATOR_WORDS = ("@-sign", "It should", "email address", "special-use", "bracketed")

digits = st.text(alphabet=string.digits, min_size=1, max_size=11)
zip_like = st.one_of(
    digits,
    st.builds(lambda a, sep, b: a + sep + b, digits, st.sampled_from(["-", " ", "", "--"]), digits),
    st.text(max_size=20),
)


def _zip(value: str, *, from_file: bool = False):
    data, errors = person_input_clean(
        {"email": "ann@example.org", "postal_code": value}, from_file=from_file
    )
    return data.postal_code, [e for e in errors if e.field == "postal_code"]


@SUITE
@given(zip_like, st.booleans())
def test_a_zip_is_stored_as_five_digits_or_zip_plus_four_or_refused_with_a_reason(value, from_file):
    stored, errors = _zip(value, from_file=from_file)
    if errors:
        assert stored == ""
        assert errors[0].reason.startswith("must be five digits")
    elif value.strip():
        assert ZIP_SHAPE.match(stored), stored
        # No digit is invented or dropped, except the leading zeros a spreadsheet lost.
        typed = re.sub(r"[^0-9]", "", value)
        assert stored.replace("-", "").endswith(typed) if from_file else True


@SUITE
@given(zip_like)
def test_a_typed_zip_passes_only_as_five_digits_with_an_optional_plus_four(value):
    stored, errors = _zip(value)
    shape = re.fullmatch(r"([0-9]{5})(?:[ -]?([0-9]{4}))?", value.strip())
    if not value.strip():
        assert not errors and stored == ""
    elif shape is None:
        assert errors, (value, stored)
    else:
        assert not errors
        assert stored == "-".join(p for p in shape.groups() if p)


@SUITE
@given(st.text(alphabet=string.digits, min_size=3, max_size=4))
def test_a_short_zip_is_refused_when_typed_and_repaired_from_a_file(value):
    assert _zip(value)[1]
    stored, errors = _zip(value, from_file=True)
    assert not errors and stored == value.zfill(5)


def test_the_four_digit_zip_from_the_issue_is_refused_when_typed():
    stored, errors = _zip("1910")
    assert stored == "" and errors[0].value == "1910"


emails = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda a, b, c: f"{a}@{b}{c}",
        st.text(max_size=12),
        st.text(max_size=12),
        st.sampled_from(["", ".org", ".", "..com", " .com", "@x.org"]),
    ),
)


@SUITE
@given(emails)
def test_an_email_is_kept_normalised_or_refused_in_our_words(value):
    data, errors = person_input_clean({"email": value, "postal_code": "19104"})
    email_errors = [e for e in errors if e.field == "email"]
    if email_errors:
        reason = email_errors[0].reason
        assert reason.startswith("is not a valid e-mail address: ")
        assert not any(words in reason for words in VALIDATOR_WORDS), reason
        assert data.email == ""
    elif value.strip():
        assert data.email.count("@") == 1 and data.email == data.email.lower()


def test_each_kind_of_email_mistake_gets_its_own_explanation():
    cases = {
        "ann.example.org": "the @ sign is missing",
        "ann@@example.org": "more than one @ sign",
        "ann @example.org": "contains a space",
        "@example.org": "nothing before the @ sign",
        "ann@": "nothing after the @ sign",
        "ann@example": "needs a dot",
        "ann@example..org": "out of place",
    }
    for typed, words in cases.items():
        errors = person_input_clean({"email": typed})[1]
        assert words in errors[0].reason, (typed, errors)
