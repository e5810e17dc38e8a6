"""Contribution limits: each donor's running total per election, and the gifts held over it.

Every contribution, whatever its path (ActBlue webhook, CSV, FEC file, our pages, offline), is
counted here from inside the transaction that records it (or, for an ActBlue webhook delivery,
the one that processes it in the task worker). The gift is added to the donor's
``DonorElectionTotal`` row by one upsert that takes the row lock until commit, so two
concurrent gifts from one donor are counted one after the other: the second sees the first, and
cannot also slip under the limit. A gift that takes the donor past the limit is still recorded
(the money arrived) but held until staff refund, redesignate or reattribute it (see holds.py).

Itemization (Schedule A) and the aggregates it shows are read here too.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    Max,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from groundswell.donations.compliance.rules import cycle_for, donor_key_for, election_for, rule_for
from groundswell.donations.models import (
    ComplianceRule,
    Contribution,
    ContributionStatus,
    DonorElectionTotal,
    HoldResolution,
    cents_display,
)

# Charged back or voided gifts never reached the campaign; refunds are netted out.
NOT_COUNTED = (ContributionStatus.CHARGED_BACK, ContributionStatus.VOIDED)


def counted_cents(contribution: Contribution) -> int:
    """What a contribution adds to its donor's election total: net of refunds, memo rows nil."""
    if contribution.is_memo or contribution.status in NOT_COUNTED:
        return 0
    return max(0, contribution.amount_cents - contribution.refunded_cents)


def rule_for_election(election: str, *, committee_id: str = "") -> ComplianceRule:
    """The rule set of the cycle an election belongs to (federal defaults when none is saved)."""
    year = int(election[1:])
    cycle = year if year % 2 == 0 else year + 1
    rule = ComplianceRule.objects.filter(committee_id=committee_id, cycle=cycle).first()
    return rule or ComplianceRule(committee_id=committee_id, cycle=cycle)


def contribution_designate(
    *, received_at: datetime, election: str, person_id: int | None, snapshot: dict[str, str]
) -> tuple[ComplianceRule, str, str]:
    """The rule set, election and donor key a new contribution counts under.

    A gift designated by the donor (or the processor) keeps its election; an undesignated one
    counts toward the next election after it was received.
    """
    if election:
        rule = rule_for_election(election)
    else:
        rule = rule_for(received_at=received_at)
        election = election_for(received_at=received_at, rule=rule)
    donor_key = donor_key_for(
        person_id=person_id,
        given_name=snapshot.get("donor_given_name", ""),
        family_name=snapshot.get("donor_family_name", ""),
        postal_code=snapshot.get("donor_postal_code", ""),
    )
    return rule, election, donor_key


def total_lock(*, donor_key: str, election: str) -> DonorElectionTotal:
    """The donor's total row for an election, created if missing, locked until commit.

    Must run inside a transaction. The insert ignores a conflict so that two first gifts of a
    new donor arriving together both end up locking (one after the other) the same row.
    """
    row = DonorElectionTotal.objects.select_for_update().filter(
        donor_key=donor_key, election=election
    )
    found = row.first()
    if found is not None:
        return found
    DonorElectionTotal.objects.bulk_create(
        [DonorElectionTotal(donor_key=donor_key, election=election, total_cents=0)],
        ignore_conflicts=True,
    )
    return row.get()


def totals_lock(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], DonorElectionTotal]:
    """Lock several total rows in one fixed order, so two resolutions never deadlock."""
    return {pair: total_lock(donor_key=pair[0], election=pair[1]) for pair in sorted(set(pairs))}


def hold_reason_text(*, election: str, limit_cents: int, total_cents: int) -> str:
    """Why a gift is held, in the words staff read in the queue."""
    return (
        f"Over the {cents_display(limit_cents)} limit for {election} by "
        f"{cents_display(total_cents - limit_cents)} (the donor's {election} total is "
        f"{cents_display(total_cents)})"
    )


