"""ActBlue's cancelled-recurring CSV export, from a fixture we wrote in its layout (synthetic
donors): it ends series, makes the ones never seen, is idempotent, and survives hostile cells."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.donations.intake.actblue_cancelled_csv import SIGNATURE
from groundswell.donations.intake.csv_import import actblue_csv_import
from groundswell.donations.intake.tests.test_actblue_shapes import fixture, without
from groundswell.donations.intake.tests.test_actblue_webhook import post
from groundswell.donations.intake.tests.test_actblue_webhook import (
    webhook_settings as webhook_settings,  # noqa: F401  (the autouse fixture)
)
from groundswell.donations.models import RecurringSeries
from groundswell.people.models import EmailAddress, Person
from groundswell.people.selectors import person_find_by_email

FIXTURE = Path(__file__).parent / "fixtures" / "actblue_cancelled_recurring.csv"
HEADERS = next(csv.reader(FIXTURE.open()))


def copy_of_fixture(tmp_path) -> str:
    path = tmp_path / "cancelled.csv"
    shutil.copy(FIXTURE, path)
    return str(path)


def test_the_fixture_has_the_exports_columns():
    assert all(name in HEADERS for name in SIGNATURE)
    assert "Lineitem ID" not in HEADERS


@pytest.mark.django_db
def test_the_export_ends_a_series_the_webhook_began_and_keeps_its_counts(client, tmp_path):
    installment = without(
        fixture("actblue_cancellation_details.json"),
        "cancelledAt",
        "cancellationReason",
        "cancellationType",
        "recurringCompleted",
    )
    post(client, installment)
    result = actblue_csv_import(copy_of_fixture(tmp_path))
    assert (result.rows, result.cancelled, result.rejected, result.created) == (5, 3, 2, 0)
    series = RecurringSeries.objects.get(processor_key="AB900000063")
    assert series.status == RecurringSeries.Status.CANCELLED
    assert series.cancelled_at.isoformat() == "2026-05-01T04:00:00+00:00"  # Eastern midnight
    assert (series.installments_completed, series.installments_planned) == (4, 12)
    assert series.person_id is not None or series.donor  # the webhook's donor is kept


@pytest.mark.django_db
def test_a_gift_never_seen_gets_its_series_made_cancelled(tmp_path):
    actblue_csv_import(copy_of_fixture(tmp_path))
    weekly = RecurringSeries.objects.get(processor_key="AB900000074")
    assert weekly.status == RecurringSeries.Status.CANCELLED
    assert (weekly.period, weekly.amount_cents) == ("weekly", 500)
    assert (weekly.installments_completed, weekly.installments_planned) == (3, 0)
    assert weekly.donor["given_name"] == "Indigo"
    assert weekly.started_at.date().isoformat() == "2026-03-03"
    uneven = RecurringSeries.objects.get(processor_key="AB900000085")
    # $60 given at $25 an installment is not a whole count: not guessed.
    assert (uneven.installments_completed, uneven.installments_planned) == (None, 6)


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_column_and_the_rest_imported(tmp_path):
    result = actblue_csv_import(copy_of_fixture(tmp_path))
    problems = {(e.line, e.column) for e in result.errors}
    assert problems == {(5, "Receipt ID"), (6, "Recurrence Amount")}
    assert RecurringSeries.objects.count() == 3


@pytest.mark.django_db
def test_importing_the_export_again_changes_nothing(tmp_path):
    path = copy_of_fixture(tmp_path)
    actblue_csv_import(path)
    before = list(RecurringSeries.objects.order_by("pk").values())
    again = actblue_csv_import(path)
    assert (again.cancelled, again.unchanged, again.rejected) == (0, 3, 2)
    assert list(RecurringSeries.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_the_import_command_takes_the_export_and_says_what_it_did(tmp_path):
    out = io.StringIO()
    call_command("import", "actblue", copy_of_fixture(tmp_path), stdout=out, verbosity=0)
    assert "3 cancellations applied" in out.getvalue()
    assert "2 rejected" in out.getvalue()


# ------------------------------------------------------------ hostile cells (Hypothesis)

# Each example posts (or imports) twice; a thousand cover these few fields and keep CI's time
# for the full ten thousand bodies of the main ActBlue suite.
NEW_SHAPES = settings(SUITE, max_examples=min(EXAMPLES, 1_000))


CELL = st.text(max_size=30) | st.sampled_from(
    ["", "1e999999", "-5.00", "0", "9999-12-31", "0001-01-01", "²", "9" * 40, "$1,000.00"]
)
GOOD = {
    "Receipt ID": "AB1",
    "Recurrence Amount": "10.00",
    "Total Amount": "30.00",
    "Initial Pledge Length": "12",
    "Recurrence Frequency": "monthly",
    "Initial Contribution Date": "2026-01-02",
    "Cancelled On": "2026-02-01",
    "Donor First Name": "Quinn",
    "Donor Email": "quinn@example.org",
}


@st.composite
def exports(draw) -> list[list[str]]:
    """One to four rows: each a valid row with some cells replaced by hostile text."""
    rows = []
    for number in range(draw(st.integers(1, 4))):
        values = dict(GOOD, **{"Receipt ID": f"AB{number}"})
        for name in draw(st.lists(st.sampled_from(HEADERS), max_size=4)):
            values[name] = draw(CELL)
        rows.append([values.get(h, "") for h in HEADERS])
    return rows


@pytest.mark.django_db(transaction=False)
def test_hostile_cells_never_fail_the_import_and_each_row_is_counted_once(tmp_path):
    seen = {"rows": 0, "rejected": 0}

    @NEW_SHAPES
    @given(exports())
    def property_holds(rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows(rows)
        path = tmp_path / "hostile.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
        with transaction.atomic():
            try:
                result = actblue_csv_import(str(path))
            except Exception as exc:  # only a refusal of the whole file may escape
                assert type(exc).__name__ == "ImportFileError", repr(exc)
                transaction.set_rollback(True)
                return
            assert result.rows == result.cancelled + result.unchanged + result.rejected
            assert all(e.reason for e in result.errors)
            # What was accepted is stored once per receipt, and a rerun changes nothing.
            assert RecurringSeries.objects.count() <= result.cancelled + result.unchanged
            again = actblue_csv_import(str(path))
            assert again.cancelled == 0 and again.rejected == result.rejected
            seen["rows"] += result.rows
            seen["rejected"] += result.rejected
            transaction.set_rollback(True)

    property_holds()
    assert seen["rows"] and seen["rejected"]


@pytest.mark.django_db
def test_a_series_made_from_the_export_is_linked_to_the_person_with_that_email(tmp_path):
    known = Person.objects.create(given_name="Indigo", family_name="Fernhollow")
    EmailAddress.objects.create(
        person=known, address="indigo.fernhollow@example.org", is_primary=True
    )
    people = Person.objects.count()
    result = actblue_csv_import(copy_of_fixture(tmp_path))
    assert (result.linked, result.unlinked) == (1, 2)
    assert RecurringSeries.objects.get(processor_key="AB900000074").person == known
    unlinked = RecurringSeries.objects.get(processor_key="AB900000085")
    assert unlinked.person is None and unlinked.donor["email"] == "juniper.ashcombe@example.org"
    assert Person.objects.count() == people  # found, never created
    again = actblue_csv_import(copy_of_fixture(tmp_path))
    assert (again.linked, again.unlinked, again.cancelled) == (0, 2, 0)
    # Once that donor is known, importing the export again links their series.
    later = Person.objects.create(given_name="Juniper", family_name="Ashcombe")
    EmailAddress.objects.create(person=later, address="juniper.ashcombe@example.org")
    third = actblue_csv_import(copy_of_fixture(tmp_path))
    assert (third.linked, third.unlinked) == (1, 1)
    assert RecurringSeries.objects.get(processor_key="AB900000085").person == later


@pytest.mark.django_db
def test_the_import_command_says_which_series_found_no_person(tmp_path):
    out = io.StringIO()
    call_command("import", "actblue", copy_of_fixture(tmp_path), stdout=out, verbosity=0)
    assert "0 series linked to the person with that e-mail, 3 left without a person" in (
        out.getvalue()
    )


@pytest.mark.django_db
def test_person_find_by_email_finds_as_stored_follows_merges_and_never_creates():
    first = Person.objects.create(given_name="Rowan", family_name="Thistlebrook")
    EmailAddress.objects.create(person=first, address="rowan.t@example.org", is_primary=True)
    assert person_find_by_email(address="  Rowan.T@EXAMPLE.org ") == first
    assert person_find_by_email(address="nobody@example.org") is None
    assert person_find_by_email(address="not an address") is None
    survivor = Person.objects.create(given_name="Rowan", family_name="Thistlebrook")
    Person.objects.filter(pk=first.pk).update(merged_into=survivor)
    assert person_find_by_email(address="rowan.t@example.org") == survivor
    assert Person.objects.count() == 2
