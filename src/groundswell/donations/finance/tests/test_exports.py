"""The exports, read back as CSV: the full contributions file and Schedule A itemized receipts."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.donations.compliance.itemization import itemized_receipts
from groundswell.donations.finance import exports
from groundswell.donations.finance.tests.finance_data import at, gift
from groundswell.donations.models import ComplianceRule, ContributionStatus, Processor
from groundswell.donations.selectors import DateRange

pytestmark = pytest.mark.django_db


def _read(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def _header(response) -> list[str]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return next(csv.reader(io.StringIO(body)))


# ---------------------------------------------------------------- contributions CSV


def test_the_contributions_csv_has_every_column_and_the_donor_as_given(persona_client):
    c = gift(
        2_750,
        day=date(2026, 3, 10),
        refunded_cents=250,
        donor_given_name="Wilhelmina",
        donor_family_name="Quarrington",
        donor_employer="=HYPERLINK(evil)",
        refcode="spring",
        refcodes={"refcode": "spring", "refcode2": "fb"},
        election="P2026",
    )
    response = persona_client("finance").get(reverse("donations:export_contributions"))
    assert response["Content-Disposition"].startswith('attachment; filename="contributions-')
    rows = _read(response)
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {name for name, _ in exports.CONTRIBUTION_COLUMNS}
    assert row["id"] == str(c.pk)
    assert (row["amount"], row["refunded"], row["net"]) == ("27.50", "2.50", "25.00")
    assert row["status"] == "partially_refunded"
    assert row["donor_given_name"] == "Wilhelmina"
    assert row["donor_family_name"] == "Quarrington"
    assert row["donor_employer"] == "'=HYPERLINK(evil)"  # never run as a formula
    assert row["refcodes"] == '{"refcode": "spring", "refcode2": "fb"}'
    assert row["election"] == "P2026"
    assert row["received_at"].startswith("2026-03-10T12:00:00")


def test_the_contributions_csv_applies_the_list_filters_and_is_audited(persona_client):
    gift(1_000, day=date(2026, 3, 10), refcode="keep")
    gift(2_000, day=date(2026, 3, 10), refcode="keep", is_memo=True)
    gift(3_000, day=date(2026, 3, 10), refcode="other")
    client = persona_client("finance")
    response = client.get(
        reverse("donations:export_contributions"), {"refcode": "keep", "memo": "exclude"}
    )
    rows = _read(response)
    assert [r["amount"] for r in rows] == ["10.00"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor.username == "finance-persona"
    assert event.details == {
        "export": "contributions",
        "filters": {"refcode": "keep", "memo": "exclude"},
        "row_count": 1,
    }


def test_the_contributions_csv_is_streamed_in_a_bounded_number_of_queries(
    persona_client, django_assert_max_num_queries
):
    for index in range(30):
        gift(100 + index, day=date(2026, 3, 1 + index % 28))
    client = persona_client("finance")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("donations:export_contributions"))
        rows = _read(response)
    assert len(rows) == 30


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_exports_are_refused_to_organizers_and_volunteers(persona_client, role):
    gift(1_000, day=date(2026, 3, 10))
    client = persona_client(role)
    assert client.get(reverse("donations:export_contributions")).status_code == 403
    assert client.get(reverse("donations:export_schedule_a"), {"cycle": "2026"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# ---------------------------------------------------------------- Schedule A


Q1 = {"start": "2026-01-01", "end": "2026-03-31"}


def test_schedule_a_has_the_fec_columns_in_order(persona_client):
    response = persona_client("finance").get(reverse("donations:export_schedule_a"), Q1)
    header = _header(response)
    assert header == list(exports.SCHEDULE_A_FIELDS)
    assert header[:6] == [
        "form_type",
        "filer_committee_id_number",
        "transaction_id",
        "back_reference_tran_id_number",
        "back_reference_sched_name",
        "entity_type",
    ]
    assert len(header) == 45
    assert header[-3:] == ["memo_code", "memo_text_description", "reference_code"]


def test_schedule_a_itemizes_only_donors_over_the_threshold(persona_client):
    big = "n:over|donor|43215"
    gift(15_000, when=at(date(2026, 1, 15)), donor_key=big, processor=Processor.STRIPE)
    gift(7_500, when=at(date(2026, 2, 20)), donor_key=big, processor=Processor.STRIPE)
    at_limit = "n:exactly|two|43215"
    gift(10_000, when=at(date(2026, 1, 10)), donor_key=at_limit)
    gift(10_000, when=at(date(2026, 2, 10)), donor_key=at_limit)  # $200.00: not over it
    gift(500, when=at(date(2026, 3, 1)))  # small, someone else
    response = persona_client("finance").get(
        reverse("donations:export_schedule_a"), {**Q1, "committee": "C00123456"}
    )
    rows = _read(response)
    assert [(r["contribution_date"], r["contribution_amount"]) for r in rows] == [
        ("20260115", "150.00"),
        ("20260220", "75.00"),
    ]
    assert [r["contribution_aggregate"] for r in rows] == ["150.00", "225.00"]
    first = rows[0]
    assert first["form_type"] == "SA11AI"
    assert first["entity_type"] == "IND"
    assert first["filer_committee_id_number"] == "C00123456"
    assert first["transaction_id"].startswith("GS")
    assert first["memo_code"] == ""


def test_schedule_a_carries_earlier_gifts_of_the_cycle_into_the_aggregate(persona_client):
    key = "n:steady|giver|10001"
    gift(18_000, when=at(date(2025, 11, 1)), donor_key=key)  # an earlier report of the cycle
    gift(5_000, when=at(date(2026, 2, 1)), donor_key=key)
    gift(9_999, when=at(date(2024, 6, 1)), donor_key=key)  # the previous cycle: not counted
    rows = _read(persona_client("finance").get(reverse("donations:export_schedule_a"), Q1))
    assert [(r["contribution_amount"], r["contribution_aggregate"]) for r in rows] == [
        ("50.00", "230.00")
    ]


def test_schedule_a_nets_refunds_and_leaves_refunded_gifts_out(persona_client):
    key = "n:refund|case|20001"
    gift(30_000, when=at(date(2026, 1, 5)), donor_key=key, refunded_cents=20_000)  # nets 100
    gift(50_000, when=at(date(2026, 1, 6)), donor_key=key, status=ContributionStatus.REFUNDED)
    gift(9_000, when=at(date(2026, 1, 7)), donor_key=key)  # 190 in all: not itemized
    assert _read(persona_client("finance").get(reverse("donations:export_schedule_a"), Q1)) == []


def test_schedule_a_marks_memo_rows_with_x_and_earmarked_rows_with_the_conduit(persona_client):
    key = "n:earmark|ed|30301"
    gift(25_000, when=at(date(2026, 1, 5)), donor_key=key, processor=Processor.ACTBLUE)
    gift(
        25_000,
        when=at(date(2026, 1, 5)),
        donor_key=key,
        processor=Processor.FEC,
        is_memo=True,
        transaction_type="15E",
        note="Earmarked through C00401224",
    )
    rows = _read(persona_client("finance").get(reverse("donations:export_schedule_a"), Q1))
    assert len(rows) == 2
    paid, memo = rows
    assert paid["memo_code"] == "" and memo["memo_code"] == "X"
    assert paid["conduit_name"] == "ActBlue"
    assert paid["memo_text_description"] == "Earmarked through ActBlue"
    assert memo["memo_text_description"] == "Earmarked through C00401224"
    # The memo row is shown, never added: both carry the same aggregate.
    assert paid["contribution_aggregate"] == memo["contribution_aggregate"] == "250.00"


def test_schedule_a_fills_a_missing_election_with_the_next_one(persona_client):
    ComplianceRule.objects.create(
        cycle=2026, primary_date=date(2026, 5, 5), general_date=date(2026, 11, 3)
    )
    key = "n:no|election|1"
    gift(15_000, when=at(date(2026, 3, 1)), donor_key=key, election="")
    gift(15_000, when=at(date(2026, 6, 1)), donor_key=key, election="")
    gift(1_000, when=at(date(2026, 6, 2)), donor_key=key, election="P2026")  # as designated
    rows = _read(
        persona_client("finance").get(
            reverse("donations:export_schedule_a"), {"start": "2026-01-01", "end": "2026-06-30"}
        )
    )
    assert [r["election_code"] for r in rows] == ["P2026", "G2026", "P2026"]


def test_schedule_a_says_information_requested_only_once_the_donor_was_asked(persona_client):
    from django.utils import timezone

    from groundswell.donations.models import BestEffortsRequest

    asked = gift(25_000, when=at(date(2026, 2, 1)), donor_employer="", donor_occupation="")
    BestEffortsRequest.objects.create(contribution=asked, token="t-asked", sent_at=timezone.now())
    not_yet = gift(25_000, when=at(date(2026, 2, 2)), donor_employer="", donor_occupation="")
    BestEffortsRequest.objects.create(contribution=not_yet, token="t-not-yet")
    known = gift(25_000, when=at(date(2026, 2, 3)), donor_occupation="Nurse")
    rows = _read(persona_client("finance").get(reverse("donations:export_schedule_a"), Q1))
    by_id = {r["transaction_id"]: r for r in rows}
    assert by_id[f"GS{asked.pk}"]["contributor_employer"] == "INFORMATION REQUESTED"
    assert by_id[f"GS{asked.pk}"]["contributor_occupation"] == "INFORMATION REQUESTED"
    assert by_id[f"GS{not_yet.pk}"]["contributor_employer"] == ""
    assert by_id[f"GS{known.pk}"]["contributor_occupation"] == "Nurse"


def test_schedule_a_uses_the_cycle_threshold_the_campaign_set(persona_client):
    ComplianceRule.objects.create(cycle=2026, itemization_threshold_cents=5_000)
    gift(6_000, when=at(date(2026, 2, 1)))
    rows = _read(persona_client("finance").get(reverse("donations:export_schedule_a"), Q1))
    assert len(rows) == 1


def test_schedule_a_for_a_whole_cycle_and_its_audit_record(persona_client):
    gift(30_000, when=at(date(2025, 4, 1)))
    gift(30_000, when=at(date(2026, 10, 1)))
    gift(30_000, when=at(date(2027, 1, 2)))  # the next cycle
    response = persona_client("finance").get(
        reverse("donations:export_schedule_a"), {"cycle": "2026"}
    )
    assert 'filename="schedule-a-20250101-20261231.csv"' in response["Content-Disposition"]
    assert len(_read(response)) == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details["export"] == "schedule_a"
    assert event.details["row_count"] == 2
    assert event.details["filters"]["cycle"] == 2026
    assert event.details["filters"]["start"] == "2025-01-01"


def test_a_period_across_two_cycles_restarts_the_aggregate(persona_client):
    key = "n:two|cycles|1"
    gift(25_000, when=at(date(2026, 12, 30)), donor_key=key)
    gift(25_000, when=at(date(2027, 1, 2)), donor_key=key)
    receipts = list(itemized_receipts(period=DateRange(date(2026, 12, 1), date(2027, 1, 31))))
    assert [(r.cycle, r.aggregate_cents) for r in receipts] == [(2026, 25_000), (2028, 25_000)]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-03-01"}, "Choose a date range"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "ends before it starts"),
        ({"cycle": "2025"}, "even (election) year"),
        ({"cycle": "2026", "start": "2026-01-01", "end": "2026-02-01"}, "not both"),
        ({"cycle": "2026", "committee": "12345"}, "C followed by 8 digits"),
    ],
)
def test_a_bad_schedule_a_request_says_what_is_wrong(persona_client, params, message):
    response = persona_client("finance").get(reverse("donations:export_schedule_a"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_export_itemizes_what_the_compliance_selector_itemizes():
    from groundswell.donations.compliance.limits import itemized_contributions

    for index, cents in enumerate((15_000, 7_500, 19_900, 20_100, 500, 26_000)):
        key = f"n:agree|{index % 3}|1"
        gift(cents, when=at(date(2026, 1 + index, 3)), donor_key=key)
    gift(40_000, when=at(date(2026, 2, 8)), donor_key="n:agree|0|1", is_memo=True)
    period = DateRange(date(2026, 2, 1), date(2026, 6, 30))
    ours = {
        (r.contribution.pk, r.aggregate_cents)
        for r in itemized_receipts(period=period)
        if not r.contribution.is_memo
    }
    theirs = {
        (c.pk, c.aggregate_cents)
        for c in itemized_contributions(
            cycle=2026,
            since=period.start_at,
            until=period.end_before,
        )
    }
    assert ours == theirs
    assert len(ours) >= 3
