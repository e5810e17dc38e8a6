"""Why two records are linked: the evidence a run stores, and the person page's card.

Runs reuse the model trained once on synthetic donors; names are made up.
"""

from __future__ import annotations

import duckdb
import pytest
from django.urls import reverse

from groundswell.identity import engine
from groundswell.identity.evidence import DETERMINISTIC_RULES, link_evidence_collect
from groundswell.identity.models import (
    LinkEvidence,
    LinkRule,
    MergeSuggestion,
    RecordKind,
    ReviewDecision,
)
from groundswell.identity.services import identity_resolve, review_decide
from groundswell.identity.tests.conftest import load
from groundswell.identity.tests.helpers import finished_run
from groundswell.identity.tests.test_services import (  # noqa: F401 (fixtures)
    ADDRESS,
    SNAPSHOT,
    cluster_of,
    crowd,
    gift,
    person,
    saved_model,
)

pytestmark = pytest.mark.django_db


def _rules_of(key: str) -> dict[tuple, str]:
    return {
        (e.kind_a, e.id_a, e.kind_b, e.id_b): e.rule
        for e in LinkEvidence.objects.filter(cluster_key=key)
    }


@pytest.mark.usefixtures("saved_model", "crowd")
def test_a_run_stores_the_rule_behind_each_link_of_a_cluster():
    odalys = person("Odalys", "Fenwright", primary_email="odalys@example.org", **ADDRESS)
    # Recorded against her, from another address: linked because the gift says so.
    moved = gift("Odalys", "Fenwright", person=odalys, donor_postal_code="10001",
                 donor_city="Gotham", donor_state="NY")  # fmt: skip
    # No person link, another town, her e-mail: linked by the e-mail rule.
    by_email = gift("Odalys", "Fenwright", donor_email="odalys@example.org",
                    donor_city="Lindell", donor_state="CA", donor_postal_code="94110")  # fmt: skip
    stranger = gift("Prosper", "Amberlin", donor_city="Tarnford", donor_state="NM")

    run = identity_resolve()

    key = cluster_of(RecordKind.PERSON, odalys)
    assert cluster_of(RecordKind.CONTRIBUTION, by_email) == key
    rules = _rules_of(key)
    person_side = (RecordKind.PERSON.value, odalys.pk)
    assert rules[(RecordKind.CONTRIBUTION.value, moved.pk, *person_side)] == LinkRule.RECORDED
    linked_by_email = [
        pair for pair, rule in rules.items() if rule == LinkRule.EMAIL and by_email.pk in pair
    ]
    assert linked_by_email, rules
    assert all(e.run_id == run.pk for e in LinkEvidence.objects.all())
    # A record alone in its cluster has nothing to explain.
    alone = cluster_of(RecordKind.CONTRIBUTION, stranger)
    assert not LinkEvidence.objects.filter(cluster_key=alone).exists()


@pytest.mark.usefixtures("saved_model", "crowd")
def test_a_staff_verdict_is_the_evidence_of_the_link_it_made(admin_user):
    odalys = person("Odalys", "Fenwright", **ADDRESS)
    other = gift("Wenna", "Quillstead", donor_city="Lindell", donor_state="CA",
                 donor_postal_code="94110")  # fmt: skip
    review_decide(
        a=(RecordKind.PERSON, odalys.pk),
        b=(RecordKind.CONTRIBUTION, other.pk),
        verdict=ReviewDecision.Verdict.ACCEPTED,
        user=admin_user,
    )
    identity_resolve()
    key = cluster_of(RecordKind.PERSON, odalys)
    assert cluster_of(RecordKind.CONTRIBUTION, other) == key
    pair = (RecordKind.CONTRIBUTION.value, other.pk, RecordKind.PERSON.value, odalys.pk)
    assert _rules_of(key)[pair] == LinkRule.STAFF


@pytest.mark.usefixtures("saved_model", "crowd")
def test_a_second_run_replaces_the_evidence_of_the_first():
    odalys = person("Odalys", "Fenwright", primary_email="odalys@example.org", **ADDRESS)
    gift("Odalys", "Fenwright", donor_email="odalys@example.org", donor_postal_code="94110")
    identity_resolve()
    first = LinkEvidence.objects.count()
    second = identity_resolve()
    assert LinkEvidence.objects.count() == first > 0
    assert set(LinkEvidence.objects.values_list("run_id", flat=True)) == {second.pk}
    assert _rules_of(cluster_of(RecordKind.PERSON, odalys))


def test_model_links_carry_their_probability_and_field_weights(background, trained_model):
    """Straight from the engine's tables: a link the model made names the model and its odds."""
    con = duckdb.connect()
    load(con, background)
    engine.resolve(con, engine.EngineOptions(model=trained_model, keep_field_weights=True))
    rows = link_evidence_collect(con, [])
    con.close()
    rules = {row[2] for row in rows}
    assert rules <= {choice.value for choice in LinkRule}
    model = [row for row in rows if row[2] == LinkRule.MODEL]
    assert model, rules
    for _, _, _, probability, weight, weights in model:
        assert 0.0 < probability <= 1.0 and weight is not None and "last" in weights
    assert any(row[2] in (LinkRule.EMAIL, LinkRule.NAME_ZIP4, LinkRule.NAME_STREET) for row in rows)
    # Every rule the engine numbers has a name here (a new rule needs one).
    assert LinkRule.DETERMINISTIC not in rules


@pytest.mark.usefixtures("saved_model")
def test_the_person_page_explains_the_links_to_finance_only(persona_client):
    odalys = person("Odalys", "Fenwright", primary_email="odalys@example.org", **ADDRESS)
    gift("Odalys", "Fenwright", donor_email="odalys@example.org", donor_postal_code="94110")
    identity_resolve()
    url = reverse("people:detail", args=[odalys.pk])

    shown = persona_client("finance").get(url)
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'id="why-linked"' in page
    assert LinkRule.EMAIL.label in page

    for role in ("organizer", "volunteer"):
        hidden = persona_client(role).get(url)
        assert hidden.status_code in (200, 403, 404)
        assert 'id="why-linked"' not in hidden.content.decode()


def test_the_review_queue_says_why_each_pair_is_asked_about(persona_client):
    run = finished_run()
    a = gift("Odalys", "Fenwright", **SNAPSHOT)
    b = gift("Oda", "Fenwright", **SNAPSHOT)
    c = gift("Marcus", "Fenwright", **SNAPSHOT)
    for first, second, probability in ((a, b, 0.93), (a, c, 0.995)):
        MergeSuggestion.objects.create(
            kind_a="contribution", id_a=first.pk, kind_b="contribution", id_b=second.pk,
            run=run, probability=probability, match_weight=4.0,
            field_weights={"first": -2.0, "last": 8.5},
        )  # fmt: skip
    page = persona_client("finance").get(reverse("identity:review")).content.decode()
    assert page.count("Why you are asked") == 2
    assert "under the automatic-link threshold (0.99)" in page
    assert "the names do not agree" in page


def test_every_deterministic_rule_of_the_engine_has_a_name(background, trained_model):
    """det_rules numbers the engine's rules; each number must map to a named rule."""
    con = duckdb.connect()
    load(con, background)
    engine.resolve(con, engine.EngineOptions(model=trained_model))
    numbers = {row[0] for row in con.execute("SELECT DISTINCT rule FROM det_rules").fetchall()}
    con.close()
    assert numbers and max(numbers) < len(DETERMINISTIC_RULES)
