"""Collapse identical records and link records by deterministic rules (engine steps 2 and 3)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from groundswell.identity.engine_guards import (
    COMPATIBLE,
    DISTINCT_MARKS_AGREE,
    FIRST_NAME_TYPO,
    GENERIC_EMPLOYERS,
    GIVEN_PREFIX,
    SAME_EMPLOYER,
    SAME_GENERATION,
    SAME_GIVEN_NAME,
    STREETS_DO_NOT_DIFFER,
    SURNAMES_AGREE,
    SWAPPED,
    ZIP_NEAR,
)
from groundswell.identity.engine_household import HOUSEHOLD_AT_BOTH as _HOUSEHOLD_AT_BOTH
from groundswell.identity.engine_household import HOUSEHOLD_SIDES
from groundswell.identity.engine_rare import (
    GENERATION_NOT_WORKING_AT_ADDRESS as _GENERATION_NOT_WORKING_AT_ADDRESS,
)
from groundswell.identity.engine_rare import MIDDLE_SLIP_AT_WORK as _MIDDLE_SLIP_AT_WORK
from groundswell.identity.engine_rare import MIDDLE_SLIP_AT_ZIP4 as _MIDDLE_SLIP_AT_ZIP4
from groundswell.identity.engine_rare import RARE_NAME_EMPLOYER_IN_STATE as _RARE_EMPLOYER
from groundswell.identity.engine_rare import RARE_NAME_IN_AREA_JOB as _RARE_NAME_IN_AREA_JOB
from groundswell.identity.engine_rare import RARE_NAME_IN_PLACE as _RARE_NAME_IN_PLACE
from groundswell.identity.engine_rare import RARE_SIDES, TF_TABLES
from groundswell.identity.engine_rare import RETIRED_JUNIOR_AT_ADDRESS as _RETIRED_JUNIOR
from groundswell.identity.normalize_sql import from_arrow
from groundswell.identity.zip_places import zip_centroids, zips_near_sql

MATCH_COLUMNS = (
    "first", "first_canon", "first_alts", "middle", "suffix", "last", "street", "city", "state",
    "zip5", "zip4", "employer", "occupation", "email", "phone",
)  # fmt: skip
# Shared values shared by too many records to be an identifier (a campaign's own placeholder
# e-mail, an office switchboard) link nobody deterministically; Splink still weighs them.
DETERMINISTIC_GROUP_MAX = 20
# A name seen at most this often in the file may be a typo of a similar one (``first_seen``,
# ``last_seen``); two names each seen more often are two names.
TYPO_MAX_SEEN = 2


def collapse(con: duckdb.DuckDBPyConnection, keep_apart: Iterable[int] = ()) -> None:
    """``rep_map`` (unique_id → rep_id) and ``rep`` (one row per distinct normalised record).

    Records in ``keep_apart`` (those staff said are different people) keep a representative
    of their own even when identical to another record, so that the decision can hold.
    """
    cols = ", ".join(MATCH_COLUMNS)
    from_arrow(con, "keep_apart", pa.table({"unique_id": pa.array(list(keep_apart), pa.int64())}))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE rep_map AS
        SELECT n.unique_id, min(n.unique_id) OVER (
            PARTITION BY {cols}, CASE WHEN k.unique_id IS NOT NULL THEN n.unique_id END
        ) AS rep_id
        FROM norm n LEFT JOIN (SELECT DISTINCT unique_id FROM keep_apart) k USING (unique_id)
        """  # noqa: S608
    )
    nulls = ", ".join(
        f"nullif(n.{c}, '') AS {c}" if c != "state" else _STATE_FROM_ZIP for c in MATCH_COLUMNS
    )
    # Each representative's ZIP centroid (lat, lon): NULL for a ZIP not known, or one in another
    # state than the record's unless the city is the ZIP's (then the state is the typo: BETHESDA
    # MD 20814 filed as DE); where the ZIP or the state is mistyped "near" means nothing.
    from_arrow(con, "zip_place", zip_centroids())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE rep AS
        SELECT n.unique_id, {nulls},
            CASE WHEN {_ZIP_IN_PLACE} THEN z.lat END AS lat,
            CASE WHEN {_ZIP_IN_PLACE} THEN z.lon END AS lon
        FROM norm n LEFT JOIN zip_place z ON z.zip5 = n.zip5
        WHERE n.unique_id IN (SELECT DISTINCT rep_id FROM rep_map)
        """  # noqa: S608
    )
    con.execute("DROP TABLE zip_place")


# The record's ZIP is where it says it is: its state is the ZIP's, or none is given, or the city
# is one of the ZIP's own (a state mistyped beside a right city and ZIP).
_CITY_IS_THE_ZIPS = "(n.city <> '' AND list_contains(z.zip_cities, n.city))"
_ZIP_IN_PLACE = f"(n.state = '' OR z.zip_state = n.state OR {_CITY_IS_THE_ZIPS})"
_STATE_FROM_ZIP = f"""
    CASE WHEN z.zip_state <> n.state AND n.state <> '' AND {_CITY_IS_THE_ZIPS}
         THEN z.zip_state ELSE nullif(n.state, '') END AS state
