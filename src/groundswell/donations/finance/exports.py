"""Exports of the money: every contribution with its donor as given, and itemized receipts in
the FEC Schedule A layout.

The contributions export is for spreadsheets: it writes through ``core.spreadsheet.csv_line``,
which keeps a cell that starts like a formula from running (an apostrophe before it). The
Schedule A export carries the donor data unaltered, as the FEC expects it: its fields are
cleaned of formula starts when the data arrives (``core.spreadsheet.formula_strip``, in the
intake), so no cell of it can start a formula and none needs an apostrophe. Amounts are written
in dollars with two decimals, converted from integer cents without floats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from groundswell.core.spreadsheet import csv_line, csv_plain_line, formula_strip
from groundswell.donations.compliance.itemization import itemized_receipts
from groundswell.donations.compliance.rules import election_for, rule_for
from groundswell.donations.models import ComplianceRule, Contribution, Processor
from groundswell.donations.selectors import DateRange


def dollars(cents: int) -> str:
    """Integer cents as dollars with two decimals ("27.00"), exactly."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


# ---------------------------------------------------------------- all contributions

# (header, value of a contribution) — the gift, its compliance state, then the donor as given.
CONTRIBUTION_COLUMNS: tuple[tuple[str, object], ...] = (
    ("id", lambda c: c.pk),
    ("received_at", lambda c: timezone.localtime(c.received_at).isoformat()),
    ("amount", lambda c: dollars(c.amount_cents)),
    ("refunded", lambda c: dollars(c.refunded_cents)),
    ("net", lambda c: dollars(c.net_cents)),
    ("currency", lambda c: c.currency),
    ("status", lambda c: c.status),
    (
        "refunded_at",
        lambda c: timezone.localtime(c.refunded_at).isoformat() if c.refunded_at else "",
    ),
    ("processor", lambda c: c.processor),
    ("processor_id", lambda c: c.processor_id),
    ("order_number", lambda c: c.order_number),
    ("payment_method", lambda c: c.payment_method),
    ("refcode", lambda c: c.refcode),
    ("refcodes", lambda c: json.dumps(c.refcodes, sort_keys=True) if c.refcodes else ""),
    ("page", lambda c: c.page.slug if c.page_id else ""),
    ("form_name", lambda c: c.form_name),
    ("election", lambda c: c.election),
    ("transaction_type", lambda c: c.transaction_type),
    ("is_memo", lambda c: "yes" if c.is_memo else "no"),
    ("is_recurring", lambda c: "yes" if c.is_recurring else "no"),
    ("recurring_period", lambda c: c.recurring_period),
    ("series_id", lambda c: c.series_id or ""),
    ("is_anonymous", lambda c: "yes" if c.is_anonymous else "no"),
    ("donor_key", lambda c: c.donor_key),
    ("person_id", lambda c: c.person_id or ""),
    ("held_at", lambda c: timezone.localtime(c.held_at).isoformat() if c.held_at else ""),
    ("hold_reason", lambda c: c.hold_reason),
    ("hold_resolution", lambda c: c.hold_resolution),
    ("redesignated_from", lambda c: c.redesignated_from),
    ("reattributed_from", lambda c: c.reattributed_from_id or ""),
    ("note", lambda c: c.note),
    ("donor_given_name", lambda c: c.donor_given_name),
    ("donor_family_name", lambda c: c.donor_family_name),
    ("donor_address_line1", lambda c: c.donor_address_line1),
    ("donor_address_line2", lambda c: c.donor_address_line2),
    ("donor_city", lambda c: c.donor_city),
    ("donor_state", lambda c: c.donor_state),
    ("donor_postal_code", lambda c: c.donor_postal_code),
    ("donor_country", lambda c: c.donor_country),
    ("donor_employer", lambda c: c.donor_employer),
    ("donor_occupation", lambda c: c.donor_occupation),
    ("donor_email", lambda c: c.donor_email),
    ("donor_phone", lambda c: c.donor_phone),
)


def contributions_csv(queryset: QuerySet) -> Iterator[str]:
    """The header and one CSV line per contribution, read from the database in chunks."""
    yield csv_line(name for name, _ in CONTRIBUTION_COLUMNS)
    rows = queryset.select_related(None).select_related("page")
    for contribution in rows.iterator(chunk_size=2000):
        yield csv_line(value(contribution) for _, value in CONTRIBUTION_COLUMNS)


# ---------------------------------------------------------------- Schedule A

