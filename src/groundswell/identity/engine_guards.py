"""The name guards of the identity engine: SQL conditions on a pair of records ``a`` and ``b``.

Every automatic link (deterministic or Splink's) passes through these, whatever its score:
they say which differences between two names mean two people.
"""

# What tells two people of one name apart, and is never outweighed: a middle initial or a
# generation (JR, SR, II, III) that differs. Checked on every link, direct or through others.
DISTINCT_MARKS_AGREE = """
    (a.middle IS NULL OR b.middle IS NULL OR a.middle = b.middle)
    AND (a.suffix IS NULL OR b.suffix IS NULL OR a.suffix = b.suffix)
"""
# Across two ZIPs a generation mark on one side only (RAY and RAY JR in one city, at two
# addresses) is a father and son more often than one man writing it now and then: links
# beyond one ZIP want the same mark or none on both sides.
SAME_GENERATION = "coalesce(a.suffix, '') = coalesce(b.suffix, '')"
# One given name: the same canonical name, or a nickname of several names (HAL: Henry and
# Harold) of which the other is one.
# A given name of two parts written with and without the space (MARY ANN, read as MARY with
# the middle initial A, and MARYANN), or split by a stray space (JOH N and JOHN): one side's
# given name and middle initial begin the other's given name, and what follows is a name of
# its own or the first part is none (ANN E and ANNETTE are two names).
_SPLIT_GIVEN = """
    (length({x}.first) >= 2 AND length({y}.first) >= length({x}.first) + 2
     AND starts_with({y}.first, {x}.first || {x}.middle)
     AND (substr({y}.first, length({x}.first) + 1) IN (SELECT name FROM known_first)
          OR {x}.first NOT IN (SELECT name FROM known_first)))
"""
SAME_GIVEN_NAME = f"""
    (a.first_canon = b.first_canon
     OR instr(coalesce(a.first_alts, ''), '|' || b.first_canon || '|') > 0
     OR instr(coalesce(b.first_alts, ''), '|' || a.first_canon || '|') > 0
     OR coalesce({_SPLIT_GIVEN.format(x="a", y="b")}, false)
     OR coalesce({_SPLIT_GIVEN.format(x="b", y="a")}, false))
"""
# Employment that says the donor is not working, in so many words. NOT EMPLOYED, UNEMPLOYED,
# NONE and N/A are not here: work_normalize makes them "" (FEC filers write them where nothing
# was asked), so a rule that takes a blank as "not working" says so itself.
NOT_WORKING = ", ".join(f"'{v}'" for v in ("RETIRED", "HOMEMAKER", "DISABLED", "RETIREE"))
GENERIC_EMPLOYERS = ", ".join(
    f"'{v}'" for v in ("RETIRED", "SELF EMPLOYED", "HOMEMAKER", "STUDENT", "DISABLED", "SELF")
)
# Words that begin many employers' names, or are in many of them, and tell none apart.
_COMMON_EMPLOYER_WORDS = "[" + ", ".join(
    f"'{v}'"
    for v in (
        "THE", "UNITED", "AMERICAN", "AMERICA", "NATIONAL", "FIRST", "GENERAL", "CITY",
        "COUNTY", "STATE", "STATES", "UNIVERSITY", "NEW", "US", "LAW", "BANK", "NORTH", "SOUTH",
        "EAST", "WEST", "CENTRAL", "GREAT", "SAINT", "ST", "SELF", "RETIRED", "DEPARTMENT",
        "OFFICE", "GROUP", "SERVICES", "SERVICE", "COMPANY", "COMPANIES", "CORPORATION",
        "ASSOCIATES", "ASSOCIATION", "PARTNERS", "HOLDINGS", "INTERNATIONAL", "HEALTH",
        "SYSTEMS", "MEDICAL", "CENTER", "CENTERS", "SCHOOL", "SCHOOLS", "HOSPITAL", "CAPITAL",
        "MANAGEMENT", "CONSULTING", "INVESTMENTS", "FINANCIAL", "INSURANCE", "ENERGY",
        "PUBLIC", "COMMUNITY", "FOUNDATION", "INSTITUTE", "COLLEGE", "GOVERNMENT", "LOCAL",
        "UNION", "COUNCIL", "CHURCH", "TRUST", "REALTY", "PROPERTIES", "ENTERPRISES",
        "INDUSTRIES", "TECHNOLOGIES", "TECHNOLOGY", "SOLUTIONS", "PRODUCTS", "EMPLOYED",
        "HOMEMAKER", "FARMS", "FARMING", "DAIRY", "RANCH", "CONSTRUCTION", "ELECTRIC",
        "PLUMBERS", "PIPEFITTERS", "AFFILIATED", "LOCALS", "LABORERS", "TEAMSTERS", "WORKERS",
        "ATTORNEY", "OFFICES", "PRACTICE", "CLINIC", "PHYSICIANS", "DEVELOPMENT", "RESEARCH",
        "MARKETING", "CONSULTANTS", "ADVISORS", "SECURITIES", "FUNDS", "EQUITY", "VENTURES",
        "STORE", "STORES", "MOTORS", "SUPPLY", "BUILDERS", "HOMES", "REAL", "ESTATE",
    )
) + "]"  # fmt: skip
_EMPLOYER_WORDS = (
    "list_filter(string_split({side}.employer, ' '), "
    f"lambda x: length(x) >= 5 AND NOT list_contains({_COMMON_EMPLOYER_WORDS}, x))"
)
# An employer's initials (PACIFIC GAS AND ELECTRIC COMPANY: PGEC), the little words left out.
_INITIALS = (
    "list_aggregate(list_transform(list_filter(string_split({side}.employer, ' '), "
    "lambda x: x NOT IN ('AND', 'OF', 'THE', 'FOR')), lambda x: x[1]), 'string_agg', '')"
)
# One employer written as the other's initials (PG E and PACIFIC GAS AND ELECTRIC COMPANY, KCM
# and QUILLBY CAPITAL MANAGEMENT): the short one's letters, at least three, begin the
# initials of the other, which has at least three words.
_ACRONYM = """
    (length(replace({x}.employer, ' ', '')) BETWEEN 3 AND 5
     AND length(string_split({y}.employer, ' ')) >= 3
     AND starts_with({initials_y}, replace({x}.employer, ' ', '')))
    OR (length(split_part({x}.employer, ' ', 1)) BETWEEN 3 AND 5
        AND length(string_split({y}.employer, ' ')) >= 3
        AND starts_with({initials_y}, split_part({x}.employer, ' ', 1)))
"""
# One employer written two ways: the same distinctive first word (VOLTRIDGE CORP and VOLTRIDGE
# GENERATION; of three letters only if initials: VKM GROUP and VKM & ASSOCIATES, not TEL and
# TEL DAR) or nearly so (MARLOWET and MARLOWIT), nearly the same letters once spaces go
# (HEARTHSTEAD and HEARTH STEAD, O BRANNOCK OIL and OBRANNOCK OIL), a distinctive word in
# both (QUILLAN & REESE and ABERLOW QUILLAN), the same first word of letters and digits
# (3M CHINA and 3M COMPANY), or one the other's initials; or an employer and a job written in
# each other's field (TENAFLY PEDIATRICS / PHYSICIAN and PHYSICIAN / TENAFLY PEDIATRICS, seen on
# real FEC rows). Never a status.
SAME_EMPLOYER = f"""
    (a.employer NOT IN ({GENERIC_EMPLOYERS}) AND b.employer NOT IN ({GENERIC_EMPLOYERS})
     AND (a.employer = b.employer
          OR ((length(split_part(a.employer, ' ', 1)) >= 4
               OR NOT regexp_matches(split_part(a.employer, ' ', 1), '[AEIOUY]'))
              AND length(split_part(a.employer, ' ', 1)) >= 3
              AND jaro_winkler_similarity(split_part(a.employer, ' ', 1),
                                          split_part(b.employer, ' ', 1))
                  >= CASE WHEN length(split_part(a.employer, ' ', 1)) >= 6 THEN 0.93 ELSE 1 END
              AND NOT list_contains({_COMMON_EMPLOYER_WORDS}, split_part(a.employer, ' ', 1)))
          OR jaro_winkler_similarity(replace(a.employer, ' ', ''), replace(b.employer, ' ', ''))
             >= 0.9
          OR (least(length(replace(a.employer, ' ', '')), length(replace(b.employer, ' ', '')))
                  >= 8
              AND left(replace(a.employer, ' ', ''), 8) = left(replace(b.employer, ' ', ''), 8))
          OR list_has_any({_EMPLOYER_WORDS.format(side="a")},
                          {_EMPLOYER_WORDS.format(side="b")})
          OR (split_part(a.employer, ' ', 1) = split_part(b.employer, ' ', 1)
              AND regexp_matches(split_part(a.employer, ' ', 1), '[0-9]')
              AND regexp_matches(split_part(a.employer, ' ', 1), '[A-Z]'))
          OR {_ACRONYM.format(x="a", y="b", initials_y=_INITIALS.format(side="b"))}
          OR {_ACRONYM.format(x="b", y="a", initials_y=_INITIALS.format(side="a"))}
          OR (a.employer = b.occupation AND a.occupation = b.employer)))
"""


