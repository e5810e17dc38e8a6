"""Deterministic links for names rare in the file, and for generation marks at one address
(engine step 3, with ``engine_links``).

An identical full name in one place is one person when nobody else is likely to bear it. How
likely is read from the file itself, as Splink's term-frequency adjustment reads it: the share
of the file's people with the surname times the share with the given name, times the file's
people, is how many bearers of that full name one would expect in the file if names were drawn
independently (JOHN SMITH: dozens; a rare surname with most given names: a small fraction).
"People" are distinct (given name, surname, ZIP5) triples, so a monthly donor's hundred gifts
count once. The expectation is taken over the whole file, not the city: campaign files (and
the public samples measured in docs/identity-evaluation.md) hold a few donors per city, names
cluster by place and employer, and a per-city expectation called a common full name rare in a
big city. Over the file it is not: on the hand-labelled real FEC pairs, names expected on more
than about 0.1 people that the place rule would have linked were namesakes as often as one
person.

In a small file the shares are large (one surname in ten records is 0.1), so the rules hold
back there, which is the safe side.
"""

from __future__ import annotations

from groundswell.identity.engine_guards import (
    COMPATIBLE,
    DISTINCT_MARKS_AGREE,
    GENERIC_EMPLOYERS,
    NOT_WORKING,
    SAME_EMPLOYER,
    SAME_GENERATION,
    STREETS_DO_NOT_DIFFER,
)
from groundswell.identity.zip_places import zips_near_sql

# Bearers of the full name expected in the file at or below which an identical name in one
# city or ZIP5 is one person whatever the employment says (one chance in ten that a second
# bearer is anywhere in the file). With the same employer in one state, or a JR on one side
# at one address where neither works, the pair agrees on more than a name and a place, and up
# to one expected bearer is let through. Chosen on the hand-labelled real FEC pairs
# (bench/identity_label.py; docs/identity-evaluation.md): above these, namesakes were linked
# (at one employer across a state, 2 linked an account executive and a manager of one bank's
# two arms).
EXPECTED_BEARERS_PLACE = 0.1
EXPECTED_BEARERS_CORROBORATED = 1.0

# The file's people, the shares of them with each surname and with each given name, and each
# full name's expected bearers under independence.
TF_TABLES = {
    "tf_people": """
        SELECT DISTINCT first_canon, last, zip5 FROM rep
        WHERE length(first) > 1 AND last IS NOT NULL
    """,
    "tf_total": "SELECT count(*)::DOUBLE AS n FROM tf_people",
    "tf_last": "SELECT last, count(*) AS n FROM tf_people GROUP BY 1",
    "tf_first": "SELECT first_canon, count(*) AS n FROM tf_people GROUP BY 1",
    # Full names of which a JR, SR, II or III is seen in a state: a family with two bearers.
    "tf_generations": """
        SELECT DISTINCT first_canon, last, state FROM rep
        WHERE suffix IS NOT NULL AND length(first) > 1
    """,
    "tf_name": """
        SELECT p.first_canon, p.last, l.n * f.n / (SELECT n FROM tf_total) AS expected
        FROM (SELECT DISTINCT first_canon, last FROM tf_people) p
        JOIN tf_last l USING (last) JOIN tf_first f USING (first_canon)
    """,
}


# The records whose full name is rare enough for any rule below (both sides of a pair share
# the name, so both come from here). The rules join on name and state (or ZIP); joined over
# all of ``rep``, JOHN SMITH's records in a state were compared with each other, a number
# that grows with the square of the file, before ``_rare`` dropped them all.
RARE_SIDES = {
    "rep_rare_name": f"""
        SELECT r.* FROM rep r JOIN tf_name t
            ON t.first_canon = r.first_canon AND t.last = r.last
        WHERE t.expected <= {max(EXPECTED_BEARERS_PLACE, EXPECTED_BEARERS_CORROBORATED)}
    """,  # noqa: S608 (numbers of ours)
}


def _rare(limit: float) -> str:
    """The pair's full name (side ``a``'s; the rules join on it) has at most ``limit``
    expected bearers in the file."""
    return f"""
        coalesce((SELECT t.expected FROM tf_name t
                  WHERE t.first_canon = a.first_canon AND t.last = a.last) <= {limit}, false)
    """  # noqa: S608 (a number of ours)


