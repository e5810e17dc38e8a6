"""The API's OpenAPI 3.1 document, built from the URL patterns and each view's own table of
methods and capabilities, so it lists exactly what the server answers."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from groundswell.accounts.roles import CAPABILITIES, Role

_LINK = {"type": "object", "properties": {"href": {"type": "string", "format": "uri"}}}
_IDS = {"type": "array", "items": {"type": "string"}, "examples": [["groundswell:42"]]}
_DATE = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": "string"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": _TEXT, "field": _TEXT, "errors": {}},
    },
    "Person": {
        "type": "object",
        "properties": {
            "identifiers": _IDS,
            "created_date": _DATE,
            "modified_date": _DATE,
            "given_name": _TEXT,
            "additional_name": _TEXT,
            "family_name": _TEXT,
            "email_addresses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "primary": {"type": "boolean"},
                        "address": _TEXT,
                        "status": {
                            "type": "string",
                            "enum": [
                                "subscribed",
                                "unsubscribed",
                                "bouncing",
                                "previous bounce",
                                "spam complaint",
                                "unknown",
                            ],
                        },
                    },
                },
            },
            "phone_numbers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "primary": {"type": "boolean"},
                        "number": _TEXT,
                        "number_type": {"enum": ["Mobile", "Home", "Work", "Other"]},
                        "status": _TEXT,
                    },
                },
            },
            "postal_addresses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "primary": {"type": "boolean"},
                        "address_lines": {"type": "array", "items": _TEXT, "maxItems": 2},
                        "locality": _TEXT,
                        "region": _TEXT,
                        "postal_code": _TEXT,
                        "country": _TEXT,
                        "location": {
                            "type": "object",
                            "properties": {
                                "latitude": {"type": "number"},
                                "longitude": {"type": "number"},
                            },
                        },
                    },
                },
            },
            "custom_fields": {"type": "object", "additionalProperties": _TEXT},
            "employer": {**_TEXT, "description": "Only for keys whose role sees finance data."},
            "occupation": {**_TEXT, "description": "Only for keys whose role sees finance data."},
            "_links": {"type": "object", "additionalProperties": _LINK},
        },
    },
    "Signup": {
        "type": "object",
        "required": ["person"],
        "properties": {
            "person": {"$ref": "#/components/schemas/Person"},
            "add_tags": {"type": "array", "items": _TEXT, "maxItems": 50},
            "remove_tags": {"type": "array", "items": _TEXT, "maxItems": 50},
        },
    },
    "Tag": {
        "type": "object",
        "properties": {"identifiers": _IDS, "name": _TEXT, "created_date": _DATE},
    },
    "TagNew": {"type": "object", "required": ["name"], "properties": {"name": _TEXT}},
    "Tagging": {
        "type": "object",
        "properties": {"identifiers": _IDS, "created_date": _DATE, "_links": {"type": "object"}},
    },
    "TaggingNew": {
        "type": "object",
        "required": ["_links"],
        "properties": {
            "_links": {
                "type": "object",
                "required": ["osdi:person"],
                "properties": {"osdi:person": _LINK},
            }
        },
    },
    "Action": {
        "type": "object",
        "description": "A petition or a form: its title, public address and count.",
        "properties": {
            "identifiers": _IDS,
            "title": _TEXT,
            "description": _TEXT,
            "browser_url": {"type": "string", "format": "uri"},
            "status": {"enum": ["open", "closed"]},
            "total_signatures": {"type": "integer"},
            "total_submissions": {"type": "integer"},
            "petition_text": _TEXT,
            "target_signatures": {"type": "integer"},
        },
    },
    "Taken": {
        "type": "object",
        "description": "A signature or a submission, linking the person and the action.",
        "properties": {"identifiers": _IDS, "created_date": _DATE, "_links": {"type": "object"}},
    },
    "Event": {
        "type": "object",
        "properties": {
            "identifiers": _IDS,
            "title": _TEXT,
            "description": _TEXT,
            "status": {"enum": ["confirmed", "tentative", "cancelled"]},
            "start_date": _DATE,
            "end_date": _DATE,
            "browser_url": {"type": "string", "format": "uri"},
            "total_accepted": {"type": "integer"},
            "location": {"type": "object"},
            "shifts": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Attendance": {
        "type": "object",
        "properties": {
            "identifiers": _IDS,
            "status": {"enum": ["accepted", "tentative", "declined"]},
            "shift": _TEXT,
            "attended": {"type": ["boolean", "null"]},
            "_links": {"type": "object"},
        },
    },
    "AttendanceNew": {
        "type": "object",
        "required": ["person"],
        "properties": {
            "person": {"$ref": "#/components/schemas/Person"},
            "shift": {**_TEXT, "description": "groundswell:<id>; optional for one shift."},
        },
    },
    "Collection": {
        "type": "object",
        "properties": {
            "total_pages": {"type": "integer"},
            "per_page": {"type": "integer"},
            "page": {"type": "integer"},
            "total_records": {"type": "integer"},
            "_links": {"type": "object"},
            "_embedded": {"type": "object"},
        },
    },
}

# What each route's answer and body are, by its URL name.
_ITEM = {
    "entry": "Collection",
    "people": "Person",
    "person": "Person",
    "tags": "Tag",
    "tag": "Tag",
    "tagging": "Tagging",
    "petition": "Action",
    "form": "Action",
    "petition_signature": "Taken",
    "form_submission": "Taken",
    "event": "Event",
    "event_attendances": "Attendance",
    "event_attendance": "Attendance",
}
_BODY = {
    "people": "Signup",
    "tags": "TagNew",
    "tag_taggings": "TaggingNew",
    "petition_signatures": "Signup",
    "form_submissions": "Signup",
    "event_attendances": "AttendanceNew",
}
_LISTS = {
    "events",
    "event_attendances",
    "people",
    "person_taggings",
    "tags",
    "tag_taggings",
    "petitions",
    "forms",
    "petition_signatures",
    "form_submissions",
}
_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
    {
        "name": "filter",
        "in": "query",
        "description": "OData: field eq|gt|lt|ge|le 'value', joined by and.",
        "schema": {"type": "string", "maxLength": 500},
    },
]


def _api_routes():
    """(URL name, OpenAPI path, path parameters, view) of every /api/v2/ route."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "api":
                route = prefix + str(p.pattern)
                if route.startswith("api/v2/") and hasattr(p.callback, "api_capabilities"):
                    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                    yield p.name, path, re.findall(r"<(?:\w+:)?(\w+)>", route), p.callback

    return list(walk(get_resolver().url_patterns, "", None))


