# ruff: noqa: E501 (one made-up FEC row per line reads better than wrapped fields)
"""The rules for names rare in the file (``engine_rare``): each links the pair it is for and
leaves alone the same pair under a common name, or the pair that only looks like it (made-up
names, FEC-shaped records, resolved among the synthetic background)."""

from __future__ import annotations

from groundswell.identity.tests.crowd import common_name_crowd


def _fec(name: str, city: str, state: str, zip_code: str, employer="", occupation="") -> dict:
    return {
        "full_name": name, "city": city, "state": state, "postal_code": zip_code,
        "employer": employer, "occupation": occupation,
    }  # fmt: skip


def test_a_rare_name_with_two_jobs_in_one_city_is_one_person(resolve):
    # A job change under a name nobody else in the file bears (the pair that
    # test_a_retiree_giving_from_two_zips_in_one_city_is_one_person kept apart before the
    # rare-name rule; it now keeps a common name apart there).
    clusters = resolve(
        {
            "doctor": _fec("FENNIMORE, ALARIC", "Ashgrove", "KY", "41101", "RIVERBEND CLINIC", "PHYSICIAN"),
            "welder": _fec("FENNIMORE, ALARIC", "Ashgrove", "KY", "41105", "BLUEFORGE STEEL", "WELDER"),
        }
    )  # fmt: skip
    assert clusters["doctor"] == clusters["welder"]


def test_a_rare_name_in_one_city_stays_apart_across_middle_initials_and_generations(resolve):
    clusters = resolve(
        {
            "a": _fec("QUORLEIGH, BRANNOCK A", "Ashgrove", "KY", "41101", "RIVERBEND CLINIC", "NURSE"),
            "t": _fec("QUORLEIGH, BRANNOCK T", "Ashgrove", "KY", "41105", "BLUEFORGE STEEL", "WELDER"),
            "father": _fec("MALLINDER, OSWIN", "Ashgrove", "KY", "41101", "MALLINDER FEED", "OWNER"),
            "son": _fec("MALLINDER, OSWIN JR", "Ashgrove", "KY", "41101", "TRI-STATE LOGISTICS", "DRIVER"),
        }
    )  # fmt: skip
    assert clusters["a"] != clusters["t"]
    assert clusters["father"] != clusters["son"]


def test_a_rare_name_with_one_employer_across_the_state_is_one_person_a_common_one_is_not(resolve):
    clusters = resolve(
        {
            **common_name_crowd("HARTWELL", "DESMOND"),
            # Home in one town, the company's headquarters ZIP in another (another ZIP3).
            "home": _fec("TARRANTINE, GAYLORD", "Minnetonka", "MN", "55305", "7Q COMPANY", "VICE PRESIDENT"),
            "office": _fec("TARRANTINE, GAYLORD", "Saint Paul", "MN", "55144-1000", "7Q CHINA LIMITED", "MANAGING DIRECTOR"),
            # The employer written as its initials.
            "initials": _fec("BELLWEATHER, CORALIE", "San Francisco", "CA", "94105", "PENHALLOW GAS AND ELECTRIC COMPANY", "VICE PRESIDENT"),
            "full": _fec("BELLWEATHER, CORALIE", "Sacramento", "CA", "95814", "PG&E", "EXECUTIVE"),
            # A common name at one big employer across a state: namesakes.
            "common home": _fec("HARTWELL, DESMOND", "Minnetonka", "MN", "55305", "7Q COMPANY", "ENGINEER"),
            "common office": _fec("HARTWELL, DESMOND", "Saint Paul", "MN", "55144-1000", "7Q COMPANY", "ACCOUNTANT"),
        }
    )  # fmt: skip
    assert clusters["home"] == clusters["office"]
    assert clusters["initials"] == clusters["full"]
    assert clusters["common home"] != clusters["common office"]


