"""People as OSDI writes them, and an OSDI person signup body read into our intake fields.

The body is mapped onto the same raw fields a CSV row or a form gives, so
``people.intake.person_input_clean`` validates it and ``people_upsert`` matches, merges
consent and writes the timeline exactly as every other intake does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.api import hal
from groundswell.core.untrusted import Refused
from groundswell.people.choices import PhoneType
from groundswell.people.models import Person

MAX_TAGS = 50

# OSDI's number_type words, and ours.
_PHONE_TYPES = {
    PhoneType.MOBILE: "Mobile",
    PhoneType.HOME: "Home",
    PhoneType.WORK: "Work",
    PhoneType.OTHER: "Other",
}


def person_doc(person: Person, *, request, user) -> dict:
    """One person as OSDI's ``osdi:person`` (emails, phones and addresses prefetched)."""
    doc = {
        "identifiers": [hal.identifier(person.pk)]
        + [f"{e.system}:{e.value}" for e in person.external_ids.all()],
        "created_date": hal.date(person.created_at),
        "modified_date": hal.date(person.modified_at),
        "given_name": person.given_name,
        "additional_name": person.middle_name,
        "family_name": person.family_name,
        "email_addresses": [
            {"primary": e.is_primary, "address": e.address, "status": e.status.replace("_", " ")}
            for e in person.emails.all()
        ],
        "phone_numbers": [
            {
                "primary": p.is_primary,
                "number": p.number.lstrip("+"),
                "number_type": _PHONE_TYPES.get(p.phone_type, "Other"),
                "status": p.sms_status,
            }
            for p in person.phones.all()
        ],
        "postal_addresses": [_address_doc(a) for a in person.addresses.all()],
        "custom_fields": person.custom_fields or {},
        "_links": {
            "self": hal.href(request, "person", person.pk),
            "osdi:taggings": hal.href(request, "person_taggings", person.pk),
        },
    }
    if user.can(FINANCE_VIEW):
        doc["employer"] = person.employer
        doc["occupation"] = person.occupation
    return doc


def _address_doc(address) -> dict:
    doc = {
        "primary": address.is_primary,
        "address_lines": [line for line in (address.line1, address.line2) if line],
        "locality": address.city,
        "region": address.state,
        "postal_code": address.postal_code,
        "country": address.country,
    }
    if address.latitude is not None and address.longitude is not None:
        doc["location"] = {
            "latitude": float(address.latitude),
            "longitude": float(address.longitude),
        }
    return doc


@dataclass
class Signup:
    """A person signup helper body, read: raw intake fields and the tags to add and remove."""

    raw: dict[str, str] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)


def signup_read(body: object, *, user) -> Signup:
    """Read ``{"person": {...}, "add_tags": [...], "remove_tags": [...]}``; Refused names the
    field (as a path such as ``person.email_addresses[0].address``) and says what is wrong."""
    if not isinstance(body, dict):
        raise Refused("", "the body must be a JSON object")
    person = body.get("person")
    if not isinstance(person, dict):
        raise Refused("person", "is required and must be an object")
    signup = Signup()
    raw = signup.raw
    for ours, theirs in (
        ("given_name", "given_name"),
        ("middle_name", "additional_name"),
        ("family_name", "family_name"),
    ):
        raw[ours] = _text(person, theirs, "person.")
    for name in ("employer", "occupation"):
        value = _text(person, name, "person.")
        if value and not user.can(FINANCE_VIEW):
            raise Refused(f"person.{name}", "is finance data, which this key's role may not write")
        raw[name] = value
    _emails_read(person, raw)
    _phones_read(person, raw)
    _addresses_read(person, raw)
    _custom_fields_read(person, raw)
    signup.add_tags = _tag_list(body, "add_tags")
    signup.remove_tags = _tag_list(body, "remove_tags")
    return signup


def _text(obj: dict, key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Refused(path + key, "must be text")
    return str(value)


def _one(person: dict, key: str) -> dict | None:
    """The primary (else the first) object of one of OSDI's lists; we keep one of each."""
    items = person.get(key)
    if items is None:
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Refused(f"person.{key}", "must be a list of objects")
    if not items:
        return None
    return next((i for i in items if i.get("primary") is True), items[0])


def _emails_read(person: dict, raw: dict) -> None:
    email = _one(person, "email_addresses")
    if email is None:
        return
    path = "person.email_addresses[0]."
    raw["email"] = _text(email, "address", path)
    # Saying nothing leaves a known person's subscription as it is (consent changes only
    # when an intake says so): the status is passed on only when the body gives one.
    raw["email_status"] = _text(email, "status", path)


def _phones_read(person: dict, raw: dict) -> None:
    phone = _one(person, "phone_numbers")
    if phone is None:
        return
    path = "person.phone_numbers[0]."
    number = _text(phone, "number", path)
    kind = _text(phone, "number_type", path).strip().lower()
    raw["mobile_phone" if kind in ("mobile", "cell") else "phone"] = number
    raw["sms_status"] = _text(phone, "status", path)


def _addresses_read(person: dict, raw: dict) -> None:
    address = _one(person, "postal_addresses")
    if address is None:
        return
    path = "person.postal_addresses[0]."
    lines = address.get("address_lines") or []
    if not isinstance(lines, list) or len(lines) > 2 or not all(isinstance(x, str) for x in lines):
        raise Refused(path + "address_lines", "must be a list of at most two lines of text")
    raw["address_line1"] = lines[0] if lines else ""
    raw["address_line2"] = lines[1] if len(lines) > 1 else ""
    raw["city"] = _text(address, "locality", path)
    raw["state"] = _text(address, "region", path)
    raw["postal_code"] = _text(address, "postal_code", path)
    raw["country"] = _text(address, "country", path)
    location = address.get("location")
    if location is not None:
        if not isinstance(location, dict):
            raise Refused(path + "location", "must be an object with latitude and longitude")
        for name in ("latitude", "longitude"):
            value = location.get(name)
            if value is None:
                continue
            # json_load gives whole numbers as int and fractions as Decimal.
            if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
                raise Refused(f"{path}location.{name}", "must be a number")
            raw[name] = str(value)


def _custom_fields_read(person: dict, raw: dict) -> None:
    custom = person.get("custom_fields")
    if custom is None:
        return
    if not isinstance(custom, dict) or len(custom) > 100:
        raise Refused("person.custom_fields", "must be an object of at most 100 fields")
    for name in custom:
        if not name.strip() or len(name) > 100:
            raise Refused(
                "person.custom_fields",
                "has a field name that is blank or longer than 100 characters",
            )
        raw["custom:" + name] = _text(custom, name, "person.custom_fields.")


def _tag_list(body: dict, key: str) -> list[str]:
    tags = body.get(key)
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise Refused(key, "must be a list of tag names")
    if len(tags) > MAX_TAGS:
        raise Refused(key, f"may name at most {MAX_TAGS} tags")
    return tags
