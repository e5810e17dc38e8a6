"""Normalisation in SQL: the ``records`` table of a DuckDB connection into ``norm``.

Part of the identity engine (``engine.resolve`` calls ``normalise``). The common shapes of names
and streets are parsed in SQL exactly as ``normalize`` parses them in Python (a test holds them
to it); Python parses the rest, once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from groundswell.identity import normalize as nz

RAW_COLUMNS = (
    "full_name", "given_name", "family_name", "street", "city", "state", "postal_code",
    "employer", "occupation", "email", "phone",
)  # fmt: skip

# 1. Normalisation -----------------------------------------------------------------------------


def _map_distinct(
    con: duckdb.DuckDBPyConnection,
    columns: list[str],
    out: list[str],
    fn: Callable,
    name: str,
    source: str = "records",
) -> None:
    """Create table ``name`` mapping each distinct tuple of ``columns`` through ``fn``."""
    cols = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '') AS {c}" for c in columns)
    rows = con.sql(f"SELECT DISTINCT {cols} FROM {source}").to_arrow_table()  # noqa: S608
    inputs = [rows.column(c).to_pylist() for c in columns]
    results = [fn(*values) for values in zip(*inputs, strict=True)]
    data = {c: inputs[i] for i, c in enumerate(columns)}
    if len(out) == 1:
        data[out[0]] = results
    else:
        for i, c in enumerate(out):
            data[c] = [r[i] for r in results]
    schema = pa.schema([(c, pa.string()) for c in data])
    from_arrow(con, name, pa.table(data, schema=schema))


# The shapes nearly every name comes in, parsed in SQL exactly as normalize.name_parse and
# given_family_parse would (a test holds them to it): plain ASCII letters, no title, suffix or
# particle, "LAST, FIRST [M]", "FIRST [M] LAST" or given "FIRST [M]" + family "LAST", the middle
# word no nickname of another initial (MARY BETH). Python takes the rest. A million names cost
# ~10 s in Python and well under one in DuckDB.
_NAME_FAST = """
CREATE OR REPLACE TEMP TABLE m_name_fast AS
WITH src AS (
    SELECT DISTINCT coalesce(full_name, '') AS full_name, coalesce(given_name, '') AS given_name,
        coalesce(family_name, '') AS family_name
    FROM records
), c AS (
    SELECT *,
        regexp_replace(upper(full_name), '[.''-]', '', 'g') AS f,
        regexp_replace(regexp_replace(upper(given_name), '[.''-]', '', 'g'), ',', ' ', 'g') AS g,
        regexp_replace(regexp_replace(upper(family_name), '[.''-]', '', 'g'), ',', ' ', 'g') AS h
    FROM src
    WHERE regexp_full_match(full_name || given_name || family_name, '[A-Za-z ,.''-]*')
        -- Initials written with dots ("W.D.", or the title "M.D.") are Python's to read.
        AND NOT regexp_matches(upper(full_name || ' ' || given_name || ' ' || family_name),
            $initials)
), t AS (
    SELECT *,
        contains(f, ',') AS comma,
        regexp_matches(f || ' ' || g || ' ' || h, $special) AS special,
        list_filter(string_split(split_part(f, ',', 1), ' '), lambda x: x <> '') AS f_family,
        list_filter(string_split(replace(substr(f, strpos(f, ',') + 1), ',', ' '), ' '),
                    lambda x: x <> '') AS f_given,
        list_filter(string_split(f, ' '), lambda x: x <> '') AS f_tokens,
        list_filter(string_split(g, ' '), lambda x: x <> '') AS g_tokens,
        list_filter(string_split(h, ' '), lambda x: x <> '') AS h_tokens
    FROM c
)
SELECT full_name, given_name, family_name,
    CASE WHEN f = '' THEN g_tokens[1] WHEN comma THEN f_given[1] ELSE f_tokens[1] END AS first,
    -- A second given word that repeats the given name or the surname (CLIFFORD CLIFFORD,
    -- "ROMANUCCI, ANTONIO ROMANUCCI") is the filer's slip, not a middle name (name_parse).
    CASE WHEN f = '' THEN CASE WHEN g_tokens[2] IN (g_tokens[1], array_to_string(h_tokens, ''))
                               THEN '' ELSE coalesce(left(g_tokens[2], 1), '') END
         WHEN comma THEN CASE WHEN f_given[2] IN (f_given[1], f_family[1]) THEN ''
                              ELSE coalesce(left(f_given[2], 1), '') END
         WHEN len(f_tokens) = 3 THEN CASE WHEN f_tokens[2] IN (f_tokens[1], f_tokens[3])
                                          THEN '' ELSE left(f_tokens[2], 1) END
         ELSE '' END AS middle,
    CASE WHEN f = '' THEN array_to_string(h_tokens, '') WHEN comma THEN f_family[1]
         ELSE f_tokens[-1] END AS last
