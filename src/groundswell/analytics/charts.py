"""Vega-Lite specs and their tables for the dashboards, built on the server from the metrics' rows.

Each chart is a ``Chart``: the spec, and the ``ChartTable`` that is at once the accessible table
beside it and the rows of its "Download CSV" (``chart_csv``), so the three never disagree. The
page draws the spec with the vendored vega-embed (core/chart.js), which also makes the PNG.
Money columns exist only in the tables of finance viewers' charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from groundswell.analytics import metrics
from groundswell.core.spreadsheet import csv_line

# A column's kind says how a cell is shown and written: a date at the chart's grain, whole
# cents (shown as dollars), or a whole number.
KINDS = ("day", "week", "month", "cents", "count")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str


@dataclass(frozen=True)
class ChartTable:
    columns: list[Column]
    rows: list[list]  # raw values: dates, integer cents, integers

    @property
    def cells(self) -> list[list[tuple]]:
        """Each row's (value, column kind) pairs, for the template."""
        kinds = [c.kind for c in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """What ``analytics/_chart.html`` draws: see the include's header for each field's use."""

    slug: str  # unique on the page; the CSV endpoint's name for it, and the files' names
    title: str
    description: str  # the chart's text alternative (what the bars show)
    spec: dict
    table: ChartTable
    csv_url: str = ""
    note: str = ""
    empty: str = "Nothing in this range."

    @property
    def spec_id(self) -> str:
        return f"spec-{self.slug}"


def _when(day: date) -> str:
    # "YYYY-MM-DDT00:00": a date-only ISO string is read as UTC midnight, which west of
    # Greenwich would draw the bar a day (or a month) early.
    return f"{day.isoformat()}T00:00"


_TIME = {
    "day": ("yearmonthdate", "%b %-d", "%B %-d, %Y"),
    "week": ("yearmonthdate", "%b %-d", "week of %B %-d, %Y"),
    "month": ("yearmonth", "%b %Y", "%B %Y"),
}


def bars_spec(values: list[dict], *, grain: str, title: str, money: bool, extra: tuple) -> dict:
    """Bars over time: ``values`` hold ``when`` and ``value`` (plus ``extra`` tooltip fields)."""
    unit, axis_format, tip_format = _TIME[grain]
    number = "$,.2f" if money else ",d"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": 220,
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "x": {
                "field": "when",
                "type": "ordinal",
                "timeUnit": unit,
                "title": None,
                "axis": {"format": axis_format, "labelAngle": 0, "labelOverlap": True},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                # Whole donors: no tick at 0.2 of a person.
                "axis": {"format": "$,.0f", "tickCount": 5}
                if money
                else {"format": ",d", "tickMinStep": 1},
            },
            "tooltip": [
                {"field": "when", "type": "temporal", "title": "When", "format": tip_format},
                {"field": "value", "type": "quantitative", "title": title, "format": number},
                *({"field": k, "type": "quantitative", "title": t} for k, t in extra),
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def _label(month) -> str:
    return month.strftime("%b %Y")


def cohorts_spec(rows: list[metrics.CohortRow]) -> dict:
    """A heat-map: one row per first-gift month, one column per month after it, the colour the
    share of the cohort that gave that month. Cohorts of no one and months not yet ended are
    left blank (no share to show)."""
    values = [
        {"cohort": _label(row.month), "after": k, "share": percent, "donors": n, "size": row.size}
        for row in rows
        if row.size
        for k, (n, percent) in enumerate(row.cells, start=1)
        if percent is not None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": {"step": 20},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {
                "field": "after",
                "type": "ordinal",
                "title": "Months after the first gift",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "cohort",
                "type": "ordinal",
                "title": None,
                "sort": [_label(row.month) for row in rows],
            },
            "color": {
                "field": "share",
                "type": "quantitative",
                "title": "% gave again",
                "scale": {"domain": [0, 100], "scheme": "greens"},
                "legend": {"orient": "bottom", "gradientLength": 160},
            },
            "tooltip": [
                {"field": "cohort", "title": "First gift in"},
                {"field": "after", "title": "Months after"},
                {"field": "donors", "type": "quantitative", "title": "Gave again"},
                {"field": "size", "type": "quantitative", "title": "Of donors"},
                {"field": "share", "type": "quantitative", "title": "Percent"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def recurring_spec(rows: list[metrics.RecurringRow]) -> dict:
    """Bars of recurring revenue received each month; recurring donors in the tooltip."""
    values = [
        {
            "month": f"{row.month.isoformat()}T00:00",
            "revenue": row.revenue_cents / 100,
            "donors": row.donors,
            "installments": row.installments,
        }
        for row in rows
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": 200,
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "x": {
                "field": "month",
                "type": "ordinal",
                "timeUnit": "yearmonth",
                "title": None,
                "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": True},
            },
            "y": {
                "field": "revenue",
                "type": "quantitative",
                "title": "Recurring revenue ($)",
                "axis": {"format": "$,.0f", "tickCount": 5},
            },
            "tooltip": [
                {"field": "month", "type": "temporal", "title": "Month", "format": "%B %Y"},
                {"field": "revenue", "type": "quantitative", "title": "Revenue", "format": "$,.2f"},
                {"field": "donors", "type": "quantitative", "title": "Recurring donors"},
                {"field": "installments", "type": "quantitative", "title": "Installments"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


def series_table(
    money: list[metrics.MoneyRow], donors: list[metrics.DonorRow], *, grain: str, finance: bool
) -> ChartTable:
    """One row per day, week or month with a gift: money (finance only), donors and new donors."""
    by_bucket = {d.bucket: d for d in donors}
    if finance:
        columns = [
            Column(grain.capitalize() if grain != "week" else "Week of", grain),
            Column("Net", "cents"),
            Column("Gross", "cents"),
            Column("Gifts", "count"),
            Column("Donors", "count"),
            Column("New", "count"),
        ]
        rows = []
        for r in money:
            d = by_bucket.get(r.bucket)
            rows.append(
                [
                    r.bucket,
                    r.net_cents,
                    r.gross_cents,
                    r.count,
                    d.donors if d else 0,
                    d.new if d else 0,
                ]
            )
        return ChartTable(columns, rows)
    columns = [
        Column(grain.capitalize() if grain != "week" else "Week of", grain),
        Column("Donors", "count"),
        Column("New", "count"),
    ]
    return ChartTable(columns, [[d.bucket, d.donors, d.new] for d in donors])


def series_chart(
    slug: str,
    title: str,
    money: list[metrics.MoneyRow],
    donors: list[metrics.DonorRow],
    *,
    grain: str,
    finance: bool,
) -> Chart:
    """Net dollars for finance roles, unique donors for everyone else, by day, week or month."""
    table = series_table(money, donors, grain=grain, finance=finance)
    if finance:
        values = [
            {"when": _when(r.bucket), "value": r.net_cents / 100, "gifts": r.count} for r in money
        ]
        spec = bars_spec(
            values, grain=grain, title="Net raised ($)", money=True, extra=(("gifts", "Gifts"),)
        )
        shows = "net dollars raised"
    else:
        values = [{"when": _when(r.bucket), "value": r.donors, "new": r.new} for r in donors]
        spec = bars_spec(
            values, grain=grain, title="Unique donors", money=False, extra=(("new", "New donors"),)
        )
        shows = "unique donors"
    return Chart(
        slug=slug,
        title=title,
        description=f"Bar chart of {shows} each {grain}; the same numbers are in the table below.",
        spec=spec,
        table=table,
    )


def cell_text(value, kind: str) -> str:
    """A cell as the CSV writes it: ISO dates, dollars with two decimals, whole numbers."""
    if value is None:
        return ""
    if kind == "cents":
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"
    if kind in ("day", "week", "month"):
        return value.isoformat()
    return str(value)


def chart_csv(table: ChartTable) -> str:
    """The table as CSV for a spreadsheet: every cell through core's formula guard."""
    lines = [csv_line([c.label + (" ($)" if c.kind == "cents" else "") for c in table.columns])]
    for row in table.rows:
        lines.append(
            csv_line(cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True))
        )
    return "".join(lines)


def sources_spec(lines: list, *, finance: bool, dimension_label: str) -> dict:
    """Horizontal bars of the top lines: net dollars for finance roles, unique donors else."""
    if finance:
        values = [{"label": ln.label, "value": ln.net_cents / 100} for ln in lines]
        title, number = "Net raised ($)", "$,.2f"
    else:
        values = [{"label": ln.label, "value": ln.donors} for ln in lines]
        title, number = "Unique donors", ",d"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": {"step": 22},
        "mark": {"type": "bar", "color": "#0d6b5c", "tooltip": True},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                # Long refcodes are cut on the axis; the tooltip and the table have them whole.
                "axis": {"labelLimit": 110},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                "axis": {"format": "$,.0f", "tickCount": 4}
                if finance
                else {"format": ",d", "tickMinStep": 1, "tickCount": 4},
            },
            "tooltip": [
                {"field": "label", "type": "nominal", "title": dimension_label},
                {"field": "value", "type": "quantitative", "title": title, "format": number},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }
