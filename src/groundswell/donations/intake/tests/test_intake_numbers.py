"""Numbers from files and query strings are bounded before they are converted.

`str.isdigit()` admits "²" (which `int()` refuses), and `int(Decimal("1e999999") * 100)` burns
minutes of CPU: both once reached intake paths that `core.untrusted` now guards.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from groundswell.donations.intake.fec_import import FieldProblem, cents_parse


@pytest.mark.parametrize("text", ["1e999999", "-1e999999", "9" * 5000, "1e-999999", "²", "NaN"])
def test_an_fec_amount_out_of_bounds_is_a_row_problem_found_at_once(text):
    started = time.process_time()
    with pytest.raises(FieldProblem):
        cents_parse(text)
    # A guard against the CPU burn, not a benchmark: the old code took minutes here.
    assert time.process_time() - started < 1


@given(st.integers(min_value=-(10**9), max_value=10**9).filter(bool))
def test_every_whole_cent_amount_as_filed_reads_back_exactly(cents):
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    assert cents_parse(text) == cents


@pytest.mark.django_db
@pytest.mark.parametrize("merged", ["²", "9" * 40, "-1", "1e5"])
def test_the_review_queue_ignores_a_merge_id_that_is_not_a_number(persona_client, merged):
    response = persona_client("admin").get(reverse("identity:review"), {"merged": merged})
    assert response.status_code == 200
