"""Review verdicts over the CRM: rejections hold across runs, every verdict is audited, and
undoing a merge made by a "same person" verdict withdraws the verdict so the pair is asked again.

Names are made up; runs reuse the model trained once on synthetic donors.
"""

from __future__ import annotations

import pytest

from groundswell.accounts.models import AuditEvent
from groundswell.identity.models import MergeSuggestion, RecordKind, ReviewDecision
from groundswell.identity.review import suggestion_decide
from groundswell.identity.services import identity_resolve, review_decide
from groundswell.identity.tests.helpers import finished_run
from groundswell.identity.tests.test_services import (  # noqa: F401 (fixtures)
    cluster_of,
    crowd,
    gift,
    person,
    saved_model,
)
from groundswell.people.merge import person_merge, person_merge_undo
from groundswell.people.models import MergeRecord, Phone
from groundswell.people.services import person_summary_refresh

pytestmark = pytest.mark.django_db

HOME = {
    "donor_address_line1": "9 Cobble Way", "donor_city": "Tarnford", "donor_state": "NM",
    "donor_postal_code": "87501",
}  # fmt: skip
EMAIL, PHONE = "odalys.f@example.org", "(505) 555-0191"


def suggest(a, b, probability=0.9):
    ka, ia, kb, ib = MergeSuggestion.ordered(a, b)
    return MergeSuggestion.objects.create(
        kind_a=ka, id_a=ia, kind_b=kb, id_b=ib, run=finished_run(), probability=probability,
        match_weight=3.0,
    )  # fmt: skip


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


@pytest.mark.usefixtures("saved_model", "crowd")
def test_a_rejection_holds_across_runs_even_when_a_third_record_matches_both(admin_user):
    first = gift("Odalys", "Fenwright", donor_email=EMAIL, **HOME)
    second = gift("Odalys", "Fenwright", donor_phone=PHONE, **HOME)
    bridge = gift("Odalys", "Fenwright", donor_email=EMAIL, donor_phone=PHONE)
    identity_resolve()
    one = cluster_of(RecordKind.CONTRIBUTION, first)
    assert cluster_of(RecordKind.CONTRIBUTION, second) == one
    assert cluster_of(RecordKind.CONTRIBUTION, bridge) == one

    review_decide(
        a=(RecordKind.CONTRIBUTION, first.pk), b=(RecordKind.CONTRIBUTION, second.pk),
        verdict="rejected", user=admin_user,
    )  # fmt: skip
    for _ in range(2):  # every later run applies it, not only the next
        identity_resolve()
        a = cluster_of(RecordKind.CONTRIBUTION, first)
        b = cluster_of(RecordKind.CONTRIBUTION, second)
        assert a != b
        assert cluster_of(RecordKind.CONTRIBUTION, bridge) in (a, b)
    assert ReviewDecision.objects.get().verdict == ReviewDecision.Verdict.REJECTED


def test_accepting_and_rejecting_each_leave_one_audit_event_naming_the_records(admin_user):
    kept, twin = person("Robert", "Audittest"), person("Bob", "Audittest")
    apart_a, apart_b = person("Jordan", "Namesake"), person("Jordan", "Namesake")
    accepted = suggest((RecordKind.PERSON, twin.pk), (RecordKind.PERSON, kept.pk), 0.93)
    rejected = suggest((RecordKind.PERSON, apart_a.pk), (RecordKind.PERSON, apart_b.pk))

    merge = suggestion_decide(
        suggestion=accepted, verdict="accepted", user=admin_user, ip_address="192.0.2.7"
    )
    suggestion_decide(suggestion=rejected, verdict="rejected", user=admin_user)

    same, different = events(AuditEvent.Action.IDENTITY_REVIEW)
    for event, (x, y), verdict in (
        (same, (kept, twin), "accepted"),
        (different, (apart_a, apart_b), "rejected"),
    ):
        assert event.actor == admin_user
        assert event.details["verdict"] == verdict
        assert event.details["a"] == {"kind": "person", "id": x.pk}
        assert event.details["b"] == {"kind": "person", "id": y.pk}
        assert f"person #{x.pk}" in event.summary and f"person #{y.pk}" in event.summary
        assert event.target_type == "identity.reviewdecision"
        assert event.target_id == str(ReviewDecision.objects.get(id_a=x.pk, id_b=y.pk).pk)
    assert same.details["merge"] == merge.merge_id and same.ip_address == "192.0.2.7"
    assert different.details["merge"] is None


def test_a_decision_and_its_audit_event_stand_or_fall_together(admin_user, monkeypatch):
    a, b = person("Ann", "Atomic"), person("Anne", "Atomic")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))

    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("groundswell.identity.review.audit_record", refuse)
    with pytest.raises(RuntimeError):
        suggestion_decide(suggestion=suggestion, verdict="accepted", user=admin_user)

    assert not ReviewDecision.objects.exists()
    a.refresh_from_db(), b.refresh_from_db()
    assert a.merged_into_id is None and b.merged_into_id is None


