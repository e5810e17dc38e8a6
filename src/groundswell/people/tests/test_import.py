"""CSV import: the error report, idempotence, and files that are not usable."""

import csv

import pytest

from groundswell.people.imports import ImportFileError, job_create, job_run
from groundswell.people.models import Activity, ImportJob, Person

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, rows, name="people.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def run(path, **kwargs):
    return job_run(job_create(path=path, original_name="people.csv", **kwargs))


HEADER = ["First Name", "Last Name", "Email", "Phone", "State", "Zip", "Tags"]


def test_valid_rows_are_imported_and_every_rejected_row_is_reported(tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            ["Ada", "Byrne", "ada@example.org", "", "NY", "10001", "volunteer"],
            ["Bad", "Email", "bad.example.org", "", "NY", "10001", ""],
            ["Cal", "Diaz", "cal@example.org", "", "Narnia", "10001", ""],
            ["Dee", "Ekko", "", "(303) 555-0199", "CO", "80202", ""],
            ["No", "Contact", "", "", "CO", "80202", ""],
        ],
    )
    job = run(path)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.rejected_count, job.processed_rows) == (2, 3, 5)
    report = [(e.line, e.column, e.value) for e in job.row_errors.all()]
    assert report == [(3, "Email", "bad.example.org"), (4, "State", "Narnia"), (6, "", "")]
    reasons = [e.reason for e in job.row_errors.all()]
    assert "not a valid e-mail" in reasons[0]
    assert "not a US state" in reasons[1]
    assert "neither an e-mail address, a phone number nor an external ID" in reasons[2]
    assert Person.objects.filter(primary_email="ada@example.org", state="NY").exists()


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            ["Ada", "Byrne", "ada@example.org", "", "NY", "10001", "volunteer;donor"],
            ["Bo", "Chu", "bo@example.org", "", "CA", "94110", ""],
        ],
    )
    run(path)
    people_before = list(Person.objects.values_list("pk", "modified_at"))
    activities_before = Activity.objects.count()
    again = run(path)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert list(Person.objects.values_list("pk", "modified_at")) == people_before
    assert Activity.objects.count() == activities_before


def test_line_numbers_count_multi_line_fields(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["Email", "Address"],
            ["one@example.org", "1 Main St\nSecond line"],
            ["not-an-email", "2 Main St"],
        ],
    )
    job = run(path)
    assert [e.line for e in job.row_errors.all()] == [4]


def test_actblue_and_van_headers_are_mapped_automatically(tmp_path):
    actblue = write_csv(
        tmp_path,
        [
            [
                "Donor First Name",
                "Donor Last Name",
                "Donor Email",
                "Donor ZIP",
                "Reserved",
                "Reserved",
            ]
        ],
        "ab.csv",
    )
    job = job_create(path=actblue, original_name="ab.csv")
    assert list(job.mapping.values()) == [
        "given_name",
        "family_name",
        "email",
        "postal_code",
        "ignore",
        "ignore",
    ]
    van = write_csv(
        tmp_path,
        [["VANID", "LastName", "FirstName", "Zip5", "CellPhone", "PreferredEmail"]],
        "van.csv",
    )
    job = job_create(path=van, original_name="van.csv")
    assert list(job.mapping.values()) == [
        "van_id",
        "family_name",
        "given_name",
        "postal_code",
        "mobile_phone",
        "email",
    ]


def test_a_column_can_be_mapped_by_hand(tmp_path):
    path = write_csv(tmp_path, [["Correo", "Nombre"], ["ana@example.org", "Ana"]])
    job = run(path, overrides={"Correo": "email", "Nombre": "given_name"})
    assert Person.objects.get().given_name == "Ana"
    assert job.created_count == 1


def test_an_unknown_field_in_a_mapping_is_refused(tmp_path):
    path = write_csv(tmp_path, [["Email"], ["a@example.org"]])
    with pytest.raises(ImportFileError, match="unknown field 'shoe_size'"):
        job_create(path=path, original_name="x.csv", overrides={"Email": "shoe_size"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "spreadsheet"),
        (b"\x00\x01\x02\x03\xff\xfe\x00\x00binary", "not a CSV"),
    ],
)
def test_an_unusable_file_gets_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        job_create(path=str(path), original_name="bad.csv")


def test_a_file_with_no_usable_column_fails_the_job_with_a_message(tmp_path):
    path = write_csv(tmp_path, [["Favourite colour", "Shoe size"], ["blue", "9"]])
    job = run(path)
    assert job.status == ImportJob.Status.FAILED
    assert "no usable column" in job.error_message
    assert not Person.objects.exists()


def test_a_latin_1_file_is_read(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("Email,First Name\njose@example.org,Jos\xe9\n".encode("cp1252"))
    run(str(path))
    assert Person.objects.get().given_name == "José"


def test_semicolon_separated_files_are_understood(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("Email;First Name;City\nsemi@example.org;Lena;Berlin\n")
    run(str(path))
    assert Person.objects.get().given_name == "Lena"


def test_two_rows_sharing_a_phone_stay_put_on_a_second_import(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ["First Name", "Email", "Phone"],
            ["Ana", "ana@example.org", "(312) 555-0147"],
            ["Ben", "ben@example.org", "312 555 0147"],  # matched to Ana's person by phone
        ],
    )
    first = run(path)
    assert (first.created_count, first.updated_count) == (1, 1)
    modified = Person.objects.get().modified_at
    again = run(path)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Person.objects.get().modified_at == modified


def test_a_file_of_several_batches_is_cleaned_in_a_helper_process(tmp_path):
    from groundswell.people.imports import BATCH_SIZE

    rows = [["Email", "First Name", "State"]]
    rows += [[f"p{i}@example.org", f"Name{i}", "VT"] for i in range(BATCH_SIZE * 2 + 10)]
    rows[1500] = ["broken-address", "Broken", "VT"]
    job = run(write_csv(tmp_path, rows))
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.rejected_count) == (BATCH_SIZE * 2 + 9, 1)
    assert [e.line for e in job.row_errors.all()] == [1501]
    assert Person.objects.filter(state="VT").count() == BATCH_SIZE * 2 + 9
