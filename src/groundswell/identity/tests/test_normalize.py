"""Field normalisation: both name orders, nicknames, streets, phones, and the SQL fast paths."""

from __future__ import annotations

import csv

import duckdb
import pytest

from groundswell.demo.identity_synthetic import contributions
from groundswell.identity import engine
from groundswell.identity import normalize as nz


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("QUILLFEATHER, ROBERT J", ("ROBERT", "J", "QUILLFEATHER")),
        ("Robert J. Quillfeather", ("ROBERT", "J", "QUILLFEATHER")),
        ("robert quillfeather", ("ROBERT", "", "QUILLFEATHER")),
        ("Dr. Robert Quillfeather Jr.", ("ROBERT", "", "QUILLFEATHER")),
        ("QUILLFEATHER JR, ROBERT", ("ROBERT", "", "QUILLFEATHER")),
        ("Zoë O'Brannagh-Vale", ("ZOE", "", "OBRANNAGHVALE")),
        ("Maria de la Vellacruz", ("MARIA", "", "DELAVELLACRUZ")),
        ("VELLACRUZ, MARIA DEL CARMEN", ("MARIA", "D", "VELLACRUZ")),
        ("", ("", "", "")),
    ],
)
def test_a_name_in_either_order_parses_to_its_parts(text, expected):
    assert tuple(nz.name_parse(text)) == expected


def test_separate_given_and_family_fields_parse_too():
    assert tuple(nz.given_family_parse("Robert J.", "Quillfeather Jr")) == (
        "ROBERT", "J", "QUILLFEATHER",
    )  # fmt: skip
    assert tuple(nz.given_family_parse("QUILLFEATHER, ROBERT", "")) == (
        "ROBERT", "", "QUILLFEATHER",
    )  # fmt: skip


def test_the_nickname_table_is_ours_and_large():
    with open(nz.DATA / "nicknames.csv", newline="", encoding="utf-8") as fh:
        pairs = list(csv.DictReader(fh))
    assert len(pairs) >= 300
    table = nz.nicknames()
    for nick, name in [("BOB", "ROBERT"), ("LIZ", "ELIZABETH"), ("BILL", "WILLIAM"),
                       ("PEGGY", "MARGARET")]:  # fmt: skip
        assert table[nick] == name
        assert nz.first_canonical(nick) == name
    assert nz.first_canonical("ROBERT") == "ROBERT"


def test_a_nickname_of_several_names_knows_each_of_them():
    # KATHY is read as KATHERINE and is short for KATHLEEN and KATHRYN too (a KATHY and a
    # KATHRYN at one firm were kept apart as two given names when KATHRYN was missing).
    alternatives = nz.nickname_alternatives()
    assert nz.first_canonical("KATHY") == "KATHERINE"
    assert {"KATHERINE", "KATHLEEN", "KATHRYN"} <= set(alternatives["KATHY"].strip("|").split("|"))
    assert "KRISTEN" in alternatives["KRIS"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123 North Main Street Apt 4", "123 N MAIN ST"),
        ("123 N. Main St., #4", "123 N MAIN ST"),
        ("9 Larkspur Avenue Southwest", "9 LARKSPUR AVE SW"),
        ("P.O. Box 77", "PO BOX 77"),
        ("", ""),
    ],
)
def test_streets_are_normalised_usps_style_without_the_unit(text, expected):
    assert nz.street_normalize(text) == expected


def test_contact_fields():
    assert nz.phone_e164("(614) 555-0142") == "+16145550142"
    assert nz.phone_e164("1-614-555-0142") == "+16145550142"
    assert nz.phone_e164("+44 20 7946 0958") == "+442079460958"
    assert nz.phone_e164("555") == ""
    assert nz.email_normalize(" Someone@Example.ORG ") == "someone@example.org"
    assert nz.email_normalize("nobody") == ""
    assert nz.zip5("43215-1234") == "43215"
    assert nz.zip5("K1A 0B1") == ""
    assert nz.work_normalize("Information Requested") == ""
    assert nz.work_normalize("self-employed") == "SELF EMPLOYED"
    # An apostrophe joins: one grocer filed as "Quillby's" and "Quillbys of Marrow Park".
    assert nz.work_normalize("Quillby's") == nz.work_normalize("Quillby\u2019s") == "QUILLBYS"
    assert nz.work_normalize("Quillbys of Marrow Park").split()[0] == "QUILLBYS"


