"""Public-data mode: unique donors in an FEC bulk itcont.txt file, without importing it.

DuckDB reads the pipe-delimited file itself (in parallel, spilling to a temporary folder, so a
multi-gigabyte file needs no more memory than its distinct donors), then the identity engine
resolves the donors. What counts, as the FEC intends:

- a **memo** row (MEMO_CD "X") repeats a contribution itemized elsewhere (an earmarked gift is
  itemized by the recipient as 15E and shown again as a memo): it is not counted again;
- a **22Y** refund does not make a donor;
- only individuals' gifts count, by the one definition the imports use
  (``schedule_a_lines.itcont_kind``: ENTITY_TP IND, or blank in older files); organisations,
  committees and the candidate's own money (CAN, 15C) are other receipts, not donors;
- a row repeated verbatim (the same SUB_ID) counts once;
- an amended report (AMNDT_IND "A") repeats the transactions of the report it amends: within one
  report (committee, report type and year) a TRAN_ID counts once, from the latest filing. A
  TRAN_ID is unique only within a report, so the same TRAN_ID in two reports is two gifts;
- a ZIP that lost its leading zero (80031401 in NJ) is repaired as ``import fec`` repairs it.

The result does not depend on the order of the file's lines (nor on DuckDB's threads): records
are numbered by SUB_ID, and everything downstream samples and breaks ties by that number.

Each donor is counted in the state of their latest gift. The naive count is the analysts' key:
first name + last name + ZIP5, exactly as filed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from groundswell.donations.intake.fec_import import COLUMNS, LEADING_ZERO_ZIPS, REFUND_TYPE
from groundswell.donations.intake.schedule_a_lines import GIFT, itcont_kind
from groundswell.identity import engine
from groundswell.identity.training_log import splink_warnings_summarised

# A row is an individual's gift when its (entity type, transaction type) pair is in this table,
# filled by ``_gift_types`` from the import's own definition.
_IS_GIFT = (
    "EXISTS (SELECT 1 FROM gift_types g WHERE g.entity = coalesce(raw.ENTITY_TP, '') "
    "AND g.ttype = coalesce(raw.TRANSACTION_TP, ''))"
)
# The columns a count needs: the rest of a national file is not copied. The first ones order
# the records (below); the amount only says whether a row is a gift at all.
_ORDERED = (
    "CMTE_ID", "AMNDT_IND", "RPT_TP", "TRANSACTION_TP", "ENTITY_TP", "NAME", "CITY", "STATE",
    "ZIP_CODE", "EMPLOYER", "OCCUPATION", "TRANSACTION_DT", "TRAN_ID", "FILE_NUM", "MEMO_CD",
    "SUB_ID",
)  # fmt: skip
_KEPT = (*_ORDERED, "TRANSACTION_AMT")
# Each field without the whitespace around it, as ``import fec`` reads it (Python's strip): a
# file whose lines end in a tab (seen in a public copy of real rows) otherwise gives every
# SUB_ID a trailing tab, and a line repeated in another file counted twice (SQL's trim takes
# spaces only).
_WHITESPACE = " \t\r\n\v\f"
_STRIPPED = ", ".join(f"trim({column}, '{_WHITESPACE}') AS {column}" for column in _KEPT)
# A row with no money in it (an amount of 0, blank or unreadable) is no gift: ``import fec``
# refuses it too (``cents_parse``), so both count the same rows.
_HAS_AMOUNT = "coalesce(try_cast(trim(TRANSACTION_AMT) AS DECIMAL(18, 2)), 0) <> 0"


# Records are numbered in this order, never the file's: Splink samples pairs by a hash of the
# number, so numbering by line order would train a different model on a shuffled file.
_ROW_ORDER = "try_cast(trim(SUB_ID) AS HUGEINT) NULLS LAST, trim(SUB_ID), " + ", ".join(
    f"{column} NULLS FIRST" for column in _ORDERED
)


def _zip_sql(zip_code: str, state: str) -> str:
    """SQL repairing a ZIP that lost its leading zeros, as ``fec_import.zip_repair`` does."""
    z = f"replace({zip_code}, '-', '')"
    padded = f"lpad({z}, CASE WHEN length({z}) > 4 THEN 9 ELSE 5 END, '0')"
    cases = " ".join(
        f"WHEN {state} = '{code}' AND CAST(left({padded}, 3) AS INTEGER) BETWEEN {low} AND {high} "
        f"THEN {padded}"
        for code, (low, high) in sorted(LEADING_ZERO_ZIPS.items())
    )
    return (
        f"CASE WHEN length({z}) IN (3, 4, 7, 8) AND regexp_full_match({z}, '[0-9]+') "
        f"THEN CASE {cases} ELSE {zip_code} END ELSE {zip_code} END"
    )


class FecFileError(ValueError):
    """The file cannot be read as an FEC itcont file."""


@dataclass
class UniqueDonors:
    unique_donors: int
    naive_unique_donors: int
    contributions: int
    by_state: dict[str, int]
    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "unique_donors": self.unique_donors,
            "naive_unique_donors": self.naive_unique_donors,
            "contributions": self.contributions,
            "by_state": self.by_state,
            "rows": self.rows,
            "skipped": self.skipped,
        }


def _read_sql(path: str) -> str:
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in COLUMNS)
    quoted = path.replace("'", "''")
    # No quoting in FEC files: a stray " in a name must not swallow the following lines.
    return (
        f"read_csv('{quoted}', delim='|', header=false, quote='', escape='', "
        f"columns={{{columns}}}, null_padding=true, ignore_errors=true, "
        f"strict_mode=false, encoding='utf-8')"
    )


def _with_progress(con, sql: str, progress: Callable[[float], None] | None) -> None:
    """Run ``sql``, reporting DuckDB's own progress (0–100) from a watcher thread."""
    if progress is None:
        con.execute(sql)
        return
    done = threading.Event()

    def watch():
        while not done.wait(0.2):
            try:
                value = con.query_progress()
            except Exception:  # the query may finish between the check and the call
                return
            if value is not None and value >= 0:
                progress(float(value))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        con.execute(sql)
    finally:
        done.set()
        watcher.join()
    progress(100.0)


