"""The Splink model's settings: the comparisons it weighs and the blocking rules that choose
which pairs it compares.

``splink_model`` trains and scores with them, on DuckDB or on Spark: the SQL of each is written
for the backend at hand when the settings are created.
"""

from __future__ import annotations

from groundswell.identity.engine_guards import GENERIC_EMPLOYERS
from groundswell.identity.zip_places import NEAR_KM

COMPARISON_NAMES = (
    "first", "last", "middle", "location", "employer", "occupation", "email", "phone",
)  # fmt: skip


def _fixed(level, m: float):
    """A comparison level whose m probability is set here, not by EM (see ``settings``)."""
    return level.configure(m_probability=m, fix_m_probability=True)


def _first_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    # The given name's m values are fixed too, for the same reason as the surname's (below):
    # the only sessions that leave it free to differ block on surname and ZIP, where EM cannot
    # tell one person from a household without another field that varies (FEC files have no
    # street, e-mail or phone), and it drifted to calling an exact given name evidence against
    # a match. How often one person's given name is written each way is known well enough.
    return cl.CustomComparison(
        output_column_name="first",
        comparison_levels=[
            cll.NullLevel("first"),
            _fixed(cll.ExactMatchLevel("first").configure(tf_adjustment_column="first"), 0.86),
            _fixed(
                # No term-frequency adjustment here: the level's own u already says how seldom
                # two random records share a name written two ways, and adjusting it by the
                # name's frequency, as for an exact match, charged a common name twice (JIM
                # beside JAMES scored 0.5 bits, JAMES beside JAMES 4.8).
                # Any of a nickname's names, not only the one it is read as (KRIS is read as
                # CHRISTOPHER; beside KRISTEN it is hers): as the engine's name guards read it
                # (``engine_guards.SAME_GIVEN_NAME``), else the model scored the pair as two
                # given names that differ while the guards called them one.
                cll.CustomLevel(
                    "first_canon_l = first_canon_r "
                    "OR instr(coalesce(first_alts_l, ''), concat('|', first_canon_r, '|')) > 0 "
                    "OR instr(coalesce(first_alts_r, ''), concat('|', first_canon_l, '|')) > 0",
                    label_for_charts="Nickname of each other",
                ),
                0.04,
            ),
            _fixed(cll.DamerauLevenshteinLevel("first", 1), 0.05),
            _fixed(cll.JaroWinklerLevel("first", 0.92), 0.015),
            _fixed(
                cll.CustomLevel(
                    "(length(first_l) = 1 AND (first_l = substr(first_r, 1, 1) "
                    "OR first_l = substr(first_canon_r, 1, 1))) "
                    "OR (length(first_r) = 1 AND (first_r = substr(first_l, 1, 1) "
                    "OR first_r = substr(first_canon_l, 1, 1)))",
                    label_for_charts="Initial agrees (R and Bob too)",
                ),
                0.025,
            ),
            _fixed(cll.ElseLevel(), 0.01),
        ],
    )


def _last_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    # The surname's m values are fixed, not trained: EM cannot identify them on donor files.
    # Any blocking that leaves the surname free to differ (the same first name at one ZIP)
    # is dominated by coworkers at the employer's ZIP+4, whom EM takes for one person changing
    # surname (it learned that 80% of matches differ in surname, a −0.3 bit disagreement).
    # What is known instead: a person's surname is written the same way nearly always, is a
    # variant of itself (a double or hyphenated name, a typo) now and then, and changes
    # outright (marriage) in about one record in a hundred. (Given and family names swapped
    # are linked by a deterministic rule: as Splink levels, too rare for u sampling to see.)
    return cl.CustomComparison(
        output_column_name="last",
        comparison_levels=[
            cll.NullLevel("last"),
            _fixed(cll.ExactMatchLevel("last").configure(tf_adjustment_column="last"), 0.88),
            _fixed(
                cll.CustomLevel(
                    "least(length(last_l), length(last_r)) >= 3 "
                    "AND (contains(last_l, last_r) OR contains(last_r, last_l))",
                    label_for_charts="One inside the other (double or hyphenated)",
                ),
                0.04,
            ),
            _fixed(
                cll.JaroWinklerLevel("last", 0.92).configure(label_for_charts="A typo"),
                0.06,
            ),
            _fixed(cll.JaroWinklerLevel("last", 0.85), 0.01),
            _fixed(cll.ElseLevel(), 0.01),
        ],
    )


def _middle_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="middle",
        comparison_levels=[
            cll.NullLevel("middle"),
            cll.ExactMatchLevel("middle"),
            cll.ElseLevel(),
        ],
    )


