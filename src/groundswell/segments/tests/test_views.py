"""The segment pages: list, builder, live preview, save, duplicate, snapshot, export, delete,
and who may do what (giving conditions are finance data)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.segments.models import Segment, SegmentMember
from groundswell.segments.services import segment_create
from groundswell.segments.tests import world as w

pytestmark = pytest.mark.django_db

PA = {"op": "and", "items": [{"kind": "state", "states": ["PA"]}]}
DONORS = {"op": "and", "items": [{"kind": "gift_count", "min": 1}]}


@pytest.fixture
def people():
    ada = w.person("Ada", state="PA", zip_code="19103", email="ada@example.org")
    bram = w.person("Bram", state="PA", zip_code="15213", email="bram@example.org")
    w.person("Cleo", state="OH", zip_code="43215", email="cleo@example.org")
    w.gift(ada, 4_321_09 // 100)
    return {"ada": ada, "bram": bram}


def _preview(client, definition):
    return client.post(reverse("segments:preview"), {"definition": json.dumps(definition)})


def test_the_live_preview_counts_and_samples_the_people_a_definition_selects(
    persona_client, people
):
    response = _preview(persona_client("organizer"), PA)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="2"' in body
    assert "ada@example.org" in body and "bram@example.org" in body
    assert "cleo@example.org" not in body


def test_the_sample_shows_giving_to_finance_and_not_to_an_organizer(persona_client, people):
    finance = _preview(persona_client("finance"), PA).content.decode()
    assert "$43.21" in finance
    organizer = _preview(persona_client("organizer"), PA).content.decode()
    assert "$43.21" not in organizer and "Given" not in organizer


def test_an_organizer_cannot_use_a_giving_condition_and_is_told_why(persona_client, people):
    client = persona_client("organizer")
    response = _preview(client, DONORS)
    assert response.status_code == 400
    assert "finance data" in response.content.decode()
    saved = client.post(
        reverse("segments:new"), {"name": "Donors", "definition": json.dumps(DONORS)}
    )
    assert saved.status_code == 400
    assert not Segment.objects.filter(name="Donors").exists()


def test_a_segment_over_giving_is_hidden_from_roles_without_finance(
    persona_client, people, finance_user
):
    segment = segment_create(name="Donors", definition=DONORS, actor=finance_user)
    organizer = persona_client("organizer")
    assert "Donors" not in organizer.get(reverse("segments:list")).content.decode()
    assert organizer.get(reverse("segments:detail", args=[segment.pk])).status_code == 404
    assert organizer.get(reverse("segments:count", args=[segment.pk])).status_code == 404
    finance = persona_client("finance")
    assert "Donors" in finance.get(reverse("segments:list")).content.decode()
    count = finance.get(reverse("segments:count", args=[segment.pk]))
    assert count.content.decode().strip() == "1"


def test_a_bad_definition_is_refused_with_its_reason_not_a_server_error(persona_client):
    client = persona_client("organizer")
    for raw, reason in [
        ("{not json", "could not be read"),
        (json.dumps({"op": "and", "items": [{"kind": "zip", "zips": "abc"}]}), "five digits"),
        (json.dumps({"op": "and", "items": [{"kind": "nope"}]}), "Unknown condition"),
    ]:
        response = client.post(reverse("segments:preview"), {"definition": raw})
        assert response.status_code == 400, raw
        assert reason in response.content.decode()


def test_staff_save_open_change_duplicate_and_delete_a_segment_each_audited(persona_client, people):
    client = persona_client("organizer")
    response = client.post(
        reverse("segments:new"),
        {"name": "Pennsylvania", "definition": json.dumps(PA), "mode": "dynamic"},
    )
    segment = Segment.objects.get(name="Pennsylvania")
    assert response.status_code == 302 and response["Location"].endswith(f"/{segment.pk}/")
    page = client.get(reverse("segments:detail", args=[segment.pk])).content.decode()
    assert 'id="segment-builder"' in page and "ada@example.org" in page
    changed = {"op": "and", "items": [{"kind": "zip", "zips": "191"}]}
    client.post(
        reverse("segments:detail", args=[segment.pk]),
        {"name": "Philadelphia", "definition": json.dumps(changed)},
    )
    segment.refresh_from_db()
    assert segment.name == "Philadelphia" and segment.definition["items"][0]["zips"] == ["191"]
    client.post(reverse("segments:duplicate", args=[segment.pk]))
    copy = Segment.objects.get(name="Philadelphia (copy)")
    assert copy.definition == segment.definition
    client.post(reverse("segments:delete", args=[copy.pk]))
    assert not Segment.objects.filter(pk=copy.pk).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "segments.create",
        "segments.change",
        "segments.create",
        "segments.delete",
    ]


def test_a_snapshot_freezes_members_and_taking_it_again_replaces_them(
    persona_client, people, organizer_user, django_capture_on_commit_callbacks
):
    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    client = persona_client("organizer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("segments:snapshot", args=[segment.pk]))
    assert set(
        SegmentMember.objects.filter(segment=segment).values_list("person_id", flat=True)
    ) == {
        people["ada"].pk,
        people["bram"].pk,
    }
    w.person("Dov", state="PA")
    segment.refresh_from_db()
    assert segment.mode == "snapshot"
    assert client.get(reverse("segments:count", args=[segment.pk])).content.decode().strip() == "2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("segments:snapshot", args=[segment.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("segments:snapshot", args=[segment.pk]))
    assert SegmentMember.objects.filter(segment=segment).count() == 3
    client.post(reverse("segments:snapshot", args=[segment.pk]), {"action": "release"})
    segment.refresh_from_db()
    assert segment.mode == "dynamic" and not SegmentMember.objects.filter(segment=segment).exists()


def test_the_export_has_peoples_columns_finance_columns_only_for_finance_and_is_audited(
    persona_client, people, organizer_user
):
    people["ada"].employer = "Zyzzogeton Fabrication"
    people["ada"].save(update_fields=["employer"])
    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    for role, sees in (("organizer", False), ("finance", True)):
        response = persona_client(role).get(reverse("segments:export", args=[segment.pk]))
        text = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["email"] for r in rows} == {"ada@example.org", "bram@example.org"}
        assert ("employer" in rows[0]) is sees
    assert AuditEvent.objects.filter(action="export", target_id=str(segment.pk)).count() == 2


def test_a_volunteer_may_look_but_not_build(persona_client, people, organizer_user):
    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    client = persona_client("volunteer")
    assert client.get(reverse("segments:list")).status_code == 200
    page = client.get(reverse("segments:detail", args=[segment.pk]))
    assert page.status_code == 200 and "Lives in one of the states" in page.content.decode()
    assert client.get(reverse("segments:new")).status_code == 403
    assert _preview(client, PA).status_code == 403
    assert client.get(reverse("segments:export", args=[segment.pk])).status_code == 403


def test_the_list_searches_and_says_when_there_is_nothing(persona_client, organizer_user):
    client = persona_client("organizer")
    assert "No segments yet" in client.get(reverse("segments:list")).content.decode()
    segment_create(name="Canvassers", definition=PA, actor=organizer_user)
    segment_create(name="Hosts", definition=PA, actor=organizer_user)
    found = client.get(reverse("segments:list"), {"q": "canv"}).content.decode()
    assert "Canvassers" in found and "Hosts" not in found
    assert (
        "No segment matches" in client.get(reverse("segments:list"), {"q": "zz"}).content.decode()
    )


def test_a_segment_whose_condition_is_no_longer_known_opens_with_a_reason(
    persona_client, organizer_user
):
    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    Segment.objects.filter(pk=segment.pk).update(
        definition={"op": "and", "items": [{"kind": "opened_mailing", "days": 30}]}
    )
    client = persona_client("organizer")
    page = client.get(reverse("segments:detail", args=[segment.pk]))
    assert page.status_code == 200 and "Unknown condition" in page.content.decode()
    export = client.get(reverse("segments:export", args=[segment.pk]))
    assert export.status_code == 302
    assert client.get(reverse("segments:count", args=[segment.pk])).status_code == 200


def test_a_snapshot_is_taken_by_the_worker_and_the_page_says_so_until_it_is_done(
    persona_client, people, organizer_user, django_capture_on_commit_callbacks
):
    from groundswell.segments.tasks import segment_snapshot_run

    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    client = persona_client("organizer")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("segments:snapshot", args=[segment.pk]), follow=True)
    # Asked, not yet taken: nothing frozen, the page says the worker is on it.
    assert len(queued) == 1
    assert "Taking a snapshot" in response.content.decode()
    assert not SegmentMember.objects.filter(segment=segment).exists()
    segment.refresh_from_db()
    asked = segment.snapshot_requested_at.isoformat()
    queued[0]()
    segment.refresh_from_db()
    assert segment.mode == "snapshot" and segment.snapshot_requested_at is None
    assert SegmentMember.objects.filter(segment=segment).count() == 2
    assert (
        "Taking a snapshot"
        not in client.get(reverse("segments:detail", args=[segment.pk])).content.decode()
    )
    # The same task run again (a worker restarted) finds its request served: nothing changes.
    w.person("Dov", state="PA")
    result = segment_snapshot_run.call(
        segment_id=segment.pk, actor_id=organizer_user.pk, requested_at=asked
    )
    assert result == {"skipped": True}
    assert SegmentMember.objects.filter(segment=segment).count() == 2


def test_a_snapshot_asked_then_made_dynamic_is_never_taken(
    persona_client, people, organizer_user, django_capture_on_commit_callbacks
):
    segment = segment_create(name="PA", definition=PA, actor=organizer_user)
    client = persona_client("organizer")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("segments:snapshot", args=[segment.pk]))
    client.post(reverse("segments:snapshot", args=[segment.pk]), {"action": "release"})
    queued[0]()
    segment.refresh_from_db()
    assert segment.mode == "dynamic" and segment.snapshot_taken_at is None
    assert not SegmentMember.objects.filter(segment=segment).exists()