"""


def _shared_identifier(column: str) -> str:
    # The same e-mail or phone, when few records share it (not an office switchboard).
    return f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.{column} = b.{column} AND a.unique_id < b.unique_id
        WHERE a.{column} IN (
            SELECT {column} FROM rep WHERE {column} IS NOT NULL
            GROUP BY 1 HAVING count(*) <= {DETERMINISTIC_GROUP_MAX})
          AND {COMPATIBLE}
    """  # noqa: S608


_SAME_ADDRESS = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
        AND a.street = b.street AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
    WHERE {COMPATIBLE}
"""  # noqa: S608
# The same name at the same ZIP+4 (FEC files have no street; a ZIP+4 is a building or a block
# side) is one person whatever the employment text says: people retire, change jobs and spell
# their employer differently from one filing to the next.
_SAME_ZIP4 = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.last = b.last
        AND a.zip5 = b.zip5 AND a.zip4 = b.zip4 AND a.unique_id < b.unique_id
    WHERE {SAME_GIVEN_NAME} AND {COMPATIBLE} AND length(a.first) > 1
"""  # noqa: S608
# Given and family names swapped (one perhaps mistyped) in the same ZIP (or one mistyped): the
# same two names in one place, only the filer's order differs.
_SWAPPED_IN_ZIP = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM (
        SELECT DISTINCT ka.unique_id AS a_id, kb.unique_id AS b_id
        FROM rep_zip_near ka JOIN rep_zip_near kb ON ka.first = kb.last AND ka.state = kb.state
            AND ka.zkey = kb.zkey AND ka.unique_id <> kb.unique_id
    ) c JOIN rep a ON a.unique_id = c.a_id JOIN rep b ON b.unique_id = c.b_id
    WHERE {SWAPPED} AND {ZIP_NEAR} AND {DISTINCT_MARKS_AGREE} AND {STREETS_DO_NOT_DIFFER}
