"""core.spreadsheet: no cell we write for a spreadsheet, and no value the intake keeps, starts a
formula; plain numbers and ordinary text pass through both unaltered."""

from hypothesis import example, given
from hypothesis import strategies as st

from groundswell.core.spreadsheet import (
    FORMULA_START,
    csv_safe,
    formula_like,
    formula_strip,
)

# Text heavy in the characters that matter: formula starts, signs, digits, spaces.
cells = st.text(
    alphabet=st.sampled_from(sorted(FORMULA_START) + list(" 0123456789.,()!|'\"AbZ_é"))
    | st.characters(),
    max_size=40,
)


@given(cells)
@example("-1+1")
@example('=HYPERLINK("http://x")')
@example("+\t=@-cmd")
def test_a_cleaned_value_never_starts_a_formula_and_cleaning_it_again_changes_nothing(text):
    cleaned = formula_strip(text)
    assert not formula_like(cleaned)
    assert formula_strip(cleaned) == cleaned
    assert text.endswith(cleaned)  # only a prefix is ever dropped


@given(cells)
def test_a_spreadsheet_cell_never_starts_a_formula_and_only_formulas_are_altered(text):
    cell = csv_safe(text)
    assert not formula_like(cell)
    assert cell == (f"'{text}" if formula_like(text) else text)


@given(st.integers(), st.integers(min_value=0, max_value=99))
def test_plain_numbers_are_values_not_formulas(whole, cents):
    for text in (f"{whole}", f"{whole}.{cents:02d}", f"+{abs(whole)}", f"-{abs(whole)}.5"):
        assert not formula_like(text)
        assert formula_strip(text) == text == csv_safe(text)


def test_an_e164_phone_is_left_alone_and_a_city_formula_is_not():
    assert csv_safe("+15555550123") == "+15555550123"
    assert formula_strip("-1+1") == "1+1"
    assert csv_safe("-1+1") == "'-1+1"
    assert formula_strip("=") == "" and formula_strip("@") == ""
