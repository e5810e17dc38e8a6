"""Imports of another system's export (a VAN file): rows with only a VAN ID are imported and
found again at re-import; the error report carries the original row; the result page leads to
the people the import added or updated."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groundswell.accounts.roles import PEOPLE_IMPORT, role_can
from groundswell.people.imports import job_create, job_run
from groundswell.people.models import ExternalId, ImportJob, Person
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db

VAN_HEADER = ["VANID", "FirstName", "LastName", "Zip5", "PreferredEmail"]


def _file(tmp_path, rows, name="van-export.csv") -> str:
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def _import(path: str, name: str = "van-export.csv") -> ImportJob:
    job = job_create(path=path, original_name=name)
    return job_run(job)


def _van(person: Person) -> list[str]:
    return list(person.external_ids.filter(system="van").values_list("value", flat=True))


def test_a_van_id_column_is_mapped_to_the_van_id_field(tmp_path):
    job = job_create(path=_file(tmp_path, [VAN_HEADER]), original_name="v.csv")
    assert job.mapping["0"] == "van_id"


def test_rows_with_only_a_van_id_are_imported_and_a_reimport_updates_them(tmp_path):
    first = _import(
        _file(
            tmp_path,
            [VAN_HEADER, ["1001", "Ada", "Byrne", "10001", ""], ["1002", "Cal", "Diaz", "", ""]],
        )
    )
    assert (first.created_count, first.rejected_count) == (2, 0)
    ada = Person.objects.get(given_name="Ada")
    assert _van(ada) == ["1001"]
    # The next export: Ada's last name corrected, Cal unchanged, a new person.
    second = _import(
        _file(
            tmp_path,
            [
                VAN_HEADER,
                ["1001", "Ada", "Byrne-Lee", "10001", ""],
                ["1002", "Cal", "Diaz", "", ""],
                ["1003", "Eve", "Fox", "", ""],
            ],
            name="van-export-2.csv",
        ),
        name="van-export-2.csv",
    )
    assert (second.created_count, second.updated_count, second.unchanged_count) == (1, 1, 1)
    assert Person.objects.count() == 3
    ada.refresh_from_db()
    assert ada.family_name == "Byrne-Lee"
    assert ExternalId.objects.filter(system="van").count() == 3


def test_a_van_id_joins_the_person_its_email_already_names_and_finds_them_later(tmp_path):
    known = person_create(given_name="Gia", email="gia@example.org")
    _import(_file(tmp_path, [VAN_HEADER, ["2001", "Gia", "Hale", "", "gia@example.org"]]))
    assert _van(known) == ["2001"]
    _import(
        _file(tmp_path, [VAN_HEADER, ["2001", "Gia", "Hale", "19104", ""]], name="b.csv"), "b.csv"
    )
    assert Person.objects.count() == 1
    known.refresh_from_db()
    assert known.postal_code == "19104"


def test_the_same_van_id_twice_in_one_file_is_one_person(tmp_path):
    job = _import(
        _file(tmp_path, [VAN_HEADER, ["3001", "Ian", "", "", ""], ["3001", "Ian", "Jones", "", ""]])
    )
    assert Person.objects.count() == 1
    assert job.rejected_count == 0
    assert Person.objects.get().family_name == "Jones"


def test_a_row_with_no_email_phone_or_id_is_still_refused(tmp_path):
    job = _import(_file(tmp_path, [VAN_HEADER, ["", "Kim", "Lee", "10001", ""]]))
    assert job.rejected_count == 1
    assert "nor an external ID" in job.row_errors.get().reason


def test_a_number_typed_van_id_from_a_spreadsheet_is_the_same_id(tmp_path):
    _import(_file(tmp_path, [VAN_HEADER, ["4001", "Lou", "", "", ""]]))
    _import(_file(tmp_path, [VAN_HEADER, ["4001.0", "Lou", "May", "", ""]], name="x.csv"), "x.csv")
    assert Person.objects.count() == 1


def test_the_error_report_carries_each_refused_rows_original_columns(persona_client, tmp_path):
    rows = [
        ["First Name", "Email", "Zip", "Shirt"],
        ["Ann", "ann@example.org", "02134", "M"],
        ["Bob", "bob-at-example.org", "12345", "L"],
        ["Cy", "cy@example.org", "ABCDE", "S"],
    ]
    job = _import(_file(tmp_path, rows, name="shirts.csv"), "shirts.csv")
    client = persona_client("organizer")
    response = client.get(reverse("people:import_errors_csv", args=[job.pk]))
    report = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert report[0] == ["line", "column", "value", "reason", *rows[0]]
    assert [r[0] for r in report[1:]] == ["3", "4"]
    assert report[1][4:] == rows[2] and report[2][4:] == rows[3]
    assert report[1][1] == "Email" and report[2][1] == "Zip"


def test_the_result_page_links_to_the_people_the_import_added_or_updated(
    persona_client, django_capture_on_commit_callbacks
):
    person_create(given_name="Outsider", email="out@example.org")
    person_create(given_name="G", email="gia@example.org")
    client = persona_client("organizer")
    content = "First Name,Email\nAnn,ann@example.org\nGia,gia@example.org\nBad,bad\n"
    client.post(
        reverse("people:import_upload"),
        {"file": SimpleUploadedFile("list.csv", content.encode(), "text/csv")},
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("people:import_mapping", args=[job.pk]),
            {"col_0": "given_name", "col_1": "email", "tags": "", "source": ""},
        )
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 1, 1)
    page = client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    link = f"{reverse('people:list')}?imported={job.pk}"
    assert link in page and "See the 2 people</a>" in page
    listed = client.get(link)
    names = {p.given_name for p in listed.context["page"].items}
    assert names == {"Ann", "Gia"}
    assert f"import #{job.pk}" in listed.content.decode()
    # An import that does not exist names nobody.
    again = client.get(f"{reverse('people:list')}?imported=999999")
    assert list(again.context["page"].items) == []


def test_the_person_page_shows_the_van_id(persona_client, tmp_path):
    _import(_file(tmp_path, [VAN_HEADER, ["5001", "Noa", "Ode", "", ""]]))
    noa = Person.objects.get()
    html = persona_client("volunteer").get(reverse("people:detail", args=[noa.pk]))
    assert "<dt>VAN ID</dt>" in html.content.decode() and "5001" in html.content.decode()


def test_a_merge_keeps_the_van_id_finding_the_survivor(tmp_path, make_user):
    from groundswell.people.merge import person_merge

    _import(_file(tmp_path, [VAN_HEADER, ["6001", "Pia", "Quinn", "", ""]]))
    duplicate = Person.objects.get()
    survivor = person_create(given_name="Pia", email="pia@example.org")
    person_merge(survivor=survivor, merged=duplicate, actor=make_user("admin"))
    _import(
        _file(tmp_path, [VAN_HEADER, ["6001", "Pia", "Quinn", "19104", ""]], name="m.csv"), "m.csv"
    )
    survivor.refresh_from_db()
    assert _van(survivor) == ["6001"]
    assert survivor.postal_code == "19104"
    assert Person.objects.active().count() == 1


def test_only_those_who_may_import_can_list_who_came_in_a_file(persona_client, tmp_path):
    job = _import(_file(tmp_path, [VAN_HEADER, ["7001", "Rae", "Soto", "", ""]]))
    url = f"{reverse('people:list')}?imported={job.pk}"
    seen = {}
    for role in ("admin", "organizer", "volunteer"):
        client = persona_client(role)
        seen[role] = [p.given_name for p in client.get(url).context["page"].items]
    for role, names in seen.items():
        assert names == (["Rae"] if role_can(role, PEOPLE_IMPORT) else []), role
    assert seen["volunteer"] == []  # a volunteer may see people, not who came in which file