def total_add(*, donor_key: str, election: str, cents: int) -> int:
    """Add ``cents`` to the donor's total for an election in one statement; returns the new total.

    Must run inside a transaction. The upsert takes the row lock (a new row's insert, or the
    update of an existing one) and keeps it until commit, so a concurrent gift from the same
    donor waits here and then adds itself to this total: two cannot both slip under the limit.
    PostgreSQL and SQLite (3.35+) both know INSERT … ON CONFLICT … RETURNING.
    """
    table = DonorElectionTotal._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (donor_key, election, total_cents, updated_at)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (donor_key, election) DO UPDATE
            SET total_cents = {table}.total_cents + excluded.total_cents,
                updated_at = excluded.updated_at
            RETURNING total_cents
            """,  # noqa: S608 (identifiers from the models; values are parameters)
            [donor_key, election, cents, timezone.now()],
        )
        return int(cursor.fetchone()[0])


def contribution_count(*, contribution: Contribution, rule: ComplianceRule) -> bool:
    """Add a new contribution to its donor's election total; hold it if that passes the limit.

    Runs inside the recording transaction. Returns whether the contribution was held.
    """
    cents = counted_cents(contribution)
    if not cents or not contribution.donor_key or not contribution.election:
        return False
    total = total_add(donor_key=contribution.donor_key, election=contribution.election, cents=cents)
    if total <= rule.per_election_limit_cents:
        return False
    contribution.hold_reason = hold_reason_text(
        election=contribution.election, limit_cents=rule.per_election_limit_cents, total_cents=total
    )[:300]
    contribution.held_at = timezone.now()
    Contribution.objects.filter(pk=contribution.pk).update(
        hold_reason=contribution.hold_reason, held_at=contribution.held_at
    )
    return True


def contribution_recount(*, contribution: Contribution, counted_before: int) -> None:
    """Apply a change in what a contribution counts (a refund) to its donor's total.

    Runs inside the caller's transaction. A held gift whose donor is back within the limit
    after the change (the donor was refunded through the processor) is marked resolved.
    """
    delta = counted_cents(contribution) - counted_before
    if not delta or not contribution.donor_key or not contribution.election:
        return
    total = total_add(donor_key=contribution.donor_key, election=contribution.election, cents=delta)
    if contribution.held_at and not contribution.hold_resolution:
        rule = rule_for_election(contribution.election)
        if total <= rule.per_election_limit_cents:
            contribution.hold_resolution = HoldResolution.REFUNDED
            contribution.hold_resolved_at = timezone.now()
            Contribution.objects.filter(pk=contribution.pk).update(
                hold_resolution=contribution.hold_resolution,
                hold_resolved_at=contribution.hold_resolved_at,
            )


def hold_excess_cents(
    *,
    contribution: Contribution,
    total_cents: int | None = None,
    rule: ComplianceRule | None = None,
) -> int:
    """How much of a held gift is still over its donor's limit for the election (0 if none).

    ``total_cents`` and ``rule``, when the caller has them already, save a query each.
    """
    if not contribution.donor_key or not contribution.election:
        return 0
    if total_cents is None:
        total_cents = (
            DonorElectionTotal.objects.filter(
                donor_key=contribution.donor_key, election=contribution.election
            )
            .values_list("total_cents", flat=True)
            .first()
            or 0
        )
    rule = rule or rule_for_election(contribution.election)
    return max(0, min(counted_cents(contribution), total_cents - rule.per_election_limit_cents))


def donor_totals(*, donor_key: str) -> list[DonorElectionTotal]:
    """A donor's totals per election, earliest election first."""
    rows = list(DonorElectionTotal.objects.filter(donor_key=donor_key).exclude(total_cents=0))
    return sorted(rows, key=lambda r: (r.election[1:], r.election[:1] != "P", r.election))


def donor_totals_rebuild(*, donor_keys: list[str] | None = None, flag: bool = True) -> int:
    """Recompute donor keys and election totals from the contributions; returns rows changed.

    For after a merge of people (a contribution's donor key follows its person link) or an
    import that bypassed ``contribution_record`` (the FEC file). With ``flag``, the gifts that
    now take a donor past the limit and were never held are held (see ``holds_flag``); holds
    already there are left alone: staff release those the new totals show were wrong.

    Set-based (two statements) so that a million contributions take seconds. On PostgreSQL the
    totals table is locked (EXCLUSIVE: plain reads go on) before the sums are read, so a gift
    being recorded concurrently is either in the sums (it committed first) or waits for the
    lock and adds itself to the rebuilt total after; SQLite has one writer at a time anyway.
    """
    with transaction.atomic():
        if donor_keys is not None:
            donor_keys = _rekey(donor_keys)
        else:
            _rekey(None)
        changed = _totals_write(donor_keys)
        if flag:
            holds_flag(donor_keys=donor_keys)
    return changed


