"""The audience pages and files: counts before download, the files' headers and hashed rows,
who is left out, empty and identifier-less segments, roles, and the audit log."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.analytics.audiences.tests.world import WHEN, ohio_world, person_make
from groundswell.donations.models import Contribution, ContributionStatus
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.segments.services import segment_create

pytestmark = pytest.mark.django_db

META_HEADERS = ["email"] * 3 + ["phone"] * 3 + ["fn", "ln", "zip", "ct", "st", "country"]
GOOGLE_HEADERS = ["Email"] * 3 + ["Phone"] * 3 + ["First Name", "Last Name", "Country", "Zip"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_page_counts_rows_and_usable_identifiers_before_download(persona_client, make_user):
    _, segment = ohio_world(make_user("organizer"))
    page = persona_client("organizer").get(
        reverse("analytics:audiences:segment", args=[segment.pk])
    )
    assert page.status_code == 200
    summary = page.context["summary"]
    # Ada (e-mail, phone, name+ZIP) and Bo (name+ZIP) are usable; Cy's only address bounces.
    # Di unsubscribed and Ed was erased: both left out of the audience altogether.
    assert (summary.people, summary.rows) == (3, 2)
    assert (summary.with_email, summary.with_phone, summary.with_name_zip) == (1, 1, 2)
    assert summary.rows_share == 67
    assert page.context["excluded"] == 2
    text = page.content.decode()
    assert "<strong>2</strong> rows" in text and "67%" in text
    assert "unsubscribed or marked our mail as spam" in text


def test_meta_file_has_its_headers_and_hand_normalised_hashes(persona_client, make_user):
    _, segment = ohio_world(make_user("organizer"))
    client = persona_client("organizer")
    response = client.get(reverse("analytics:audiences:segment_file", args=[segment.pk, "meta"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == META_HEADERS
    assert len(rows) == 3  # the header and one row per usable person
    ada, bo = rows[1], rows[2]
    assert ada == [
        sha("ada.q@gmail.com"),
        sha("ada@example.org"),
        "",
        sha("16145550147"),
        "",
        "",
        sha("ada"),
        sha("quillfeather"),
        sha("43215"),
        sha("columbus"),
        sha("oh"),
        sha("us"),
    ]
    assert bo[:6] == [""] * 6 and bo[6:9] == [sha("bo"), sha("ferncastle"), sha("43210")]


def test_google_file_hashes_contact_points_and_leaves_country_and_zip_clear(
    persona_client, make_user
):
    _, segment = ohio_world(make_user("organizer"))
    client = persona_client("organizer")
    url = reverse("analytics:audiences:segment_file", args=[segment.pk, "google"])
    rows = _csv(client.get(url))
    assert rows[0] == GOOGLE_HEADERS
    ada = rows[1]
    assert ada[:3] == [sha("adaq@gmail.com"), sha("ada@example.org"), ""]
    assert ada[3] == sha("+16145550147")
    assert ada[6:] == [sha("ada"), sha("quillfeather"), "US", "43215"]
    # No clear-text identifier anywhere in the file but the country and ZIP.
    body = "\n".join(",".join(r) for r in rows)
    assert "example.org" not in body and "555" not in body and "Quillfeather" not in body


def test_each_export_is_audited_with_counts_never_the_data(persona_client, make_user):
    _, segment = ohio_world(make_user("organizer"))
    client = persona_client("organizer")
    for platform in ("meta", "google"):
        url = reverse("analytics:audiences:segment_file", args=[segment.pk, platform])
        _csv(client.get(url))
    events = list(AuditEvent.objects.filter(action="export").order_by("id"))
    assert [e.details["audience"] for e in events] == ["meta", "google"]
    for event in events:
        assert event.details["people"] == 3 and event.target_id == str(segment.pk)
        assert event.actor.username == "organizer-persona"
        written = event.summary + repr(event.details)
        assert "@" not in written and "Quillfeather" not in written and "16145550147" not in written
    # Viewing the counts is not an export.
    client.get(reverse("analytics:audiences:segment", args=[segment.pk]))
    assert AuditEvent.objects.filter(action="export").count() == 2
    log = persona_client("admin").get(reverse("accounts:audit")).content.decode()
    assert "exported segment Ohioans as a hashed Meta Custom Audience file: 3 people" in log
    assert "exported segment Ohioans as a hashed Google Customer Match file: 3 people" in log


def test_an_empty_segment_says_so_and_has_no_file(persona_client, make_user):
    segment = segment_create(
        name="Nobody",
        definition={"op": "and", "items": [{"kind": "state", "states": ["WY"]}]},
        actor=make_user("organizer"),
    )
    client = persona_client("organizer")
    page = client.get(reverse("analytics:audiences:segment", args=[segment.pk]))
    assert page.status_code == 200 and b"No one to include" in page.content
    assert b"Download" not in page.content
    file = client.get(reverse("analytics:audiences:segment_file", args=[segment.pk, "meta"]))
    assert file.status_code == 400 and b"no file to download" in file.content
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_segment_without_usable_identifiers_says_so(persona_client, make_user):
    person_make("Cy", "", state="WY", emails=[("cy@example.org", "bouncing")])
    person_make("", "Nameless", state="WY", phones=[("555-0147", "unknown")])
    segment = segment_create(
        name="Wyoming",
        definition={"op": "and", "items": [{"kind": "state", "states": ["WY"]}]},
        actor=make_user("organizer"),
    )
    page = persona_client("organizer").get(
        reverse("analytics:audiences:segment", args=[segment.pk])
    )
    assert b"No usable identifiers" in page.content and b"Download" not in page.content
    assert page.context["summary"].people == 2


def test_the_segment_page_links_to_the_audience_for_exporting_roles_only(persona_client, make_user):
    _, segment = ohio_world(make_user("organizer"))
    link = reverse("analytics:audiences:segment", args=[segment.pk]).encode()
    assert (
        link
        in persona_client("organizer").get(reverse("segments:detail", args=[segment.pk])).content
    )
    volunteer = persona_client("volunteer").get(reverse("segments:detail", args=[segment.pk]))
    assert link not in volunteer.content


@pytest.mark.parametrize("role", ["volunteer", None])
def test_roles_without_export_cannot_reach_audiences(persona_client, make_user, role):
    _, segment = ohio_world(make_user("organizer"))
    client = persona_client(role)
    for url in (
        reverse("analytics:audiences:segment", args=[segment.pk]),
        reverse("analytics:audiences:segment_file", args=[segment.pk, "meta"]),
        reverse("analytics:audiences:donors"),
    ):
        assert client.get(url).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_segment_over_giving_is_invisible_to_organizers(persona_client, make_user):
    segment = segment_create(
        name="Givers",
        definition={"op": "and", "items": [{"kind": "gift_total", "min": 1}]},
        actor=make_user("finance"),
    )
    url = reverse("analytics:audiences:segment_file", args=[segment.pk, "meta"])
    assert persona_client("organizer").get(url).status_code == 404


def _gift(person, pid: str, cents: int, **kw) -> Contribution:
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="stripe",
            processor_id=pid,
            amount_cents=cents,
            received_at=WHEN,
            person_id=person.pk,
            **kw,
        )
    )
    return contribution


def _donors():
    big = person_make("Big", "Giver", emails=[("big@example.org", "subscribed")])
    mid = person_make("Mid", "Giver", emails=[("mid@example.org", "subscribed")])
    refunded = person_make("Refunded", "Giver", emails=[("ref@example.org", "subscribed")])
    memo = person_make("Memo", "Only", emails=[("memo@example.org", "subscribed")])
    out = person_make("Opted", "Out", emails=[("out@example.org", "unsubscribed")])
    _gift(big, "g1", 50_00)
    _gift(big, "g2", 30_00)  # 80.00 in all
    _gift(mid, "g3", 60_00)
    gift = _gift(refunded, "g4", 100_00)
    # Refunded down to 10.00 net: ranks below both others.
    Contribution.objects.filter(pk=gift.pk).update(
        refunded_cents=90_00, status=ContributionStatus.PARTIALLY_REFUNDED
    )
    _gift(memo, "g5", 500_00, is_memo=True)  # a memo row never counts
    _gift(out, "g6", 900_00)  # the biggest donor opted out: not in an ad audience
    return big, mid, refunded


def test_the_donor_seed_ranks_by_net_giving_for_finance(persona_client):
    _donors()
    client = persona_client("finance")
    page = client.get(reverse("analytics:audiences:donors"), {"size": "100"})
    assert page.status_code == 200 and page.context["summary"].rows == 3
    rows = _csv(
        client.get(reverse("analytics:audiences:donors_file", args=["meta"]), {"size": "100"})
    )
    assert rows[0] == META_HEADERS
    assert [r[0] for r in rows[1:]] == [
        sha("big@example.org"),
        sha("mid@example.org"),
        sha("ref@example.org"),
    ]
    event = AuditEvent.objects.get(action="export")
    assert event.details == {"audience": "meta", "people": 3, "seed_size": 100}
    assert "Giver" not in event.summary


def test_the_donor_seed_is_for_finance_roles_only(persona_client):
    _donors()
    organizer = persona_client("organizer")
    assert organizer.get(reverse("analytics:audiences:donors")).status_code == 403
    file = organizer.get(reverse("analytics:audiences:donors_file", args=["google"]))
    assert file.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_no_donors_yet_says_so(persona_client):
    client = persona_client("finance")
    page = client.get(reverse("analytics:audiences:donors"))
    assert page.status_code == 200 and b"No donors yet" in page.content
    assert client.get(reverse("analytics:audiences:donors_file", args=["meta"])).status_code == 400


def test_members_far_apart_and_close_together_get_their_own_identifiers(persona_client, make_user):
    # Two members with ten non-members between them: read by id list, not by id range, and
    # the non-members' addresses (inside any range) never land on a member's row.
    first = person_make("Wy", "First", state="WY", emails=[("wy1@example.org", "subscribed")])
    for i in range(10):
        person_make("Oh", f"Between{i}", emails=[(f"oh{i}@example.org", "subscribed")])
    person_make("Wy", "Last", state="WY", emails=[("wy2@example.org", "subscribed")])
    segment = segment_create(
        name="Wyoming",
        definition={"op": "and", "items": [{"kind": "state", "states": ["WY"]}]},
        actor=make_user("organizer"),
    )
    url = reverse("analytics:audiences:segment_file", args=[segment.pk, "meta"])
    rows = _csv(persona_client("organizer").get(url))
    assert [r[:2] for r in rows[1:]] == [[sha("wy1@example.org"), ""], [sha("wy2@example.org"), ""]]
    assert first.pk  # ids ascending: the first member's row comes first
