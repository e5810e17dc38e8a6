"""The FEC filing schedule of a candidate committee: due dates worked out by hand from the
rules in deadlines.py's docstring, across year ends, and the overview's countdown on the
campaign's day (not UTC's)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from groundswell.donations.compliance.deadlines import (
    Report,
    next_report,
    next_report_after,
    reports_for_year,
)


def test_a_year_without_an_election_has_three_quarterlies_and_a_year_end():
    assert reports_for_year(2027) == [
        Report(date(2027, 4, 15), "April quarterly report"),
        Report(date(2027, 7, 15), "July quarterly report"),
        Report(date(2027, 10, 15), "October quarterly report"),
        Report(date(2028, 1, 31), "year-end report"),
    ]


def test_an_election_year_adds_pre_election_and_post_general_reports():
    # Primary June 2: pre-primary 12 days before (May 21). General November 3: pre-general
    # October 22, post-general 30 days after (December 3).
    assert reports_for_year(2026, primary=date(2026, 6, 2), general=date(2026, 11, 3)) == [
        Report(date(2026, 4, 15), "April quarterly report"),
        Report(date(2026, 5, 21), "pre-primary report"),
        Report(date(2026, 7, 15), "July quarterly report"),
        Report(date(2026, 10, 15), "October quarterly report"),
        Report(date(2026, 10, 22), "pre-general report"),
        Report(date(2026, 12, 3), "post-general report"),
        Report(date(2027, 1, 31), "year-end report"),
    ]


def test_a_pre_election_report_due_5_to_15_days_after_a_quarter_replaces_it():
    # Primary July 21: pre-primary due July 9, from the 5th to the 15th day after June 30.
    names = [r.name for r in reports_for_year(2026, primary=date(2026, 7, 21))]
    assert "July quarterly report" not in names and "pre-primary report" in names
    # Primary July 31: pre-primary due July 19, after the window: both are filed.
    names = [r.name for r in reports_for_year(2026, primary=date(2026, 7, 31))]
    assert "July quarterly report" in names and "pre-primary report" in names
    # Primary July 16: pre-primary due July 4, before the window: both are filed.
    names = [r.name for r in reports_for_year(2026, primary=date(2026, 7, 16))]
    assert "July quarterly report" in names


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 31), Report(date(2027, 1, 31), "year-end report")),
        (date(2027, 1, 1), Report(date(2027, 1, 31), "year-end report")),
        (date(2027, 1, 31), Report(date(2027, 1, 31), "year-end report")),
        (date(2027, 2, 1), Report(date(2027, 4, 15), "April quarterly report")),
        (date(2026, 10, 16), Report(date(2026, 10, 22), "pre-general report")),
        (date(2026, 12, 4), Report(date(2027, 1, 31), "year-end report")),
    ],
)
def test_the_next_report_across_year_ends(today, expected):
    elections = {2026: (date(2026, 6, 2), date(2026, 11, 3))}
    assert next_report_after(today, elections=elections) == expected


@pytest.mark.django_db
def test_the_next_report_reads_the_cycles_election_dates():
    from groundswell.donations.models import ComplianceRule

    assert next_report(date(2026, 10, 16)) == (Report(date(2027, 1, 31), "year-end report"), 107)
    ComplianceRule.objects.create(
        cycle=2026, primary_date=date(2026, 6, 2), general_date=date(2026, 11, 3)
    )
    assert next_report(date(2026, 10, 16)) == (Report(date(2026, 10, 22), "pre-general report"), 6)
    # Another committee's dates are not ours.
    assert next_report(date(2026, 10, 16), committee_id="C00999999")[0].name == "year-end report"


@pytest.mark.django_db
def test_the_overview_counts_down_in_new_york_at_half_past_nine_pm(
    persona_client, settings, monkeypatch, tmp_path
):
    """At 21:30 on January 30 in New York it is January 31 in UTC: the year-end report is due
    tomorrow (1 day), not today."""
    from django.utils import timezone

    settings.TIME_ZONE = "America/New_York"
    settings.GROUNDSWELL_ANALYTICS_EXTRACT = str(tmp_path / "extract.duckdb")
    evening = datetime(2027, 1, 31, 2, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    for role in ("organizer", "volunteer", "finance"):
        page = persona_client(role).get("/analytics/")
        assert page.status_code == 200
        line = page.content.decode().split('id="fec-deadline">')[1].split("</p>")[0]
        assert "1 day to the year-end report" in line
        assert "Sunday, January 31, 2027" in line