def holds_flag(*, donor_keys: list[str] | None = None) -> int:
    """Hold the gifts, never held before, that took their donor past the limit; returns how many.

    Gifts are taken in the order received: each one whose running total for its election
    passes the limit is excessive (the one that crosses it in part). Run inside the caller's
    transaction, after the totals are right (the totals rows are locked by then).
    """
    over = DonorElectionTotal.objects.filter(total_cents__gt=0)
    if donor_keys is not None:
        over = over.filter(donor_key__in=donor_keys)
    limits = {
        election: rule_for_election(election).per_election_limit_cents
        for election in over.values_list("election", flat=True).distinct()
    }
    flagged = 0
    now = timezone.now()
    for election, limit in limits.items():
        keys = list(
            over.filter(election=election, total_cents__gt=limit).values_list(
                "donor_key", flat=True
            )
        )
        if not keys:
            continue
        running = (
            Contribution.objects.filter(is_memo=False, election=election, donor_key__in=keys)
            .exclude(status__in=NOT_COUNTED)
            .annotate(
                running_cents=Window(
                    Sum(F("amount_cents") - F("refunded_cents")),
                    partition_by=[F("donor_key")],
                    order_by=[F("received_at").asc(), F("id").asc()],
                )
            )
            .filter(running_cents__gt=limit)
        )
        for contribution in running:
            if contribution.held_at or contribution.amount_cents <= contribution.refunded_cents:
                continue
            reason = hold_reason_text(
                election=election, limit_cents=limit, total_cents=contribution.running_cents
            )[:300]
            Contribution.objects.filter(pk=contribution.pk, held_at__isnull=True).update(
                hold_reason=reason, held_at=now
            )
            flagged += 1
    return flagged


def _rekey(donor_keys: list[str] | None) -> list[str]:
    """Point each linked contribution's donor key at its (current) person; key unkeyed gifts.

    Returns ``donor_keys`` with the keys of the people they now point at.
    """
    person_key = Concat(Value("p:"), Cast("person_id", CharField()), output_field=CharField())
    linked = Contribution.objects.filter(person__isnull=False).exclude(donor_key=person_key)
    moved: set[str] = set()
    if donor_keys is not None:
        linked = linked.filter(donor_key__in=donor_keys)
        moved = {f"p:{pk}" for pk in linked.values_list("person_id", flat=True).distinct()}
    linked.update(donor_key=person_key)
    # Gifts with a name but no person and no key yet (recorded before keys existed). A webhook
    # gift not yet processed is left to the worker, which keys and counts it.
    unkeyed = Contribution.objects.filter(
        donor_key="", person__isnull=True, processed_at__isnull=False
    ).exclude(donor_given_name="", donor_family_name="")
    for contribution in unkeyed.only(
        "pk", "donor_given_name", "donor_family_name", "donor_postal_code"
    ).iterator():
        key = donor_key_for(
            person_id=None,
            given_name=contribution.donor_given_name,
            family_name=contribution.donor_family_name,
            postal_code=contribution.donor_postal_code,
        )
        Contribution.objects.filter(pk=contribution.pk).update(donor_key=key)
        moved.add(key)
    return sorted({*(donor_keys or ()), *moved})