def test_a_jr_at_one_address_with_only_statuses_on_both_sides_is_one_man(resolve):
    clusters = resolve(
        {
            "marked": _fec("LITTLEBRAND, WILLIAM E JR", "Newtown", "PA", "18940-5120", "N/A", "RETIRED"),
            "unmarked": _fec("LITTLEBRAND, WILLIAM", "Newtown", "PA", "18940", "NOT EMPLOYED", "NOT EMPLOYED"),
            # A JR and a working man of the name at one address: a son and his father.
            "father": _fec("DORRINGCOTE, MILES SR", "Newtown", "PA", "18940-3300", "RETIRED", "RETIRED"),
            "son": _fec("DORRINGCOTE, MILES", "Newtown", "PA", "18940-3300", "DORRINGCOTE ROOFING", "ROOFER"),
            # Two ZIP+4s in one ZIP: two addresses, not one.
            "elsewhere jr": _fec("ASHGRAVE, PERCY JR", "Newtown", "PA", "18940-1111", "RETIRED", "RETIRED"),
            "elsewhere": _fec("ASHGRAVE, PERCY", "Newtown", "PA", "18940-2222", "RETIRED", "RETIRED"),
        }
    )  # fmt: skip
    assert clusters["marked"] == clusters["unmarked"]
    assert clusters["father"] != clusters["son"]
    assert clusters["elsewhere jr"] != clusters["elsewhere"]


def test_a_retired_jr_at_one_address_is_the_unmarked_man_there_whatever_the_name(resolve):
    # JOHN BAKER is no rare name: the address and the JR's retirement say what the name cannot.
    crowd = common_name_crowd("BAKER", "JOHN")
    clusters = resolve(
        {
            **crowd,
            "retired jr": _fec("BAKER, JOHN A JR", "Newtown", "PA", "18940-5120", "RETIRED", "RETIRED"),
            "unmarked": _fec("BAKER, JOHN", "Newtown", "PA", "18940", "BAKER & SONS", "PARTNER"),
            # A working JR beside a retired man of the name: a son at his parents' address.
            "working jr": _fec("BAKER, ROBERT JR", "Newtown", "PA", "18940-3300", "RIVERBEND CLINIC", "NURSE"),
            "father": _fec("BAKER, ROBERT", "Newtown", "PA", "18940-3300", "RETIRED", "RETIRED"),
            # A SR, retired, and the unmarked man of his company: his son, who leaves out the JR.
            "sr": _fec("BAKER, THOMAS A SR", "Newtown", "PA", "18940-4400", "RETIRED", "RETIRED"),
            "chairman": _fec("BAKER, THOMAS", "Newtown", "PA", "18940", "BAKER FOODS", "CHAIRMAN"),
            # A JR and a SR of the name in one ZIP of a town far from Newtown (not a neighbouring
            # one, which a retired JR of the name could be giving from): the unmarked may be either.
            "family jr": _fec("BAKER, JOHN JR", "Erie", "PA", "16505-6600", "RETIRED", "RETIRED"),
            "family sr": _fec("BAKER, JOHN SR", "Erie", "PA", "16505-7700", "RETIRED", "RETIRED"),
            "family": _fec("BAKER, JOHN", "Erie", "PA", "16505", "NOT EMPLOYED", "NOT EMPLOYED"),
        }
    )  # fmt: skip
    assert clusters["retired jr"] == clusters["unmarked"]
    assert clusters["working jr"] != clusters["father"]
    assert clusters["sr"] != clusters["chairman"]
    assert clusters["family"] not in (clusters["family jr"], clusters["family sr"])


def test_a_nickname_of_a_common_name_in_one_zip_is_the_same_name(resolve):
    # JIM beside JAMES counts as the same given name as much as JAMES beside JAMES does, however
    # common JAMES is (one filing left the employment out).
    crowd = common_name_crowd("PELLWORTH", "JAMES")
    clusters = resolve(
        {
            **crowd,
            "nickname": _fec("PELLWORTH, JIM", "Ashgrove", "KY", "41105"),
            "full": _fec("PELLWORTH, JAMES H", "Ashgrove", "KY", "41105-2210", "PELLWORTH AGENCY", "AGENT"),
        }
    )  # fmt: skip
    assert clusters["nickname"] == clusters["full"]


def test_initials_in_one_zip_are_the_full_name_with_the_same_middle_initial(resolve):
    # The model's score links the same name in one ZIP at a lower bar than other pairs; with
    # the general bar out of reach, only that one links these two.
    crowd = common_name_crowd("TREMAINE", "LAWRENCE")
    clusters = resolve(
        {
            **crowd,
            "initials": _fec("TREMAINE, L D", "Ashgrove", "KY", "41101", "SELF-EMPLOYED", "FARMER"),
            "full": _fec("TREMAINE, LAWRENCE D", "Ashgrove", "KY", "41101"),
            # Her initial is his, her middle initial is not: a household, not one person.
            "wife": _fec("TREMAINE, L M", "Ashgrove", "KY", "41101", "SELF-EMPLOYED", "FARMER"),
        },
        auto_link=1.0,
    )  # fmt: skip
    assert clusters["initials"] == clusters["full"]
    assert clusters["wife"] != clusters["full"]


