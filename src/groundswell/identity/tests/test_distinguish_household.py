# ruff: noqa: E501 (one made-up row per line reads better than wrapped fields)
"""People who share a street: payroll coworkers at the office's address, a father and son at
home. Each rule links the pair it is for and keeps apart the pair that only looks like it
(made-up names)."""

from __future__ import annotations

_OFFICE = {
    "street": "7546 Harrowgate Way",
    "city": "Quenby",
    "state": "OH",
    "postal_code": "43259-9442",
}
_HOME = {"street": "2402 Pellacott Cir", "city": "Arnsby", "state": "TX", "postal_code": "77443"}


def _gift(given: str, family: str, place: dict, employer: str, occupation: str, **more) -> dict:
    return {
        "given_name": given, "family_name": family, **place,
        "employer": employer, "occupation": occupation, **more,
    }  # fmt: skip


def test_coworkers_of_one_first_name_at_the_office_street_stay_apart(resolve):
    job = ("Tamberlay Logistics LLC", "Civil Service Administrator")
    clusters = resolve(
        {
            "first": _gift("Nicole", "Dorvaneley", _OFFICE, *job),
            "second": _gift("Nicole", "Quistorbeck", _OFFICE, *job),
            "third": _gift("Nicole F", "Quistorbeck", _OFFICE, *job, email="nquistorbeck@example.org"),
            "fourth": _gift("Nicole", "Zaniewicz", _OFFICE, *job),
        }
    )  # fmt: skip
    assert clusters["second"] == clusters["third"]  # one coworker's two gifts
    assert len({clusters["first"], clusters["second"], clusters["fourth"]}) == 3


def test_a_gift_without_the_generation_mark_goes_with_the_man_it_names(resolve):
    senior = {
        "senior": _gift("Davor R", "Cosquelle Sr", _HOME, "Retired", "Retired", email="dcosquelle@example.net"),
        "senior again": _gift("Davor", "Cosquelle Sr", _HOME, "Retired", "Retired"),
    }  # fmt: skip
    # No mark, but the senior's e-mail: his.
    his = resolve(
        {
            **senior,
            "unmarked": _gift("Davor", "Cosquelle", _HOME, "", "", email="dcosquelle@example.net"),
        }
    )
    # No mark, another employer, job and e-mail: nothing of the senior's own, so not linked to
    # him on name and address alone (it may be his son's).
    other = resolve(
        {
            **senior,
            "unmarked": _gift(
                "Davor",
                "Cosquelle",
                _HOME,
                "Carrowmere Catering",
                "Catering Manager",
                email="davor.c@example.org",
            ),
        }
    )
    assert his["senior"] == his["senior again"] == his["unmarked"]
    assert other["senior"] == other["senior again"]
    assert other["unmarked"] != other["senior"]


def test_the_evidence_names_each_deterministic_rule_of_the_engine():
    # evidence.DETERMINISTIC_RULES is read by the engine's rule number (det_rules.rule): one
    # name per rule, in the engine's order, so a link is shown under its own rule's name.
    import inspect

    from groundswell.identity import engine_links
    from groundswell.identity.evidence import DETERMINISTIC_RULES
    from groundswell.identity.models import LinkRule

    source = inspect.getsource(engine_links.deterministic_links)
    listed = source[source.index("rules = [") : source.index("]", source.index("rules = ["))]
    assert listed.count("\n        _") == len(DETERMINISTIC_RULES)
    assert DETERMINISTIC_RULES[-1] == LinkRule.HOUSEHOLD_AT_BOTH
    assert DETERMINISTIC_RULES[-2] == DETERMINISTIC_RULES[-3] == LinkRule.MIDDLE_SLIP
