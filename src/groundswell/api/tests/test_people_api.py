"""The people endpoints as a tool written for Action Network calls them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.api.models import API_PEOPLE_READ, ApiKey
from groundswell.people.models import ConsentEvent, Person

pytestmark = pytest.mark.django_db

SIGNUP = {
    "person": {
        "given_name": "Wren",
        "family_name": "Alderstrand",
        "email_addresses": [{"address": "wren.alderstrand@example.org", "status": "subscribed"}],
        "phone_numbers": [{"number": "614-555-0101", "number_type": "Mobile"}],
        "postal_addresses": [
            {
                "address_lines": ["12 Example Row"],
                "locality": "Columbus",
                "region": "OH",
                "postal_code": "43215",
                "country": "US",
            }
        ],
        "custom_fields": {"t-shirt": "M"},
    },
    "add_tags": ["volunteer", "phone bank"],
}


def _post(client, body, path="/api/v2/people/"):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _person_id(doc: dict) -> int:
    return int(doc["identifiers"][0].split(":")[1])


def test_the_signup_helper_adds_a_person_and_finds_them_again(api):
    client = api("organizer")
    first = _post(client, SIGNUP)
    assert first.status_code == 201, first.content
    assert first["Content-Type"] == "application/hal+json"
    doc = first.json()
    person = Person.objects.get(pk=_person_id(doc))
    assert (person.given_name, person.family_name) == ("Wren", "Alderstrand")
    assert doc["email_addresses"] == [
        {"primary": True, "address": "wren.alderstrand@example.org", "status": "subscribed"}
    ]
    assert doc["phone_numbers"][0]["number"] == "16145550101"
    assert doc["phone_numbers"][0]["number_type"] == "Mobile"
    assert doc["postal_addresses"][0]["locality"] == "Columbus"
    assert doc["custom_fields"] == {"t-shirt": "M"}
    assert set(person.tags.values_list("name", flat=True)) == {"volunteer", "phone bank"}
    consent = ConsentEvent.objects.get(person=person)
    assert (consent.method, consent.status) == ("api", "subscribed")
    assert consent.source == "API key organizer sync"

    again = _post(client, {**SIGNUP, "add_tags": [], "remove_tags": ["Phone Bank"]})
    assert again.status_code == 200, again.content
    assert _person_id(again.json()) == person.pk
    assert Person.objects.count() == 1
    assert set(person.tags.values_list("name", flat=True)) == {"volunteer"}


def test_saying_nothing_of_a_subscription_leaves_it_as_it_was(api):
    client = api("organizer")
    body = json.loads(json.dumps(SIGNUP))
    body["person"]["email_addresses"][0]["status"] = "unsubscribed"
    assert _post(client, body).status_code == 201
    del body["person"]["email_addresses"][0]["status"]
    response = _post(client, body)
    assert response.json()["email_addresses"][0]["status"] == "unsubscribed"


def test_a_bad_field_is_named_and_nothing_is_written(api):
    client = api("organizer")
    body = json.loads(json.dumps(SIGNUP))
    body["person"]["email_addresses"][0]["address"] = "not an address"
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"
    assert "email" in response.json()["error"]
    body["person"]["postal_addresses"] = "12 Example Row"
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == "person.postal_addresses"
    assert not Person.objects.exists()


def test_people_are_paged_and_next_leads_through_every_one_once(api):
    client = api("organizer")
    for n in range(7):
        body = {"person": {"email_addresses": [{"address": f"pager{n}@example.org"}]}}
        assert _post(client, body).status_code == 201
    seen, url, pages = [], "/api/v2/people/?per_page=3", 0
    while url:
        doc = client.get(url).json()
        pages += 1
        assert doc["total_records"] == 7 and doc["total_pages"] == 3 and doc["per_page"] == 3
        seen += [_person_id(p) for p in doc["_embedded"]["osdi:people"]]
        url = doc["_links"].get("next", {}).get("href")
    assert pages == 3
    assert sorted(seen) == sorted(Person.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


def test_people_are_filtered_as_odata_says(api):
    client = api("organizer")
    for n, region in enumerate(["OH", "CA", "CA"]):
        body = {
            "person": {
                "given_name": ["Ada", "Zoë", "Ada"][n],
                "email_addresses": [{"address": f"filter{n}@example.org"}],
                "postal_addresses": [{"region": region, "postal_code": "43215"}],
            }
        }
        _post(client, body)
    old = Person.objects.get(primary_email="filter0@example.org")
    Person.objects.filter(pk=old.pk).update(modified_at=timezone.now() - timedelta(days=30))

    def emails(query):
        response = client.get("/api/v2/people/", {"filter": query})
        assert response.status_code == 200, response.content
        return sorted(
            p["email_addresses"][0]["address"] for p in response.json()["_embedded"]["osdi:people"]
        )

    assert emails("region eq 'CA'") == ["filter1@example.org", "filter2@example.org"]
    assert emails("email_address eq 'FILTER1@example.org'") == ["filter1@example.org"]
    assert emails("given_name eq 'ZOE'") == ["filter1@example.org"]
    assert emails("given_name eq 'ada' and region eq 'ca'") == ["filter2@example.org"]
    since = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%d")
    assert emails(f"modified_date gt '{since}' and region eq 'OH'") == []
    assert emails(f"modified_date lt '{since}'") == ["filter0@example.org"]
    for bad in (
        "region eq CA",
        "employer eq 'x'",
        "region gt 'CA'",
        "modified_date gt 'soon'",
        "email_address eq 'nobody'",
    ):
        response = client.get("/api/v2/people/", {"filter": bad})
        assert response.status_code == 400, bad
        assert response.json()["field"] == "filter"


def test_employer_and_occupation_are_for_finance_keys_only(api):
    finance, organizer = api("finance"), api("organizer")
    body = json.loads(json.dumps(SIGNUP))
    body["person"]["employer"] = "Quillworks"
    refused = _post(organizer, body)
    assert refused.status_code == 400
    assert refused.json()["field"] == "person.employer"
    assert _post(finance, body).status_code == 201
    person_id = Person.objects.get().pk
    assert finance.get(f"/api/v2/people/{person_id}/").json()["employer"] == "Quillworks"
    shown = organizer.get(f"/api/v2/people/{person_id}/")
    assert shown.status_code == 200
    assert "employer" not in shown.json() and "Quillworks" not in shown.content.decode()


def test_each_role_may_do_what_its_pages_let_it(api):
    volunteer = api("volunteer")
    assert volunteer.get("/api/v2/").status_code == 200
    assert volunteer.get("/api/v2/tags/").status_code == 200
    assert volunteer.get("/api/v2/people/").status_code == 403
    assert _post(volunteer, SIGNUP).status_code == 403
    assert volunteer.delete("/api/v2/people/").status_code == 405
    assert not Person.objects.exists()


def test_a_request_without_a_live_key_is_refused(api, client):
    assert client.get("/api/v2/people/").status_code == 401
    organizer = api("organizer")
    assert organizer.get("/api/v2/people/").status_code == 200
    bearer = client.get("/api/v2/people/", HTTP_AUTHORIZATION=f"Bearer {organizer.secret}")
    assert bearer.status_code == 200
    ApiKey.objects.update(revoked_at=timezone.now())
    assert organizer.get("/api/v2/people/").status_code == 401
    ApiKey.objects.update(revoked_at=None)
    organizer.user.is_active = False
    organizer.user.save()
    assert organizer.get("/api/v2/people/").status_code == 401
    # A browser session is not a key: a logged-in admin's cookie opens no API call.
    admin = api("admin")
    client.force_login(admin.user)
    assert client.get("/api/v2/people/").status_code == 401


def test_a_merged_person_answers_with_whom_they_were_merged_into(api):
    client = api("organizer")
    kept = _post(client, {"person": {"email_addresses": [{"address": "kept@example.org"}]}})
    gone = _post(client, {"person": {"email_addresses": [{"address": "gone@example.org"}]}})
    kept_id, gone_id = _person_id(kept.json()), _person_id(gone.json())
    Person.objects.filter(pk=gone_id).update(merged_into_id=kept_id)
    response = client.get(f"/api/v2/people/{gone_id}/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/v2/people/{kept_id}/")
    assert client.get("/api/v2/people/999999/").status_code == 404


def test_reading_people_is_audited_once_a_day_per_key(api):
    client = api("organizer")
    _post(client, SIGNUP)
    for _ in range(3):
        assert client.get("/api/v2/people/").status_code == 200
    events = AuditEvent.objects.filter(action=API_PEOPLE_READ)
    assert events.count() == 1
    assert events.get().actor == client.user
    ApiKey.objects.update(people_read_audited_on=timezone.localdate() - timedelta(days=1))
    client.get("/api/v2/people/")
    assert events.count() == 2


def test_a_key_past_its_rate_is_told_when_to_come_back(api, settings):
    settings.GROUNDSWELL_API_RATE_PER_MINUTE = 3
    client, other = api("organizer"), api("finance")
    assert [client.get("/api/v2/tags/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v2/tags/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.get("/api/v2/tags/").status_code == 200  # each key counts on its own


def test_a_page_of_people_costs_the_same_queries_however_long(api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("organizer")
    for n in range(30):
        _post(client, {"person": {"email_addresses": [{"address": f"q{n}@example.org"}]}})
    client.get("/api/v2/people/")  # the day's audit entry and last-used stamp are written

    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v2/people/?per_page={per_page}").status_code == 200
        return len(captured)

    assert queries(2) == queries(25)
    with django_assert_max_num_queries(10):
        client.get("/api/v2/people/?per_page=25")
