"""The OpenAPI document: valid OpenAPI 3.1, every call the server answers, and answers that
match its schemas."""

from __future__ import annotations

import json

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from groundswell.api.openapi import _api_routes

pytestmark = pytest.mark.django_db


def _schema(document: dict, name: str) -> OAS31Validator:
    schema = {**document["components"]["schemas"][name], "components": document["components"]}
    return OAS31Validator(schema)


def test_the_document_is_valid_openapi_and_lists_every_call(client):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["servers"] == [{"url": "http://testserver/api/v2"}]
    listed = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (path.removeprefix("/api/v2"), method)
        for _, path, _, view in _api_routes()
        for method in view.api_capabilities
    }
    assert listed == served
    assert ("/people/", "POST") in listed and (
        "/tags/{pk}/taggings/{tagging_pk}/",
        "DELETE",
    ) in listed
    assert len(listed) >= 15
    people = document["paths"]["/people/"]["get"]
    assert "Admin, Finance, Organizer" in people["description"]
    assert "Volunteer" not in people["description"]


def test_answers_match_the_document(client, api):
    document = client.get("/api/v2/openapi.json").json()
    organizer = api("organizer")
    body = {
        "person": {
            "given_name": "Perpetua",
            "email_addresses": [{"address": "perpetua@example.org", "status": "subscribed"}],
            "phone_numbers": [{"number": "614-555-0199", "number_type": "Mobile"}],
            "postal_addresses": [{"address_lines": ["1 Example Row"], "postal_code": "43215"}],
        },
        "add_tags": ["schema"],
    }
    _schema(document, "Signup").validate(body)
    created = organizer.post("/api/v2/people/", json.dumps(body), content_type="application/json")
    _schema(document, "Person").validate(created.json())
    listed = organizer.get("/api/v2/people/").json()
    _schema(document, "Collection").validate(listed)
    tag = organizer.get("/api/v2/tags/").json()["_embedded"]["osdi:tags"][0]
    _schema(document, "Tag").validate(tag)
    refused = organizer.get("/api/v2/people/", {"filter": "nonsense"}).json()
    _schema(document, "Error").validate(refused)
    # The schemas can fail: a person whose e-mail status is not one of OSDI's is refused.
    broken = created.json()
    broken["email_addresses"][0]["status"] = "maybe"
    assert not _schema(document, "Person").is_valid(broken)
