"""Roles and what each may do.

Capabilities are checked on the server for every view; templates only hide what a role cannot
use. Finance data (donors' employer and occupation, contributions) is for finance and admin.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    FINANCE = "finance", "Finance"
    ORGANIZER = "organizer", "Organizer"
    VOLUNTEER = "volunteer", "Volunteer"


PEOPLE_VIEW = "people.view"
PEOPLE_EDIT = "people.edit"
PEOPLE_IMPORT = "people.import"
PEOPLE_EXPORT = "people.export"
PEOPLE_MERGE = "people.merge"
PEOPLE_DELETE = "people.delete"  # delete a person, or erase their personal data (admin only)
FINANCE_VIEW = "finance.view"  # employer, occupation, contributions
AUDIT_VIEW = "audit.view"
USERS_MANAGE = "users.manage"
ADMIN_SITE = "admin.site"
PAGES_EDIT = "pages.edit"  # the campaign site, action pages, pop-ups and their variants
SEGMENTS_EDIT = "segments.edit"  # build, save and snapshot segments of supporters
MAILINGS_SEND = "mailings.send"  # compose, test and send mailings (an audited permission)
# Events: every role that may read people may read the events list and rosters (the names on a
# roster are people's names); creating, publishing, approving and checking in is organizing.
EVENTS_VIEW = "events.view"
EVENTS_MANAGE = "events.manage"
# Relational organizing: every staff account may enter the people it knows and see its own
# list (only its own); the recruiters' figures name recruiters, so they are for organizing.
CONTACTS_OWN = "organize.contacts"
RECRUITERS_VIEW = "organize.recruiters"

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            PEOPLE_VIEW,
            PEOPLE_EDIT,
            PEOPLE_IMPORT,
            PEOPLE_EXPORT,
            PEOPLE_MERGE,
            PEOPLE_DELETE,
            FINANCE_VIEW,
            AUDIT_VIEW,
            USERS_MANAGE,
            ADMIN_SITE,
            PAGES_EDIT,
            SEGMENTS_EDIT,
            MAILINGS_SEND,
            EVENTS_VIEW,
            EVENTS_MANAGE,
            CONTACTS_OWN,
            RECRUITERS_VIEW,
        }
    ),
    Role.FINANCE: frozenset(
        {
            PEOPLE_VIEW,
            PEOPLE_EDIT,
            PEOPLE_IMPORT,
            PEOPLE_EXPORT,
            PEOPLE_MERGE,
            FINANCE_VIEW,
            SEGMENTS_EDIT,
            EVENTS_VIEW,
            CONTACTS_OWN,
        }
    ),
    Role.ORGANIZER: frozenset(
        {
            PEOPLE_VIEW,
            PEOPLE_EDIT,
            PEOPLE_IMPORT,
            PEOPLE_EXPORT,
            PEOPLE_MERGE,
            PAGES_EDIT,
            SEGMENTS_EDIT,
            MAILINGS_SEND,
            EVENTS_VIEW,
            EVENTS_MANAGE,
            CONTACTS_OWN,
            RECRUITERS_VIEW,
        }
    ),
    Role.VOLUNTEER: frozenset({PEOPLE_VIEW, EVENTS_VIEW, CONTACTS_OWN}),
}


def role_can(role: str | None, capability: str) -> bool:
    return capability in CAPABILITIES.get(role or "", frozenset())