def _household(given: str):
    someone = person(given, "Brightwater", line1="4417 Quillon Ave", city="Zentropa",
                     state="OH", postal="43215")  # fmt: skip
    Phone.objects.create(person=someone, number="+16145550142", is_primary=True)
    person_summary_refresh(someone)
    return someone


@pytest.mark.usefixtures("saved_model", "crowd")
def test_undoing_a_review_made_merge_withdraws_the_verdict_and_the_pair_is_asked_again(admin_user):
    marisol, teodoro = _household("Marisol"), _household("Teodoro")
    pair = MergeSuggestion.ordered((RecordKind.PERSON, marisol.pk), (RecordKind.PERSON, teodoro.pk))
    lookup = dict(zip(("kind_a", "id_a", "kind_b", "id_b"), pair, strict=True))
    identity_resolve()
    suggestion = MergeSuggestion.objects.get(**lookup)
    assert suggestion.status == MergeSuggestion.Status.OPEN

    outcome = suggestion_decide(suggestion=suggestion, verdict="accepted", user=admin_user)
    teodoro.refresh_from_db()
    assert teodoro.merged_into_id == marisol.pk and outcome.merge_id
    identity_resolve()  # the verdict holds: not asked again
    assert ReviewDecision.objects.get(**lookup).verdict == ReviewDecision.Verdict.ACCEPTED
    assert not MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN, **lookup)

    person_merge_undo(record=MergeRecord.objects.get(pk=outcome.merge_id), actor=admin_user)

    assert not ReviewDecision.objects.filter(**lookup).exists()
    assert MergeSuggestion.objects.get(**lookup).status == MergeSuggestion.Status.STALE
    (withdrawal,) = events(AuditEvent.Action.IDENTITY_WITHDRAW)
    assert withdrawal.actor == admin_user and withdrawal.details["merge"] == outcome.merge_id
    assert withdrawal.details["verdict"] == "accepted"
    assert withdrawal.details["decided_by"] == admin_user.pk
    assert {withdrawal.details["a"]["id"], withdrawal.details["b"]["id"]} == {
        marisol.pk,
        teodoro.pk,
    }

    identity_resolve()
    assert cluster_of(RecordKind.PERSON, marisol) != cluster_of(RecordKind.PERSON, teodoro)
    assert MergeSuggestion.objects.get(**lookup).status == MergeSuggestion.Status.OPEN


def test_an_undo_withdraws_only_the_verdicts_it_pulls_apart(admin_user):
    kept, twin = person("Robert", "Undotest"), person("Bob", "Undotest")
    other_a, other_b = person("Cleo", "Elsewhere"), person("Cleopatra", "Elsewhere")
    twin_gift = gift("Bob", "Undotest", person=twin)
    # Verdicts on the merged pair (directly and through the gift) and on two unrelated people;
    # a "different people" verdict on the pair's own records is never withdrawn.
    for a, b, verdict in (
        ((RecordKind.PERSON, kept.pk), (RecordKind.PERSON, twin.pk), "accepted"),
        ((RecordKind.PERSON, kept.pk), (RecordKind.CONTRIBUTION, twin_gift.pk), "accepted"),
        ((RecordKind.PERSON, other_a.pk), (RecordKind.PERSON, other_b.pk), "accepted"),
        ((RecordKind.PERSON, twin.pk), (RecordKind.PERSON, other_a.pk), "rejected"),
    ):
        review_decide(a=a, b=b, verdict=verdict, user=admin_user)
    record = person_merge(survivor=kept, merged=twin, actor=admin_user)

    person_merge_undo(record=record, actor=admin_user)

    left = set(ReviewDecision.objects.values_list("kind_a", "id_a", "kind_b", "id_b", "verdict"))
    assert left == {
        ("person", other_a.pk, "person", other_b.pk, "accepted"),
        ("person", twin.pk, "person", other_a.pk, "rejected"),
    }
    assert len(events(AuditEvent.Action.IDENTITY_WITHDRAW)) == 2


def test_the_queues_undo_button_withdraws_the_verdict(persona_client):
    from django.urls import reverse

    older, newer = person("Robert", "Buttontest"), person("Bob", "Buttontest")
    suggestion = suggest((RecordKind.PERSON, newer.pk), (RecordKind.PERSON, older.pk))
    client = persona_client("finance")
    decided = client.post(
        reverse("identity:review_decide", args=[suggestion.pk]), {"verdict": "accepted"}
    )
    page = client.get(decided.url).content.decode()
    assert "withdraws the “same person” verdict" in page
    merge = MergeRecord.objects.get()

    client.post(reverse("people:merge_undo", args=[merge.pk]))

    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert not ReviewDecision.objects.exists()
    (withdrawal,) = events(AuditEvent.Action.IDENTITY_WITHDRAW)
    assert withdrawal.actor.username == "finance-persona"
