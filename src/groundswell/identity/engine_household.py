"""A deterministic link from a household seen at two addresses (engine step 3, with
``engine_links``).

The same name at two ZIP5s of one town is two namesakes as often as one person who moved, and
for a common name far more often. But a donor seldom gives alone: a spouse or a grown child of
the surname gives too. When the file holds that other member (the surname under a given name of
their own) at both ZIP5s beside the name, the two records are one family that moved or gives
from two homes. Two namesakes would each have to live with a namesake of the other's spouse.
On the ninth real FEC sample both blind labellers called each such pair one person without
doubt (a retired woman at two ZIPs of one city, her husband's gifts at both; an investor at two
ZIPs of one borough, his wife's at both), where the model scored them 0.71 and 0.78: the name is
common and nothing else agrees.

The household member must be one person at both addresses as far as the file can say: one given
name, middle initials and generation marks that do not differ. The name itself must not differ
in middle initial or generation either (a JR who set up house near his parents is another man
of the name, with a mother of the same name at both), and where streets are known each record
must be at its household member's street.
"""

from __future__ import annotations

from groundswell.identity.engine_guards import DISTINCT_MARKS_AGREE, SAME_GENERATION
from groundswell.identity.zip_places import zips_near_sql

# Each (surname, ZIP5) with two given names seen there, the second a person of their own: not
# a nickname, an initial, a name written short or one letter off of the first (those may be the
# first person again). Where both records have a street, the same street: one household.
HOUSEHOLD_SIDES = {
    # Only a name seen at two ZIP5s of a state can be the pair, or the member beside it at both:
    # the households are built from those records alone. Built from every record they took 3.0 s
    # at 1,000,000 generated gifts (the step's 15 s became 21 s); from these, 0.5 s.
    "rep_two_zips": """
        SELECT r.* FROM rep r
        JOIN (SELECT last, first_canon, state FROM rep
              WHERE length(first) > 1 AND zip5 IS NOT NULL
              GROUP BY 1, 2, 3 HAVING min(zip5) <> max(zip5)) n
          ON n.last = r.last AND n.first_canon = r.first_canon AND n.state = r.state
        WHERE length(r.first) > 1 AND r.zip5 IS NOT NULL
    """,
    "rep_household": """
        SELECT DISTINCT x.last, x.zip5, x.state, x.first_canon AS name,
            coalesce(x.street, y.street) AS street, y.first_canon AS member,
            y.middle AS member_middle, y.suffix AS member_suffix
        FROM rep_two_zips x JOIN rep_two_zips y ON x.last = y.last AND x.zip5 = y.zip5
        WHERE x.first_canon <> y.first_canon
          AND damerau_levenshtein(x.first_canon, y.first_canon) > 1
          AND NOT starts_with(x.first_canon, y.first_canon)
          AND NOT starts_with(y.first_canon, x.first_canon)
          AND instr(coalesce(x.first_alts, ''), '|' || y.first_canon || '|') = 0
          AND instr(coalesce(y.first_alts, ''), '|' || x.first_canon || '|') = 0
          AND (x.street IS NULL OR y.street IS NULL OR x.street = y.street)
    """,
}

# The same name (or nickname) at two ZIP5s of one city or at neighbouring ZIPs, in one state,
# with one household member beside it at both. Joined from the households, not from the name's
# records: JOHN SMITH's records in a big city, compared with each other, grow with the square
# of the file; the (JOHN, MARY) SMITH households of a state are a handful.
HOUSEHOLD_AT_BOTH = f"""
    WITH moved AS (
        SELECT DISTINCT p.last, p.name, p.zip5 AS zip_a, q.zip5 AS zip_b,
            p.street AS street_a, q.street AS street_b
        FROM rep_household p JOIN rep_household q ON p.last = q.last AND p.name = q.name
            AND p.member = q.member AND p.state = q.state AND p.zip5 < q.zip5
        WHERE (p.member_middle IS NULL OR q.member_middle IS NULL
               OR p.member_middle = q.member_middle)
          AND coalesce(p.member_suffix, '') = coalesce(q.member_suffix, '')
    )
    SELECT DISTINCT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
    FROM moved m
    JOIN rep_two_zips a ON a.last = m.last AND a.first_canon = m.name AND a.zip5 = m.zip_a
        AND (a.street IS NULL OR m.street_a IS NULL OR a.street = m.street_a)
    JOIN rep_two_zips b ON b.last = m.last AND b.first_canon = m.name AND b.zip5 = m.zip_b
        AND (b.street IS NULL OR m.street_b IS NULL OR b.street = m.street_b)
    WHERE a.state = b.state AND (a.city = b.city OR {zips_near_sql()})
      AND {DISTINCT_MARKS_AGREE} AND {SAME_GENERATION}
"""  # noqa: S608