def test_the_sql_fast_paths_agree_with_python():
    rows = contributions(3000, seed=21)
    hard = [
        {"unique_id": -1, "full_name": "Dr. Ambrose Q Vellacott III"},
        {"unique_id": -2, "full_name": "VELLACOTT, AMBROSE QUINTUS T"},
        {"unique_id": -3, "given_name": "Ambrose", "family_name": "van der Vellacott"},
        {"unique_id": -4, "full_name": "Ambrose Vellacott", "street": "12 S"},
        {"unique_id": -5, "street": "77-A E W St #5"},
        {"unique_id": -6, "street": "5 Avenue of the Americas Suite 300"},
        {"unique_id": -7, "street": "Rural Route 2 Box 9"},
        {"unique_id": -8, "full_name": "Zoë Vellacott", "street": "14 Rue Élan"},
        {"unique_id": -9, "full_name": "VELLACOTT, A.Q."},
        {"unique_id": -10, "full_name": "A.Q. Vellacott"},
        {"unique_id": -11, "given_name": "A.Q.", "family_name": "Vellacott"},
        {"unique_id": -12, "full_name": "VELLACOTT, J.R.R."},
        {"unique_id": -13, "full_name": "D.VELLACOTT, AMBROSE"},
        {"unique_id": -14, "full_name": "VELLACOTT, M.D., AMBROSE"},
        {"unique_id": -15, "full_name": "VELLACOTT, AMBROSE AMBROSE"},
        {"unique_id": -16, "full_name": "VELLACOTT, AMBROSE VELLACOTT"},
        {"unique_id": -17, "full_name": "Ambrose Ambrose Vellacott"},
        {"unique_id": -18, "given_name": "Ambrose Ambrose", "family_name": "Vellacott"},
        {"unique_id": -19, "given_name": "Ambrose Vellacott", "family_name": "Vellacott"},
        # A nickname of another initial as the middle name, in each shape the fast path reads.
        {"unique_id": -20, "full_name": "VELLACOTT, MARY BETH"},
        {"unique_id": -21, "full_name": "Mary Beth Vellacott"},
        {"unique_id": -22, "given_name": "Mary Beth", "family_name": "Vellacott"},
        {"unique_id": -23, "full_name": "VELLACOTT, MARY BELLE"},
    ]
    con = duckdb.connect()
    table = engine.records_table([*rows, *hard])
    con.register("_rows", table)
    con.execute("CREATE TEMP TABLE records AS SELECT * FROM _rows")
    engine.normalise(con)
    names = con.execute(
        "SELECT DISTINCT r.full_name, r.given_name, r.family_name, n.first, n.middle, n.last "
        "FROM records r JOIN norm n USING (unique_id)"
    ).fetchall()
    for full, given, family, first, middle, last in names:
        parsed = nz.name_parse(full) if full else nz.given_family_parse(given or "", family or "")
        assert (first, middle, last) == tuple(parsed), (full, given, family)
    streets = con.execute(
        "SELECT DISTINCT r.street, n.street FROM records r JOIN norm n USING (unique_id)"
    ).fetchall()
    for raw, normalised in streets:
        assert normalised == nz.street_normalize(raw or ""), raw
    assert len(names) > 1000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A stray space inside the given name, before the middle initial.
        ("QUARLEBY, JOH N P", ("JOHN", "P", "QUARLEBY")),
        ("QUARLEBY, TAVISH TON W", ("TAVISHTON", "W", "QUARLEBY")),
        # Two names of their own stay two (the engine compares MARY A with MARYANN).
        ("QUARLEBY, MARY ANN E", ("MARY", "A", "QUARLEBY")),
        ("QUARLEBY, JOHN PAUL R", ("JOHN", "P", "QUARLEBY")),
        # A generation or title written first keeps the given name after it.
        ("QUARLEBY, III, WILLIAM N.", ("WILLIAM", "N", "QUARLEBY")),
        ("QUARLEBY, JR., ALBERT H.", ("ALBERT", "H", "QUARLEBY")),
        # Initials written together with dots are two initials, as with a space; not a title.
        ("QUARLEBY, W.D.", ("W", "D", "QUARLEBY")),
        ("QUARLEBY, W D", ("W", "D", "QUARLEBY")),
        ("W.D. Quarleby", ("W", "D", "QUARLEBY")),
        ("D.QUARLEBY, JOHN", ("JOHN", "", "DQUARLEBY")),  # not two initials: a joined name
        ("QUARLEBY, M.D., MORTON", ("MORTON", "", "QUARLEBY")),
        # Two middle initials: filings keep one or the other, so the middle is unknown.
        ("QUARLEBY, REBECCA M J MS.", ("REBECCA", "", "QUARLEBY")),
        ("QUARLEBY, JOYCE M. E.", ("JOYCE", "", "QUARLEBY")),
        # The given name or the surname written again is no middle name (the C or the Q).
        ("QUARLEBY, CLIFFORD CLIFFORD", ("CLIFFORD", "", "QUARLEBY")),
        ("QUARLEBY, ANTONIO QUARLEBY", ("ANTONIO", "", "QUARLEBY")),
        ("Clifford Clifford Quarleby", ("CLIFFORD", "", "QUARLEBY")),
        ("QUARLEBY, CLIFFORD CARL", ("CLIFFORD", "C", "QUARLEBY")),
        # A rank, a service or RET after the name is no middle name (the U of USAF).
        ("QUARLEBY, DESMOND MR. USAF (RET.)", ("DESMOND", "", "QUARLEBY")),
        ("QUARLEBY, DESMOND P COL USA RET", ("DESMOND", "P", "QUARLEBY")),
        ("QUARLEBY, DESMOND COLONEL", ("DESMOND", "", "QUARLEBY")),
        # Two middle names (a middle name and a maiden name): filings keep either one.
        ("QUARLEBY, NORA ELISE FAIRCLOTH", ("NORA", "", "QUARLEBY")),
        # ... but the surname written again after the middle name is no second middle name.
        ("QUARLEBY, BRIAN PATRICK QUARLEBY", ("BRIAN", "P", "QUARLEBY")),
        # A middle name that is a nickname of another initial: either initial may be written.
        ("QUARLEBY, MARY BETH", ("MARY", "", "QUARLEBY")),
        ("Mary Beth Quarleby", ("MARY", "", "QUARLEBY")),
        ("QUARLEBY, JOHN BILL", ("JOHN", "", "QUARLEBY")),
        # A middle name that is a name of its own keeps its initial.
        ("QUARLEBY, MARY LYNN", ("MARY", "L", "QUARLEBY")),
        ("QUARLEBY, MARY BELLE", ("MARY", "B", "QUARLEBY")),
        # A rank ends the given name: the service after it, cut short by the field, is no
        # middle name either (the C of COLONEL, the U of US ARMY RE).
        ("QUARLEBY, DESMOND COLONEL US ARMY RE", ("DESMOND", "", "QUARLEBY")),
        ("QUARLEBY, DESMOND P LT COL US ARMY", ("DESMOND", "P", "QUARLEBY")),
        # Before the given name a rank is only a title.
        ("QUARLEBY, COL DESMOND P", ("DESMOND", "P", "QUARLEBY")),
        ("QUARLEBY, MR COL DESMOND P", ("DESMOND", "P", "QUARLEBY")),
        # An office or honorific written out is a title too (not the G of GOVERNOR) ...
        ("QUARLEBY, DESMOND GOVERNOR", ("DESMOND", "", "QUARLEBY")),
        ("QUARLEBY, DESMOND P. HONORABLE JR.", ("DESMOND", "P", "QUARLEBY")),
        ("QUARLEBY, DESMOND PAUL AMBASSADOR JR", ("DESMOND", "P", "QUARLEBY")),
        ("QUARLEBY, DESMOND CAPTAIN USN RET", ("DESMOND", "", "QUARLEBY")),
        ("Senator Desmond Quarleby", ("DESMOND", "", "QUARLEBY")),
        # ... but not a word that is a name too: MAJOR and MAYOR stay names.
        ("QUARLEBY, MAJOR", ("MAJOR", "", "QUARLEBY")),
        ("Desmond Mayor", ("DESMOND", "", "MAYOR")),
    ],
)
def test_a_given_name_split_by_a_stray_space_or_after_a_generation(text, expected):
    assert tuple(nz.name_parse(text)) == expected


