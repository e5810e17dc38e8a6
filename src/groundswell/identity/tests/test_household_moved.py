# ruff: noqa: E501 (one made-up FEC row per line reads better than wrapped fields)
"""A household seen at two addresses (``engine_household``): a common name at two ZIPs of one
city is one person when another member of the household gives beside it at both, and only
then. Made-up names at real ZIPs (a ZIP is a place, not a person): Denver CO 80206 and 80218."""

from __future__ import annotations

from groundswell.identity.tests.crowd import common_name_crowd


def _fec(name: str, zip_code: str, employer="", occupation="", city="DENVER") -> dict:
    return {
        "full_name": name, "city": city, "state": "CO", "postal_code": zip_code,
        "employer": employer, "occupation": occupation,
    }  # fmt: skip


def _resolve(resolve, records: dict) -> dict[str, int]:
    # A common name (a crowd of its bearers) with two jobs: the model alone leaves the pair
    # apart (it left the real pairs at 0.71 and 0.78); the household joins them whatever the
    # jobs say, as people change jobs when they move.
    return resolve(
        {
            **common_name_crowd("HARTWELL", "DESMOND"),
            "here": _fec("HARTWELL, DESMOND", "80206", "KESTRELWORKS CORP", "ACCOUNTANT"),
            "there": _fec("HARTWELL, DESMOND", "80218", "BLUEFERN DENTAL", "DENTIST"),
            **records,
        }
    )


def test_a_name_at_two_zips_of_a_city_with_a_household_member_at_both_is_one_person(resolve):
    clusters = _resolve(
        resolve,
        {
            "wife here": _fec("HARTWELL, PRUDENCE A", "80206", "N/A", "RETIRED"),
            "wife there": _fec("HARTWELL, PRUDENCE", "80218"),
        },
    )
    assert clusters["here"] == clusters["there"]
    assert clusters["wife here"] != clusters["here"]


def test_without_the_household_member_at_both_the_name_stays_two(resolve):
    only_here = _resolve(resolve, {"wife here": _fec("HARTWELL, PRUDENCE", "80206")})
    assert only_here["here"] != only_here["there"]
    # Two women whose middle initials differ are not one member seen twice.
    two_women = _resolve(
        resolve,
        {
            "wife here": _fec("HARTWELL, PRUDENCE A", "80206"),
            "wife there": _fec("HARTWELL, PRUDENCE M", "80218"),
        },
    )
    assert two_women["here"] != two_women["there"]


def test_a_household_at_both_does_not_join_names_that_differ_in_middle_initial_or_generation(
    resolve,
):
    household = {
        "wife here": _fec("HARTWELL, PRUDENCE", "80206"),
        "wife there": _fec("HARTWELL, PRUDENCE", "80218"),
    }
    middles = _resolve(
        resolve,
        {
            **household,
            "here": _fec("HARTWELL, DESMOND P", "80206"),
            "there": _fec("HARTWELL, DESMOND Q", "80218"),
        },
    )
    assert middles["here"] != middles["there"]
    generations = _resolve(
        resolve,
        {**household, "there": _fec("HARTWELL, DESMOND JR", "80218")},
    )
    assert generations["here"] != generations["there"]


def test_a_household_across_the_state_is_not_one_area(resolve):
    far = _resolve(
        resolve,
        {
            "there": _fec("HARTWELL, DESMOND", "81501", city="GRAND JUNCTION"),
            "wife here": _fec("HARTWELL, PRUDENCE", "80206"),
            "wife there": _fec("HARTWELL, PRUDENCE", "81501", city="GRAND JUNCTION"),
        },
    )
    assert far["here"] != far["there"]