def test_middle_initials_that_slip_at_home_are_one_person_but_not_at_work_or_in_two_jobs(resolve):
    clusters = resolve(
        {
            "i": _fec("ISHIMARU-VALE, OLIVIA I", "Madison", "WI", "53705-1180", "N/A", "NOT EMPLOYED"),
            "l": _fec("ISHIMARU-VALE, OLIVIA L", "Madison", "WI", "53705-1180", "NONE", "NOT EMPLOYED"),
            "j": _fec("FALLOWMERE, JOSEPH J IV", "Mequon", "WI", "53092-4410", "SELF-EMPLOYED", "RESTAURANTS"),
            "h": _fec("FALLOWMERE, JOSEPH H IV", "Mequon", "WI", "53092-4410", "SELF EMPLOYED", "RESTAURANTS"),
            # One home, two jobs: a father and son.
            "r": _fec("DEANSGATE, ROBERTO R", "Green Bay", "WI", "54311-2270", "SELF EMPLOYED", "REPRESENTATIVE"),
            "d": _fec("DEANSGATE, ROBERTO D", "Green Bay", "WI", "54311-2270", "SELF EMPLOYED", "CHAIRMAN"),
        }
    )  # fmt: skip
    assert clusters["i"] == clusters["l"]
    assert clusters["j"] == clusters["h"]
    assert clusters["r"] != clusters["d"]


def test_a_middle_initial_slip_at_home_holds_when_one_filing_leaves_out_the_zip4(resolve):
    clusters = resolve(
        {
            # One home as far as the file says: the +4 on one filing only.
            "l": _fec("VESTERGAARD, PRUNELLA L", "Chicago", "IL", "60615-2210", "NONE", "NOT EMPLOYED"),
            "d": _fec("VESTERGAARD, PRUNELLA D", "Chicago", "IL", "60615", "NOT-EMPLOYED", "NOT-EMPLOYED"),
            # No ZIP+4 on either side: one ZIP5 is a wider place, where a retired father and son
            # may both live.
            "a": _fec("ORMSKIRKE, BALTHAZAR A", "Portland", "OR", "97202", "RETIRED", "RETIRED"),
            "e": _fec("ORMSKIRKE, BALTHAZAR E", "Portland", "OR", "97202", "RETIRED", "RETIRED"),
            # Two ZIP+4s of one ZIP5: two homes.
            "k": _fec("QUENNELLY, ARMITAGE K", "Kalamazoo", "MI", "49009-3318", "RETIRED", "RETIRED"),
            "m": _fec("QUENNELLY, ARMITAGE M", "Kalamazoo", "MI", "49009-1207", "RETIRED", "RETIRED"),
        }
    )  # fmt: skip
    assert clusters["l"] == clusters["d"]
    assert clusters["a"] != clusters["e"]
    assert clusters["k"] != clusters["m"]


def test_middle_initials_of_a_common_name_at_one_home_stay_apart(resolve):
    clusters = resolve(
        {
            **common_name_crowd("HARTWELL", "DESMOND"),
            "b": _fec("HARTWELL, DESMOND B", "Canby", "OR", "97013-3015", "RETIRED", "RETIRED"),
            "d": _fec("HARTWELL, DESMOND D", "Canby", "OR", "97013-3015", "RETIRED", "RETIRED"),
        }
    )  # fmt: skip
    assert clusters["b"] != clusters["d"]


def test_an_employer_of_three_initials_or_written_in_the_job_field_is_the_same_employer(resolve):
    clusters = resolve(
        {
            # Three initials begin both employers' names: one employer (across the state).
            "group": _fec("BENDLEWORTH, RONALD J", "Waterloo", "IA", "50701", "VKM & ASSOCIATES", "PRES, VKM EMERGING MARKETS"),
            "firm": _fec("BENDLEWORTH, RONALD", "Dike", "IA", "50624", "VKM GROUP, INC.", "PRESIDENT"),
            # A three-letter word that is no one's initials is not enough for a JR on one side.
            "father": _fec("ANDERLY, EDWARD", "Port Alder", "VA", "23606-3391", "TEL-DAR LLC & COVE PARTNERS LLC", "CEO"),
            "son": _fec("ANDERLY JR., EDDIE", "Port Alder", "VA", "23606", "TEL DAR", "VICE PRESIDENT OF OPERATIONS"),
            # Employer and job written in each other's field, a common name in one ZIP.
            **common_name_crowd("HARTWELL", "DESMOND"),
            "fields": _fec("HARTWELL, DESMOND", "Chevy Chase", "MD", "20815", "HALLORAN PEETE BINGHAM", "LOBBYIST"),
            "swapped": _fec("HARTWELL, DESMOND", "Chevy Chase", "MD", "20815", "LOBBYIST", "HALLORAN PEETE BINGHAM"),
        }
    )  # fmt: skip
    assert clusters["group"] == clusters["firm"]
    assert clusters["father"] != clusters["son"]
    assert clusters["fields"] == clusters["swapped"]