"""  # noqa: S608
# The same name in the same ZIP with the same employer: namesakes who also work together are
# rarer than anything else in a donor file (a JR and SR stay apart). Not a job title or a
# status (RETIRED, SELF EMPLOYED): half of a ZIP's donors share those. An employer and a job
# written in each other's field (LOBBYIST / HALLORAN PEETE and HALLORAN PEETE / LOBBYIST) agree.
_SAME_ZIP_EMPLOYER = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
        AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
    WHERE {COMPATIBLE} AND length(a.first) > 1
      AND ((a.employer = b.employer AND a.employer NOT IN ({GENERIC_EMPLOYERS}))
           OR (a.employer = b.occupation AND a.occupation = b.employer
               AND a.employer NOT IN ({GENERIC_EMPLOYERS})
               AND a.occupation NOT IN ({GENERIC_EMPLOYERS})))
"""  # noqa: S608
# A given name written as its initial (ICE, C R) beside the full name (ICE, CARL) at the same ZIP5
# with the same employer (written either way, not a status): as above, namesakes who share a
# ZIP and an employer are rarer than one man who signs with an initial now and then. Only an
# initial against a full name (J and J may be JOHN and JANE), the middle initials and
# generation marks agreeing, and only when one given name there fits the initial: M DAVIS
# beside MARK and MITCHELL DAVIS of one family firm may be either (M. MITCHELL, who goes by his
# middle name, was joined to MARK). Side ``a`` is the initial's: few records have one.
_INITIAL_AT_ZIP_EMPLOYER = f"""
    WITH c AS (
        SELECT a.unique_id AS a_id, b.unique_id AS b_id, b.first_canon
        FROM rep a JOIN rep b ON a.last = b.last AND a.zip5 = b.zip5
            AND a.unique_id <> b.unique_id AND left(b.first, 1) = a.first
        WHERE length(a.first) = 1 AND length(b.first) > 1
          AND {SAME_EMPLOYER} AND {DISTINCT_MARKS_AGREE} AND {SAME_GENERATION}
    )
    SELECT least(a_id, b_id) AS l, greatest(a_id, b_id) AS r FROM c
    WHERE a_id IN (SELECT a_id FROM c GROUP BY a_id HAVING count(DISTINCT first_canon) = 1)
"""  # noqa: S608
# Both names mistyped at once (RICHARDSEN, ERNEST and RICHARDSON, ERNST) at one ZIP+4 with the
# same employer (written either way): coworkers at an employer's ZIP+4 share the place and the
# employer, but two of them whose given names and surnames are each one typo apart are rarer
# than one filer's two slips. Only where the typo rules would allow each slip alone: not two
# known given names (JOHN and JOAN), not two known surnames (one side's is rare in the file,
# as in the surname typo rule), the middle initials and generations agreeing.
_BOTH_NAMES_TYPO_AT_ZIP4_EMPLOYER = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM rep_rare_last a JOIN rep b ON a.zip5 = b.zip5 AND a.zip4 = b.zip4
        AND left(a.last, 1) = left(b.last, 1) AND a.last <> b.last AND a.first <> b.first
        AND a.unique_id <> b.unique_id
    WHERE least(length(a.last), length(b.last)) >= 5 AND damerau_levenshtein(a.last, b.last) <= 1
      AND {SURNAMES_AGREE} AND {FIRST_NAME_TYPO} AND {SAME_EMPLOYER}
      AND {DISTINCT_MARKS_AGREE} AND {STREETS_DO_NOT_DIFFER}
"""  # noqa: S608
# The same name and the same employer (written either way) in one city, one ZIP3 (a
# metropolitan area) or neighbouring ZIPs (``zip_places``: the next town over, which may have
# another ZIP3): a donor giving from home and from the office, or after a move across town.
# Namesakes at one employer are as rare as above; a JR and SR stay apart (a mark on one side
# only is let be: the employer vouches for one man who writes it now and then).
_SAME_AREA_EMPLOYER = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
        AND a.state = b.state AND a.unique_id < b.unique_id
        AND (a.city = b.city OR left(a.zip5, 3) = left(b.zip5, 3) OR {zips_near_sql()})
    WHERE {COMPATIBLE} AND length(a.first) > 1 AND length(b.first) > 1 AND {SAME_EMPLOYER}
"""  # noqa: S608
# The same rule for a nickname of several names written beside one of its other names (JON,
# read as JOHN, beside JONATHAN; RICK, read as RICHARD, beside ERIC): the rule above joins on
# the canonical name, which such a nickname shares with only one of its names. Side ``a`` is
# the nickname's, joined through each of its names (``rep_given_alts``: few records have one;
# a table of their own, or DuckDB joins ``rep`` with itself on surname and state first: 1.75 s
# of 10 at 1,000,000 gifts and four times the whole stage at 10,000,000).
_SAME_AREA_EMPLOYER_ALT = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM rep_given_alts a JOIN rep b ON b.first_canon = a.alt AND b.last = a.last
        AND b.state = a.state AND b.first_canon <> a.first_canon
    WHERE (a.city = b.city OR left(a.zip5, 3) = left(b.zip5, 3) OR {zips_near_sql()})
      AND {COMPATIBLE} AND length(b.first) > 1 AND {SAME_EMPLOYER}