def fec_unique_donors(
    path: str,
    *,
    committee: str | None = None,
    out: str | None = None,
    progress: Callable[[float], None] | None = None,
    stage: Callable[[str], None] | None = None,
    options: engine.EngineOptions | None = None,
) -> UniqueDonors:
    """Count the unique donors of an itcont.txt file (one committee's, or everyone's).

    ``progress`` hears how much of the file is read (0–100), ``stage`` each resolution stage.
    """
    if not os.path.isfile(path):
        raise FecFileError(f"{path}: no such file")
    workdir = tempfile.mkdtemp(prefix="groundswell-fec-")
    # A database file, not memory: the rows of a national file do not have to fit in RAM.
    con = duckdb.connect(os.path.join(workdir, "fec.duckdb"))
    try:
        con.execute(f"SET temp_directory = '{workdir}'")
        con.execute("SET preserve_insertion_order = false")
        where = ""
        if committee:
            code = committee.strip().upper().replace("'", "")
            where = f"WHERE upper(trim(CMTE_ID)) = '{code}'"
        try:
            _with_progress(
                con,
                f"CREATE TABLE raw AS SELECT {_STRIPPED} "  # noqa: S608
                f"FROM {_read_sql(path)} {where}",
                progress,
            )
        except duckdb.Error as exc:
            raise FecFileError(f"{path}: cannot read as an FEC itcont file: {exc}") from None
        return _count(con, out=out, options=options, stage=stage)
    finally:
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _count(
    con, *, out: str | None, options: engine.EngineOptions | None, stage=None
) -> UniqueDonors:
    rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    _select_counted(con)
    contributions = con.execute("SELECT count(*) FROM counted").fetchall()[0][0]
    skipped = _skipped(con, rows, contributions)
    con.execute("DROP TABLE raw")
    _records(con)
    con.execute("DROP TABLE counted")
    naive = _naive_count(con)
    if contributions == 0:
        return UniqueDonors(0, 0, 0, {}, rows=rows, skipped=skipped)
    # Splink warns by the dozen on a file without streets, e-mail or phones: one line instead.
    with splink_warnings_summarised():
        result = engine.resolve(con, options or engine.EngineOptions(), progress=stage)
    con.register("_clusters", result.clusters)
    con.execute("CREATE TABLE clusters AS SELECT * FROM _clusters")
    con.unregister("_clusters")
    if out:
        _write_clusters(con, out)
    return UniqueDonors(
        unique_donors=result.cluster_count,
        naive_unique_donors=naive,
        contributions=contributions,
        by_state=_by_state(con),
        rows=rows,
        skipped=skipped,
        timings=result.timings,
    )


def _gift_types(con) -> None:
    """Table ``gift_types``: the file's (entity, transaction type) pairs that are gifts.

    A file holds a few dozen distinct pairs, so asking ``itcont_kind`` about each (rather than
    per row, or in SQL written a second time) keeps one definition at no cost.
    """
    pairs = con.execute(
        "SELECT DISTINCT coalesce(ENTITY_TP, ''), coalesce(TRANSACTION_TP, '') FROM raw"
    ).fetchall()
    con.execute("CREATE OR REPLACE TABLE gift_types (entity VARCHAR, ttype VARCHAR)")
    gifts = [p for p in pairs if itcont_kind(entity=p[0], transaction_type=p[1]) == GIFT]
    if gifts:
        con.executemany("INSERT INTO gift_types VALUES (?, ?)", gifts)