def test_middle_initials_that_slip_at_an_employers_zip4_in_one_job_are_one_person(resolve):
    clusters = resolve(
        {
            # One utility office's ZIP+4, one employer, one job title: a slip of the filer's hand.
            "l": _fec("TAMBERLANE, NOELLE L", "Billings", "MT", "59108-0330", "NORTHWIND POWER", "OPERATIONS MANAGER"),
            "c": _fec("TAMBERLANE, NOELLE C", "Billings", "MT", "59108-0330", "NORTHWIND POWER", "OPERATIONS MANAGER"),
            # The family firm's ZIP+4: a president and a vice president are a father and son.
            "president": _fec("WENTWORTHY, ROLAND G", "Leominster", "MA", "01453-2210", "AARONVALE INDUSTRIES", "PRESIDENT"),
            "vice": _fec("WENTWORTHY, ROLAND M", "Leominster", "MA", "01453-2210", "AARONVALE INDUSTRIES", "VICE PRESIDENT"),
            # One title of ownership at the family firm's ZIP+4: the father and son hold it at once.
            "owner g": _fec("PENTREATH, CASIMIR G", "Leominster", "MA", "01453-2290", "PENTREATH FARMS", "OWNER/OPERATOR"),
            "owner m": _fec("PENTREATH, CASIMIR M", "Leominster", "MA", "01453-2290", "PENTREATH FARMS", "OWNER/OPERATOR"),
            # A union local's members across a town (no ZIP+4), every one of them a pipefitter.
            "a": _fec("QUILLFEATHER, ROBERT A", "Hamilton", "NJ", "08610", "PIPEFITTERS LOCAL 9", "PLUMBER/PIPEFITTER"),
            "j": _fec("QUILLFEATHER, ROBERT J", "Hamilton", "NJ", "08610", "PIPEFITTERS LOCAL 9", "PLUMBER/PIPEFITTER"),
        }
    )  # fmt: skip
    assert clusters["l"] == clusters["c"]
    assert clusters["president"] != clusters["vice"]
    assert clusters["owner g"] != clusters["owner m"]
    assert clusters["a"] != clusters["j"]


def test_middle_initials_of_a_common_name_at_one_employers_zip4_stay_apart(resolve):
    clusters = resolve(
        {
            **common_name_crowd("HARTWELL", "DESMOND"),
            "a": _fec("HARTWELL, DESMOND A", "Dallas", "TX", "75243-1108", "RAYVALE SYSTEMS", "SYSTEMS ENGINEER"),
            "b": _fec("HARTWELL, DESMOND B", "Dallas", "TX", "75243-1108", "RAYVALE SYSTEMS", "SYSTEMS ENGINEER"),
        }
    )  # fmt: skip
    assert clusters["a"] != clusters["b"]


