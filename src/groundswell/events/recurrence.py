"""Recurring events: the dates a repeating shift makes, and keeping them in step on every save.

A shift staff enter is the pattern; the event's rule (daily or weekly, a number of dates or an
end date) makes the other dates as shifts pointing back at it (``Shift.repeat_of``). Each date
keeps the pattern's *local wall-clock* time in the event's zone, not its UTC time: a 6 pm
weekly phone bank stays 6 pm across the DST change (its UTC time moves by an hour). A wall-clock
time that does not exist that day (2:30 am when clocks spring forward) is read as zoneinfo
reads it (fold 0: the offset before the change, so 3:30 am); an ambiguous one (1:30 am in
November) is its first occurrence.

Saving again is idempotent: the dates are matched by their start, so an unchanged rule adds
nothing, a longer one adds the missing dates, and a shorter or moved one removes the dates
nobody signed up for (a date with people on it stays: they were told it happens).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from groundswell.events.choices import AttendanceStatus, Repeat
from groundswell.events.models import Event, Shift

MAX_DATES = 52  # dates per repeating shift, the first included
MAX_SHIFTS = 400  # shifts a recurring event may make in all
STEPS = {Repeat.DAILY: timedelta(days=1), Repeat.WEEKLY: timedelta(weeks=1)}


@dataclass(frozen=True)
class Rule:
    repeat: str
    count: int | None
    until: date | None

    @classmethod
    def of(cls, event: Event) -> Rule:
        return cls(event.repeat, event.repeat_count, event.repeat_until)

    @property
    def repeats(self) -> bool:
        return self.repeat in STEPS


def _local_step(moment: datetime, tz: ZoneInfo, step: timedelta, n: int) -> datetime:
    """``moment`` moved by ``n`` steps of the local calendar (same wall-clock time), as UTC."""
    wall = moment.astimezone(tz).replace(tzinfo=None) + n * step
    return wall.replace(tzinfo=tz).astimezone(UTC)


def dates(
    rule: Rule, *, starts_at: datetime, ends_at: datetime, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Every (start, end) the rule makes from one shift, the shift itself first; at most
    ``MAX_DATES + 1`` so a caller can tell a rule that makes too many."""
    if not rule.repeats:
        return [(starts_at, ends_at)]
    step = STEPS[rule.repeat]
    out = []
    for n in range(MAX_DATES + 1):
        if rule.count is not None and n >= rule.count:
            break
        start = _local_step(starts_at, tz, step, n)
        if rule.until is not None and start.astimezone(tz).date() > rule.until:
            break
        out.append((start, _local_step(ends_at, tz, step, n)))
    return out


def rule_errors(fields: dict, first_starts: list[datetime], tz: ZoneInfo) -> dict[str, str]:
    """What is wrong with a repeat rule, given the starts of the shifts it repeats."""
    repeat = fields.get("repeat") or Repeat.NONE
    if repeat not in STEPS:
        return {}
    count, until = fields.get("repeat_count"), fields.get("repeat_until")
    if count is None and until is None:
        return {"repeat_count": "Say how many dates, or the last date, for a repeating event."}
    if count is not None and not 2 <= count <= MAX_DATES:
        return {"repeat_count": f"A repeating event has 2 to {MAX_DATES} dates."}
    if not first_starts:
        return {"repeat": "Enter the first shift: it is the one that repeats."}
    first = min(first_starts).astimezone(tz).date()
    if until is not None and until <= first:
        return {"repeat_until": "The last date comes after the first shift."}
    if count is None and until is not None:
        step_days = STEPS[repeat].days
        if (until - first).days // step_days + 1 > MAX_DATES:
            return {
                "repeat_until": f"That makes more than {MAX_DATES} dates: pick an earlier last "
                "date or a number of dates."
            }
    per_shift = min(count or MAX_DATES, MAX_DATES)
    if per_shift * len(first_starts) > MAX_SHIFTS:
        return {"repeat": f"That makes more than {MAX_SHIFTS} shifts; repeat fewer shifts."}
    return {}


def repeats_write(event: Event) -> dict[str, int]:
    """Bring the dates of every repeating shift of ``event`` in line with its rule (inside the
    caller's transaction): missing dates added, unwanted ones without sign-ups removed, the
    rest given the pattern's label, capacity and length. Returns the counts for the audit."""
    rule, tz = Rule.of(event), event.tz
    counts = {"dates_added": 0, "dates_removed": 0, "dates_kept_with_sign_ups": 0}
    patterns = list(event.shifts.filter(repeat_of__isnull=True))
    taken = {s.starts_at for s in patterns}
    children: dict[int, dict[datetime, Shift]] = {}
    for child in event.shifts.filter(repeat_of__isnull=False):
        children.setdefault(child.repeat_of_id, {})[child.starts_at] = child
    for pattern in patterns:
        wanted = dict(
            dates(rule, starts_at=pattern.starts_at, ends_at=pattern.ends_at, tz=tz)[1:MAX_DATES]
        )
        mine = children.get(pattern.pk, {})
        for start, shift in mine.items():
            if start in wanted:
                shift.ends_at, shift.label = wanted[start], pattern.label
                shift.capacity = pattern.capacity
                shift.save(update_fields=["ends_at", "label", "capacity", "modified_at"])
            elif shift.attendances.exclude(status=AttendanceStatus.CANCELLED).exists():
                counts["dates_kept_with_sign_ups"] += 1
            else:
                shift.delete()
                counts["dates_removed"] += 1
        new = [
            Shift(
                event=event,
                repeat_of=pattern,
                label=pattern.label,
                capacity=pattern.capacity,
                starts_at=start,
                ends_at=end,
            )
            # A date another shift of the event already starts at (one entered by hand, or
            # another pattern's) is not made twice.
            for start, end in wanted.items()
            if start not in mine and start not in taken
        ]
        # A save racing this one may have made a date already: the constraint keeps one.
        Shift.objects.bulk_create(new, ignore_conflicts=True)
        taken.update(wanted)
        counts["dates_added"] += len(new)
    return counts


def rule_text(event: Event) -> str:
    """The rule as the public page says it ("Every week"; empty when the event does not repeat)."""
    return Repeat(event.repeat).label if event.repeat in STEPS else ""