def _location_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    # Street, city, ZIP and state in one comparison: they agree or disagree together, and
    # separate comparisons would count one move four times against a match.
    return cl.CustomComparison(
        output_column_name="location",
        comparison_levels=[
            cll.CustomLevel(
                "(zip5_l IS NULL AND city_l IS NULL) OR (zip5_r IS NULL AND city_r IS NULL)"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "street_l = street_r AND (zip5_l = zip5_r OR city_l = city_r)",
                label_for_charts="Same street address",
            ),
            cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("zip5")).configure(
                label_for_charts="Street nearly the same, same ZIP"
            ),
            cll.CustomLevel("zip5_l = zip5_r AND zip4_l = zip4_r", label_for_charts="Same ZIP+4"),
            cll.CustomLevel(
                "zip5_l = zip5_r AND (city_l IS NULL OR city_r IS NULL "
                "OR jaro_winkler_similarity(city_l, city_r) >= 0.9)",
                label_for_charts="Same ZIP and city (or a city left out)",
            ),
            cll.CustomLevel("zip5_l = zip5_r", label_for_charts="Same ZIP"),
            cll.CustomLevel("city_l = city_r AND state_l = state_r", label_for_charts="Same city"),
            # Another town a few kilometres off (Bethesda and Chevy Chase, a suburb and the city
            # beside it): a donor who moved or gives from home and office, far likelier than in
            # a random town of the state, and no city name or ZIP3 says so.
            cll.DistanceInKMLevel("lat", "lon", NEAR_KM).configure(
                label_for_charts=f"Neighbouring ZIPs (within {NEAR_KM} km)"
            ),
            cll.CustomLevel(
                "state_l = state_r AND jaro_winkler_similarity(city_l, city_r) >= 0.9",
                label_for_charts="City misspelt, same state",
            ),
            cll.CustomLevel("state_l = state_r", label_for_charts="Same state"),
            cll.ElseLevel(),
        ],
    )


def _work_comparison(column: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
            cll.JaroWinklerLevel(column, 0.9),
            cll.ElseLevel(),
        ],
    )


def _exact_comparison(column: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), cll.ElseLevel()],
    )


def settings(*, keep_field_weights: bool = False):
    """Splink settings for people: names with nicknames, location, work, e-mail and phone."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            _first_comparison(),
            _last_comparison(),
            _middle_comparison(),
            _location_comparison(),
            _work_comparison("employer"),
            _work_comparison("occupation"),
            _exact_comparison("email"),
            _exact_comparison("phone"),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=keep_field_weights,
        max_iterations=12,
    )


SAME_SURNAME_INITIAL_STATE = (
    "l.last = r.last AND left(l.first, 1) = left(r.first, 1) AND l.state = r.state"
)


def blocking_rules():
    """Which pairs are compared at all: each rule finds a kind of true pair cheaply.

    Never a common value alone (a first name, a city): that would compare millions of pairs.
    """
    from splink import block_on

    return [
        block_on("last", "zip5"),  # same surname and ZIP: typos and nicknames in the given name
        block_on("first_canon", "last", "state"),  # moved within a state, or ZIP mistyped
        block_on("first_canon", "street"),  # surname changed or mistyped, same address
        block_on("first_canon", "zip5"),  # surname and street both mistyped or changed
        block_on("last", "street"),  # given name mistyped, initial only, or nickname
        block_on("street", "zip5"),  # initial only and surname mistyped, same address
        block_on("first_canon", "last", "middle"),  # moved to another state
        block_on("first_canon", "last", "occupation"),  # moved to another state
        block_on("first_canon", "last", "employer"),  # moved to another state, same job
        block_on("last", "city", "state"),  # given name and ZIP both mistyped
        # Given name, city and ZIP all mistyped: a surname with the same initial, in one state,
        # at ZIPs one keystroke apart - which always share the first three digits, the last
        # two, or the first two with the last (``engine_links``' rep_zip_near keys). On the
        # state alone this rule's pairs grew with the square of the file (2.8 million at
        # 1,000,000 gifts, 15.1 million at 3,000,000, its largest block 138 -> 465 records)
        # and were most of the scoring's growth at 10,000,000.
        f"{SAME_SURNAME_INITIAL_STATE} AND left(l.zip5, 3) = left(r.zip5, 3)",
        f"{SAME_SURNAME_INITIAL_STATE} AND right(l.zip5, 2) = right(r.zip5, 2)",
        f"{SAME_SURNAME_INITIAL_STATE} AND left(l.zip5, 2) = left(r.zip5, 2)"
        " AND right(l.zip5, 1) = right(r.zip5, 1)",
        # ... or moved within the state, the given name written another way, at one employer
        # (real FEC rows: J. JEFFREY and JEFF at one pharmacy in two towns). Not a status that
        # half a state shares (RETIRED), nor a blank.
        f"{SAME_SURNAME_INITIAL_STATE} AND l.employer = r.employer"
        f" AND l.employer NOT IN ('', {GENERIC_EMPLOYERS})",
        # Both names mistyped at one ZIP: their first letters rarely are.
        "l.zip5 = r.zip5 AND left(l.last, 3) = left(r.last, 3)",
        "l.zip5 = r.zip5 AND left(l.first, 3) = left(r.first, 3)",
        block_on("email"),
        block_on("phone"),
    ]