def _select_counted(con) -> None:
    """Table ``counted``: the rows of ``raw`` that are gifts from individuals, each once."""
    _gift_types(con)
    con.execute(
        f"""
        CREATE TABLE counted AS
        SELECT * EXCLUDE (report, amended, file_no, in_report, any_amended) FROM (
            SELECT *,
                row_number() OVER (w ORDER BY file_no DESC, amended DESC,
                    try_cast(trim(SUB_ID) AS HUGEINT) DESC NULLS LAST, {_ROW_ORDER}) AS in_report,
                bool_or(amended) OVER w AS any_amended
            FROM (
                SELECT *,
                    upper(trim(CMTE_ID)) || '|' || upper(coalesce(trim(RPT_TP), '')) || '|'
                        || coalesce(CAST(year(try_strptime(trim(TRANSACTION_DT), '%m%d%Y'))
                                         AS VARCHAR), '') AS report,
                    upper(coalesce(trim(AMNDT_IND), '')) = 'A' AS amended,
                    coalesce(try_cast(trim(FILE_NUM) AS BIGINT), 0) AS file_no
                FROM raw
                WHERE upper(coalesce(trim(MEMO_CD), '')) <> 'X'
                  AND upper(coalesce(trim(TRANSACTION_TP), '')) <> '{REFUND_TYPE}'
                  AND {_IS_GIFT}
                  AND coalesce(trim(NAME), '') <> ''
                  AND {_HAS_AMOUNT}
                -- a line repeated (the same SUB_ID) counts once; first, so that the report
                -- window below sees one row per SUB_ID and never drops both twins
                QUALIFY row_number() OVER (PARTITION BY trim(SUB_ID) ORDER BY {_ROW_ORDER}) = 1
            )
            WINDOW w AS (PARTITION BY report, coalesce(nullif(trim(TRAN_ID), ''), SUB_ID))
        )
        -- One report's transaction filed again by an amendment: the latest filing stands for
        -- it. Without an amendment the rows are different gifts (a TRAN_ID alone, or one
        -- committee's TRAN_ID, identifies nothing: it is unique only within a report).
        WHERE in_report = 1 OR NOT any_amended
        """  # noqa: S608
    )


def _skipped(con, rows: int, contributions: int) -> dict[str, int]:
    """How many rows of ``raw`` were left out, and why."""
    skipped = dict(
        con.execute(
            f"""
            SELECT CASE WHEN upper(coalesce(trim(MEMO_CD), '')) = 'X' THEN 'memo'
                        WHEN upper(coalesce(trim(TRANSACTION_TP), '')) = '{REFUND_TYPE}'
                            THEN 'refund'
                        WHEN NOT {_IS_GIFT} THEN 'not an individual'
                        WHEN coalesce(trim(NAME), '') = '' THEN 'no name'
                        WHEN NOT {_HAS_AMOUNT} THEN 'no amount'
                        ELSE 'amendment repeat' END AS why, count(*)
            FROM raw GROUP BY 1
            """  # noqa: S608
        ).fetchall()
    )
    skipped["amendment repeat"] = (
        rows - contributions - sum(v for k, v in skipped.items() if k != "amendment repeat")
    )
    return {k: v for k, v in skipped.items() if v}


def _records(con) -> None:
    """The engine's ``records`` table from ``counted``, numbered in the file-independent order."""
    con.execute(
        f"""
        CREATE TABLE records AS
        SELECT row_number() OVER (ORDER BY {_ROW_ORDER}) - 1 AS unique_id,
            trim(NAME) AS full_name, trim(CITY) AS city, upper(trim(STATE)) AS state,
            {_zip_sql("trim(ZIP_CODE)", "upper(trim(STATE))")} AS postal_code,
            trim(EMPLOYER) AS employer, trim(OCCUPATION) AS occupation,
            trim(SUB_ID) AS sub_id,
            coalesce(try_strptime(trim(TRANSACTION_DT), '%m%d%Y'), DATE '1900-01-01') AS day
        FROM counted
        """  # noqa: S608
    )


def _naive_count(con) -> int:
    """The analysts' key: first name + last name + ZIP5, exactly as filed."""
    return con.execute(
        """
        SELECT count(*) FROM (
            SELECT DISTINCT
                upper(trim(split_part(trim(split_part(full_name, ',', 2)), ' ', 1))),
                upper(trim(split_part(full_name, ',', 1))), left(postal_code, 5)
            FROM records)
        """
    ).fetchall()[0][0]


def _by_state(con) -> dict[str, int]:
    """Donors per state, each in the state of their latest gift."""
    by_state = dict(
        con.execute(
            """
            SELECT state, count(*) FROM (
                SELECT c.cluster_id, arg_max(r.state, (r.day, r.unique_id)) AS state
                FROM clusters c JOIN records r USING (unique_id) GROUP BY c.cluster_id
            ) GROUP BY state ORDER BY state
            """
        ).fetchall()
    )
    return {(state or "unknown"): count for state, count in by_state.items()}


def _write_clusters(con, out: str) -> None:
    """Every counted row with its cluster, to a Parquet file (for labelling and checks)."""
    quoted = out.replace("'", "''")
    con.execute(
        f"""
        COPY (SELECT r.sub_id, c.cluster_id, r.full_name AS name, r.city, r.state,
                     r.postal_code AS zip_code, r.employer, r.occupation
              FROM records r JOIN clusters c USING (unique_id) ORDER BY c.cluster_id, r.sub_id)
        TO '{quoted}' (FORMAT parquet)
        """  # noqa: S608
    )
