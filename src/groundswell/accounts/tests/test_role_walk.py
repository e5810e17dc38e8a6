"""Every staff page, as every role, over a donor who has every kind of finance data.

The walk takes its pages from the URL resolver, so a new page is walked the day it is added:
a URL whose arguments this file cannot fill fails with "add kwargs for this URL" rather than
being skipped. Each page is fetched as a whole page, as an htmx fragment and with the search
and filter query strings that select donors; an organizer, a volunteer and an anonymous
visitor must never be shown an amount, a processor, a refcode of a gift, or the donor's
employer and occupation. Finance and admin must be shown them (so the walk can fail).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groundswell.accounts.tests.role_world import DONOR
from groundswell.api.services import api_key_create

REFCODE = DONOR["refcode"]
# The donor's finance data (see role_world), each as any page would write it: employer and
# occupation, the gift's refcode, the held ActBlue gift of $4,321.09, the Stripe gift of
# $987.65 and its refund of $111.11, the recurring $53.09, and the processors' names.
FORBIDDEN = (
    "Zyzzogeton",
    "Quillwright",
    REFCODE,
    "4,321.09",
    "4321.09",
    "987.65",
    "111.11",
    "53.09",
    "ActBlue",
    "Stripe",
)
WITHOUT_FINANCE = ["organizer", "volunteer", None]
ROLES = ["admin", "finance", "organizer", "volunteer", None]

# Pages for supporters and processors: not staff pages (they have their own tests).
PUBLIC_NAMESPACES = {
    "public",
    "embed",
    "donate",
    "donations_webhooks",
    "donor_info",
    "mail_webhooks",
    "events",
    "amplify_public",
}
PUBLIC_NAMES = {"accounts:login", "accounts:logout"}

# Queries that would pick the donor out by what only finance may know (employer, occupation,
# where their money came from, their gift's refcode): on every page a role may open, the answer
# must list the donor no more often than for a value that matches nobody.
SELECTING = [
    ("q", "Zyzzogeton"),
    ("q", "Quillwright"),
    ("source", "ActBlue"),
    ("source", "actblue"),
    ("refcode", REFCODE),
]
CONTROL = "zz-matches-nobody"
# Plain queries: a search that finds the donor by name, the timeline's and consent's pages.
PLAIN = [f"q={DONOR['family_name']}", "timeline=1&consent=1"]
# Product copy that names a processor in general, not anyone's gift.
ALLOWED_COPY = (
    "Exports from ActBlue and VAN",
    "from a spreadsheet, ActBlue or VAN",
)
HX = {"HTTP_HX_REQUEST": "true"}


def _staff_patterns():
    """(name, route, kwarg names) of every staff URL the project serves."""

    def walk(patterns, namespace, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = namespace
                if p.namespace:
                    inner = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, inner, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield namespace, name, prefix + str(p.pattern), p.pattern

    for namespace, name, route, pattern in walk(get_resolver().url_patterns, None, ""):
        if (namespace or "").split(":")[0] in PUBLIC_NAMESPACES or name in PUBLIC_NAMES:
            continue
        assert name or namespace == "admin", (
            f"the staff URL {route} has no name: name it so the role walk reaches it"
        )
        yield name, route, sorted(pattern.regex.groupindex)


def _staff_url(name: str | None, route: str, kwargs: dict) -> str:
    if name:
        return reverse(name, kwargs=kwargs)
    # An unnamed admin route (Django's own redirects): filled in place.
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


@pytest.fixture
def world(db, settings, tmp_path, make_user):
    from groundswell.accounts.tests.role_world import donor_world

    settings.MEDIA_ROOT = str(tmp_path)
    # Each role's walk sends its API key hundreds of times a minute.
    settings.GROUNDSWELL_API_RATE_PER_MINUTE = 10**9
    return donor_world(
        tmp_path,
        finance_user=make_user("finance", username="finance-walker"),
        other_user=make_user("volunteer", username="volunteer-walker"),
    )


def _kwargs(name: str | None, wanted: list[str], world: dict) -> dict:
    """URL arguments for a staff URL, from the seeded world."""
    if not wanted:
        return {}
    if name is None or name.startswith("admin:"):
        # The admin site is for the admin role; anyone else is sent to its login first.
        generic = {
            "object_id": str(world["donor"].pk),
            "id": str(world["donor"].pk),
            "app_label": "people",
            "content_type_id": str(ContentType.objects.get(model="person").pk),
            "url": "people/person/",
        }
        return {k: generic[k] for k in wanted}
    table = world["urls"]
    assert name in table, (
        f"the role walk cannot fill the arguments {wanted} of {name}: "
        "add kwargs for this URL to accounts/tests/role_world.py"
    )
    return table[name]


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(text: str, *, echoes: tuple[str, ...] = ()) -> list[str]:
    """The finance values in a page, besides product copy and what the viewer typed."""
    for copy in ALLOWED_COPY:
        text = text.replace(copy, "")
    for echo in echoes:
        for form in (echo, escape(echo), quote_plus(echo), quote(echo)):
            text = re.sub(re.escape(form), "", text, flags=re.IGNORECASE)
    return [value for value in FORBIDDEN if value.casefold() in text.casefold()]


class Walk:
    """One role's walk: what went wrong, and (for finance) what it was shown."""

    def __init__(self, client, role, donor_marker: str, api_key: str = ""):
        self.client, self.role, self.donor_marker = client, role, donor_marker
        # The role's API key goes with every request: the API's pages answer by key, not
        # by session, and must hide from a key what the role's pages hide.
        self.key_header = {"HTTP_OSDI_API_TOKEN": api_key} if api_key else {}
        self.problems: list[str] = []
        self.seen: set[str] = set()
        self.picked_out = False
        self.fetched = 0

    def get(self, target: str, headers: dict, echoes: tuple[str, ...] = ()) -> str | None:
        """The page's text, checked; None when it is not a page of this role's."""
        response = self.client.get(target, **headers, **self.key_header)
        self.fetched += 1
        who = self.role or "anonymous"
        if response.status_code >= 500:
            self.problems.append(f"{who}: {target} {headers} answered {response.status_code}")
            return None
        if (
            response.status_code == 404
            and self.role == "admin"
            and not target.startswith("/admin/")
        ):
            # The admin role may open every page: "not found" means the walk's arguments
            # point at nothing, and the page would go unchecked.
            self.problems.append(f"{target} is not found: fix its kwargs in role_world.py")
        body = _body(response)
        leaks = _leaks(body, echoes=echoes)
        if self.role in WITHOUT_FINANCE and leaks:
            self.problems.append(f"{who}: {target} {headers} shows {leaks}")
        self.seen.update(leaks)
        return body if response.status_code == 200 else None

    def page(self, url: str) -> None:
        """The page whole and as a fragment; if this role may open it, with every query."""
        opened = self.get(url, {})
        self.get(url, HX)
        if opened is None or self.role == "admin":
            # The admin role may see everything: its walk looks for server errors only, and
            # finance's shows that the queries below can pick a donor out.
            return
        joiner = "&" if "?" in url else "?"
        for headers in ({}, HX):
            for query in PLAIN:
                self.get(f"{url}{joiner}{query}", headers)
            for key, value in SELECTING:
                picked = self.get(f"{url}{joiner}{key}={quote_plus(value)}", headers, (value,))
                control = self.get(f"{url}{joiner}{key}={CONTROL}", headers, (CONTROL,))
                if picked is None or control is None:
                    continue  # a query a page refuses is not a list of donors
                extra = picked.count(self.donor_marker) - control.count(self.donor_marker)
                if extra > 0:
                    self.picked_out = True
                    if self.role in WITHOUT_FINANCE:
                        self.problems.append(
                            f"{self.role or 'anonymous'}: {url} {headers} picks the donor out "
                            f"by {key}={value}"
                        )


