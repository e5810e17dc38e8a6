"""The merge review queue: side by side, decisions remembered, accepting two people merges them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.identity.models import MergeSuggestion, RecordKind, ReviewDecision
from groundswell.identity.tests.helpers import finished_run, gift

pytestmark = pytest.mark.django_db
QUEUE = reverse("identity:review")


def person(given: str, family: str):
    from groundswell.people.models import Person

    return Person.objects.create(given_name=given, family_name=family)


def suggest(a: tuple[str, int], b: tuple[str, int], probability: float = 0.9, run=None, **weights):
    ka, ia, kb, ib = MergeSuggestion.ordered(a, b)
    return MergeSuggestion.objects.create(
        kind_a=ka,
        id_a=ia,
        kind_b=kb,
        id_b=ib,
        run=run or finished_run(),
        probability=probability,
        match_weight=3.2,
        field_weights=weights or {"first": 4.5, "last": 6.0, "location": -2.5, "email": None},
    )


def decide(client, suggestion, verdict, **extra):
    url = reverse("identity:review_decide", args=[suggestion.pk])
    return client.post(url, {"verdict": verdict, **extra})


def test_the_queue_shows_both_records_and_each_fields_weight(persona_client):
    a, b = person("Robert", "Queuetest"), person("Bob", "Queuetest")
    suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk), 0.93)
    client = persona_client("finance")

    response = client.get(QUEUE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Robert Queuetest" in html and "Bob Queuetest" in html
    assert "0.930" in html
    assert 'class="pos" style="width: 22' in html  # first name +4.5 → 45% of half the track
    assert 'class="neg"' in html  # the address disagrees
    assert "Address" in html and "E-mail" in html


def test_accepting_two_people_merges_them_into_the_older_and_the_decision_is_kept(persona_client):
    older, newer = person("Robert", "Mergetest"), person("Bob", "Mergetest")
    suggestion = suggest((RecordKind.PERSON, newer.pk), (RecordKind.PERSON, older.pk))
    client = persona_client("finance")

    response = decide(client, suggestion, "accepted")

    assert response.status_code == 302 and "merged=" in response.url
    newer.refresh_from_db()
    assert newer.merged_into_id == older.pk
    decision = ReviewDecision.objects.get()
    assert decision.verdict == ReviewDecision.Verdict.ACCEPTED
    assert decision.decided_by.username == "finance-persona"
    suggestion.refresh_from_db()
    assert suggestion.status == MergeSuggestion.Status.DECIDED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IDENTITY_REVIEW).exists()
    # The queue no longer asks, and offers to undo the merge.
    page = client.get(response.url).content.decode()
    assert f"suggestion-{suggestion.pk}" not in page
    assert "Undo the merge" in page


def test_a_decided_pair_cannot_be_decided_again(persona_client):
    a, b = person("Ann", "Twice"), person("Anne", "Twice")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))
    client = persona_client("finance")
    decide(client, suggestion, "rejected")

    response = decide(client, suggestion, "accepted", band="high")

    assert response.status_code == 302 and "band=high" in response.url
    assert ReviewDecision.objects.get().verdict == ReviewDecision.Verdict.REJECTED
    a.refresh_from_db()
    assert a.merged_into_id is None


def test_rejecting_keeps_the_people_apart_and_remembers_it(persona_client):
    a, b = person("Jordan", "Namesake"), person("Jordan", "Namesake")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))

    decide(persona_client("organizer"), suggestion, "rejected")

    decision = ReviewDecision.objects.get()
    assert (decision.verdict, decision.id_a, decision.id_b) == ("rejected", a.pk, b.pk)
    a.refresh_from_db(), b.refresh_from_db()
    assert a.merged_into_id is None and b.merged_into_id is None


def test_accepting_a_gift_and_a_person_merges_the_gifts_person_into_the_other(persona_client):
    run = finished_run()
    kept, donor = person("Liz", "Giftmatch"), person("Elizabeth", "Giftmatch")
    record = gift(given="Elizabeth", family="Giftmatch", person=donor)
    suggestion = suggest(
        (RecordKind.PERSON, kept.pk), (RecordKind.CONTRIBUTION, record.pk), run=run
    )

    decide(persona_client("finance"), suggestion, "accepted")

    donor.refresh_from_db()
    assert donor.merged_into_id == kept.pk
    record.refresh_from_db()
    assert record.person_id == kept.pk  # person_merge moved the gift


def test_accepting_a_gift_with_no_person_only_records_the_decision(persona_client):
    kept = person("Sol", "Unlinked")
    record = gift(given="Sol", family="Unlinked")
    suggestion = suggest((RecordKind.PERSON, kept.pk), (RecordKind.CONTRIBUTION, record.pk))

    response = decide(persona_client("admin"), suggestion, "accepted")

    assert response.status_code == 302
    assert ReviewDecision.objects.get().verdict == "accepted"
    record.refresh_from_db()
    assert record.person_id is None  # the next run links them


def test_gift_records_are_hidden_from_organizers_and_they_cannot_decide_them(persona_client):
    kept = person("Hidden", "Giftpair")
    record = gift(given="Hidden", family="Giftpair")
    gift_pair = suggest((RecordKind.PERSON, kept.pk), (RecordKind.CONTRIBUTION, record.pk))
    client = persona_client("organizer")

    page = client.get(QUEUE).content.decode()
    assert f"suggestion-{gift_pair.pk}" not in page
    assert "Nothing to review" in page
    assert decide(client, gift_pair, "accepted").status_code == 403
    assert not ReviewDecision.objects.exists()


def test_the_probability_band_filter_and_pagination(persona_client):
    run = finished_run()
    people = [person(f"P{i}", "Bandtest") for i in range(52)]
    for i in range(0, 50, 2):
        suggest(
            (RecordKind.PERSON, people[i].pk), (RecordKind.PERSON, people[i + 1].pk), 0.96, run=run
        )
    low = suggest(
        (RecordKind.PERSON, people[50].pk), (RecordKind.PERSON, people[51].pk), 0.85, run=run
    )
    client = persona_client("finance")

    first = client.get(QUEUE).content.decode()
    assert "Page 1 of 2" in first and "26 open pairs" in first
    assert f"suggestion-{low.pk}" not in first  # most likely first; the 0.85 pair is on page 2
    assert f"suggestion-{low.pk}" in client.get(QUEUE, {"page": 2}).content.decode()
    only_low = client.get(QUEUE, {"band": "low"}).content.decode()
    assert f"suggestion-{low.pk}" in only_low and "1 open pair" in only_low
    empty = client.get(QUEUE, {"band": "mid"}).content.decode()
    assert "No open pairs in this band" in empty


def test_the_empty_queue_says_so(persona_client):
    response = persona_client("finance").get(QUEUE)
    assert "No resolution run yet" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("finance", 200), ("organizer", 200), ("volunteer", 403)]
)
def test_the_queue_needs_the_merge_capability(persona_client, role, status):
    assert persona_client(role).get(QUEUE).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login" in response.url
    a, b = person("Anon", "Post"), person("Anon", "Post")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))
    assert decide(client, suggestion, "accepted").status_code == 302
    assert not ReviewDecision.objects.exists()


def test_a_volunteer_cannot_decide(persona_client):
    a, b = person("Vol", "Unteer"), person("Vol", "Unteer")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))
    assert decide(persona_client("volunteer"), suggestion, "accepted").status_code == 403
    assert not ReviewDecision.objects.exists()


def test_the_queue_reads_a_fixed_number_of_queries_however_many_pairs(
    persona_client, django_assert_max_num_queries
):
    run = finished_run()
    client = persona_client("finance")
    for i in range(20):
        a, b = person(f"Q{i}", "Count"), person(f"Q{i}x", "Count")
        record = gift(given=f"Q{i}", family="Count", person=b)
        suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk), 0.9, run=run)
        suggest((RecordKind.PERSON, a.pk), (RecordKind.CONTRIBUTION, record.pk), 0.91, run=run)
    with django_assert_max_num_queries(14):
        response = client.get(QUEUE)
    assert response.content.decode().count('class="record"') == 40


def test_a_decided_pair_is_not_asked_again_when_the_next_run_scores_it_again(persona_client):
    import pyarrow as pa

    from groundswell.identity.services import _suggestions_write, uid_for

    a, b = person("Again", "Scored"), person("Again", "Scored")
    suggestion = suggest((RecordKind.PERSON, a.pk), (RecordKind.PERSON, b.pk))
    decide(persona_client("finance"), suggestion, "rejected")

    # The next run scores the same pair between the thresholds again.
    pairs = pa.table(
        {
            "unique_id_l": [uid_for(RecordKind.PERSON, a.pk)],
            "unique_id_r": [uid_for(RecordKind.PERSON, b.pk)],
            "match_probability": [0.92],
            "match_weight": [3.0],
            "weights": ['{"first": 5.0}'],
        }
    )
    _suggestions_write(finished_run(), pairs)

    assert not MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN).exists()
    assert (
        f"suggestion-{suggestion.pk}" not in persona_client("finance").get(QUEUE).content.decode()
    )


@pytest.mark.parametrize(("role", "shown"), [("organizer", True), ("volunteer", False)])
def test_the_people_list_links_the_merge_review_queue_for_those_who_merge(
    persona_client, role, shown
):
    page = persona_client(role).get("/people/").content.decode()
    assert ('href="/identity/review/"' in page) is shown
