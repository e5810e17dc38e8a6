"""The task worker's half of a webhook gift: donor, timeline, designation, limit count, hold.

The webhook stores each gift as received (``services.contribution_receive``) and answers; this
module finishes it seconds later, in batches. The donors of a batch are matched and upserted
together (one ``people_upsert`` per processor, a handful of queries for fifty gifts instead of
a dozen per gift), then each gift is designated and counted in its own savepoint, so one bad
gift is rolled back alone and left for a later run while the rest go on.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from groundswell.donations import services
from groundswell.donations.compliance import limits as compliance
from groundswell.donations.compliance.rules import cycle_for, donor_key_for, election_for, rule_for
from groundswell.donations.models import ComplianceRule, Contribution, Processor, RecurringSeries
from groundswell.donations.services import (
    DEFERRED_SOURCE,
    SNAPSHOT_FIELDS,
    ContributionInput,
    contribution_donor_clean,
)

logger = logging.getLogger(__name__)

# A donor is looked up in one batch only when the batch's upsert went through.
_NOT_LINKED = object()


def contributions_process(
    *, ids: list[int] | None = None, limit: int = 50, exclude: set[int] | None = None
) -> tuple[int, list[int]]:
    """Process received contributions (oldest first); returns (how many, ids that failed).

    Idempotent: only rows with ``processed_at`` unset are taken, each locked (another worker
    skips it) and marked processed in the same transaction as its donor, timeline and count.
    A row that fails is rolled back alone, logged, and left for a later run.
    """
    failed: list[int] = []
    with transaction.atomic():
        pending = Contribution.objects.filter(processed_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        if exclude:
            pending = pending.exclude(pk__in=exclude)
        batch = list(pending.select_for_update(skip_locked=True).order_by("id")[:limit])
        inputs = {c.pk: _input(c) for c in batch}
        people = _donors_link_batch(batch, inputs)
        rules: dict[int, ComplianceRule] = {}  # read once per batch, as it is now
        for contribution in batch:
            try:
                with transaction.atomic():
                    contribution_process(
                        contribution=contribution,
                        rules=rules,
                        linked=people.get(contribution.pk, _NOT_LINKED),
                        gift=inputs[contribution.pk],
                    )
            except Exception:
                logger.exception("contribution %s could not be processed", contribution.pk)
                failed.append(contribution.pk)
    return len(batch), failed


def _input(contribution: Contribution) -> tuple[ContributionInput, object]:
    """The gift as the intake sees it, and its donor cleaned, from the stored snapshot.

    The snapshot holds the cleaned values (cleaning them again changes nothing), else the raw
    text (which fails cleaning again in the same way and is dropped again): the donor is matched
    exactly as ``contribution_record`` matches the raw donor.
    """
    donor = {name: getattr(contribution, target) for name, target in SNAPSHOT_FIELDS.items()}
    if contribution.processor == Processor.ACTBLUE:
        donor["source"] = "ActBlue"
    donor["refcode"] = contribution.refcode
    data = ContributionInput(
        processor=contribution.processor,
        processor_id=contribution.processor_id,
        amount_cents=contribution.amount_cents,
        received_at=contribution.received_at,
        donor=donor,
        refcode=contribution.refcode,
    )
    return data, contribution_donor_clean(data)


def _donors_link_batch(batch: list[Contribution], inputs: dict) -> dict[int, int | None]:
    """Upsert the donors of a batch, one upsert per processor; {contribution id: person id}.

    A batch whose upsert fails (one bad donor) is rolled back to its savepoint and links
    nothing: each of its gifts is then linked on its own, where only the bad one fails.
    """
    by_processor: dict[str, list[Contribution]] = defaultdict(list)
    for contribution in batch:
        by_processor[contribution.processor].append(contribution)
    people: dict[int, int | None] = {}
    for processor, group in by_processor.items():
        if len(group) < 2:
            continue
        try:
            with transaction.atomic():
                linked = services.donors_link(
                    [inputs[c.pk] for c in group],
                    source=DEFERRED_SOURCE.get(processor, ""),
                    ip_address=None,
                )
        except Exception:
            logger.info("a batch of %s donors failed; linking them one by one", len(group))
            continue
        people.update(zip((c.pk for c in group), linked, strict=True))
    return people


def contribution_process(
    *,
    contribution: Contribution,
    rules: dict[int, ComplianceRule] | None = None,
    linked=_NOT_LINKED,
    gift: tuple[ContributionInput, object] | None = None,
) -> Contribution:
    """Link a received contribution's donor, add it to the timeline and count it toward the limit.

    The row must be locked by the caller (``contributions_process``) and not yet processed.
    ``linked`` is the donor's person id when the batch already upserted the donor.
    """
    if linked is _NOT_LINKED:
        # A batch of one: a received gift never names its person, so only the upsert links it.
        person_id = services.donors_link(
            [gift or _input(contribution)],
            source=DEFERRED_SOURCE.get(contribution.processor, ""),
            ip_address=None,
        )[0]
    else:
        person_id = linked
    # Undesignated on receipt: designated again with the rule as it is now (``rules``: the
    # caller's rules by cycle, read once per batch).
    rules = {} if rules is None else rules
    cycle = cycle_for(timezone.localdate(contribution.received_at))
    if cycle not in rules:
        rules[cycle] = rule_for(received_at=contribution.received_at)
    rule = rules[cycle]
    election = election_for(received_at=contribution.received_at, rule=rule)
    donor_key = donor_key_for(
        person_id=person_id,
        given_name=contribution.donor_given_name,
        family_name=contribution.donor_family_name,
        postal_code=contribution.donor_postal_code,
    )
    contribution.person_id = person_id
    contribution.election = election
    contribution.donor_key = donor_key
    contribution.processed_at = timezone.now()
    Contribution.objects.filter(pk=contribution.pk).update(
        person_id=person_id,
        election=election,
        donor_key=donor_key,
        processed_at=contribution.processed_at,
    )
    compliance.contribution_count(contribution=contribution, rule=rule)
    if contribution.series_id and person_id:
        # The series was made on receipt, before its donor was known.
        RecurringSeries.objects.filter(pk=contribution.series_id, person__isnull=True).update(
            person_id=person_id
        )
    return contribution


def contribution_process_now(contribution: Contribution) -> Contribution:
    """Process one received contribution at once if no worker has yet (a refund needs it)."""
    if contribution.processed_at is None:
        contributions_process(ids=[contribution.pk], limit=1)
        contribution.refresh_from_db()
    return contribution