# An identical name (or nickname), rare in the file, in one ZIP5 or one city: one person
# whatever the employment text says (a job change, RETIRED beside an employer, an employer
# written two ways). Middle initials must not differ, nor generations (a JR on one side only
# may be a son: that wants the JR rule below or the model), nor two known streets; and not
# where the name is seen with a JR or SR in the state: that family has two bearers of it,
# and an unmarked gift may be either man's.
RARE_NAME_IN_PLACE = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep_rare_name a JOIN rep_rare_name b ON a.first_canon = b.first_canon
        AND a.last = b.last AND a.state = b.state AND a.unique_id < b.unique_id
        AND (a.zip5 = b.zip5 OR a.city = b.city)
    WHERE length(a.first) > 1 AND length(b.first) > 1
      AND {DISTINCT_MARKS_AGREE} AND {SAME_GENERATION} AND {STREETS_DO_NOT_DIFFER}
      AND {_rare(EXPECTED_BEARERS_PLACE)}
      AND NOT EXISTS (SELECT 1 FROM tf_generations g WHERE g.first_canon = a.first_canon
                      AND g.last = a.last AND g.state = a.state)
"""  # noqa: S608
# Words of a job title that say its rank or its status, not the work: two people of one name
# can share them by chance (a MANAGING DIRECTOR and a PARTNER, two VICE PRESIDENTs).
_RANK_WORDS = "[" + ", ".join(
    f"'{v}'"
    for v in (
        "MANAGER", "MANAGING", "MANAGEMENT", "DIRECTOR", "PRESIDENT", "EXECUTIVE", "SENIOR",
        "OFFICER", "PARTNER", "PRINCIPAL", "ASSOCIATE", "ASSISTANT", "CHIEF", "OWNER", "RETIRED",
        "EMPLOYED", "GENERAL", "GROUP", "SERVICES", "SERVICE", "SPECIALIST", "BUSINESS",
        "REGIONAL", "NATIONAL", "GLOBAL", "OPERATIONS", "ADMINISTRATION", "ADMINISTRATOR",
        "CONSULTANT", "CONSULTING", "HOMEMAKER", "STUDENT", "DEPUTY", "LEADER", "SUPERVISOR",
        "COORDINATOR", "MEMBER", "FOUNDER", "CHAIRMAN", "INFORMATION", "REQUESTED",
    )
) + "]"  # fmt: skip
_JOB_WORDS = (
    "list_filter(string_split(regexp_replace(coalesce({side}.occupation, ''), '[^A-Z ]', ' ', 'g'),"
    " ' '), lambda x: length(x) >= 5 AND NOT list_contains(" + _RANK_WORDS + ", x))"
)
# An identical name, rare in the file, in one ZIP3 or at neighbouring ZIPs (``zip_places``: a
# metropolitan area, the next town, a home in the suburbs and an office downtown; a metro area
# spans two ZIP3s as often as not) whose job titles share a word of the work itself
# (GENERAL COUNSEL and DEPUTY GENERAL COUNSEL; DEALER and PRESIDENT/DEALER; CLAIM in both):
# a donor who moved or gave from two addresses. Without that word, a rare name across a metro
# area was two people as often as one on the labelled real FEC rows (an air traffic controller
# and a fire fighter; a bank's managing director and an accounting firm's partner).
RARE_NAME_IN_AREA_JOB = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep_rare_name a JOIN rep_rare_name b ON a.first_canon = b.first_canon
        AND a.last = b.last AND a.state = b.state AND a.unique_id < b.unique_id
        AND (left(a.zip5, 3) = left(b.zip5, 3) OR {zips_near_sql()})
    WHERE length(a.first) > 1 AND length(b.first) > 1
      AND {DISTINCT_MARKS_AGREE} AND {SAME_GENERATION} AND {STREETS_DO_NOT_DIFFER}
      AND list_has_any({_JOB_WORDS.format(side="a")}, {_JOB_WORDS.format(side="b")})
      AND {_rare(EXPECTED_BEARERS_PLACE)}
      AND NOT EXISTS (SELECT 1 FROM tf_generations g WHERE g.first_canon = a.first_canon
                      AND g.last = a.last AND g.state = a.state)
"""  # noqa: S608
# An identical name with one employer (written either way) anywhere in one state: a donor
# giving from home and from the office in another town (a company's headquarters ZIP), or
# after a move within the state. The employer rules in engine_links stop at one city or ZIP3
# because a common name at a big employer has namesakes across a state; a rare one has not.
RARE_NAME_EMPLOYER_IN_STATE = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep_rare_name a JOIN rep_rare_name b ON a.first_canon = b.first_canon
        AND a.last = b.last AND a.state = b.state AND a.unique_id < b.unique_id
    WHERE length(a.first) > 1 AND length(b.first) > 1 AND {COMPATIBLE} AND {SAME_GENERATION}
      AND {SAME_EMPLOYER} AND {STREETS_DO_NOT_DIFFER} AND {_rare(EXPECTED_BEARERS_CORROBORATED)}