FROM t
WHERE CASE
    WHEN f = '' THEN len(h_tokens) >= 1 AND len(g_tokens) BETWEEN 1 AND 2
        AND NOT special AND NOT list_contains($middle_nicknames, coalesce(g_tokens[2], ''))
    WHEN comma THEN len(f_family) = 1 AND len(f_given) BETWEEN 1 AND 2
        AND NOT special AND NOT list_contains($middle_nicknames, coalesce(f_given[2], ''))
    ELSE len(f_tokens) BETWEEN 2 AND 3 AND NOT special
        AND NOT (len(f_tokens) = 3 AND list_contains($middle_nicknames, f_tokens[2]))
END
"""


# Streets in SQL the way normalize._street_fast does them (a test holds them to it): house
# number first, unit cut off, directions and suffix abbreviated. Python takes the rest.
_STREET_FAST = r"""
CREATE OR REPLACE TEMP TABLE m_street_fast AS
WITH src AS (SELECT DISTINCT coalesce(street, '') AS street FROM records),
c AS (
    SELECT street, list_filter(string_split(regexp_replace(
        regexp_replace(upper(street), '[.]', '', 'g'), '[^A-Z0-9 #/-]+', ' ', 'g'), ' '),
        lambda x: x <> '') AS t
    FROM src WHERE regexp_full_match(street, '[ -~]*')
), cut AS (
    SELECT street, t, list_position(list_transform(t, lambda x, i: i > 1
        AND (list_contains($units, x) OR starts_with(x, '#'))), true) AS unit_at
    FROM c WHERE len(t) >= 2 AND regexp_full_match(t[1], '\d+[A-Z]?(-\d+[A-Z]?)?|\d+/\d+')
), body AS (
    SELECT street, CASE WHEN unit_at > 0 THEN t[1:unit_at - 1] ELSE t END AS t FROM cut
), pre AS (
    SELECT street, t[1] AS num,
        CASE WHEN len(t) > 2 THEN map_extract_value(MAP($dk, $dv), t[2]) END AS pre,
        CASE WHEN len(t) > 2 AND map_extract_value(MAP($dk, $dv), t[2]) IS NOT NULL
             THEN t[3:] ELSE t[2:] END AS rest
    FROM body WHERE len(t) >= 2
), post AS (
    SELECT street, num, pre,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($dk, $dv), rest[-1]) IS NOT NULL
             THEN map_extract_value(MAP($dk, $dv), rest[-1]) END AS post,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($dk, $dv), rest[-1]) IS NOT NULL
             THEN rest[1:-2] ELSE rest END AS rest
    FROM pre
), suffixed AS (
    SELECT street, num, pre, post,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($sk, $sv), rest[-1]) IS NOT NULL
             THEN list_append(rest[1:-2], map_extract_value(MAP($sk, $sv), rest[-1]))
             ELSE rest END AS rest
    FROM post
)
SELECT street, concat_ws(' ', num, pre, array_to_string(rest, ' '), post) AS n_street
FROM suffixed WHERE regexp_full_match(array_to_string(rest, ' '), '[A-Z0-9 ]+')
"""


def _streets(con: duckdb.DuckDBPyConnection) -> None:
    """``m_street``: each distinct street line → its normalised form."""
    con.execute(
        _STREET_FAST,
        {
            "units": sorted(nz.UNITS),
            "dk": list(nz.DIRECTIONS),
            "dv": list(nz.DIRECTIONS.values()),
            "sk": list(nz.SUFFIX_ABBREVIATIONS),
            "sv": list(nz.SUFFIX_ABBREVIATIONS.values()),
        },
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_street_rest AS
        SELECT DISTINCT coalesce(street, '') AS street FROM records
        EXCEPT SELECT street FROM m_street_fast
        """
    )
    _map_distinct(
        con, ["street"], ["n_street"], nz.street_normalize, "m_street_slow", source="m_street_rest"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE m_street AS "
        "SELECT * FROM m_street_fast UNION ALL SELECT * FROM m_street_slow"
    )
    for table in ("m_street_fast", "m_street_rest", "m_street_slow"):
        con.execute(f"DROP TABLE {table}")