# Statuses, not anyone's own: many share them.
_STATUSES = f"{NOT_WORKING}, 'SELF EMPLOYED', 'STUDENT', 'SELF'"
# A generation mark on one side only (SR and no mark, at the address a father and son share)
# is one man writing it now and then, or his son who left it out: the link wants something of
# the man's own besides name and place, the same e-mail, phone, middle initial, employer (as
# SAME_EMPLOYER reads it) or job (not a status such as RETIRED). Without it the pair is left
# to review.
GENERATION_CORROBORATED = f"""
    (coalesce(a.suffix, '') = coalesce(b.suffix, '')
     OR coalesce(a.email = b.email, false) OR coalesce(a.phone = b.phone, false)
     OR coalesce(a.middle = b.middle, false)
     OR coalesce({SAME_EMPLOYER}, false)
     OR coalesce(a.occupation = b.occupation AND a.occupation NOT IN ({_STATUSES}), false))
"""
# Given names compatible: same canonical name, or one side only an initial that agrees, or one
# side missing; and middle initials and generations that do not disagree.
COMPATIBLE = f"""
    ({SAME_GIVEN_NAME} OR a.first IS NULL OR b.first IS NULL
     OR (length(a.first) = 1 AND a.first IN (b.first[1], b.first_canon[1]))
     OR (length(b.first) = 1 AND b.first IN (a.first[1], a.first_canon[1])))
    AND {DISTINCT_MARKS_AGREE} AND {GENERATION_CORROBORATED}
"""
# Given and family names written the other way round (JOHN SMITH as SMITH JOHN), one of them
# perhaps mistyped, or the given name written as a nickname on the other side (EDWARD in the
# family-name field, ED as the given name: the nickname table's canonical name is the written
# one): compared crosswise.
SWAPPED = """
    (length(a.first) > 1 AND length(b.first) > 1
     AND ((a.first = b.last AND (jaro_winkler_similarity(a.last, b.first) >= 0.9
                                 OR a.last = b.first_canon))
          OR (a.last = b.first AND (jaro_winkler_similarity(a.first, b.last) >= 0.9
                                    OR a.first_canon = b.last))))
"""


