"""When the committee's next FEC report is due: the filing schedule of a principal campaign
committee (a House or Senate candidate's), worked out from the calendar and the election dates
on the cycle's ComplianceRule.

The schedule, as we read the FEC's rules for these committees (52 U.S.C. 30104(a)(2) and
11 CFR 104.5(a)), in our own words:

- Every year, a report for each calendar quarter, due 15 days after the quarter ends (April 15,
  July 15, October 15); the fourth quarter's report is the year-end report, due January 31 of
  the following year.
- In a year with an election the candidate runs in, a pre-election report is due 12 days
  before that election (the pre-primary before the primary date, the pre-general before the
  general date), and a post-general report 30 days after the general election.
- A quarterly report is not filed when a pre-election report falls due from the 5th to the
  15th day after its quarter ends: the pre-election report takes its place.

Left out on purpose: run-off and special elections (no dates for them on the rule), the
48-hour notices of large last-minute gifts (per gift, not a schedule), monthly filers (a
candidate committee files quarterly), and moving a due date off a weekend or holiday (the FEC
does not move electronic filers' deadlines). Date arithmetic; only ``next_report`` reads the
database (the election dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from groundswell.donations.models import ComplianceRule

PRE_ELECTION_DAYS = 12
POST_GENERAL_DAYS = 30
QUARTER_DUE_DAYS = 15
# A pre-election report due from the 5th to the 15th day after a quarter ends replaces it.
WAIVER_FROM_DAY = 5


@dataclass(frozen=True, order=True)
class Report:
    due: date
    name: str


def _quarter_end(year: int, quarter: int) -> date:
    month = 3 * quarter
    return date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)


def reports_for_year(
    year: int, *, primary: date | None = None, general: date | None = None
) -> list[Report]:
    """The reports covering ``year`` (the year-end one is due the next January), by due date.

    ``primary`` and ``general`` are the year's election dates, when the candidate runs in them.
    """
    pre_election: list[Report] = []
    if primary is not None and primary.year == year:
        pre_election.append(
            Report(primary - timedelta(days=PRE_ELECTION_DAYS), "pre-primary report")
        )
    if general is not None and general.year == year:
        pre_election.append(
            Report(general - timedelta(days=PRE_ELECTION_DAYS), "pre-general report")
        )
    reports = list(pre_election)
    for quarter, name in ((1, "April quarterly"), (2, "July quarterly"), (3, "October quarterly")):
        end = _quarter_end(year, quarter)
        due = end + timedelta(days=QUARTER_DUE_DAYS)
        waived_from = end + timedelta(days=WAIVER_FROM_DAY)
        if any(waived_from <= r.due <= due for r in pre_election):
            continue
        reports.append(Report(due, f"{name} report"))
    if general is not None and general.year == year:
        reports.append(Report(general + timedelta(days=POST_GENERAL_DAYS), "post-general report"))
    reports.append(Report(date(year + 1, 1, 31), "year-end report"))
    return sorted(reports)


def next_report_after(
    today: date, *, elections: dict[int, tuple[date | None, date | None]]
) -> Report:
    """The first report due on or after ``today`` (a campaign day, never a UTC date).

    ``elections`` maps a year to its (primary, general) dates; a year not in it has none.
    """
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        primary, general = elections.get(year, (None, None))
        candidates += reports_for_year(year, primary=primary, general=general)
    return min(r for r in candidates if r.due >= today)


def next_report(today: date, *, committee_id: str = "") -> tuple[Report, int]:
    """The committee's next report and the days left to it, from its cycles' election dates."""
    primaries: dict[int, date] = {}
    generals: dict[int, date] = {}
    rules = ComplianceRule.objects.filter(
        committee_id=committee_id, cycle__gte=today.year - 1, cycle__lte=today.year + 2
    )
    for rule in rules:
        if rule.primary_date is not None:
            primaries[rule.primary_date.year] = rule.primary_date
        if rule.general_date is not None:
            generals[rule.general_date.year] = rule.general_date
    years = set(primaries) | set(generals)
    elections = {y: (primaries.get(y), generals.get(y)) for y in years}
    report = next_report_after(today, elections=elections)
    return report, (report.due - today).days