"""  # noqa: S608
# A surname mistyped (PELLINGTON and PELINGTON, QUARRY and QUARREY) under the same given name,
# at the same ZIP (or one mistyped) and in the same city (or a city left out): two such people
# in one place are rarer than one filer's typo. Short surnames are left to the model (LEE and
# LEO are two families), and so are two surnames each seen more than a couple of times in the
# file (HALL and HILL are two families; PELINGTON, seen once beside PELLINGTON, is a typo).
# Joined on the surname's first letter: typos there are rarer than anywhere else. Side ``a`` is
# the rare surname (the condition is symmetric): only those records are joined, not every record
# of a common given name in the state with every other.
_SURNAME_TYPO_IN_ZIP = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM (
        SELECT DISTINCT ka.unique_id AS a_id, kb.unique_id AS b_id
        FROM rep_zip_near ka JOIN rep_zip_near kb ON ka.first = kb.first AND ka.state = kb.state
            AND left(ka.last, 1) = left(kb.last, 1) AND ka.last <> kb.last AND ka.zkey = kb.zkey
        WHERE ka.unique_id IN (SELECT unique_id FROM rep_rare_last)
    ) c JOIN rep_rare_last a ON a.unique_id = c.a_id JOIN rep b ON b.unique_id = c.b_id
    WHERE length(a.first) > 1 AND least(length(a.last), length(b.last)) >= 4
      AND (damerau_levenshtein(a.last, b.last) <= 1
           OR (least(length(a.last), length(b.last)) >= 7
               AND damerau_levenshtein(a.last, b.last) <= 2))
      AND {ZIP_NEAR}
      AND (a.city IS NULL OR b.city IS NULL OR a.city = b.city OR a.zip4 = b.zip4
           OR jaro_winkler_similarity(a.city, b.city) >= 0.9)
      AND {STREETS_DO_NOT_DIFFER} AND {DISTINCT_MARKS_AGREE}
"""  # noqa: S608
# A surname's first letter mistyped (JARRINGTON for HARRINGTON), which the rule above never joins,
# under the same given name at one ZIP+4 (a building or a block side, both given): the rest of
# the surname the same letter for letter, at least five letters, and the mistyped side a
# surname seen at most a couple of times in the file and no known surname, beside a known one
# or one seen more often. Two families' names one first letter apart (CARSON and LARSON, both
# known) stay apart, and so does the pair across two ZIP+4s.
_SURNAME_FIRST_LETTER_AT_ZIP4 = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM rep_rare_last a JOIN rep b ON a.first = b.first AND a.zip5 = b.zip5 AND a.zip4 = b.zip4
        AND a.last <> b.last AND substr(a.last, 2) = substr(b.last, 2)
    WHERE length(a.first) > 1 AND least(length(a.last), length(b.last)) >= 5
      AND a.last NOT IN (SELECT name FROM known_last)
      AND (b.last IN (SELECT name FROM known_last)
           OR (SELECT n FROM last_seen WHERE last = b.last)
              > (SELECT n FROM last_seen WHERE last = a.last))
      AND {STREETS_DO_NOT_DIFFER} AND {DISTINCT_MARKS_AGREE}