# The fields of a Schedule A (itemized receipts) record, in order, as the FEC's electronic
# filing format specification (version 8.x) lays them out; the names are those the
# open-source .fec parsers use for them (e.g. fecfile's mappings.json, "^sa" records):
# https://github.com/esonderegger/fecfile/blob/master/fecfile/mappings.json
# Individual contributions to a candidate committee go on Form 3, line 11(a)(i): form type
# "SA11AI". Dates are YYYYMMDD; amounts are dollars with cents.
SCHEDULE_A_FIELDS = (
    "form_type",
    "filer_committee_id_number",
    "transaction_id",
    "back_reference_tran_id_number",
    "back_reference_sched_name",
    "entity_type",
    "contributor_organization_name",
    "contributor_last_name",
    "contributor_first_name",
    "contributor_middle_name",
    "contributor_prefix",
    "contributor_suffix",
    "contributor_street_1",
    "contributor_street_2",
    "contributor_city",
    "contributor_state",
    "contributor_zip_code",
    "election_code",
    "election_other_description",
    "contribution_date",
    "contribution_amount",
    "contribution_aggregate",
    "contribution_purpose_descrip",
    "contributor_employer",
    "contributor_occupation",
    "donor_committee_fec_id",
    "donor_committee_name",
    "donor_candidate_fec_id",
    "donor_candidate_last_name",
    "donor_candidate_first_name",
    "donor_candidate_middle_name",
    "donor_candidate_prefix",
    "donor_candidate_suffix",
    "donor_candidate_office",
    "donor_candidate_state",
    "donor_candidate_district",
    "conduit_name",
    "conduit_street1",
    "conduit_street2",
    "conduit_city",
    "conduit_state",
    "conduit_zip_code",
    "memo_code",
    "memo_text_description",
    "reference_code",
)
FORM_TYPE = "SA11AI"
# What filers write for a missing employer or occupation once the committee has made its best
# efforts (asked in the solicitation, then in a follow-up the donor did not answer):
# https://www.fec.gov/help-candidates-and-committees/best-efforts-document-receipts/
INFORMATION_REQUESTED = "INFORMATION REQUESTED"
EARMARKED = "15E"
# Conduits we know by processor: an ActBlue gift reaches the campaign earmarked through it.
CONDUITS = {Processor.ACTBLUE: "ActBlue"}


def _transaction_type(contribution: Contribution) -> str:
    if contribution.transaction_type:
        return contribution.transaction_type
    return EARMARKED if contribution.processor in CONDUITS else "15"


def _purpose(transaction_type: str, conduit: str) -> str:
    if transaction_type == EARMARKED:
        return f"Earmarked through {conduit}" if conduit else "Earmarked"
    return ""


def _best_efforts_sent(contribution: Contribution) -> bool:
    try:
        request = contribution.best_efforts_request
    except ObjectDoesNotExist:
        return False
    return request.sent_at is not None


def schedule_a_row(
    contribution: Contribution, *, aggregate_cents: int, committee_id: str = "", election: str = ""
) -> dict[str, str]:
    """One itemized receipt as a Schedule A record (every field present, blank when unused)."""
    c = contribution
    ttype = _transaction_type(c)
    conduit = CONDUITS.get(c.processor, "") if ttype == EARMARKED else ""
    memo_text = c.note
    if ttype == EARMARKED and not memo_text:
        memo_text = f"Earmarked through {conduit}" if conduit else "Earmarked contribution"
    zip_code = "".join(ch for ch in c.donor_postal_code if ch.isdigit())[:9]
    # Left blank until the donor has been asked: a blank is the treasurer's flag that best
    # efforts are still owed.
    asked = _best_efforts_sent(c)
    employer = c.donor_employer or (INFORMATION_REQUESTED if asked else "")
    occupation = c.donor_occupation or (INFORMATION_REQUESTED if asked else "")
    row = dict.fromkeys(SCHEDULE_A_FIELDS, "")
    row.update(
        {
            "form_type": FORM_TYPE,
            "filer_committee_id_number": committee_id,
            # Unique within the committee's filings and stable across re-exports, so a row of
            # the filing traces back to the gift.
            "transaction_id": f"GS{c.pk}",
            "entity_type": "IND",
            "contributor_last_name": c.donor_family_name,
            "contributor_first_name": c.donor_given_name,
            "contributor_street_1": c.donor_address_line1,
            "contributor_street_2": c.donor_address_line2,
            "contributor_city": c.donor_city,
            "contributor_state": c.donor_state,
            "contributor_zip_code": zip_code,
            # "P2026" / "G2026": the election the gift was designated to.
            "election_code": c.election or election,
            "contribution_date": timezone.localtime(c.received_at).strftime("%Y%m%d"),
            "contribution_amount": dollars(c.amount_cents),
            "contribution_aggregate": dollars(aggregate_cents),
            "contribution_purpose_descrip": _purpose(ttype, conduit),
            "contributor_employer": employer,
            "contributor_occupation": occupation,
            "conduit_name": conduit,
            "memo_code": "X" if c.is_memo else "",
            "memo_text_description": memo_text,
        }
    )
    return row


def schedule_a_rows(*, period: DateRange, committee_id: str = "") -> Iterator[dict[str, str]]:
    """The itemized receipts of a period as Schedule A records, oldest first.

    A gift recorded without an election (some intake paths leave it blank) is given the one an
    undesignated gift counts toward: the next election after it was received.
    """
    rules: dict[int, ComplianceRule] = {}
    for receipt in itemized_receipts(period=period, committee_id=committee_id):
        c = receipt.contribution
        election = ""
        if not c.election:
            if receipt.cycle not in rules:
                rules[receipt.cycle] = rule_for(
                    received_at=c.received_at, committee_id=committee_id
                )
            election = election_for(received_at=c.received_at, rule=rules[receipt.cycle])
        yield schedule_a_row(
            c, aggregate_cents=receipt.aggregate_cents, committee_id=committee_id, election=election
        )


def schedule_a_lines(*, period: DateRange, committee_id: str = "") -> Iterable[str]:
    """The header and the Schedule A records of a period, as CSV lines of the values unaltered.

    The intake already cleaned every field of formula starts; rows stored before it did are
    cleaned the same way here (a no-op for the rest), never escaped with an apostrophe.
    """
    yield csv_plain_line(SCHEDULE_A_FIELDS)
    for row in schedule_a_rows(period=period, committee_id=committee_id):
        yield csv_plain_line(formula_strip(row[name]) for name in SCHEDULE_A_FIELDS)
