"""Formula-like donor data: cleaned at intake, carried unaltered into Schedule A, escaped only in
the files written for spreadsheets (the contributions export and every error report)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.core.spreadsheet import FORMULA_START, formula_like, formula_strip
from groundswell.donations.compliance.best_efforts import best_efforts_answer
from groundswell.donations.finance import exports
from groundswell.donations.finance.tests.finance_data import at, gift
from groundswell.donations.intake.fec_import import fec_import
from groundswell.donations.intake.tests.test_csv_import import export as actblue_export
from groundswell.donations.intake.tests.test_csv_import import row as actblue_row
from groundswell.donations.intake.tests.test_fec_import import CMTE
from groundswell.donations.intake.tests.test_fec_import import row as fec_row
from groundswell.donations.intake.tests.test_fec_import import write as fec_write
from groundswell.donations.models import Contribution
from groundswell.donations.selectors import DateRange
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.people.models import ImportJob

pytestmark = pytest.mark.django_db

Q1 = DateRange(date(2026, 1, 1), date(2026, 3, 31))
# Schedule A field → the contribution field it carries as stored.
CARRIED = {
    "contributor_first_name": "donor_given_name",
    "contributor_last_name": "donor_family_name",
    "contributor_street_1": "donor_address_line1",
    "contributor_city": "donor_city",
    "contributor_employer": "donor_employer",
    "contributor_occupation": "donor_occupation",
    "memo_text_description": "note",
}


def _schedule_a() -> list[dict[str, str]]:
    body = "".join(exports.schedule_a_lines(period=Q1))
    return list(csv.DictReader(io.StringIO(body)))


def _record(n: int, *, note: str = "", **donor) -> Contribution:
    donor = {"postal_code": "43215", "state": "OH", **donor}
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="check",
            processor_id=f"formula-{n}",
            amount_cents=25_000,  # over $200: itemized
            received_at=datetime(2026, 2, 10, 15, tzinfo=UTC),
            donor=donor,
            note=note,
        )
    )
    contribution.refresh_from_db()
    return contribution


def test_a_formula_in_a_donor_field_is_cleaned_at_intake_and_schedule_a_carries_it_unaltered():
    contribution = _record(
        1,
        given_name="=HYPERLINK(1)",
        family_name="Quill",
        address_line1="@SUM(A1) Main St",
        city="-1+1",
        employer="+Acme",
        occupation="\t=cmd",
        note="=1+1 note",
    )
    assert contribution.donor_given_name == "HYPERLINK(1)"
    assert contribution.donor_city == "1+1"
    assert contribution.donor_employer == "Acme"
    assert contribution.donor_occupation == "cmd"
    assert contribution.note == "1+1 note"
    assert not formula_like(contribution.donor_address_line1)
    [row] = _schedule_a()
    for field, stored in CARRIED.items():
        assert row[field] == getattr(contribution, stored), field
    assert row["contributor_city"] == "1+1"  # not "'-1+1": FEC data carries no apostrophe
    assert row["contributor_zip_code"] == "43215"


def test_an_fec_file_is_cleaned_the_same_way(tmp_path):
    path = fec_write(
        tmp_path,
        [
            fec_row(
                SUB_ID="7001",
                NAME="=EVIL, @JANE",
                CITY="-1+1",
                EMPLOYER="+SELF",
                OCCUPATION="=TEACHER",
                MEMO_TEXT="=MEMO",
                TRANSACTION_AMT="250",
                TRANSACTION_DT="02102026",
            )
        ],
    )
    assert fec_import(path, committee=CMTE).created == 1
    contribution = Contribution.objects.get()
    assert contribution.donor_city == "1+1"
    assert contribution.donor_employer == "SELF"
    assert contribution.donor_occupation == "TEACHER"
    assert not formula_like(contribution.donor_family_name)
    assert not formula_like(contribution.donor_given_name)
    assert not formula_like(contribution.note)
    [row] = _schedule_a()
    for field, stored in CARRIED.items():
        assert row[field] == getattr(contribution, stored), field


def test_a_row_stored_before_intake_cleaning_is_cleaned_in_schedule_a_and_escaped_elsewhere(
    persona_client,
):
    gift(25_000, when=at(date(2026, 2, 10)), donor_city="-1+1", donor_employer="=HYPERLINK(x)")
    [row] = _schedule_a()
    assert row["contributor_city"] == "1+1"
    assert row["contributor_employer"] == "HYPERLINK(x)"
    response = persona_client("finance").get(reverse("donations:export_contributions"))
    body = b"".join(response.streaming_content).decode()
    [spreadsheet] = list(csv.DictReader(io.StringIO(body)))
    assert spreadsheet["donor_city"] == "'-1+1"
    assert spreadsheet["donor_employer"] == "'=HYPERLINK(x)"


def test_a_donor_s_best_efforts_answer_loses_its_formula_start_too():
    contribution = _record(3, given_name="Wren", family_name="Quill", email="wren@example.org")
    Contribution.objects.filter(pk=contribution.pk).update(donor_employer="", donor_occupation="")
    with pytest.raises(ValidationError, match="Enter your employer"):
        best_efforts_answer(contribution=contribution, employer="=", occupation="Nurse")
    best_efforts_answer(contribution=contribution, employer="=HYPERLINK(x)", occupation="-1+1")
    contribution.refresh_from_db()
    assert (contribution.donor_employer, contribution.donor_occupation) == ("HYPERLINK(x)", "1+1")
    [row] = _schedule_a()
    assert (row["contributor_employer"], row["contributor_occupation"]) == ("HYPERLINK(x)", "1+1")


# Text heavy in formula starts, with the letters, digits and punctuation of real names.
hostile = st.text(
    alphabet=st.sampled_from(sorted(FORMULA_START) + list(" abcXYZ019.,'-()&é")),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    given_name=hostile,
    family_name=hostile,
    street=hostile,
    city=hostile,
    employer=hostile,
    occupation=hostile,
    note=hostile,
)
def test_intake_cleaned_values_survive_schedule_a_unaltered_and_no_cell_starts_a_formula(
    given_name, family_name, street, city, employer, occupation, note
):
    with transaction.atomic():
        contribution = _record(
            2,
            given_name=given_name,
            family_name=family_name,
            address_line1=street,
            city=city,
            employer=employer,
            occupation=occupation,
            note=note,
        )
        rows = _schedule_a()
        transaction.set_rollback(True)
    [row] = rows
    for field, stored in CARRIED.items():
        assert row[field] == getattr(contribution, stored), field
    for field, cell in row.items():
        assert not formula_like(cell), (field, cell)
    # Nothing but the formula start is taken away (the city is also title-cased, as always).
    assert contribution.note == formula_strip(note)
    assert contribution.donor_city.lower() == formula_strip(" ".join(city.split())).lower()


def test_every_cli_error_report_escapes_formulas_like_the_web_one(tmp_path, persona_client):
    people = tmp_path / "people.csv"
    people.write_text("Email,First Name\n=1+1,Formula\nok@example.org,Fine\n")
    call_command("import", "people", str(people), "--errors", str(tmp_path / "p.csv"), verbosity=0)
    with open(tmp_path / "p.csv", encoding="utf-8", newline="") as fh:
        cli = fh.read()
    assert "'=1+1" in cli
    job = ImportJob.objects.get()
    web = persona_client("organizer").get(reverse("people:import_errors_csv", args=[job.pk]))
    assert b"".join(web.streaming_content).decode() == cli  # one function writes both

    actblue = actblue_export(tmp_path, [actblue_row(1, Amount="=1+1")])
    call_command("import", "actblue", actblue, "--errors", str(tmp_path / "a.csv"), verbosity=0)
    [_, bad] = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    assert bad[:3] == ["2", "Amount", "'=1+1"]

    fec = fec_write(tmp_path, [fec_row(SUB_ID="9001", TRANSACTION_AMT="-1+1")])
    call_command(
        "import", "fec", fec, "--committee", CMTE, "--errors", str(tmp_path / "f.csv"), verbosity=0
    )
    [_, bad] = list(csv.reader(io.StringIO((tmp_path / "f.csv").read_text(encoding="utf-8"))))
    assert bad[:3] == ["1", "TRANSACTION_AMT", "'-1+1"]