"""  # noqa: S608
# A given name written short (TAV for TAVISHTON, not a name of its own) by the same surname in one
# ZIP or city: not when both are names of their own (DAN and DANIELLE share a household).
# Joined on the first three letters too (the shorter name's, at least three, begin the longer),
# from the side whose given name is none of the known names (one must be; the condition is
# symmetric): a common surname's records are not all compared with each other.
_GIVEN_PREFIX_IN_PLACE = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM rep_unknown_first a JOIN rep b ON a.last = b.last AND a.unique_id <> b.unique_id
        AND left(a.first, 3) = left(b.first, 3)
        AND (a.zip5 = b.zip5 OR (a.city = b.city AND a.state = b.state))
    WHERE {GIVEN_PREFIX} AND {DISTINCT_MARKS_AGREE}
"""  # noqa: S608


# A given name mistyped (VICTORA and VICTORIA) under the same surname at the same ZIP (or one
# mistyped) and city: not when both are names of their own (CODY and CORY, THEODORE and
# THEODORA are two people) or each seen more than a couple of times in the file, and only where
# a street is not known (at one street it may be a household's two members, at two streets two
# namesakes: the model weighs those). Side ``a`` is the rare given name (the condition is
# symmetric), as in the surname typo rule.
_GIVEN_TYPO_IN_ZIP = f"""
    SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM (
        SELECT DISTINCT ka.unique_id AS a_id, kb.unique_id AS b_id
        FROM rep_zip_near ka JOIN rep_zip_near kb ON ka.last = kb.last AND ka.state = kb.state
            AND ka.first <> kb.first AND left(ka.first, 1) = left(kb.first, 1)
            AND ka.zkey = kb.zkey
        WHERE ka.unique_id IN (SELECT unique_id FROM rep_rare_first)
    ) c JOIN rep_rare_first a ON a.unique_id = c.a_id JOIN rep b ON b.unique_id = c.b_id
    WHERE {FIRST_NAME_TYPO} AND {ZIP_NEAR}
      AND (a.street IS NULL OR b.street IS NULL)
      AND NOT (a.first IN (SELECT name FROM known_first)
               AND b.first IN (SELECT name FROM known_first))
      AND (a.city IS NULL OR b.city IS NULL OR a.city = b.city
           OR jaro_winkler_similarity(a.city, b.city) >= 0.9)
      AND {DISTINCT_MARKS_AGREE}
"""  # noqa: S608


# The sides the typo and short-name rules start from (see each rule), made once: joined in the
# rule itself, DuckDB's optimiser joins all of ``rep`` with itself first and filters after.
_RULE_SIDES = {
    "rep_rare_last": f"""
        SELECT r.* FROM rep r JOIN last_seen f ON f.last = r.last AND f.n <= {TYPO_MAX_SEEN}
    """,  # noqa: S608 (a constant of ours)
    "rep_rare_first": f"""
        SELECT r.* FROM rep r JOIN first_seen f ON f.first = r.first AND f.n <= {TYPO_MAX_SEEN}
    """,  # noqa: S608 (a constant of ours)
    "rep_unknown_first": """
        SELECT * FROM rep WHERE length(first) >= 3 AND first NOT IN (SELECT name FROM known_first)
    """,
    # Each record whose given name is a nickname of several names, once under each of them.
    "rep_given_alts": """
        SELECT * FROM (
            SELECT *, unnest(
                list_filter(string_split(first_alts, '|'), lambda x: x <> '')) AS alt
            FROM rep WHERE first_alts <> '' AND length(first) > 1
        ) WHERE alt <> first_canon
    """,
    # Each record under the keys that two ZIPs one keystroke apart (ZIP_NEAR: a digit wrong,
    # two swapped, one left out or added) always share one of: the first three digits, the
    # last two, and the first two with the last (the third and fourth swapped); a ZIP shorter
    # than five digits also under one key of all short ones. The rules that allow a mistyped ZIP
    # (names swapped, a typo of a name) join on it: joined on the names and the state alone,
    # their candidates grow with the square of a state's records (3.4 million at 1,000,000
    # gifts for 200 links, 30 million at 3,000,000, a hundred times that at 10,000,000), all
    # but a few of which ZIP_NEAR then drops. tests/test_engine_scale.py holds the keys to it.
    "rep_zip_near": """
        SELECT unique_id, first, last, state, unnest(
            ['P' || left(zip5, 3), 'S' || right(zip5, 2), 'T' || left(zip5, 2) || right(zip5, 1)]
            || CASE WHEN length(zip5) < 5 THEN ['X'] ELSE [] END) AS zkey
        FROM rep WHERE zip5 IS NOT NULL AND state IS NOT NULL
    """,
}