def test_no_role_without_finance_sees_finance_data_on_any_staff_page(client, make_user, world):
    users = {role: make_user(role, username=f"{role}-walker") for role in ROLES if role}
    keys = {
        role: api_key_create(name=f"{role} walk", user=user, actor=users["admin"])[1]
        for role, user in users.items()
    }
    urls = [
        _staff_url(name, route, _kwargs(name, wanted, world))
        for name, route, wanted in _staff_patterns()
    ]
    assert len(urls) > 60, urls  # the resolver was walked, not a handful of pages
    # Lists, search results and exports all show a person's e-mail address.
    donor_marker = DONOR["email"]
    walks = {}
    for role in ROLES:
        client.logout()
        if role:
            client.force_login(users[role])
        walks[role] = Walk(client, role, donor_marker, keys.get(role, ""))
        for url in urls:
            walks[role].page(url)
    problems = [problem for walk in walks.values() for problem in walk.problems]
    assert not problems, "\n".join(problems)
    # The walk can only fail if the data is there to leak: finance staff are shown all of it,
    # and can pick the donor out by it.
    assert walks["finance"].seen == set(FORBIDDEN), set(FORBIDDEN) - walks["finance"].seen
    assert walks["finance"].picked_out
    assert sum(walk.fetched for walk in walks.values()) > 1000
