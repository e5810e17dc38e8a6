"""CSV export of the filtered list: streamed, finance columns for finance roles, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.people.tests.factories import person_create as _person_create

EXPORT = reverse("people:export")


def person_create(**raw):
    # The factory's random state may be a freely associated state that intake rejects.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


@pytest.fixture
def people(db):
    made = [
        person_create(
            given_name="Ida",
            family_name="Wells",
            email="ida@example.org",
            employer="Free Speech",
            occupation="Journalist",
            state="TN",
            tags="press; donor",
        ),
        person_create(given_name="Ben", family_name="Franklin", email="ben@example.org"),
    ]
    for index in range(5):
        # Named here: a random name could be a Wells, and a search for "wells" must find Ida.
        person_create(
            email=f"ny{index}@example.org",
            state="NY",
            given_name=f"Nia{index}",
            family_name="Yorker",
        )
    return made


def _rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_a_volunteer_cannot_export_people(persona_client, people):
    response = persona_client("volunteer").get(EXPORT)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_export_streams_the_filtered_list_and_writes_an_audit_event(persona_client, people):
    response = persona_client("organizer").get(EXPORT, {"state": "NY"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == 6  # Ben and the five New Yorkers, not Ida
    assert {r["state"] for r in rows} == {"NY"}
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor.username == "organizer-persona"
    assert event.details["row_count"] == 6
    assert event.details["filters"] == {"state": "NY"}
    assert event.ip_address == "127.0.0.1"


def test_an_export_of_a_search_holds_just_the_people_found(persona_client, people):
    rows = _rows(persona_client("organizer").get(EXPORT, {"q": "wells"}))
    assert [r["email"] for r in rows] == ["ida@example.org"]
    assert rows[0]["tags"] == "donor; press"


def test_only_finance_roles_get_employer_and_occupation_columns(persona_client, people):
    organizer_rows = _rows(persona_client("organizer").get(EXPORT, {"q": "wells"}))
    assert "employer" not in organizer_rows[0]
    assert "Free Speech" not in str(organizer_rows)
    finance_rows = _rows(persona_client("finance").get(EXPORT, {"q": "wells"}))
    assert finance_rows[0]["employer"] == "Free Speech"
    assert finance_rows[0]["occupation"] == "Journalist"


def test_an_export_reads_in_chunks_and_loses_no_one(persona_client, people, monkeypatch):
    from groundswell.people import selectors

    original = selectors.person_export_rows
    monkeypatch.setattr(
        selectors,
        "person_export_rows",
        lambda people, *, user: original(people, user=user, chunk_size=2),
    )
    rows = _rows(persona_client("organizer").get(EXPORT))
    assert len(rows) == 7
    assert len({r["id"] for r in rows}) == 7


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(persona_client, db):
    person = person_create(given_name="=HYPERLINK(1)", family_name="Evil", email="evil@example.org")
    # The intake drops the formula start from a name (see core.spreadsheet) ...
    assert type(person).objects.get(pk=person.pk).given_name == "HYPERLINK(1)"
    # ... and a row stored before it did is still exported as text, never as a formula.
    type(person).objects.filter(pk=person.pk).update(given_name="=HYPERLINK(1)")
    rows = _rows(persona_client("organizer").get(EXPORT, {"q": "evil@"}))
    assert rows[0]["given_name"] == "'=HYPERLINK(1)"
    assert rows[0]["phone"] == ""


def test_an_export_of_nobody_is_still_audited(persona_client, people):
    rows = _rows(persona_client("organizer").get(EXPORT, {"q": "nobody-matches-this"}))
    assert rows == []
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).details["row_count"] == 0