def deterministic_links(con: duckdb.DuckDBPyConnection) -> int:
    """``det_edges`` (l, r, slip) between representatives that deterministic rules link;
    ``slip``: a middle-slip rule made it (the split on middle initials keeps those)."""
    for column in ("first", "last"):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {column}_seen AS "  # noqa: S608
            f"SELECT {column}, count(*) AS n FROM rep WHERE {column} IS NOT NULL GROUP BY 1"
        )
    sides = (
        *_RULE_SIDES.items(),
        *TF_TABLES.items(),
        *RARE_SIDES.items(),
        *HOUSEHOLD_SIDES.items(),
    )
    for name, sql in sides:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")  # noqa: S608 (our SQL)
    rules = [
        _shared_identifier("email"),
        _shared_identifier("phone"),
        _SAME_ADDRESS,
        _SAME_ZIP4,
        _SWAPPED_IN_ZIP,
        _SAME_ZIP_EMPLOYER,
        _SAME_AREA_EMPLOYER,
        _SAME_AREA_EMPLOYER_ALT,
        _INITIAL_AT_ZIP_EMPLOYER,
        _BOTH_NAMES_TYPO_AT_ZIP4_EMPLOYER,
        _SURNAME_TYPO_IN_ZIP,
        _SURNAME_FIRST_LETTER_AT_ZIP4,
        _GIVEN_PREFIX_IN_PLACE,
        _GIVEN_TYPO_IN_ZIP,
        _RARE_NAME_IN_PLACE,
        _RARE_NAME_IN_AREA_JOB,
        _RARE_EMPLOYER,
        _GENERATION_NOT_WORKING_AT_ADDRESS,
        _RETIRED_JUNIOR,
        _MIDDLE_SLIP_AT_ZIP4,
        _MIDDLE_SLIP_AT_WORK,
        _HOUSEHOLD_AT_BOTH,
    ]
    # Each link keeps the first rule (in this order) that made it: finance staff see why two
    # records are one donor (identity.evidence reads det_rules once the run is over). One rule
    # at a time into one table: a single query of all the joins held them all in memory at once.
    con.execute("CREATE OR REPLACE TEMP TABLE det_found (l BIGINT, r BIGINT, rule INTEGER)")
    for i, sql in enumerate(rules):
        con.execute(f"INSERT INTO det_found SELECT l, r, {i} FROM ({sql})")  # noqa: S608 (our SQL)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE det_rules AS "
        "SELECT l, r, min(rule) AS rule FROM det_found GROUP BY l, r"
    )
    slip_rules = (_MIDDLE_SLIP_AT_ZIP4, _MIDDLE_SLIP_AT_WORK)
    slips = ", ".join(str(rules.index(rule)) for rule in slip_rules)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE det_edges AS "  # noqa: S608 (numbers of ours)
        f"SELECT l, r, bool_or(rule IN ({slips})) AS slip FROM det_found GROUP BY l, r"
    )
    for table in ("det_found", *_RULE_SIDES, *TF_TABLES, *RARE_SIDES, *HOUSEHOLD_SIDES):
        con.execute(f"DROP TABLE {table}")
    return con.execute("SELECT count(*) FROM det_edges").fetchall()[0][0]
