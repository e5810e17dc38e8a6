"""The overview's filtered page, its charts' CSV downloads (the table's rows, money for finance
only, formulas defused, a safe name) and its Content-Security-Policy."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from groundswell.analytics.charts import ChartTable, Column, chart_csv
from groundswell.analytics.tests.dataset import world_build
from groundswell.analytics.tests.test_filters import snapshot

pytestmark = pytest.mark.django_db

RANGE = {"start": "2026-01-01", "end": "2026-02-28"}


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_holds_the_tables_rows_with_money_for_finance_only(persona_client, extract_file):
    world_build()
    finance = persona_client("finance")
    page = finance.get(reverse("analytics:overview"), RANGE)
    assert page.status_code == 200
    html = page.content.decode()
    # 59 days: by week. The link carries the page's filters.
    assert "/analytics/csv/range/?start=2026-01-01&amp;end=2026-02-28" in html
    response = finance.get(reverse("analytics:chart_csv", args=["range"]), RANGE)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="overview-range-20260101-20260228.csv"'
    )
    assert rows_of(response) == [
        ["Week of", "Net ($)", "Gross ($)", "Gifts", "Donors", "New"],
        ["2026-01-05", "50.00", "50.00", "1", "1", "1"],
        ["2026-01-26", "17.00", "17.00", "2", "2", "1"],
        ["2026-02-02", "20.00", "55.00", "1", "1", "0"],
        ["2026-02-09", "20.00", "20.00", "1", "1", "0"],
    ]
    # The accessible table beside the chart shows the same rows.
    table = html.split('id="table-range"')[1].split("</table>")[0]
    for cell in ("Jan 5, 2026", "$50.00", "$17.00", "$55.00", "Feb 9, 2026"):
        assert cell in table
    organizer = persona_client("organizer")
    theirs = organizer.get(reverse("analytics:chart_csv", args=["range"]), RANGE)
    assert theirs.status_code == 200
    assert rows_of(theirs) == [
        ["Week of", "Donors", "New"],
        ["2026-01-05", "1", "1"],
        ["2026-01-26", "2", "1"],
        ["2026-02-02", "1", "0"],
        ["2026-02-09", "1", "0"],
    ]
    assert b"$" not in theirs.content and b"50.00" not in theirs.content


def test_a_segments_csv_and_a_refused_one(persona_client, extract_file):
    from groundswell.accounts.roles import FINANCE_VIEW

    world = world_build()
    rafe = snapshot("Rafe", world["p2"])
    giving = snapshot("Givers", world["p1"], needs=FINANCE_VIEW)
    finance = persona_client("finance")
    url = reverse("analytics:chart_csv", args=["range"])
    response = finance.get(url, {**RANGE, "segment": rafe.pk})
    assert rows_of(response)[1:] == [
        ["2026-01-05", "50.00", "50.00", "1", "1", "1"],
        ["2026-02-09", "20.00", "20.00", "1", "1", "0"],
    ]
    page = finance.get(reverse("analytics:overview"), {**RANGE, "segment": rafe.pk})
    assert "count only the donors of the segment “Rafe”" in page.content.decode()
    organizer = persona_client("organizer")
    refused = organizer.get(url, {**RANGE, "segment": giving.pk})
    assert refused.status_code == 400 and b"no such segment" in refused.content
    page = organizer.get(reverse("analytics:overview"), {"segment": giving.pk})
    assert page.status_code == 400 and "no such segment you can see" in page.content.decode()
    assert "Givers" not in page.content.decode()
    assert organizer.get(reverse("analytics:chart_csv", args=["nope"])).status_code == 404


def test_a_comparison_shows_each_figure_beside_its_change(persona_client, extract_file):
    world_build()
    page = persona_client("finance").get(
        reverse("analytics:overview"),
        {"start": "2025-07-01", "end": "2026-06-30", "compare": "previous"},
    )
    html = page.content.decode()
    row = html.split('data-figure="net_cents">')[1].split("</tr>")[0]
    assert "$107.00" in row and "$55.00" in row and "+$52.00 (+95%)" in row
    row = html.split('data-figure="average_cents">')[1].split("</tr>")[0]
    assert "-$6.10 (-22%)" in row


def test_the_csv_defuses_formulas():
    table = ChartTable(
        [Column("=HYPERLINK(1)", "count"), Column("@cmd", "cents")], [[-3, -250], [4, 5]]
    )
    lines = chart_csv(table).splitlines()
    assert lines[0] == "'=HYPERLINK(1),'@cmd ($)"
    # Numbers are values, not formulas, in every spreadsheet: left as they are.
    assert lines[1:] == ["-3,-2.50", "4,0.05"]


@pytest.mark.parametrize("role", ["finance", "organizer"])
def test_analytics_pages_carry_the_staff_policy(persona_client, extract_file, role):
    client = persona_client(role)
    for url in (reverse("analytics:overview"), reverse("analytics:chart_csv", args=["weeks"])):
        response = client.get(url)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy
    refused = client.get(reverse("analytics:overview"), {"start": "nonsense"})
    assert refused.status_code == 400 and "Content-Security-Policy" in refused
