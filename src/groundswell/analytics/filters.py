"""The dashboards' filters: a date range, a segment and a comparison period, from a query string.

Any dashboard page reads them with ``filters_read(request.GET, user=..., today=...)``: it
returns clean ``Filters`` or raises ``FilterError`` with a message for the page's 400, and
``engine_scoped`` narrows an engine to the segment so every metric over it counts only the
segment's donors, and the list metrics only its people (the metric definitions do not change).

A segment's donors: a donor (an identity cluster, or the name+ZIP key of a gift no cluster
holds) is in a segment when any of its records belongs to a person in the segment — a person
record of the cluster, or a gift of the cluster made by such a person. All of that donor's
gifts then count, including gifts made under another name the cluster joined, so a donor's
"first gift" stays their first gift ever.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

import ibis
import pyarrow as pa
from django import forms

from groundswell.analytics import metrics
from groundswell.analytics.engine import Engine
from groundswell.core.untrusted import whole_number
from groundswell.identity.models import RecordKind
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people, segments_for

COMPARISONS = {
    "": "No comparison",
    "previous": "The previous period of the same length",
    "year": "The same period a year before",
}
EARLIEST = date(2000, 1, 1)


class FilterError(ValueError):
    """The query string asked for something we do not answer; the message says what."""


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    segment: Segment | None = None
    compare: str = ""
    chosen: bool = False  # the range was asked for (not the default)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def comparison(self) -> tuple[date, date] | None:
        """The comparison period's first and last day, or None without a comparison."""
        return comparison_range(self.start, self.end, self.compare)

    def query(self) -> str:
        """The query string that asks for these filters again (for the download links)."""
        fields = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.segment is not None:
            fields["segment"] = str(self.segment.pk)
        if self.compare:
            fields["compare"] = self.compare
        return urlencode(fields)


def year_before(day: date) -> date:
    """The same day a year before; February 29 becomes February 28."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def comparison_range(start: date, end: date, compare: str) -> tuple[date, date] | None:
    if compare == "previous":
        length = end - start + timedelta(days=1)
        return start - length, start - timedelta(days=1)
    if compare == "year":
        return year_before(start), year_before(end)
    if compare == "":
        return None
    raise ValueError(f"unknown comparison {compare!r}")


def months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def default_start(today: date) -> date:
    """The first day of the month eleven months back: the last twelve months, this one included."""
    return months_back(today, 11)


_YEARS = {3: "three", 10: "ten"}


class FilterForm(forms.Form):
    """The range, segment and comparison of any dashboard: the one parser of their dates.

    A page with fields of its own (a grouping, a grain) subclasses it and sets, as class
    attributes or keywords: ``default_days`` (without a start, the range is that many days up
    to its end; without it, the last twelve months), ``future`` (whether the range may run
    to the end of next year, else only to today: by default only pages without
    ``default_days`` look ahead) and ``longest_years``.
    """

    default_days: int | None = None
    future: bool | None = None
    longest_years: int = 10

    start = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    segment = forms.CharField(required=False, max_length=12, label="Segment")
    compare = forms.ChoiceField(
        required=False, choices=list(COMPARISONS.items()), label="Compare with"
    )

    def __init__(self, *args, user, today: date, default_days: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        if default_days is not None:
            self.default_days = default_days

    @property
    def longest_days(self) -> int:
        return self.longest_years * 366

    @cached_property
    def segment_choices(self) -> list[Segment]:
        return list(segments_for(user=self.user).only("pk", "name"))

    def clean_segment(self) -> Segment | None:
        text = self.cleaned_data.get("segment") or ""
        if not text:
            return None
        number = whole_number(text, max_digits=12)
        # A segment the viewer may not see is refused as if it did not exist.
        found = [s for s in self.segment_choices if s.pk == number] if number else []
        if not found:
            raise forms.ValidationError("There is no such segment you can see.")
        return found[0]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        future = self.default_days is None if self.future is None else self.future
        latest = date(self.today.year + 1, 12, 31) if future else self.today
        if self.default_days is None:
            start = cleaned.get("start") or default_start(self.today)
        else:
            # Worked out only from an end already in range: 2000-01-01 minus 89 days is fine,
            # but 0001-01-01 minus 89 days is no date at all.
            fallback = max(end, EARLIEST) - timedelta(days=self.default_days - 1)
            start = cleaned.get("start") or fallback
        for day in (start, end):
            if not EARLIEST <= day <= latest:
                raise forms.ValidationError(
                    f"Dates must fall from {EARLIEST:%B %-d, %Y} to {latest:%B %-d, %Y}."
                )
        if start > end:
            raise forms.ValidationError("The range must start on or before its last day.")
        if (end - start).days + 1 > self.longest_days:
            years = _YEARS.get(self.longest_years, str(self.longest_years))
            raise forms.ValidationError(f"The range can be at most {years} years long.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


def filter_form(data, *, user, today: date) -> FilterForm:
    """The filter form bound to a query string (shown on the page with its errors)."""
    return FilterForm(data, user=user, today=today)


def filters_read(data, *, user, today: date) -> Filters:
    """Clean filters from a query string, or FilterError saying what is wrong with it."""
    form = filter_form(data, user=user, today=today)
    if not form.is_valid():
        raise FilterError(form_message(form))
    return filters_from_form(form)


def form_message(form: FilterForm) -> str:
    """An invalid form's errors in one line, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def filters_from_form(form: FilterForm) -> Filters:
    data = form.cleaned_data
    return Filters(
        start=data["start"],
        end=data["end"],
        segment=data["segment"],
        compare=data.get("compare") or "",
        chosen=bool(form.data.get("start") or form.data.get("end")),
    )


def segment_person_ids(segment: Segment) -> list[int]:
    """The segment's members' person ids, as the segments app selects them now."""
    return list(segment_people(segment=segment).order_by().values_list("pk", flat=True))


def engine_scoped(engine: Engine, person_ids: list[int]) -> Engine:
    """The engine with only the contributions of donors in the segment of these people, and
    only these people and their consent changes (the list metrics' tables).

    See the module's note for who counts: a donor key is in when a person record of its
    cluster, or a gift counted under it, belongs to one of the people.
    """
    people = ibis.memtable(pa.table({"person": pa.array(person_ids, pa.int64())}))
    keyed = metrics.donor_keyed(engine, engine.contributions)
    m = engine.memberships
    clusters = m.filter(
        m.record_kind == str(RecordKind.PERSON), m.record_id.isin(people.person)
    ).select(key=m.cluster_key.cast("string"))
    # Plain strings on both sides: PostgreSQL's cluster_key is a non-null varchar(40).
    by_gift = keyed.filter(keyed.person_id.isin(people.person)).select(
        key=keyed.donor.cast("string")
    )
    keys = clusters.union(by_gift)
    scoped = keyed.filter(keyed.donor.isin(keys.key)).select(*engine.contributions.columns)
    kept = engine.donor_gifts
    if kept is not None:  # the stored donor gifts, scoped the same way
        kept = kept.filter(kept.donor.isin(keys.key))
    listed = {}
    if engine.people is not None:
        listed["people"] = engine.people.filter(engine.people.id.isin(people.person))
    if engine.consents is not None:
        c = engine.consents
        listed["consents"] = c.filter(c.person_id.isin(people.person))
    return replace(engine, contributions=scoped, donor_gifts=kept, **listed)
