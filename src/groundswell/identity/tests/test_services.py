"""identity_resolve over the CRM: people and gift snapshots, saved models, staff decisions.

Runs reuse a model trained once on synthetic donors (saved as the campaign's model), as every
run after a campaign's first does. Names are made up.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from groundswell.demo.identity_synthetic import contributions
from groundswell.donations.models import Contribution, Processor
from groundswell.identity import normalize as nz
from groundswell.identity.models import (
    ClusterMembership,
    IdentityModel,
    MergeSuggestion,
    RecordKind,
    ReviewDecision,
)
from groundswell.identity.services import identity_resolve, review_decide
from groundswell.people.models import Person, PostalAddress

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)


@pytest.fixture
def saved_model(trained_model):
    return IdentityModel.objects.create(
        backend="duckdb", settings_json=trained_model, trained_on_records=3000
    )


@pytest.fixture
def crowd():
    """600 synthetic gifts: real runs resolve among many donors (term frequencies need them)."""
    rows = []
    for row in contributions(600, seed=41):
        given, family = row["given_name"], row["family_name"]
        if row["full_name"]:
            parsed = nz.name_parse(row["full_name"])
            given, family = f"{parsed.first} {parsed.middle}".strip(), parsed.last
        rows.append(
            Contribution(
                amount_cents=1000,
                received_at=datetime(2026, 2, 1, 17, tzinfo=UTC),
                processor=Processor.ACTBLUE,
                processor_id=f"CROWD-{row['unique_id']}",
                donor_given_name=given[:100],
                donor_family_name=family[:100],
                donor_address_line1=row["street"] or "",
                donor_city=row["city"] or "",
                donor_state=row["state"] or "",
                donor_postal_code=row["postal_code"] or "",
                donor_employer=row["employer"] or "",
                donor_occupation=row["occupation"] or "",
                donor_email=row["email"] or "",
                donor_phone=(row["phone"] or "")[:20],
            )
        )
    return Contribution.objects.bulk_create(rows)


def person(given, family, *, line1="", city="", state="", postal="", **fields):
    someone = Person.objects.create(given_name=given, family_name=family, **fields)
    if line1 or city:
        PostalAddress.objects.create(
            person=someone, line1=line1, city=city, state=state, postal_code=postal,
            is_primary=True,
        )  # fmt: skip
    return someone


def gift(given, family, *, person=None, **snapshot):
    return Contribution.objects.create(
        amount_cents=2700,
        received_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
        processor=Processor.ACTBLUE,
        processor_id=f"ID-TEST-{next(_ids)}",
        person=person,
        donor_given_name=given,
        donor_family_name=family,
        **snapshot,
    )


def cluster_of(kind, record) -> str:
    return ClusterMembership.objects.get(record_kind=kind, record_id=record.pk).cluster_key


ADDRESS = {"line1": "9 Cobble Way", "city": "Tarnford", "state": "NM", "postal": "87501"}
SNAPSHOT = {
    "donor_address_line1": "9 Cobble Way", "donor_city": "Tarnford", "donor_state": "NM",
    "donor_postal_code": "87501-2210",
}  # fmt: skip


def test_a_run_puts_a_person_and_their_gifts_in_one_cluster_and_reuses_the_model(saved_model):
    odalys = person("Odalys", "Fenwright", employer="Tarnford Library", **ADDRESS)
    linked = gift("Odalys", "Fenwright", person=odalys, **SNAPSHOT)
    unlinked = gift("ODALYS K", "FENWRIGHT", donor_employer="TARNFORD LIBRARY", **SNAPSHOT)
    stranger = gift("Prosper", "Amberlin", donor_city="Tarnford", donor_state="NM")

    run = identity_resolve()

    assert run.status == run.Status.DONE
    assert (run.person_records, run.contribution_records) == (1, 3)
    assert run.model == saved_model and not run.trained
    key = cluster_of(RecordKind.PERSON, odalys)
    assert key == f"p:{odalys.pk}"
    assert cluster_of(RecordKind.CONTRIBUTION, linked) == key
    assert cluster_of(RecordKind.CONTRIBUTION, unlinked) == key
    assert cluster_of(RecordKind.CONTRIBUTION, stranger) == f"c:{stranger.pk}"
    assert run.clusters == 2


def test_review_decisions_persist_across_runs(saved_model, crowd, admin_user):
    odalys = person("Odalys", "Fenwright", **ADDRESS)
    namesake = gift("Odalys", "Fenwright", **SNAPSHOT)
    prosper = gift("Prosper", "Amberlin", donor_city="Tarnford", donor_state="NM")
    quincy = gift("Quincy", "Bellweather", donor_city="Ashvale", donor_state="VT")
    identity_resolve()
    assert cluster_of(RecordKind.CONTRIBUTION, namesake) == cluster_of(RecordKind.PERSON, odalys)
    assert cluster_of(RecordKind.CONTRIBUTION, prosper) != cluster_of(
        RecordKind.CONTRIBUTION, quincy
    )

    review_decide(
        a=(RecordKind.CONTRIBUTION, namesake.pk), b=(RecordKind.PERSON, odalys.pk),
        verdict="rejected", user=admin_user,
    )  # fmt: skip
    review_decide(
        a=(RecordKind.CONTRIBUTION, quincy.pk), b=(RecordKind.CONTRIBUTION, prosper.pk),
        verdict="accepted", user=admin_user,
    )  # fmt: skip
    for _ in range(2):  # and again: a decision is applied by every later run
        identity_resolve()
        assert cluster_of(RecordKind.CONTRIBUTION, namesake) != cluster_of(
            RecordKind.PERSON, odalys
        )
        assert cluster_of(RecordKind.CONTRIBUTION, prosper) == cluster_of(
            RecordKind.CONTRIBUTION, quincy
        )
    decision = ReviewDecision.objects.get(kind_a=RecordKind.CONTRIBUTION, id_a=namesake.pk)
    assert (decision.kind_b, decision.id_b) == (RecordKind.PERSON, odalys.pk)
    assert decision.verdict == ReviewDecision.Verdict.REJECTED
    assert decision.decided_by == admin_user
    assert ReviewDecision.objects.count() == 2
    # Never asked again: no open suggestion for a decided pair.
    assert not MergeSuggestion.objects.filter(
        status=MergeSuggestion.Status.OPEN, kind_a=RecordKind.CONTRIBUTION, id_a=namesake.pk
    ).exists()


def test_a_household_pair_becomes_a_suggestion_with_field_weights(saved_model, crowd):
    home = {
        "donor_address_line1": "4417 Quillon Ave", "donor_city": "Zentropa",
        "donor_state": "OH", "donor_postal_code": "43215", "donor_phone": "(614) 555-0142",
    }  # fmt: skip
    marisol = gift("Marisol", "Brightwater", **home)
    teodoro = gift("Teodoro", "Brightwater", **home)
    run = identity_resolve()
    assert cluster_of(RecordKind.CONTRIBUTION, marisol) != cluster_of(
        RecordKind.CONTRIBUTION, teodoro
    )
    suggestion = MergeSuggestion.objects.get(
        kind_a=RecordKind.CONTRIBUTION, id_a=marisol.pk, id_b=teodoro.pk
    )
    assert suggestion.run == run and suggestion.status == MergeSuggestion.Status.OPEN
    assert suggestion.probability >= run.review_floor
    assert suggestion.field_weights["first"] < 0 < suggestion.field_weights["last"]

    review_decide(
        a=(RecordKind.CONTRIBUTION, teodoro.pk), b=(RecordKind.CONTRIBUTION, marisol.pk),
        verdict="rejected",
    )  # fmt: skip
    suggestion.refresh_from_db()
    assert suggestion.status == MergeSuggestion.Status.DECIDED
    before = run.suggestions
    assert identity_resolve().suggestions == before - 1
    suggestion.refresh_from_db()
    assert suggestion.status == MergeSuggestion.Status.DECIDED


def test_a_first_run_trains_and_saves_a_model(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    for index in range(3):
        person(f"Given{'abc'[index]}", "Testperson", city="Zentropa", state="OH")
    run = identity_resolve()
    assert run.trained
    saved = IdentityModel.objects.get()
    assert run.model == saved
    assert json.loads((tmp_path / "identity" / f"model-{saved.pk}.json").read_text())["comparisons"]
    assert not identity_resolve().trained


def test_review_decide_refuses_a_record_with_itself():
    with pytest.raises(ValueError, match="itself"):
        review_decide(a=("person", 4), b=("person", 4), verdict="accepted")


def test_the_resolve_command_prints_the_run(saved_model):
    person("Odalys", "Fenwright", **ADDRESS)
    out = StringIO()
    call_command("identity", "resolve", "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["people"] == 1 and summary["clusters"] == 1 and summary["trained"] is False
    out = StringIO()
    call_command("identity", "resolve", stdout=out)
    assert "1 people" in out.getvalue() and f"reused model #{saved_model.pk}" in out.getvalue()


def test_a_run_over_an_empty_campaign_finds_nobody():
    run = identity_resolve()
    assert run.status == run.Status.DONE
    assert (run.records, run.clusters, run.suggestions) == (0, 0, 0)
