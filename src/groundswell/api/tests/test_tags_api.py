"""Tags and taggings through the API: add a tag, tag people, list who has it, untag."""

from __future__ import annotations

import json

import pytest

from groundswell.people.models import Activity, Person, Tag, Tagging

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _id(doc: dict) -> int:
    return int(doc["identifiers"][0].split(":")[1])


@pytest.fixture
def person(api):
    response = _post(
        api("organizer", username="seeder"),
        "/api/v2/people/",
        {"person": {"given_name": "Ilse", "email_addresses": [{"address": "ilse@example.org"}]}},
    )
    return Person.objects.get(pk=_id(response.json()))


def test_a_tag_is_added_once_whatever_its_case(api):
    client = api("organizer")
    first = _post(client, "/api/v2/tags/", {"name": "Door knockers"})
    assert first.status_code == 201
    again = _post(client, "/api/v2/tags/", {"name": "door KNOCKERS"})
    assert again.status_code == 200
    assert _id(again.json()) == _id(first.json())
    assert Tag.objects.count() == 1
    listed = client.get("/api/v2/tags/").json()
    assert [t["name"] for t in listed["_embedded"]["osdi:tags"]] == ["Door knockers"]
    assert (
        client.get("/api/v2/tags/", {"filter": "name eq 'door knockers'"}).json()["total_records"]
        == 1
    )
    for bad in ({}, {"name": ""}, {"name": 7}, ["Door knockers"]):
        response = _post(client, "/api/v2/tags/", bad)
        assert response.status_code == 400, bad
        assert response.json()["field"] == "name"


def test_tagging_a_person_by_their_url_and_untagging_them(api, person):
    client = api("organizer")
    tag = _post(client, "/api/v2/tags/", {"name": "Canvass"}).json()
    taggings_url = tag["_links"]["osdi:taggings"]["href"]
    person_url = f"http://testserver/api/v2/people/{person.pk}/"
    body = {"_links": {"osdi:person": {"href": person_url}}}
    created = _post(client, taggings_url, body)
    assert created.status_code == 201, created.content
    assert _post(client, taggings_url, body).status_code == 200  # tagging twice: one tagging
    assert Tagging.objects.filter(person=person).count() == 1
    assert Activity.objects.filter(person=person, kind="tag").count() == 1

    listed = client.get(taggings_url).json()
    assert listed["total_records"] == 1
    link = listed["_embedded"]["osdi:taggings"][0]["_links"]["osdi:person"]["href"]
    assert link == person_url
    mine = client.get(f"/api/v2/people/{person.pk}/taggings/").json()
    assert mine["_embedded"]["osdi:taggings"][0]["_links"]["osdi:tag"] == tag["_links"]["self"]

    tagging_url = created.json()["_links"]["self"]["href"]
    assert client.delete(tagging_url).status_code == 200
    assert not Tagging.objects.filter(person=person).exists()
    assert client.delete(tagging_url).status_code == 404


def test_a_tagging_must_link_to_a_person_of_ours(api, person):
    client = api("organizer")
    tag = _post(client, "/api/v2/tags/", {"name": "Canvass"}).json()
    url = tag["_links"]["osdi:taggings"]["href"]
    for href in (
        "https://elsewhere.example/api/v2/people/1/",
        f"/api/v2/tags/{_id(tag)}/",
        "/api/v2/people/999999/",
        "not a url \x00",
    ):
        response = _post(client, url, {"_links": {"osdi:person": {"href": href}}})
        assert response.status_code == 400, href
    assert _post(client, url, {"person": person.pk}).status_code == 400
    assert not Tagging.objects.exists()


def test_a_volunteer_key_may_read_tags_but_not_who_has_them(api, person):
    organizer, volunteer = api("organizer"), api("volunteer")
    tag = _post(organizer, "/api/v2/tags/", {"name": "Canvass"}).json()
    assert volunteer.get(tag["_links"]["self"]["href"]).status_code == 200
    assert volunteer.get(tag["_links"]["osdi:taggings"]["href"]).status_code == 403
    assert _post(volunteer, "/api/v2/tags/", {"name": "Mine"}).status_code == 403