def _roles(capability: str) -> str:
    return ", ".join(str(role.label) for role in Role if capability in CAPABILITIES[role])


def _operation(name: str, method: str, capability: str, view, params: list[str]) -> dict:
    doc = (view.__doc__ or "").strip().split("\n")[0] or name.replace("_", " ").capitalize()
    if method == "POST" or name not in _LISTS:
        answer = {"$ref": f"#/components/schemas/{_ITEM.get(name, 'Taken')}"}
    else:
        answer = {"$ref": "#/components/schemas/Collection"}
    operation = {
        "operationId": f"{method.lower()}_{name}",
        "summary": doc,
        "description": f"Roles whose keys may: {_roles(capability)}.",
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
            for p in params
        ]
        + (_PARAMS if method == "GET" and name in _LISTS else []),
        "responses": {
            "200": {"description": "OK", "content": {"application/hal+json": {"schema": answer}}},
            **{
                code: {
                    "description": text,
                    "content": {
                        "application/hal+json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                for code, text in (
                    ("400", "The request cannot be used; `field` says where."),
                    ("401", "No key, or a revoked one."),
                    ("403", "The key's role may not do this."),
                    ("404", "Not found."),
                )
            },
        },
    }
    if method == "POST":
        operation["responses"]["201"] = {
            "description": "Created",
            "content": {"application/hal+json": {"schema": answer}},
        }
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{_BODY[name]}"}}
            },
        }
    return operation


def openapi_document(*, server: str) -> dict:
    """The document, with ``server`` (this site's /api/v2/ address) as its one server."""
    paths: dict[str, dict] = {}
    for name, path, params, view in _api_routes():
        operations = paths.setdefault(path.removeprefix("/api/v2"), {})
        for method, capability in view.api_capabilities.items():
            operations[method.lower()] = _operation(name, method, capability, view, params)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Groundswell API",
            "version": "2",
            "description": "Action Network API v2 (OSDI) compatible: HAL+JSON.",
        },
        "servers": [{"url": server.rstrip("/")}],
        "security": [{"key": []}],
        "components": {
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "OSDI-API-Token"}
            },
            "schemas": SCHEMAS,
        },
        "paths": paths,
    }
