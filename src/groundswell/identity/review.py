"""The merge review queue: open suggestions with both records side by side, and decisions.

A decision goes through the engine's ``review_decide`` (remembered, applied to every later run,
never asked again). Accepting two records that belong to two different people in the CRM also
merges those people with ``people.merge.person_merge``, which moves every record and can be
undone from the person's page; undoing it withdraws the verdict (``decisions_withdraw_for_undo``,
registered with ``people.extensions.merge_hook_register``) so that the pair can be reviewed again.
Every verdict and every withdrawal is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_MERGE
from groundswell.accounts.services import audit_record
from groundswell.core.pagination import CappedCount, count_capped
from groundswell.donations.models import Contribution
from groundswell.identity.models import MergeSuggestion, RecordKind, ReviewDecision
from groundswell.identity.services import review_decide
from groundswell.people.merge import person_merge
from groundswell.people.models import Person, PostalAddress
from groundswell.people.sensitivity import person_fields_hidden

# The engine's comparisons (splink_settings.COMPARISON_NAMES), as the reviewer reads them.
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


def open_suggestions_count(*, user) -> CappedCount | None:
    """How many open suggestions the review queue shows the user; None without the merge
    capability (the queue's page needs it)."""
    if not user.can(PEOPLE_MERGE):
        return None
    return count_capped(open_suggestions(user=user))


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


def review_items(suggestions: list[MergeSuggestion], *, user) -> list[ReviewItem]:
    """Both records of each suggestion as this user may see them (two queries per kind for a
    whole page): a field people declares sensitive is left out, value and match weight alike.
    """

    hidden = set(person_fields_hidden(user=user))
    hidden_labels = {FIELD_LABELS[name] for name in hidden if name in FIELD_LABELS}
    wanted: dict[str, set[int]] = {RecordKind.PERSON: set(), RecordKind.CONTRIBUTION: set()}
    for s in suggestions:
        wanted[s.kind_a].add(s.id_a)
        wanted[s.kind_b].add(s.id_b)
    snapshots = {
        RecordKind.PERSON: _people(wanted[RecordKind.PERSON]),
        RecordKind.CONTRIBUTION: _gifts(wanted[RecordKind.CONTRIBUTION]),
    }

    def snap(kind: str, record_id: int) -> Snapshot:
        found = snapshots[kind].get(record_id)
        if found is None:
            return Snapshot(kind, record_id, exists=False)
        if hidden_labels:
            rows = tuple(row for row in found.rows if row[0] not in hidden_labels)
            found = replace(found, rows=rows)
        return found

    items = []
    for s in suggestions:
        weights = [
            FieldWeight(name, label, _number(s.field_weights.get(name)))
            for name, label in FIELD_LABELS.items()
            if name in (s.field_weights or {}) and name not in hidden
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
        outcome = _accepted_merge(decision, suggestion, user, ip_address)
        # One event per verdict, in the decision's transaction, naming both records and the
        # merge it made (so the log shows which undo later withdrew which verdict).
        audit_record(
            actor=user,
            action=AuditEvent.Action.IDENTITY_REVIEW,
            summary=(
                f"{decision.get_verdict_display()}: {_record_label(decision.kind_a, decision.id_a)}"
                f" and {_record_label(decision.kind_b, decision.id_b)}"
                f" ({suggestion.probability:.0%})"
            ),
            target=decision,
            details={
                **_pair_details(decision),
                "verdict": decision.verdict,
                "suggestion": suggestion.pk,
                "probability": suggestion.probability,
                "merge": outcome.merge_id,
            },
            ip_address=ip_address,
        )
    return outcome


def _record_label(kind: str, record_id: int) -> str:
    return f"{RecordKind(kind).label.lower()} #{record_id}"


def _pair_details(decision: ReviewDecision) -> dict:
    return {
        "a": {"kind": decision.kind_a, "id": decision.id_a},
        "b": {"kind": decision.kind_b, "id": decision.id_b},
    }


def _accepted_merge(
    decision: ReviewDecision, suggestion: MergeSuggestion, user, ip_address: str | None
) -> Outcome:
    """On "same person", merge the two CRM people holding the records (when they are two)."""

    if decision.verdict != ReviewDecision.Verdict.ACCEPTED:
        return Outcome(decision)
    people = [
        _final_person(_record_person(kind, record_id))
        for kind, record_id in (
            (suggestion.kind_a, suggestion.id_a),
            (suggestion.kind_b, suggestion.id_b),
        )
    ]
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


def _record_person(kind: str, record_id: int) -> int | None:
    """The person a record is (a person) or was given by (a gift's person link)."""
    if kind == RecordKind.PERSON:
        return record_id

    return Contribution.objects.filter(pk=record_id).values_list("person_id", flat=True).first()


# Undoing a merge --------------------------------------------------------------------------------


def _merged_into(root: int) -> set[int]:
    """``root`` and every person whose merges lead to it (merges chain: a → b → root)."""

    found, frontier = {root}, {root}
    while frontier:
        frontier = (
            set(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def decisions_withdraw_for_undo(*, record, actor=None, ip_address: str | None = None) -> int:
    """Withdraw "same person" verdicts that an undone merge has just pulled apart.

    Staff who undo a merge say the two people are not one after all. A remembered "same
    person" verdict on a record of each would force them back together on the next run and
    never be asked again, so it is withdrawn (deleted, with an audit event keeping who had
    decided it and when) and its suggestion marked stale, so that the next run can put the pair
    in the queue again. Returns how many were withdrawn. Runs inside the undo's transaction.
    """

    sides = dict.fromkeys(_merged_into(record.survivor_id), "survivor")
    sides.update(dict.fromkeys(_merged_into(record.merged_id), "merged"))
    gifts = Contribution.objects.filter(person_id__in=list(sides)).values("pk")
    touches = Q()
    for letter in ("a", "b"):
        touches |= Q(**{f"kind_{letter}": RecordKind.PERSON, f"id_{letter}__in": list(sides)})
        touches |= Q(**{f"kind_{letter}": RecordKind.CONTRIBUTION, f"id_{letter}__in": gifts})
    candidates = list(
        ReviewDecision.objects.select_for_update()
        .filter(touches, verdict=ReviewDecision.Verdict.ACCEPTED)
        .order_by("pk")
    )
    withdrawn = 0
    for decision in candidates:
        side_a = sides.get(_record_person(decision.kind_a, decision.id_a))
        side_b = sides.get(_record_person(decision.kind_b, decision.id_b))
        if {side_a, side_b} != {"survivor", "merged"}:
            continue
        audit_record(
            actor=actor,
            action=AuditEvent.Action.IDENTITY_WITHDRAW,
            summary=(
                f"Withdrew “{decision.get_verdict_display()}” on "
                f"{_record_label(decision.kind_a, decision.id_a)} and "
                f"{_record_label(decision.kind_b, decision.id_b)}: merge #{record.pk} undone"
            ),
            target=decision,
            details={
                **_pair_details(decision),
                "verdict": decision.verdict,
                "decided_by": decision.decided_by_id,
                "decided_at": decision.decided_at.isoformat(),
                "merge": record.pk,
            },
            ip_address=ip_address,
        )
        MergeSuggestion.objects.filter(
            kind_a=decision.kind_a, id_a=decision.id_a, kind_b=decision.kind_b, id_b=decision.id_b
        ).update(status=MergeSuggestion.Status.STALE)
        decision.delete()
        withdrawn += 1
    return withdrawn