"""  # noqa: S608

_STATUS = f"('', {NOT_WORKING})"
_AT_HOME = f"('', {NOT_WORKING}, 'SELF EMPLOYED', 'SELF')"


def _not_working(side: str) -> str:
    """Every employment field of ``side`` is a status (RETIRED) or blank (work_normalize blanks
    NOT EMPLOYED, NONE and N/A)."""
    return f"""
        (coalesce({side}.employer, '') IN {_STATUS}
         AND coalesce({side}.occupation, '') IN {_STATUS})
    """


# At least one of the two says so in words: two blanks say nothing about work.
_ONE_SAYS_NOT_WORKING = f"""
    (a.employer IN ({NOT_WORKING}) OR a.occupation IN ({NOT_WORKING})
     OR b.employer IN ({NOT_WORKING}) OR b.occupation IN ({NOT_WORKING}))
"""


# A generation mark on one side only (WILLIAM E JR and WILLIAM) at one address (the same ZIP5,
# and the same ZIP+4 where both have one), neither side working: a retired man who writes JR
# now and then. A father and son at one address are told apart by the son's job (a working
# side leaves the pair to the model, which GENERATION_CORROBORATED then guards). Not for a
# common name, two retired bearers of which may share a ZIP.
GENERATION_NOT_WORKING_AT_ADDRESS = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep_rare_name a JOIN rep_rare_name b ON a.first_canon = b.first_canon
        AND a.last = b.last AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
    WHERE length(a.first) > 1 AND length(b.first) > 1
      AND (a.suffix IS NULL) <> (b.suffix IS NULL)
      AND (a.zip4 IS NULL OR b.zip4 IS NULL OR a.zip4 = b.zip4)
      AND (a.middle IS NULL OR b.middle IS NULL OR a.middle = b.middle)
      AND {STREETS_DO_NOT_DIFFER} AND {_not_working("a")} AND {_not_working("b")}
      AND {_ONE_SAYS_NOT_WORKING}
      AND {_rare(EXPECTED_BEARERS_CORROBORATED)}
"""  # noqa: S608

# A JR (II, III, IV) on one side only at one address (the same ZIP5, and the same ZIP+4 where both
# have one), the JR side retired or not employed in so many words: a retired man is seldom a son
# living in his father's house, so the unmarked record there is himself with the JR left out (a
# working physician and a retired JR of his name at one ZIP; on the labelled real FEC pairs both
# labellers called each such pair one person). For any name, not only a rare one: the address and
# the retirement corroborate what the name does not. Not for SR (a father who writes SR has a son
# of his name, who often leaves out the JR: a retired SR and an unmarked chairman of the company
# the father founded, which the son later chaired), nor where the JR side works (a son at his
# parents' address), nor where the ZIP holds another mark of the name (a JR and a SR, or a III and
# a IV: a family of two bearers), nor where the unmarked name is at two ZIP+4s of the ZIP (two
# unmarked bearers the JR could be either of).
RETIRED_JUNIOR_AT_ADDRESS = f"""
    WITH c AS (
        SELECT a.unique_id AS a_id, b.unique_id AS b_id, b.zip4 AS b_zip4
        FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
            AND a.zip5 = b.zip5 AND a.unique_id <> b.unique_id
        WHERE a.suffix IN ('JR', 'II', 'III', 'IV') AND b.suffix IS NULL
          AND length(a.first) > 1 AND length(b.first) > 1
          AND (a.zip4 IS NULL OR b.zip4 IS NULL OR a.zip4 = b.zip4)
          AND (a.middle IS NULL OR b.middle IS NULL OR a.middle = b.middle)
          AND {STREETS_DO_NOT_DIFFER} AND {_not_working("a")}
          AND (a.employer IN ({NOT_WORKING}) OR a.occupation IN ({NOT_WORKING}))
          AND NOT EXISTS (SELECT 1 FROM rep g WHERE g.first_canon = a.first_canon
                          AND g.last = a.last AND g.zip5 = a.zip5 AND g.suffix <> a.suffix)
    )
    SELECT least(a_id, b_id) AS l, greatest(a_id, b_id) AS r FROM c
    WHERE a_id IN (SELECT a_id FROM c GROUP BY a_id HAVING count(DISTINCT b_zip4) <= 1)
"""  # noqa: S608

