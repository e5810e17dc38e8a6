"""Petitions and forms through the API: list them, record a signature as the page would."""

from __future__ import annotations

import json

import pytest

from groundswell.actions.models import ActionPage, Submission
from groundswell.people.models import Activity, Person

pytestmark = pytest.mark.django_db

SIGNER = {
    "person": {
        "given_name": "Odile",
        "family_name": "Tanquerel",
        "email_addresses": [{"address": "odile.tanquerel@example.org"}],
        "postal_addresses": [{"postal_code": "43215"}],
    },
    "add_tags": ["api signer"],
}


@pytest.fixture
def petition(db):
    return ActionPage.objects.create(
        kind="petition",
        slug="clean-water",
        title="Clean water",
        headline="Sign for clean water",
        petition_text="We ask the council for clean water.",
        goal=500,
        fields={"postal_code": "required"},
        tags=["petition: water"],
    )


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_a_petition_is_listed_and_a_signature_is_recorded_once(api, petition):
    client = api("organizer")
    ActionPage.objects.create(kind="signup", slug="join", title="Join", headline="Join us")
    listed = client.get("/api/v2/petitions/").json()
    assert [p["title"] for p in listed["_embedded"]["osdi:petitions"]] == ["Clean water"]
    doc = listed["_embedded"]["osdi:petitions"][0]
    assert doc["petition_text"] == "We ask the council for clean water."
    assert doc["browser_url"] == "http://testserver/a/clean-water/"
    assert doc["target_signatures"] == 500
    signatures = doc["_links"]["osdi:signatures"]["href"]

    first = _post(client, signatures, SIGNER)
    assert first.status_code == 201, first.content
    person = Person.objects.get(primary_email="odile.tanquerel@example.org")
    assert first.json()["_links"]["osdi:person"]["href"].endswith(f"/api/v2/people/{person.pk}/")
    assert set(person.tags.values_list("name", flat=True)) == {"petition: water", "api signer"}
    assert Activity.objects.filter(person=person, kind="petition").count() == 1
    submission = Submission.objects.get()
    assert submission.channel == "api"

    # The same body again (a client retrying after a lost answer) is the same signature.
    again = _post(client, signatures, SIGNER)
    assert again.status_code == 200
    assert again.json()["identifiers"] == first.json()["identifiers"]
    assert Submission.objects.count() == 1
    petition.refresh_from_db()
    assert petition.submission_count == 1
    assert client.get(signatures).json()["total_records"] == 1
    assert client.get(f"/api/v2/petitions/{petition.pk}/").json()["total_signatures"] == 1


def test_a_signature_missing_what_the_page_requires_is_refused_and_not_stored(api, petition):
    client = api("organizer")
    body = json.loads(json.dumps(SIGNER))
    del body["person"]["postal_addresses"]
    response = _post(client, f"/api/v2/petitions/{petition.pk}/signatures/", body)
    assert response.status_code == 400
    assert response.json()["field"] == "postal_code"
    body = json.loads(json.dumps(SIGNER))
    body["add_tags"] = ["   "]
    response = _post(client, f"/api/v2/petitions/{petition.pk}/signatures/", body)
    assert response.status_code == 400 and response.json()["field"] == "add_tags"
    petition.published = False
    petition.save()
    closed = _post(client, f"/api/v2/petitions/{petition.pk}/signatures/", SIGNER)
    assert closed.status_code == 400
    assert not Submission.objects.exists() and not Person.objects.exists()


def test_forms_are_not_petitions(api, petition):
    client = api("organizer")
    form = ActionPage.objects.create(kind="signup", slug="join", title="Join", headline="Join")
    assert client.get(f"/api/v2/forms/{petition.pk}/").status_code == 404
    assert client.get(f"/api/v2/petitions/{form.pk}/").status_code == 404
    body = {"person": {"email_addresses": [{"address": "joiner@example.org"}]}}
    created = _post(client, f"/api/v2/forms/{form.pk}/submissions/", body)
    assert created.status_code == 201, created.content
    one = client.get(created.json()["_links"]["self"]["href"])
    assert one.status_code == 200
    assert one.json()["_links"]["osdi:form"]["href"].endswith(f"/api/v2/forms/{form.pk}/")


def test_a_volunteer_key_sees_the_pages_but_not_who_signed(api, petition):
    volunteer = api("volunteer")
    assert volunteer.get("/api/v2/petitions/").status_code == 200
    assert volunteer.get(f"/api/v2/petitions/{petition.pk}/signatures/").status_code == 403
    response = _post(volunteer, f"/api/v2/petitions/{petition.pk}/signatures/", SIGNER)
    assert response.status_code == 403
    assert not Submission.objects.exists()
