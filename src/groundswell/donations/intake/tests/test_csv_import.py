"""ActBlue contributions CSV exports, written in the export's column layout with Faker donors."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from faker import Faker

from groundswell.donations.intake.csv_import import actblue_csv_import, columns_index
from groundswell.donations.intake.tests.test_actblue_webhook import auth, payload, worker
from groundswell.donations.models import Contribution, ContributionStatus
from groundswell.people.imports import ImportFileError
from groundswell.people.models import Activity, Person

# The export's columns, in order (abridged at the end); "Reserved" repeats, as it does there.
HEADERS = [
    "Receipt ID", "Date", "Amount", "Recurring Total Months", "Recurrence Number", "Recipient",
    "Fundraising Page", "Fundraising Partner", "Reference Code 2", "Reference Code",
    "Donor First Name", "Donor Last Name", "Donor Addr1", "Donor Addr2", "Donor City",
    "Donor State", "Donor ZIP", "Donor Country", "Donor Occupation", "Donor Employer",
    "Donor Email", "Donor Phone", "New Express Signup", "Comments", "Check Number", "Check Date",
    "Employer Addr1", "Employer Addr2", "Employer City", "Employer State", "Employer ZIP",
    "Employer Country", "Donor ID", "Fundraiser ID", "Fundraiser Recipient ID",
    "Fundraiser Contact Email", "Fundraiser Contact First Name", "Fundraiser Contact Last Name",
    "Partner ID", "Partner Contact Email", "Partner Contact First Name",
    "Partner Contact Last Name", "Reserved", "Lineitem ID", "AB Test Name", "AB Variation",
    "Recipient Committee", "Recipient ID", "Recipient Gov ID", "Recipient Election", "Reserved",
    "Payment ID", "Payment Date", "Disbursement ID", "Disbursement Date", "Recovery ID",
    "Recovery Date", "Refund ID", "Refund Date", "Fee", "Recur Weekly", "ActBlue Express Lane",
    "Reserved", "Card Type", "Reserved", "Mobile",
]  # fmt: skip

fake = Faker("en_US")


@pytest.fixture(autouse=True)
def no_mx(settings):
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = "10001"


def row(lineitem_id, **values):
    Faker.seed(lineitem_id)
    base = {
        "Receipt ID": f"AB{lineitem_id:09d}",
        "Date": "2026-03-30 21:14:07",
        "Amount": "27.00",
        "Recipient": "Groundswell for Congress",
        "Fundraising Page": "groundswell-main",
        "Reference Code": "email-q1-deadline",
        "Donor First Name": fake.first_name(),
        "Donor Last Name": fake.last_name(),
        "Donor Addr1": fake.street_address(),
        "Donor City": "Springfield",
        "Donor State": "IL",
        "Donor ZIP": "62701",
        "Donor Country": "United States",
        "Donor Occupation": fake.job()[:60],
        "Donor Employer": fake.company(),
        "Donor Email": fake.email(domain="example.org"),
        "Donor Phone": "217-555-0134",
        "Lineitem ID": str(lineitem_id),
        "Recipient ID": "10001",
        "Recipient Election": "2026 primary",
        "Payment ID": "555",
        "Fee": "1.07",
    }
    base.update(values)
    return base


def export(tmp_path, rows, name="export.csv", headers=HEADERS):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        # The repeated "Reserved" columns hold different things; only the first is read.
        writer.writerow(
            [values.get(h, "") if h != "Reserved" else f"r{i}" for i, h in enumerate(headers)]
        )
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return str(path)


def test_a_repeated_header_keeps_its_first_column():
    index = columns_index(HEADERS)
    assert index["reserved"] == HEADERS.index("Reserved")
    assert index["lineitem id"] == HEADERS.index("Lineitem ID")


@pytest.mark.django_db
def test_paid_rows_become_contributions_with_the_donor_as_given(tmp_path):
    path = export(tmp_path, [row(1), row(2, **{"Recurring Total Months": "12", "Amount": "10"})])
    result = actblue_csv_import(path)
    assert (result.created, result.rejected) == (2, 0)
    first = Contribution.objects.get(processor_id="1")
    expected = row(1)
    assert first.amount_cents == 2700
    assert first.received_at.isoformat() == "2026-03-31T01:14:07+00:00"  # Eastern time
    assert first.order_number == "AB000000001"
    assert first.refcode == "email-q1-deadline"
    assert first.form_name == "groundswell-main"
    assert first.election == "P2026"
    assert first.donor_family_name == expected["Donor Last Name"]
    assert first.donor_country == "US"
    assert first.donor_phone == "+12175550134"
    assert first.person.primary_email == expected["Donor Email"].lower()
    assert not first.is_recurring
    second = Contribution.objects.get(processor_id="2")
    assert second.amount_cents == 1000
    assert second.is_recurring and second.recurring_period == "monthly"
    assert second.recurring_series_key == "AB000000002"
    assert Activity.objects.filter(kind="donation").count() == 2


@pytest.mark.django_db
def test_bad_rows_are_reported_and_good_rows_still_imported(tmp_path):
    path = export(
        tmp_path,
        [
            row(1),
            row(2, Amount="27.0.0"),
            row(3, Date="yesterday"),
            row(4, **{"Lineitem ID": ""}),
            row(5, Amount="0"),
            row(6),
        ],
    )
    result = actblue_csv_import(path)
    assert (result.rows, result.created, result.rejected) == (6, 2, 4)
    errors = [(e.line, e.column, e.value) for e in result.errors]
    assert errors == [
        (3, "Amount", "27.0.0"),
        (4, "Date", "yesterday"),
        (5, "Lineitem ID", ""),
        (6, "Amount", "0"),
    ]
    assert "not an amount" in result.errors[0].reason
    assert "not a date" in result.errors[1].reason


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = export(tmp_path, [row(1), row(2), row(3, **{"Refund ID": "77", "Amount": "-27.00"})])
    first = actblue_csv_import(path)
    assert (first.created, first.refunded) == (3, 1)
    snapshot = list(Contribution.objects.values().order_by("pk"))
    activities = Activity.objects.count()
    again = actblue_csv_import(path)
    assert (again.created, again.refunded, again.unchanged) == (0, 0, 3)
    assert list(Contribution.objects.values().order_by("pk")) == snapshot
    assert Activity.objects.count() == activities


@pytest.mark.django_db
def test_a_refunded_row_refunds_the_contribution(tmp_path):
    actblue_csv_import(export(tmp_path, [row(1, Amount="50.00")], name="paid.csv"))
    refunds = export(
        tmp_path,
        [row(1, Amount="-50.00", **{"Refund ID": "900", "Refund Date": "2026-04-02 10:00:00"})],
        name="refunded.csv",
    )
    result = actblue_csv_import(refunds)
    assert (result.created, result.refunded) == (0, 1)
    contribution = Contribution.objects.get()
    assert contribution.amount_cents == 5000
    assert contribution.status == ContributionStatus.REFUNDED
    assert contribution.refunded_cents == 5000
    assert contribution.refund_keys == ["900"]
    assert contribution.refunded_at.isoformat() == "2026-04-02T14:00:00+00:00"
    assert Activity.objects.filter(kind="donation_refund").count() == 1


@pytest.mark.django_db
def test_a_gift_by_webhook_and_by_csv_is_one_contribution(client, settings, tmp_path):
    settings.ACTBLUE_WEBHOOK_USERNAME = "actblue-hook"
    settings.ACTBLUE_WEBHOOK_PASSWORD = "s3cret-for-tests"
    body = payload(amount="27.00", lineitem_id=4242)
    response = client.post(
        "/webhooks/actblue/",
        data=json.dumps(body),
        content_type="application/json",
        **auth("actblue-hook", "s3cret-for-tests"),
    )
    assert response.status_code == 200, response.content
    worker()  # the webhook's donor is linked by the task worker
    path = export(tmp_path, [row(4242, **{"Donor Email": body["donor"]["email"]})])
    result = actblue_csv_import(path)
    assert (result.created, result.unchanged) == (0, 1)
    assert Contribution.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_rows_for_another_committee_are_skipped(tmp_path):
    path = export(tmp_path, [row(1), row(2, **{"Recipient ID": "20002"})])
    result = actblue_csv_import(path, entity_id="10001")
    assert (result.created, result.skipped) == (1, 1)


@pytest.mark.django_db
def test_files_that_cannot_be_used_are_explained(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="empty"):
        actblue_csv_import(str(empty))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    with pytest.raises(ImportFileError, match="binary"):
        actblue_csv_import(str(binary))
    people = tmp_path / "people.csv"
    people.write_text("Email,First Name\na@example.org,Ann\n")
    with pytest.raises(ImportFileError, match="no Lineitem ID, Date, Amount columns"):
        actblue_csv_import(str(people))


@pytest.mark.django_db
def test_the_command_reports_rejected_rows_and_writes_them_all(tmp_path):
    path = export(tmp_path, [row(1), row(2, Amount="abc"), row(3, Date="31/31/2026")])
    out = io.StringIO()
    call_command("import", "actblue", path, stdout=out, verbosity=0)
    text = out.getvalue()
    assert "3 rows — 1 new, 0 refunds applied, 0 unchanged, 2 rejected" in text
    assert "line 3, column 'Amount':" in text
    assert "line 4, column 'Date':" in text
    report = tmp_path / "errors.csv"
    out = io.StringIO()
    call_command("import", "actblue", path, "--errors", str(report), stdout=out, verbosity=0)
    assert "0 new, 0 refunds applied, 1 unchanged, 2 rejected" in out.getvalue()
    lines = report.read_text().splitlines()
    assert lines[0] == "line,column,value,reason"
    assert lines[1].startswith("3,Amount,abc,")
    assert lines[2].startswith("4,Date,31/31/2026,")
    with pytest.raises(CommandError, match="the file is empty"):
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        call_command("import", "actblue", str(empty), verbosity=0)


@pytest.mark.django_db
def test_recurring_rows_of_one_receipt_form_one_series(tmp_path):
    from groundswell.donations.models import RecurringSeries

    recurring = {"Recurring Total Months": "12", "Amount": "10", "Receipt ID": "AB-R-77"}
    path = export(tmp_path, [row(5, **recurring), row(6, **recurring), row(7)])
    actblue_csv_import(path)
    actblue_csv_import(path)
    series = RecurringSeries.objects.get()
    assert series.processor_key == "AB-R-77"
    assert (series.installments_paid, series.installments_planned) == (2, 12)
    assert Contribution.objects.filter(series=series).count() == 2