# Middle initials that differ at one ZIP+4 (OLIVIA I and OLIVIA L), the same given name as
# written, a rare name, at home: neither works for an employer (both retired, not employed or
# self-employed) and the job agrees (or neither works): a slip of the filer's hand. One ZIP+4
# means the same one where both have it and at least one side has it: a filing without the +4
# beside one with it is the same home as far as the file says (a rare name with one middle
# initial at a ZIP+4 and another at its bare ZIP5, both not employed; on the eighth real FEC
# sample both blind labellers called each such pair one person without doubt). Two ZIP5s
# alone are a wider place, where a retired father and son may both live: left to the model. A
# differing middle initial is otherwise the best sign of a father and son, and the two are kept
# apart wherever an employer is named: at an employer's ZIP+4 a father and son on one payroll
# share the place, the employer and often the job. engine_cluster's split on middle initials
# keeps these links (the only automatic links whose middle initials differ).
MIDDLE_SLIP_AT_ZIP4 = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.first = b.first AND a.last = b.last AND a.zip5 = b.zip5
        AND a.unique_id < b.unique_id
    WHERE length(a.first) > 1 AND a.middle <> b.middle AND {SAME_GENERATION}
      AND coalesce(a.zip4 = b.zip4, true) AND coalesce(a.zip4, b.zip4) IS NOT NULL
      AND {STREETS_DO_NOT_DIFFER}
      AND coalesce(a.employer, '') IN {_AT_HOME} AND coalesce(b.employer, '') IN {_AT_HOME}
      AND (a.occupation = b.occupation OR ({_not_working("a")} AND {_not_working("b")}))
      AND {_rare(EXPECTED_BEARERS_PLACE)}
"""  # noqa: S608

# Middle initials that differ at an employer's ZIP+4 (NOELLE L and NOELLE C, both operations
# managers at one utility's office), the same given name as written, where everything else the
# filer wrote agrees to the letter: the ZIP+4, the employer (not a status) and the job title
# (not a status). A father and son on one payroll share the place and the employer but seldom
# the title (a president and a vice president, a representative and a chairman stay apart);
# without a ZIP+4 (a union local's members across a town, every one a PLUMBER/PIPEFITTER) the
# pair is left to the model; and so it is under a title of ownership or office (OWNER,
# PARTNER, VICE PRESIDENT...), which a family firm's father and son hold at once. The name
# must be rare in the file as for the other corroborated rules: two JOHN A and JOHN B SMITHs
# may well be engineers at one plant.
_FAMILY_FIRM_TITLES = "[" + ", ".join(
    f"'{v}'"
    for v in (
        "OWNER", "CO", "PARTNER", "PRINCIPAL", "PRESIDENT", "PRES", "VICE", "VP", "SVP", "EVP",
        "AVP", "CEO", "COO", "CFO", "CHAIRMAN", "CHAIR", "FOUNDER", "MEMBER", "PROPRIETOR",
        "SHAREHOLDER", "OFFICER", "TREASURER", "SECRETARY", "DIRECTOR", "EXECUTIVE", "MANAGING",
    )
) + "]"  # fmt: skip
MIDDLE_SLIP_AT_WORK = f"""
    SELECT a.unique_id AS l, b.unique_id AS r
    FROM rep a JOIN rep b ON a.first = b.first AND a.last = b.last AND a.zip5 = b.zip5
        AND a.zip4 = b.zip4 AND a.employer = b.employer AND a.occupation = b.occupation
        AND a.unique_id < b.unique_id
    WHERE length(a.first) > 1 AND a.middle <> b.middle AND {SAME_GENERATION}
      AND {STREETS_DO_NOT_DIFFER}
      AND a.employer NOT IN ({GENERIC_EMPLOYERS}, {NOT_WORKING})
      AND a.occupation NOT IN ({GENERIC_EMPLOYERS}, {NOT_WORKING})
      AND NOT list_has_any(string_split(a.occupation, ' '), {_FAMILY_FIRM_TITLES})
      AND {_rare(EXPECTED_BEARERS_CORROBORATED)}
"""  # noqa: S608
