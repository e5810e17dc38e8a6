"""Volunteer management: profiles, the people who offered to help and have no task yet,
assigning them to a shift (capacity respected: the waitlist when full), and hours, shifts
and no-show rates per person and per event.

Assigning goes through the public side's placement (``services._place`` on a locked shift),
so a staff assignment takes a place like any sign-up, waits in line when the shift is full
and is owed the same confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from groundswell.accounts.services import audit_record
from groundswell.actions.choices import HELP_OPTIONS
from groundswell.actions.models import ActionPage, Submission
from groundswell.events import services
from groundswell.events.choices import AttendanceStatus, EventStatus
from groundswell.events.ladder.models import VolunteerProfile
from groundswell.events.models import Attendance, Event, Shift
from groundswell.people.models import Person

AUDIT_PROFILE = "events.volunteer_profile"
AUDIT_ASSIGN = "events.volunteer_assign"
AUDIT_ACTIONS = (
    (AUDIT_PROFILE, "Volunteer profile saved"),
    (AUDIT_ASSIGN, "Volunteer assigned to a shift"),
)
ASSIGN_SOURCE = "staff assignment"
# The participation form's answers that offer work on the ground (not "share" or "donate").
HELP_LABELS = dict(HELP_OPTIONS)
VOLUNTEER_HELP = ("volunteer", "canvass", "phonebank", "textbank", "host")
PROFILE_FIELDS = ("skills", "availability", "languages", "interests", "notes")


def _participation(person: Person) -> Submission | None:
    return (
        Submission.objects.filter(person=person, page__kind=ActionPage.Kind.PARTICIPATION)
        .order_by("-received_at", "-pk")
        .first()
    )


def volunteer_profile_get(*, user, person: Person) -> VolunteerProfile:
    """The person's profile; an unsaved one prefilled from the participation form if none."""
    profile = VolunteerProfile.objects.filter(person=person).first()
    if profile is not None:
        return profile
    profile = VolunteerProfile(person=person)
    submission = _participation(person)
    if submission is not None:
        answers = (submission.data or {}).get("answers") or {}
        helps = answers.get("help") or []
        if isinstance(helps, list):
            profile.interests = ", ".join(HELP_LABELS.get(str(h), str(h)) for h in helps)
        profile.notes = str(answers.get("help_other") or "")[:2000]
    elif person.custom_fields.get("interests"):
        profile.interests = str(person.custom_fields["interests"])
    return profile


def volunteer_profile_save(
    *, person: Person, fields: dict[str, str], actor, ip_address: str | None = None
) -> VolunteerProfile:
    """Create or update the person's profile from cleaned fields; audited."""
    values = {name: str(fields.get(name) or "").strip() for name in PROFILE_FIELDS}
    if len(values["languages"]) > 200:
        raise ValidationError({"languages": "Languages: 200 characters at most."})
    with transaction.atomic():
        profile, _ = VolunteerProfile.objects.update_or_create(person=person, defaults=values)
        audit_record(
            actor=actor,
            action=AUDIT_PROFILE,
            summary=f"Saved the volunteer profile of person {person.pk}",
            target=person,
            ip_address=ip_address,
        )
    return profile


def asked_no_task(*, user) -> QuerySet[Person]:
    """People who offered on the participation form to volunteer and are on no shift at all
    (registered or waitlisted; cancelled sign-ups do not count as a task)."""
    offered = Q()
    for key in VOLUNTEER_HELP:
        offered |= Q(custom_fields__interests__icontains=HELP_LABELS[key])
    participated = Submission.objects.filter(
        person=OuterRef("pk"), page__kind=ActionPage.Kind.PARTICIPATION
    )
    on_a_shift = Attendance.objects.filter(person=OuterRef("pk")).exclude(
        status=AttendanceStatus.CANCELLED
    )
    return (
        Person.objects.active()
        .filter(erased_at__isnull=True)
        .filter(Exists(participated), offered)
        .exclude(Exists(on_a_shift))
        .order_by("family_name", "given_name", "pk")
    )


def assignable_shifts(*, user, now=None) -> QuerySet[Shift]:
    """Shifts staff may assign someone to: not started, of an event not cancelled or declined."""
    return (
        Shift.objects.filter(starts_at__gt=now or timezone.now())
        .exclude(event__status__in=[EventStatus.CANCELLED, EventStatus.DECLINED])
        .select_related("event")
        .order_by("starts_at", "pk")
    )


def volunteer_assign(
    *, shift: Shift, person: Person, actor, ip_address: str | None = None
) -> Attendance:
    """Put the person on the shift: registered if a place is free, waitlisted otherwise (an
    attendance they already hold is returned as it stands). Raises ValidationError for a shift
    that started or an event cancelled."""
    now = timezone.now()
    with transaction.atomic():
        locked = services._lock(shift.pk)
        if locked.starts_at <= now:
            raise ValidationError("This shift has already started or is over.")
        if locked.event.status in (EventStatus.CANCELLED, EventStatus.DECLINED):
            raise ValidationError("This event is not taking people.")
        attendance = services._place(locked, person.pk, source=ASSIGN_SOURCE, refcode="", now=now)
        audit_record(
            actor=actor,
            action=AUDIT_ASSIGN,
            summary=f"Assigned person {person.pk} to shift {locked.pk} ({attendance.status})",
            target=attendance,
            ip_address=ip_address,
        )
    return attendance


# ---------------------------------------------------------------- hours and no-shows


def _rate(no_shows: int, attended: int) -> int | None:
    """No-shows as a whole percentage of the marked sign-ups (None when none is marked)."""
    marked = no_shows + attended
    return None if not marked else round(100 * no_shows / marked)


@dataclass
class Totals:
    shifts: int  # attended
    no_shows: int
    minutes: int

    @property
    def hours(self) -> str:
        return f"{self.minutes / 60:.1f}".removesuffix(".0")

    @property
    def no_show_rate(self) -> int | None:
        return _rate(self.no_shows, self.shifts)


def _totals(prefix: str = "") -> dict:
    attended = Q(**{f"{prefix}attended": True})
    return {
        "n_attended": Count("pk" if not prefix else f"{prefix}pk", filter=attended),
        "n_no_shows": Count(
            "pk" if not prefix else f"{prefix}pk", filter=Q(**{f"{prefix}attended": False})
        ),
        "n_minutes": Coalesce(Sum(f"{prefix}minutes_credited", filter=attended), 0),
    }


def person_totals(*, user, person: Person) -> Totals:
    row = Attendance.objects.filter(person=person).aggregate(**_totals())
    return Totals(row["n_attended"], row["n_no_shows"], row["n_minutes"])


def people_totals(*, user) -> QuerySet[Person]:
    """Everyone with a marked shift, with attended shifts, no-shows and minutes; most hours
    first. One grouped query over attendances (indexed by person)."""
    return (
        Person.objects.filter(event_attendances__attended__isnull=False)
        .annotate(**_totals("event_attendances__"))
        .order_by("-n_minutes", "-n_attended", "pk")
    )


def events_totals(*, user) -> QuerySet[Event]:
    """Events with a marked shift, with attended, no-shows and minutes; newest first."""
    return (
        Event.objects.filter(shifts__attendances__attended__isnull=False)
        .annotate(**_totals("shifts__attendances__"))
        .order_by("-created_at", "-pk")
    )


def totals_of(row) -> Totals:
    return Totals(row.n_attended, row.n_no_shows, row.n_minutes)
