"""The merge review queue: open suggestions with both records side by side, and decisions.

A decision goes through the engine's ``review_decide`` (remembered, applied to every later run,
never asked again). Accepting two records that belong to two different people in the CRM also
merges those people with ``people.merge.person_merge``, which moves every record and can be
undone from the person's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.identity.models import MergeSuggestion, RecordKind, ReviewDecision
from groundswell.identity.services import review_decide

# The engine's comparisons (splink_model.COMPARISON_NAMES), as the reviewer reads them.
FIELD_LABELS = {
    "first": "First name",
    "last": "Last name",
    "middle": "Middle name",
    "location": "Address",
    "employer": "Employer",
    "occupation": "Occupation",
    "email": "E-mail",
    "phone": "Phone",
}
BANDS = {
    "": ("Any probability", None, None),
    "high": ("95% and over", 0.95, None),
    "mid": ("90% to 95%", 0.90, 0.95),
    "low": ("Under 90%", None, 0.90),
}


def open_suggestions(*, user, band: str = "") -> QuerySet:
    """Open suggestions the user may see, most likely first; only finance sees gift records."""
    queryset = MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)
    if not user.can(FINANCE_VIEW):
        queryset = queryset.filter(kind_a=RecordKind.PERSON, kind_b=RecordKind.PERSON)
    _, low, high = BANDS.get(band, BANDS[""])
    if low is not None:
        queryset = queryset.filter(probability__gte=low)
    if high is not None:
        queryset = queryset.filter(probability__lt=high)
    return queryset.order_by("-probability", "pk")


@dataclass(frozen=True)
class Snapshot:
    """One record as the reviewer sees it."""

    kind: str
    record_id: int
    exists: bool
    label: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    person_id: int | None = None
    merged_into_id: int | None = None


def _people(ids: set[int]) -> dict[int, Snapshot]:
    from groundswell.people.models import Person, PostalAddress

    found: dict[int, Snapshot] = {}
    addresses: dict[int, PostalAddress] = {}
    for address in PostalAddress.objects.filter(person_id__in=ids).order_by(
        "person_id", "-is_primary", "id"
    ):
        addresses.setdefault(address.person_id, address)
    for person in Person.objects.filter(pk__in=ids):
        address = addresses.get(person.pk)
        name = " ".join(p for p in (person.given_name, person.middle_name, person.family_name) if p)
        rows = (
            ("Name", name),
            ("Address", address.line1 if address else ""),
            ("City", address.city if address else ""),
            ("State", (address.state if address else "") or person.state),
            ("ZIP", (address.postal_code if address else "") or person.postal_code),
            ("E-mail", person.primary_email),
            ("Phone", person.primary_phone),
            ("Employer", person.employer),
            ("Occupation", person.occupation),
        )
        found[person.pk] = Snapshot(
            kind=RecordKind.PERSON,
            record_id=person.pk,
            exists=True,
            label=name or f"Person #{person.pk}",
            rows=rows,
            person_id=person.pk,
            merged_into_id=person.merged_into_id,
        )
    return found


def _gifts(ids: set[int]) -> dict[int, Snapshot]:
    from groundswell.donations.models import Contribution

    found: dict[int, Snapshot] = {}
    for gift in Contribution.objects.filter(pk__in=ids):
        name = f"{gift.donor_given_name} {gift.donor_family_name}".strip()
        rows = (
            ("Name", name),
            ("Address", gift.donor_address_line1),
            ("City", gift.donor_city),
            ("State", gift.donor_state),
            ("ZIP", gift.donor_postal_code),
            ("E-mail", gift.donor_email),
            ("Phone", gift.donor_phone),
            ("Employer", gift.donor_employer),
            ("Occupation", gift.donor_occupation),
            ("Gift", f"{gift.amount_display} on {gift.received_at:%b %-d, %Y}"),
        )
        found[gift.pk] = Snapshot(
            kind=RecordKind.CONTRIBUTION,
            record_id=gift.pk,
            exists=True,
            label=name or f"Gift #{gift.pk}",
            rows=rows,
            person_id=gift.person_id,
        )
    return found


@dataclass(frozen=True)
class FieldWeight:
    name: str
    label: str
    weight: float | None

    @property
    def width(self) -> int:
        """Bar length in percent of half the track (weights past ±10 fill it)."""
        if self.weight is None:
            return 0
        return min(100, round(abs(self.weight) * 10))

    @property
    def sign(self) -> str:
        if self.weight is None or abs(self.weight) < 0.05:
            return "zero"
        return "pos" if self.weight > 0 else "neg"


@dataclass(frozen=True)
class ReviewItem:
    suggestion: MergeSuggestion
    a: Snapshot
    b: Snapshot
    weights: list[FieldWeight]


def review_items(suggestions: list[MergeSuggestion]) -> list[ReviewItem]:
    """Both records of each suggestion (two queries per kind for a whole page)."""
    wanted: dict[str, set[int]] = {RecordKind.PERSON: set(), RecordKind.CONTRIBUTION: set()}
    for s in suggestions:
        wanted[s.kind_a].add(s.id_a)
        wanted[s.kind_b].add(s.id_b)
    snapshots = {
        RecordKind.PERSON: _people(wanted[RecordKind.PERSON]),
        RecordKind.CONTRIBUTION: _gifts(wanted[RecordKind.CONTRIBUTION]),
    }

    def snap(kind: str, record_id: int) -> Snapshot:
        return snapshots[kind].get(record_id) or Snapshot(kind, record_id, exists=False)

    items = []
    for s in suggestions:
        weights = [
            FieldWeight(name, label, _number(s.field_weights.get(name)))
            for name, label in FIELD_LABELS.items()
            if name in (s.field_weights or {})
        ]
        items.append(ReviewItem(s, snap(s.kind_a, s.id_a), snap(s.kind_b, s.id_b), weights))
    return items


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Outcome:
    decision: ReviewDecision
    merge_id: int | None = None
    survivor_id: int | None = None
    note: str = ""


def _final_person(person_id: int | None) -> int | None:
    """Follow merges to the person who now holds the record."""
    from groundswell.people.models import Person

    seen = set()
    while person_id is not None and person_id not in seen:
        seen.add(person_id)
        nxt = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            return person_id if Person.objects.filter(pk=person_id).exists() else None
        person_id = nxt
    return person_id


def suggestion_decide(
    *, suggestion: MergeSuggestion, verdict: str, user, ip_address: str | None = None
) -> Outcome:
    """Record staff's verdict; on "same person", merge the two CRM people it names (undoable)."""
    from groundswell.people.merge import person_merge
    from groundswell.people.models import Person

    kinds = {suggestion.kind_a, suggestion.kind_b}
    if RecordKind.CONTRIBUTION in kinds and not user.can(FINANCE_VIEW):
        raise PermissionDenied("Gift records are for finance staff.")
    if suggestion.status == MergeSuggestion.Status.DECIDED:
        raise ValidationError("This pair has already been decided.")
    with transaction.atomic():
        decision = review_decide(
            a=(suggestion.kind_a, suggestion.id_a),
            b=(suggestion.kind_b, suggestion.id_b),
            verdict=verdict,
            user=user,
        )
        audit_record(
            actor=user,
            action="identity.review",
            summary=(
                f"{decision.get_verdict_display()}: {suggestion.kind_a} #{suggestion.id_a} and "
                f"{suggestion.kind_b} #{suggestion.id_b} ({suggestion.probability:.0%})"
            ),
            target=decision,
            details={"suggestion": suggestion.pk, "verdict": decision.verdict},
            ip_address=ip_address,
        )
        if decision.verdict != ReviewDecision.Verdict.ACCEPTED:
            return Outcome(decision)
        people = []
        for kind, record_id in (
            (suggestion.kind_a, suggestion.id_a),
            (suggestion.kind_b, suggestion.id_b),
        ):
            if kind == RecordKind.PERSON:
                people.append(_final_person(record_id))
            else:
                from groundswell.donations.models import Contribution

                linked = Contribution.objects.filter(pk=record_id).values_list(
                    "person_id", flat=True
                )
                people.append(_final_person(linked.first()))
        first, second = people
        if first is None or second is None:
            return Outcome(decision, note="The next resolution run links the gift to this person.")
        if first == second:
            return Outcome(decision, survivor_id=first, note="Already the same person in the CRM.")
        # The older record survives, as the cluster key does ("p:<oldest person>").
        survivor_id, merged_id = sorted((first, second))
        record = person_merge(
            survivor=Person.objects.get(pk=survivor_id),
            merged=Person.objects.get(pk=merged_id),
            actor=user,
            ip_address=ip_address,
        )
        return Outcome(decision, merge_id=record.pk, survivor_id=survivor_id)
