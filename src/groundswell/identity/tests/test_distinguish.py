"""What tells two donors apart in a real FEC file, and what does not (issue 12's findings).

FEC-shaped records (name, city, state, ZIP+4, employer, occupation; no street, e-mail or phone)
with made-up names, resolved among synthetic donors with the session's trained model.
"""

from __future__ import annotations

PAYROLL = {
    "city": "Brackenford", "state": "OH", "postal_code": "43215-4410",
    "employer": "Quillon Assurance Group", "occupation": "Vice President",
}  # fmt: skip


def test_coworkers_sharing_a_first_name_at_the_employers_zip4_are_different_people(resolve):
    surnames = ["Farrowdale", "Mistlethorn", "Quenby", "Ashcombe", "Harrowgate"]
    clusters = resolve(
        {surname: {"full_name": f"{surname.upper()}, DAVID", **PAYROLL} for surname in surnames}
    )
    assert len(set(clusters.values())) == len(surnames)


def test_coworkers_with_one_first_name_and_middle_initial_stay_apart(resolve):
    clusters = resolve(
        {
            surname: {"full_name": f"{surname.upper()}, MICHAEL J", **PAYROLL}
            for surname in ["Pellworth", "Oxenbridge", "Tindall", "Wrexford"]
        }
    )
    assert len(set(clusters.values())) == 4


def test_a_jr_and_a_sr_at_one_address_are_two_people(resolve):
    home = {"city": "Larkmoor", "state": "TX", "postal_code": "75001-2231"}
    clusters = resolve(
        {
            "senior": {"full_name": "HOLLOWAY-BRIGG, THEODORE SR", **home, "employer": "RETIRED"},
            "senior again": {"full_name": "HOLLOWAY-BRIGG, THEODORE SR.", **home},
            "junior": {
                "full_name": "HOLLOWAY-BRIGG, THEODORE JR",
                **home,
                "employer": "Brigg Hardware",
                "occupation": "Owner",
            },
            "junior again": {"full_name": "Theodore Holloway-Brigg Jr.", **home},
        }  # fmt: skip
    )
    assert clusters["senior"] == clusters["senior again"]
    assert clusters["junior"] == clusters["junior again"]
    assert clusters["senior"] != clusters["junior"]


def test_different_middle_initials_separate_records_linked_directly(resolve):
    clusters = resolve(
        {
            "j": {"full_name": "CALLOWAY, BRIAN J", **PAYROLL},
            "b": {"full_name": "CALLOWAY, BRIAN B", **PAYROLL},
            # Without a middle initial he may be either; he must not join the two.
            "bare": {"full_name": "CALLOWAY, BRIAN", **PAYROLL},
        }
    )
    assert clusters["j"] != clusters["b"]


def test_employment_text_does_not_split_one_name_at_one_zip4(resolve):
    home = {"city": "Wendlebury", "state": "MN", "postal_code": "55401-7781"}
    clusters = resolve(
        {
            "retired": {
                "full_name": "STAVELEY, PRUDENCE A",
                **home,
                "employer": "RETIRED",
                "occupation": "RETIRED",
            },
            "not employed": {
                "full_name": "STAVELEY, PRUDENCE A",
                **home,
                "employer": "NOT EMPLOYED",
                "occupation": "NOT EMPLOYED",
            },
            "employer in full": {
                "full_name": "STAVELEY, PRUDENCE",
                **home,
                "employer": "Minnesota Department of Natural Resources",
                "occupation": "Hydrologist",
            },
            "abbreviated": {
                "full_name": "STAVELEY, PRUDENCE A.",
                **home,
                "employer": "MN DNR",
                "occupation": "Hydrologist II",
            },
        }  # fmt: skip
    )
    assert len(set(clusters.values())) == 1


def test_a_nickname_at_one_zip4_is_the_same_person(resolve):
    home = {"city": "Oakhallow", "state": "PA", "postal_code": "19103-5520"}
    clusters = resolve(
        {
            "harold": {"full_name": "WINTERBOURNE, HAROLD", **home, "employer": "RETIRED"},
            "hal": {"full_name": "WINTERBOURNE, HAL", **home, "employer": "NONE"},
        }
    )
    assert clusters["harold"] == clusters["hal"]


def test_swapped_names_and_a_misspelt_city_are_compared_as_such(resolve):
    clusters = resolve(
        {
            "filed": {
                "full_name": "MARCHBANKS, OPHELIA",
                "city": "Thistleton",
                "state": "WA",
                "postal_code": "98101",
            },
            "swapped": {
                "full_name": "OPHELIA, MARCHBANKES",
                "city": "Thistleton",
                "state": "WA",
                "postal_code": "98101",
            },
            "city typo": {
                "full_name": "MARCHBANKS, OPHELIA",
                "city": "Thistelton",
                "state": "WA",
                "postal_code": "98101",
            },
        }  # fmt: skip
    )
    assert clusters["filed"] == clusters["swapped"] == clusters["city typo"]


def test_two_family_names_a_letter_apart_at_the_employers_zip4_are_two_coworkers(resolve):
    # JOHNSON and JOHNSTON are both surnames of their own: coworkers at the payroll ZIP+4 with
    # one given name (LISA for ELIZABETH) and two job titles are two people, as seen on real
    # FEC rows. MAC and MC are one prefix written two ways, and a made-up surname one letter off
    # another is a typo: those still join.
    def at_work(name: str, job: str) -> dict:
        return {**PAYROLL, "full_name": name, "occupation": job}

    clusters = resolve(
        {
            "johnson": at_work("JOHNSON, LISA N.", "Relationship Manager"),
            "johnston": at_work("JOHNSTON, ELIZABETH", "Product Manager"),
            "mac": at_work("MACPHERSON, ORVILLE A", "Engineer"),
            "mc": at_work("MCPHERSON, ORVILLE A", "Engineering Fellow"),
        }
    )
    assert clusters["johnson"] != clusters["johnston"]
    assert clusters["mac"] == clusters["mc"]
