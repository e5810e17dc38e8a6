"""core.untrusted: outside JSON, numbers and text bounded before they are used."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.untrusted import (
    JsonLimits,
    Refused,
    decimal_parse,
    excerpt,
    json_load,
    text_clean,
    whole_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("27.50", Decimal("27.50")),
        ("-5", Decimal("-5")),
        (".5", Decimal("0.5")),
        ("1E30", Decimal("1E30")),
        ("123.45e2", Decimal("12345")),
        ("0.00123", Decimal("0.00123")),
        ("1e0000000000000000000005", Decimal("1E5")),
        (12, Decimal(12)),
    ],
)
def test_a_bounded_number_is_read_exactly(text, value):
    assert decimal_parse(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "1e999999",
        "-1E300000",
        "1e1000000",
        "1E31",
        "1e-31",
        "9" * 31,
        "1" * 65,
        "NaN",
        "Infinity",
        "e5",
        "",
        "\u00b2",
        "1e" + "9" * 20,
        10**40,
        True,
        0.1,
    ],
)
def test_an_unbounded_or_malformed_number_is_refused_at_once(text):
    started = time.monotonic()
    with pytest.raises(Refused):
        decimal_parse(text)
    assert time.monotonic() - started < 0.1


def test_text_loses_nul_controls_and_lone_surrogates_but_keeps_tabs_newlines_and_emoji():
    assert text_clean("a\x00b\x07c\x9f\ud800d\tx\r\ny \U0001f600") == "abcd\tx\r\ny \U0001f600"


def test_an_excerpt_is_capped_clean_and_says_how_much_was_left_out():
    body = b"ab\x00\xed\xa0\x80" + b"x" * 100
    text = excerpt(body, limit=10)
    assert text.startswith("ab\ufffd")
    assert "\x00" not in text and "106" not in text and "96 more bytes" in text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 17 + "]" * 17, "nests deeper than 16"),
        ("[" * 60_000, "nests deeper than 16"),
        ('{"a": 1e999999}', "out of range"),
        ('{"a": ' + "1" * 5000 + "}", "more than 30 digits"),
        ('{"a": NaN}', "not a number JSON allows"),
        ('{"a": -Infinity}', "not a number JSON allows"),
        ('{"a": "' + "x" * 10_001 + '"}', "longer than 10,000"),
        (b"\xed\xa0\x80", "not UTF-8"),
        ('{"a": 1', "not JSON"),
        ("x" * 70_000, "larger than 65,536"),
    ],
)
def test_json_out_of_bounds_is_refused_with_the_reason(body, reason):
    with pytest.raises(Refused) as caught:
        json_load(body)
    assert reason in str(caught.value)


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = json.dumps({"a": "[" * 1000, "b": ["]]]", '{"'], "c": '\\"['})
    assert json_load(body) == json.loads(body)


def test_strings_and_keys_are_cleaned_and_fractions_are_decimals():
    parsed = json_load(b'{"na\\u0000me": ["a\\ud800b", 1.25, 7, {"x": "\\u0007y"}]}')
    assert parsed == {"name": ["ab", Decimal("1.25"), 7, {"x": "y"}]}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=2000)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_any_bytes_or_text_either_parse_or_are_refused_never_anything_else(body):
    try:
        json_load(body, limits=JsonLimits(max_depth=3))
    except Refused as exc:
        assert exc.reason


@settings(max_examples=2000)
@given(JSON)
def test_json_within_the_limits_reads_back_as_itself_once_cleaned(value):
    # Surrogates and controls are dropped; everything else is as written.
    assert json_load(json.dumps(value)) == _cleaned(value)


def _cleaned(value):
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {text_clean(k): _cleaned(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        ("007", 7),
        ("\u00b2", None),
        ("\u0663", None),
        ("", None),
        ("1" * 19, None),
        ("-1", None),
        (" 1", None),
        (None, None),
    ],
)
def test_a_whole_number_is_ascii_digits_of_bounded_length(text, number):
    assert whole_number(text) == number


def test_a_refusal_names_the_cleaned_path_so_its_reason_is_clean_text():
    with pytest.raises(Refused) as caught:
        json_load('{"a\\u0000": {"b\\ud800": "' + "x" * 10_001 + '"}}')
    assert caught.value.field == "a.b"
    assert text_clean(str(caught.value)) == str(caught.value)
