"""Which gift each reattribution/redesignation memo row moves money from, as real filings say it.

``schedule_a_adjust`` applies a pair of memo rows to the gift both point at. Real Schedule A
downloads seldom say it that way: in every committee's file read so far (14 downloads, 2017-2026)
the negative half carries no back reference at all, and the positive half points either

- at the gift (the negative half is then the memo row of the same filing, date and amount taken
  from that gift's donor and election: "−2,100 for the primary" beside "+2,100 for the general,
  back reference the $5,000 gift"); or
- at the negative half (the gift is then named only in the memo text, "REDESIGNATION OF 10/28
  DONATION"; the money comes from the donor's gifts to the negative half's election).

Some filers give neither half a back reference ("REATTRIBUTION FROM" beside "REATTRIBUTION
TO"): the pair is then the negative and the only positive memo row of the same filing, date and
amount that says what it is and is the same donor's or faces a negative that says so too. (A
positive memo row that names nothing and says nothing is not read as a half: a conduit's file
holds millions of such rows, its earmarked gifts, and they are streamed, not held.)

Each pair found here is handed on as if both halves pointed at the gift. Where the gift is not
named (the second and third shapes) it is the donor's latest counted gift to the negative half's
election, on or before the memo's date, that holds the amount: the gift that made the total
excessive is the latest one, and a donor's limit is counted per election, so any such gift gives
the same totals. A half with a back reference whose pair or gift is not found is handed on as it
was filed (it waits, and the import's summary names it); a memo row without one, paired with
nothing, stays a plain memo row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import F

from groundswell.donations.intake.fec_rows import FEC_TZ, REFUND_TYPE, ParsedRow
from groundswell.donations.intake.schedule_a_import import says_move
from groundswell.donations.keys import name_key
from groundswell.donations.models import Contribution, ContributionStatus, Processor


def gifts_by_tran_id(keys: set[str], *, lock: bool = False) -> dict[str, Contribution]:
    """Counted FEC gifts by TRAN_ID; ``lock`` takes their rows for update. Later filings come
    last, so that an amendment's row wins over the row it repeats (nulls first on both
    backends: SQLite and PostgreSQL order them differently by default)."""
    found = Contribution.objects.select_for_update() if lock else Contribution.objects.all()
    found = (
        found.filter(processor=Processor.FEC, order_number__in=keys, is_memo=False)
        .exclude(status=ContributionStatus.VOIDED)
        .exclude(transaction_type=REFUND_TYPE)
        .order_by(F("fec_file_number").asc(nulls_first=True), "id")
    )
    return {gift.order_number: gift for gift in found}


def _donor(row: ParsedRow) -> str:
    return name_key(row.given, row.family, row.postal_code)


def _gift_holding(negative: ParsedRow, election_on, taken: dict[int, int]) -> Contribution | None:
    """The donor's latest counted gift to the negative half's election, on or before its date,
    that still holds the amount it takes (``taken``: cents this import's pairs already take
    from each gift, by pk); the gift is then charged with it."""
    election = negative.election or election_on(negative.day)
    day = negative.day
    cents = -negative.cents
    candidates = (
        Contribution.objects.filter(
            processor=Processor.FEC,
            is_memo=False,
            donor_key=_donor(negative),
            election=election,
            received_at__lte=datetime(day.year, day.month, day.day, 12, tzinfo=FEC_TZ),
            amount_cents__gte=cents,
        )
        .exclude(status=ContributionStatus.VOIDED)
        .exclude(transaction_type=REFUND_TYPE)
        .exclude(order_number="")
        .order_by("-received_at", "-id")
    )
    for gift in candidates[:50]:
        if gift.amount_cents - taken.get(gift.pk, 0) >= cents:
            taken[gift.pk] = taken.get(gift.pk, 0) + cents
            return gift
    return None


def halves_paired(rows: list[ParsedRow], election_on) -> tuple[list[ParsedRow], list[ParsedRow]]:
    """(rows pointing at the gift they move money from, rows that are no half of a pair).

    ``rows`` are the import's memo rows of individuals' gifts; those paired with nothing are
    handed back to be stored as plain memo rows. ``election_on(day)`` is the election a gift
    of that day counts toward (for a row that does not say).
    """
    free = {r.sub_id: r for r in rows if r.cents < 0 and not r.back_reference}
    by_tran = {r.order_number: r for r in free.values() if r.order_number}
    pointing = sorted((r for r in rows if r.cents > 0 and r.back_reference), key=lambda r: r.sub_id)
    gifts = gifts_by_tran_id({r.back_reference for r in pointing})
    moved: dict[str, str] = {}  # sub_id → the gift's TRAN_ID
    taken: dict[int, int] = {}  # gift pk → cents this import's pairs take from it
    for positive in pointing:
        negative = by_tran.get(positive.back_reference)
        if negative is not None and negative.sub_id in free:
            # The positive half points at the negative half: the gift is the donor's.
            gift = _gift_holding(negative, election_on, taken)
            if gift is not None:
                moved[positive.sub_id] = moved[negative.sub_id] = gift.order_number
                del free[negative.sub_id]
            continue
        gift = gifts.get(positive.back_reference)
        if gift is None:
            continue
        # The positive half points at the gift: its negative half is the same filing's memo
        # row, of the same date and amount, taken from the gift's donor and election.
        if gift.amount_cents - taken.get(gift.pk, 0) < positive.cents:
            continue  # more than the gift holds: not a move of this gift's money
        for negative in sorted(free.values(), key=lambda r: r.sub_id):
            if (
                negative.file_number == positive.file_number
                and negative.day == positive.day
                and -negative.cents == positive.cents
                and negative.election in ("", gift.election)
                and _donor(negative) == gift.donor_key
            ):
                moved[negative.sub_id] = gift.order_number
                taken[gift.pk] = taken.get(gift.pk, 0) + positive.cents
                del free[negative.sub_id]
                break
    loose = [r for r in rows if r.cents > 0 and not r.back_reference]
    _loose_paired(free, loose, moved, election_on, taken)
    unpaired = {r.sub_id for r in loose if r.sub_id not in moved} | set(free)
    paired = [
        r._replace(refers_to=(moved[r.sub_id],)) if r.sub_id in moved else r
        for r in rows
        if r.sub_id not in unpaired
    ]
    return paired, [r for r in rows if r.sub_id in unpaired]


def _loose_paired(free: dict, loose: list[ParsedRow], moved: dict, election_on, taken) -> None:
    """Pairs of which neither half names the other ("REATTRIBUTION FROM" beside "REATTRIBUTION
    TO"): the only positive memo row of the negative's filing, date and amount that says it is a
    reattribution or redesignation and is the same donor's or, like the negative, says so too.
    Two such candidates are left apart: nothing says which is which."""
    by_key: dict[tuple, list[ParsedRow]] = defaultdict(list)
    for row in loose:
        by_key[(row.file_number, row.day, row.cents)].append(row)
    for negative in sorted(free.values(), key=lambda r: r.sub_id):
        matches = [
            p
            for p in by_key.get((negative.file_number, negative.day, -negative.cents), ())
            if p.sub_id not in moved
            and says_move(p.note)
            and (_donor(p) == _donor(negative) or says_move(negative.note))
        ]
        if len(matches) != 1:
            continue
        gift = _gift_holding(negative, election_on, taken)
        if gift is None:
            continue
        moved[negative.sub_id] = moved[matches[0].sub_id] = gift.order_number
        del free[negative.sub_id]