def test_the_middle_nicknames_are_nicknames_of_another_initial():
    table = nz.nicknames()
    for nickname in nz.MIDDLE_NICKNAMES:
        assert nickname in table and table[nickname][0] != nickname[0], nickname
    assert nz.given_family_parse("Mary Beth", "Quarleby") == ("MARY", "", "QUARLEBY")
    assert nz.given_family_parse("Nora Elise Faircloth", "Quarleby") == ("NORA", "", "QUARLEBY")
    assert nz.given_family_parse("Brian Patrick Quarleby", "Quarleby") == ("BRIAN", "P", "QUARLEBY")


def test_a_names_other_spelling_is_read_as_the_name_but_the_generators_nicknames_are_apart():
    assert nz.first_canonical("ELISABETH") == "ELIZABETH"
    assert nz.first_canonical("KATHARINE") == "KATHERINE"
    # The benchmark's generator draws nicknames from the nickname table only.
    assert not set(nz.spellings()) & set(nz.nicknames())
    # The engine's own normalisation (SQL) reads it so too: one given name to every rule.
    con = duckdb.connect()
    con.register(
        "_rows",
        engine.records_table(
            [
                {"unique_id": 1, "full_name": "QUARLEBY, ELISABETH"},
                {"unique_id": 2, "full_name": "Katharine Quarleby"},
            ]
        ),
    )
    con.execute("CREATE TEMP TABLE records AS SELECT * FROM _rows")
    engine.normalise(con)
    canon = dict(con.execute("SELECT unique_id, first_canon FROM norm").fetchall())
    assert canon == {1: "ELIZABETH", 2: "KATHERINE"}


def test_common_nicknames_are_in_the_table():
    table = nz.nicknames()
    alternatives = nz.nickname_alternatives()
    assert "|VICTOR|" in alternatives["VIC"]
    assert table["WOODY"] == "WOODROW"
    assert "|ALAN|" in alternatives["AL"]
    assert "|SANDRA|" in alternatives["SANDY"]
    # Found missing on real FEC rows (a CHRIS beside a CHRISTIAN at one firm).
    assert table["CHRIS"] == "CHRISTOPHER"
    for name in ("CHRISTIAN", "CHRISTINA", "CHRISTINE"):
        assert f"|{name}|" in alternatives["CHRIS"]
    assert "|KRISTEN|" in alternatives["KRIS"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("St. Louis", "SAINT LOUIS"),
        ("Madison Hts", "MADISON HEIGHTS"),
        ("Virginia Bch", "Virginia Beach"),
        ("Ft Worth", "FORT WORTH"),
        ("N. Little Rock", "North Little Rock"),
    ],
)
def test_a_city_written_in_full_and_short_is_one_city(a, b):
    assert nz.city_normalize(a) == nz.city_normalize(b)
    assert nz.city_normalize("Westfield") == "WESTFIELD"  # a word, not a part of one