# A typo of a given name: one letter off (or nearly the same), as written or in canonical form
# (KENNY and KENETH), both at least three letters, and not both real names (MARK and MARY are
# two people, RYAN and RTAN one) unless they are long names one letter apart (RACHAEL and
# RACHEL, KRISTEN and KIRSTEN) or the same e-mail address says they are one person.
FIRST_NAME_TYPO = """
    (length(a.first) >= 3 AND length(b.first) >= 3
     AND (damerau_levenshtein(a.first, b.first) <= 1
          OR damerau_levenshtein(a.first_canon, b.first_canon) <= 1
          OR jaro_winkler_similarity(a.first, b.first) >= 0.92)
     AND (NOT (a.first IN (SELECT name FROM known_first)
               AND b.first IN (SELECT name FROM known_first))
          OR (least(length(a.first), length(b.first)) >= 6
              AND damerau_levenshtein(a.first, b.first) <= 1)
          OR coalesce(a.email = b.email, false)))
"""
# A given name written short (TAV for TAVISHTON): one the start of the other, at least three
# letters, and not both names of their own (DAN and DANIELLE share a household).
GIVEN_PREFIX = """
    (a.first <> b.first AND least(length(a.first), length(b.first)) >= 3
     AND (starts_with(a.first, b.first) OR starts_with(b.first, a.first))
     AND NOT (a.first IN (SELECT name FROM known_first)
              AND b.first IN (SELECT name FROM known_first)))
"""
# A given name written as its initial beside a full name (T. AMBROSE beside TOBIAS) is the same
# man to the model when a rare surname, one ZIP and one job agree, but not where both name
# employers and the employers differ: on real FEC rows two owners of two firms in one small town
# were so joined at 0.9999, each having given the maximum on one day (two households' wives at
# the ZIP). Retired or self-employed, at one ZIP+4, or with one e-mail or phone, the initial
# stays the man (an executive at home who sits on another company's board, and six retirees
# who sign with an initial, on the same rows). Such a pair goes to review.
_INITIAL_CORROBORATED = f"""
    (NOT (coalesce(a.employer, '') NOT IN ('', {GENERIC_EMPLOYERS}, {NOT_WORKING})
          AND coalesce(b.employer, '') NOT IN ('', {GENERIC_EMPLOYERS}, {NOT_WORKING})
          AND NOT {SAME_EMPLOYER})
     OR coalesce(a.zip5 = b.zip5 AND a.zip4 = b.zip4, false)
     OR coalesce(a.email = b.email, false) OR coalesce(a.phone = b.phone, false))
"""
# The household guard on Splink's links: a surname, address, phone and even e-mail shared
# by a household add up to a high score, but two different given names (not a nickname, not a
# typo, not an initial) are two people; such a pair goes to review instead.
FIRST_NAMES_AGREE = f"""
    (a.first IS NULL OR b.first IS NULL OR {SAME_GIVEN_NAME}
     OR {FIRST_NAME_TYPO}
     -- CASE: the employer comparison only for the few pairs with an initial, not for every
     -- scored pair (with it the guard cost about 1.5 s at 1,000,000 gifts, one run each way)
     OR CASE WHEN (length(a.first) = 1 AND a.first IN (b.first[1], b.first_canon[1]))
                  OR (length(b.first) = 1 AND b.first IN (a.first[1], a.first_canon[1]))
             THEN {_INITIAL_CORROBORATED} ELSE false END
     OR {SWAPPED})
"""
# The coworker guard on Splink's links: payroll donors at the employer's ZIP+4 share a ZIP,
# an employer, a job title and often a first name, which together outscore any surname
# disagreement. Two surnames that are not variants of one another (one inside the other, as
# in a double or hyphenated name; a typo; the names swapped) are two people, unless a shared
# e-mail or phone says one person changed surname; such a pair goes to review. A shared street
# is no such sign: payroll donors often give the office's street address, so coworkers of one
# first name share a street, a ZIP+4, an employer and a job title. Two known surnames a letter
# apart (JOHNSON and JOHNSTON, HALL and HILL) are two families' names, not a typo, as in the
# deterministic typo rules: on real FEC rows the model joined a JOHNSON and a JOHNSTON of one
# given name (a nickname) at their employer's ZIP+4, two coworkers with two job titles. MAC
# and MC are one prefix written two ways (MACDONALD and MCDONALD), not two names.
_NOT_TWO_KNOWN_SURNAMES = """
    (NOT (a.last IN (SELECT name FROM known_last) AND b.last IN (SELECT name FROM known_last))
     OR regexp_replace(a.last, '^MAC', 'MC') = regexp_replace(b.last, '^MAC', 'MC'))
"""
SURNAMES_AGREE = f"""
    (a.last IS NULL OR b.last IS NULL OR a.last = b.last
     OR (least(length(a.last), length(b.last)) >= 3
         AND (contains(a.last, b.last) OR contains(b.last, a.last)))
     OR (least(length(a.last), length(b.last)) >= 4
         AND damerau_levenshtein(a.last, b.last)
             <= CASE WHEN least(length(a.last), length(b.last)) >= 8 THEN 2 ELSE 1 END
         AND {_NOT_TWO_KNOWN_SURNAMES})
     OR (jaro_winkler_similarity(a.last, b.last) >= 0.94 AND {_NOT_TWO_KNOWN_SURNAMES})
     OR {SWAPPED}
     OR coalesce(a.email = b.email, false) OR coalesce(a.phone = b.phone, false))
"""
# Every automatic link (not a staff decision) must pass all three.
AUTO_LINK_GUARD = (
    f"{FIRST_NAMES_AGREE} AND {SURNAMES_AGREE} AND {DISTINCT_MARKS_AGREE}"
    f" AND {GENERATION_CORROBORATED}"
)


# One place, or one ZIP mistyped: the same ZIP; or, in one state, ZIPs one keystroke apart (a
# digit wrong, two swapped) with the same city, a misspelt one (JW ≥ 0.9) or a city left out.
ZIP_NEAR = """
    (a.zip5 = b.zip5
     OR (a.state = b.state AND damerau_levenshtein(a.zip5, b.zip5) = 1
         AND (a.city IS NULL OR b.city IS NULL OR a.city = b.city
              OR jaro_winkler_similarity(a.city, b.city) >= 0.9)))
"""
# Two street addresses that differ say more than a name's typo does: rules that forgive a typo
# (in a name, or names swapped) apply where the street is the same or not known (FEC files have
# none); elsewhere the model weighs the pair. Without it, a typo of one of two namesakes in a
# city joins the other.
STREETS_DO_NOT_DIFFER = "NOT coalesce(a.street <> b.street, false)"