def _names(con: duckdb.DuckDBPyConnection) -> None:
    """``m_name``: each distinct name (full, given, family) → first, first_canon, middle, last."""
    special = "(^|[ ,])(" + "|".join(sorted(nz.SPECIAL_TOKENS)) + ")([ ,]|$)"
    con.execute(
        _NAME_FAST,
        {
            "special": special,
            "initials": nz.DOTTED_INITIALS.pattern,
            # A nickname as the middle name (MARY BETH) is Python's to read (name_parse).
            "middle_nicknames": sorted(nz.MIDDLE_NICKNAMES),
        },
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_name_rest AS
        SELECT DISTINCT coalesce(full_name, '') AS full_name,
            coalesce(given_name, '') AS given_name, coalesce(family_name, '') AS family_name
        FROM records
        EXCEPT SELECT full_name, given_name, family_name FROM m_name_fast
        """
    )
    _map_distinct(
        con, ["full_name", "given_name", "family_name"], ["first", "middle", "last"],
        lambda full, given, family: tuple(
            nz.name_parse(full) if full else nz.given_family_parse(given, family)
        ),
        "m_name_slow", source="m_name_rest",
    )  # fmt: skip
    # A name's other spelling (ELISABETH) is read as the name, as a nickname is.
    nick = {**nz.spellings(), **nz.nicknames()}
    alternatives = nz.nickname_alternatives()
    from_arrow(
        con,
        "m_nickname",
        pa.table(
            {
                "nickname": list(nick),
                "name": list(nick.values()),
                "alternatives": [alternatives.get(n, "") for n in nick],
            }
        ),
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_name AS
        SELECT n.full_name, n.given_name, n.family_name, n.first,
            coalesce(k.name, n.first) AS first_canon, coalesce(k.alternatives, '') AS first_alts,
            n.middle, n.last
        FROM (SELECT * FROM m_name_fast UNION ALL SELECT * FROM m_name_slow) n
        LEFT JOIN m_nickname k ON k.nickname = n.first
        """
    )
    from_arrow(con, "known_first", pa.table({"name": sorted(nz.known_given_names())}))
    from_arrow(con, "known_last", pa.table({"name": sorted(nz.known_surnames())}))
    for table in ("m_name_fast", "m_name_rest", "m_name_slow", "m_nickname"):
        con.execute(f"DROP TABLE {table}")


# JR, SR, II, III or IV anywhere in a name's fields (as normalize.generation finds it): a father
# and son at one address differ in nothing else, so it is kept apart from the name it follows.
GENERATION_SQL = (
    "regexp_extract(upper(concat_ws(' ', r.full_name, r.given_name, r.family_name)), "
    "'(^|[ ,.])(" + "|".join(nz.GENERATIONS) + ")([ ,.]|$)', 2)"
)


def from_arrow(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("_arrow_in", table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _arrow_in")  # noqa: S608 (table names from our code, no outside text)
    finally:
        con.unregister("_arrow_in")


def normalise(con: duckdb.DuckDBPyConnection) -> None:
    """Turn ``records`` into ``norm`` (unique_id + MATCH_COLUMNS, "" for missing)."""
    present = {r[0] for r in con.execute("DESCRIBE records").fetchall()}
    for column in RAW_COLUMNS:
        if column not in present:
            con.execute(f"ALTER TABLE records ADD COLUMN {column} VARCHAR")
    _names(con)
    _streets(con)
    _map_distinct(con, ["city"], ["n_city"], nz.city_normalize, "m_city")
    _map_distinct(con, ["employer"], ["n_employer"], nz.work_normalize, "m_employer")
    _map_distinct(con, ["occupation"], ["n_occupation"], nz.work_normalize, "m_occupation")
    _map_distinct(con, ["email"], ["n_email"], nz.email_normalize, "m_email")
    _map_distinct(con, ["phone"], ["n_phone"], nz.phone_e164, "m_phone")

    def c(col: str) -> str:
        return f"coalesce(CAST(r.{col} AS VARCHAR), '')"

    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE norm AS
        SELECT r.unique_id, m_name.first, m_name.first_canon, m_name.first_alts,
               m_name.middle, m_name.last,
               m_street.n_street AS street, m_city.n_city AS city,
               upper(trim(coalesce(r.state, ''))) AS state,
               CASE WHEN regexp_full_match(left(trim(coalesce(r.postal_code, '')), 5), '[0-9]{{5}}')
                    THEN left(trim(r.postal_code), 5) ELSE '' END AS zip5,
               CASE WHEN regexp_full_match(replace(trim(coalesce(r.postal_code, '')), '-', ''),
                                           '[0-9]{{5}}[0-9]{{4}}')
                        AND right(replace(trim(r.postal_code), '-', ''), 4) <> '0000'
                    THEN right(replace(trim(r.postal_code), '-', ''), 4) ELSE '' END AS zip4,
               {GENERATION_SQL} AS suffix,
               m_employer.n_employer AS employer, m_occupation.n_occupation AS occupation,
               m_email.n_email AS email, m_phone.n_phone AS phone
        FROM records r
        JOIN m_name ON m_name.full_name = {c("full_name")}
            AND m_name.given_name = {c("given_name")} AND m_name.family_name = {c("family_name")}
        JOIN m_street ON m_street.street = {c("street")}
        JOIN m_city ON m_city.city = {c("city")}
        JOIN m_employer ON m_employer.employer = {c("employer")}
        JOIN m_occupation ON m_occupation.occupation = {c("occupation")}
        JOIN m_email ON m_email.email = {c("email")}
        JOIN m_phone ON m_phone.phone = {c("phone")}
        """  # noqa: S608
    )
    for table in ("m_name", "m_street", "m_city", "m_employer", "m_occupation", "m_email"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE m_phone")