def test_a_rare_name_in_two_towns_of_one_area_is_one_person_when_the_work_agrees(resolve):
    # Two towns of one ZIP3 (a home in the suburbs, an office downtown) and two employers: the
    # job titles share a word of the work (COUNSEL, DEALER), not only a rank. A rare name there
    # with unrelated work (a controller and a fire fighter; a managing director and a partner)
    # stays apart, as does a common name with the same work.
    clusters = resolve(
        {
            **common_name_crowd("HARTWELL", "DESMOND"),
            "counsel": _fec("ELLSWORTHY, RADCLIFFE", "West Hallam", "CT", "06107", "QUILLBY INSURANCE GROUP", "GENERAL COUNSEL"),
            "deputy": _fec("ELLSWORTHY, RADCLIFFE", "Hallam", "CT", "06155", "HARROWGATE MUTUAL", "VP ASSOC GENERAL COUNSEL"),
            "controller": _fec("PENDERWICK, ORRIN", "Gilroy Flats", "AZ", "85298", "FEDERAL AVIATION ADMINISTRATION", "AIR TRAFFIC CONTROLLER"),
            "fire": _fec("PENDERWICK, ORRIN", "Tamsworth", "AZ", "85282", "TAMSWORTH FIRE DEPT.", "FIRE FIGHTER / EMS"),
            "director": _fec("MORCAMBE, ISANDRO", "Coral Vale", "FL", "33134", "ORMSBY WEALTH", "MANAGING DIRECTOR"),
            "partner": _fec("MORCAMBE, ISANDRO", "Bayport", "FL", "33131", "TALLIS & YOUNG", "PARTNER/PRINCIPAL"),
            "common a": _fec("HARTWELL, DESMOND", "West Hallam", "CT", "06107", "QUILLBY INSURANCE GROUP", "GENERAL COUNSEL"),
            "common b": _fec("HARTWELL, DESMOND", "Hallam", "CT", "06155", "HARROWGATE MUTUAL", "ASSOCIATE GENERAL COUNSEL"),
        }
    )  # fmt: skip
    assert clusters["counsel"] == clusters["deputy"]
    assert clusters["controller"] != clusters["fire"]
    assert clusters["director"] != clusters["partner"]
    assert clusters["common a"] != clusters["common b"]


def test_a_middle_name_written_as_a_nickname_or_beside_a_maiden_name_is_either_initial(resolve):
    clusters = resolve(
        {
            # MARY BETH at one firm, MARY E (ELIZABETH) at its other office in the city.
            "beth": _fec("MARLOWETH, MARY BETH", "Washington", "DC", "20001-4470", "HALVERSTON + PARTNERS", "LOBBYIST"),
            "e": _fec("MARLOWETH, MARY E", "Washington", "DC", "20005", "HALVERSTON", "GOVT RELATIONS"),
            # A middle name and a maiden name; other filings keep the maiden name only.
            "both": _fec("QUINTRELL, NORA ELISE FAIRCLOTH", "Mc Lean", "VA", "22102", "HALDANE PARRISH", "SENIOR POLICY ADVISOR"),
            "maiden": _fec("QUINTRELL, NORA FAIRCLOTH", "McLean", "VA", "22102-3921", "BRIARWOOD HEALTH STRATEGIES LLC", "PARTNER"),
            # MARY BELLE is a name of its own: its B is hers, and MARY E is someone else.
            "belle": _fec("TAVENDER, MARY BELLE", "Richmond", "VA", "23220", "NONE", "RETIRED"),
            "other": _fec("TAVENDER, MARY E", "Richmond", "VA", "23220", "NONE", "RETIRED"),
        }
    )  # fmt: skip
    assert clusters["beth"] == clusters["e"]
    assert clusters["both"] == clusters["maiden"]
    assert clusters["belle"] != clusters["other"]


def test_an_initial_beside_a_full_name_at_two_named_employers_is_left_to_review(resolve):
    clusters = resolve(
        {
            # Two owners of two firms in one small town, one signing with initials: the model
            # scores a rare surname, one ZIP and one job high, but two named employers that
            # differ are two men (on real FEC rows each gave the maximum the same day).
            "initials": _fec("BRANDISTOCK, T. AMBROSE", "Hindman", "KY", "41822", "BRANDISTOCK DRILLING COMPANY", "OWNER"),
            "full": _fec("BRANDISTOCK, TOBIAS", "Hindman", "KY", "41822", "HIGHLAND NATURAL GAS", "OWNER"),
            # At one ZIP+4 the initial is the man himself, whatever his two employers (an
            # executive who sits on another company's board).
            "board": _fec("MERIWETHERBY, H", "Stillwater", "MN", "55082-7730", "NORTHSTAR UTILITY GROUP", "DIRECTOR"),
            "exec": _fec("MERIWETHERBY, HORATIO", "Stillwater", "MN", "55082-7730", "3Q COMPANY", "DIRECTOR"),
            # Retired at one ZIP: no employer says two men.
            "r initial": _fec("GLASSENBURY, R. ALDOUS", "Boulder", "CO", "80303", "NONE", "RETIRED"),
            "r full": _fec("GLASSENBURY, ROBERT", "Boulder", "CO", "80303", "RETIRED", "RETIRED"),
        }
    )  # fmt: skip
    assert clusters["initials"] != clusters["full"]
    assert clusters["board"] == clusters["exec"]
    assert clusters["r initial"] == clusters["r full"]