def _totals_write(donor_keys: list[str] | None) -> int:
    totals = DonorElectionTotal._meta.db_table
    gifts = Contribution._meta.db_table
    now = timezone.now()
    counted = "c.is_memo = %s AND c.status NOT IN (%s, %s)"
    counted_params = [False, *NOT_COUNTED]
    scope_c = scope_t = ""
    scope_params: list[str] = []
    if donor_keys is not None:
        if not donor_keys:
            return 0
        marks = ", ".join(["%s"] * len(donor_keys))
        scope_c = f" AND c.donor_key IN ({marks})"
        scope_t = f" AND {totals}.donor_key IN ({marks})"
        scope_params = list(donor_keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {totals} IN EXCLUSIVE MODE")
        cursor.execute(
            f"""
            INSERT INTO {totals} (donor_key, election, total_cents, updated_at)
            SELECT c.donor_key, c.election, SUM(c.amount_cents - c.refunded_cents), %s
            FROM {gifts} c
            WHERE {counted} AND c.donor_key <> '' AND c.election <> ''{scope_c}
            GROUP BY c.donor_key, c.election
            ON CONFLICT (donor_key, election) DO UPDATE
            SET total_cents = excluded.total_cents, updated_at = excluded.updated_at
            WHERE {totals}.total_cents <> excluded.total_cents
            """,  # noqa: S608 (identifiers from the models; values are parameters)
            [now, *counted_params, *scope_params],
        )
        changed = max(cursor.rowcount, 0)
        cursor.execute(
            f"""
            UPDATE {totals} SET total_cents = 0, updated_at = %s
            WHERE total_cents <> 0{scope_t} AND NOT EXISTS (
                SELECT 1 FROM {gifts} c
                WHERE c.donor_key = {totals}.donor_key AND c.election = {totals}.election
                AND {counted}
            )
            """,  # noqa: S608 (identifiers from the models; values are parameters)
            [now, *scope_params, *counted_params],
        )
        changed += max(cursor.rowcount, 0)
    return changed


# ---------------------------------------------------------------- itemization (Schedule A)


def cycle_bounds(cycle: int) -> tuple[datetime, datetime]:
    """The first moment of a two-year cycle and the first moment after it (campaign's time)."""
    return (
        timezone.make_aware(datetime(cycle - 1, 1, 1)),
        timezone.make_aware(datetime(cycle + 1, 1, 1)),
    )


def _cycle_contributions(*, cycle: int) -> QuerySet[Contribution]:
    """The counted contributions received in a two-year cycle (by the campaign's local date)."""
    start, end = cycle_bounds(cycle)
    return (
        Contribution.objects.filter(is_memo=False, received_at__gte=start, received_at__lt=end)
        .exclude(status__in=NOT_COUNTED)
        .filter(amount_cents__gt=F("refunded_cents"))
    )


def _donor_partition():
    """Who a gift is aggregated under: its donor key, or itself when it has no donor at all."""
    return Case(
        When(donor_key="", then=Concat(Value("c:"), Cast("id", CharField()))),
        default=F("donor_key"),
        output_field=CharField(),
    )


def itemized_contributions(
    *,
    cycle: int,
    since: datetime | None = None,
    until: datetime | None = None,
    threshold_cents: int | None = None,
) -> QuerySet[Contribution]:
    """The contributions Schedule A itemizes for a cycle, each with its aggregate to date.

    A donor's gifts are itemized once the donor's aggregate for the cycle passes the rule's
    itemization threshold ($200: exactly $200 is not itemized); then *all* the donor's gifts of
    the cycle are, the early small ones too. Aggregates are net of refunds; memo rows, charged
    back, voided and fully refunded gifts are left out. Donors are grouped by ``donor_key``.

    Each contribution is annotated with:

    - ``aggregate_cents``: the donor's cycle aggregate up to and including this gift
      (ordered by received_at, then id) — Schedule A's "aggregate year-to-date" column;
    - ``cycle_total_cents``: the donor's aggregate for the whole cycle (or up to ``until``).

    ``since``/``until`` (aware datetimes, ``until`` exclusive) choose the report period; the
    aggregates still count every earlier gift of the cycle. Ordered by donor, then date.
    """
    if threshold_cents is None:
        rule = ComplianceRule.objects.filter(committee_id="", cycle=cycle).first()
        threshold_cents = (rule or ComplianceRule(cycle=cycle)).itemization_threshold_cents
    base = _cycle_contributions(cycle=cycle)
    if until is not None:
        base = base.filter(received_at__lt=until)
    donor = _donor_partition()
    net = F("amount_cents") - F("refunded_cents")
    rows = base.annotate(
        donor_group=donor,
        aggregate_cents=Window(
            Sum(net), partition_by=[donor], order_by=[F("received_at").asc(), F("id").asc()]
        ),
        cycle_total_cents=Window(Sum(net), partition_by=[donor]),
    ).filter(cycle_total_cents__gt=threshold_cents)
    if since is not None:
        # Compared through a window value so that the filter applies after the aggregates are
        # computed over the whole cycle (a plain filter would leave earlier gifts out of them).
        rows = rows.annotate(
            received_in_window=Window(Max("received_at"), partition_by=[F("id")])
        ).filter(received_in_window__gte=since)
    return rows.order_by("donor_group", "received_at", "id")


def donor_cycle_aggregate(*, donor_key: str, cycle: int, until: datetime | None = None) -> int:
    """A donor's aggregate for a cycle (net of refunds, memo rows left out), up to ``until``."""
    rows = _cycle_contributions(cycle=cycle).filter(donor_key=donor_key)
    if until is not None:
        rows = rows.filter(received_at__lte=until)
    total = rows.aggregate(total=Sum(F("amount_cents") - F("refunded_cents")))["total"]
    return int(total or 0)


def cycle_of(contribution: Contribution) -> int:
    """The cycle a contribution's aggregate belongs to (by the day it was received)."""
    return cycle_for(timezone.localdate(contribution.received_at))
