"""Reads for relational organizing: a volunteer's own contacts, and the recruiters' figures.

Who recruited whom comes from two places: the actions app's referrals (someone signed up
through a supporter's share link) and the contacts volunteers entered. A recruiter is a person,
or the staff account that entered a contact when no person holds its login e-mail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.actions.models import Referral
from groundswell.core.pagination import Page
from groundswell.events.relational.models import RelationalContact
from groundswell.people.models import Person

Node = tuple[str, int]  # ("person", id) or ("user", id)


def contacts_of(*, user) -> QuerySet[RelationalContact]:
    """The contacts this account entered, and no one else's."""
    return RelationalContact.objects.filter(volunteer_user=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class Edge:
    recruiter: Node
    recruit: int  # a person's id
    at: datetime
    kind: str  # "referral" or "contact"


def relationship_edges() -> list[Edge]:
    """Every recruiter → recruit link, from referrals and from volunteers' contacts."""
    edges = [
        Edge(("person", recruiter), recruit, at, "referral")
        for recruiter, recruit, at in Referral.objects.values_list(
            "recruiter_id", "recruit_id", "created_at"
        )
        if recruiter != recruit
    ]
    for person, user, recruit, at in RelationalContact.objects.values_list(
        "volunteer_person_id", "volunteer_user_id", "person_id", "created_at"
    ):
        node: Node = ("person", person) if person else ("user", user)
        if node != ("person", recruit):
            edges.append(Edge(node, recruit, at, "contact"))
    return edges


@dataclass
class RecruiterRow:
    node: Node
    label: str
    referrals: int
    contacts: int
    total: int  # different people, whichever way they came


def recruiter_counts(
    *, user, edges: list[Edge] | None = None, labelled: bool = True
) -> list[RecruiterRow]:
    """Every recruiter with how many people they brought: most first, then the longest-standing
    record first. ``labelled=False`` leaves the names to be read for one page only."""
    edges = relationship_edges() if edges is None else edges
    # Counted over distinct (recruiter, recruit) pairs: someone both linked and entered as a
    # contact by the same recruiter is one person in the total.
    referrals = {(e.recruiter, e.recruit) for e in edges if e.kind == "referral"}
    contacts = {(e.recruiter, e.recruit) for e in edges if e.kind != "referral"}
    totals = Counter(node for node, _ in referrals | contacts)
    by_referral = Counter(node for node, _ in referrals)
    by_contact = Counter(node for node, _ in contacts)
    rows = [
        RecruiterRow(
            node=node,
            label="",
            referrals=by_referral[node],
            contacts=by_contact[node],
            total=total,
        )
        for node, total in totals.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.node))
    return _labelled(rows) if labelled else rows


def _labelled(rows: list[RecruiterRow]) -> list[RecruiterRow]:
    people = [pk for kind, pk in (r.node for r in rows) if kind == "person"]
    users = [pk for kind, pk in (r.node for r in rows) if kind == "user"]
    labels: dict[Node, str] = {}
    for person in Person.objects.filter(pk__in=people):
        labels[("person", person.pk)] = str(person)
    for pk, username in User.objects.filter(pk__in=users).values_list("pk", "username"):
        labels[("user", pk)] = f"{username} (staff account)"
    for row in rows:
        row.label = labels.get(row.node, "")
    return rows


def recruiters_page(*, user, page: str | int | None, per_page: int = 50) -> Page:
    """One page of ``recruiter_counts``, its names read for that page only."""
    rows = recruiter_counts(user=user, labelled=False)
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    last = max(1, -(-len(rows) // per_page))
    number = min(number, last)
    start = (number - 1) * per_page
    items = _labelled(rows[start : start + per_page])
    return Page(items, number, per_page, len(rows), False)


def tree_depth(*, user, edges: list[Edge] | None = None) -> int:
    """The longest chain of recruitment, in links (A recruited B who recruited C: 2).

    Each person counts the recruiter who reached them first (a referral and a contact for the
    same person are two claims; the earlier wins). A loop (two people who each entered the
    other) is cut where the walk up the chain meets itself, so it ends.
    """
    edges = relationship_edges() if edges is None else edges
    parent: dict[Node, tuple[datetime, Node]] = {}
    for edge in edges:
        child: Node = ("person", edge.recruit)
        claim = (edge.at, edge.recruiter)
        if child not in parent or claim < parent[child]:
            parent[child] = claim
    depth: dict[Node, int] = {}
    for start in parent:
        chain: list[Node] = []
        on_chain: set[Node] = set()
        node = start
        while True:
            if node in depth:
                base = depth[node]
                break
            if node in on_chain or node not in parent:
                # A root, or a loop met again: the chain is cut there.
                base = 0
                break
            on_chain.add(node)
            chain.append(node)
            node = parent[node][1]
        for item in reversed(chain):
            base += 1
            depth[item] = base
    return max(depth.values(), default=0)


@dataclass(frozen=True)
class Share:
    days: int
    new: int
    through_relationship: int

    @property
    def percent(self) -> int | None:
        if not self.new:
            return None
        return round(100 * self.through_relationship / self.new)


def relational_share(*, user, days: int, now: datetime | None = None) -> Share:
    """Of the supporters who first appeared in the last ``days`` days, how many came through a
    relationship (a share link or a volunteer's contact)."""
    now = now or timezone.now()
    new = Person.objects.active().filter(
        created_at__gt=now - timedelta(days=days), created_at__lte=now, erased_at=None
    )
    related = new.filter(
        Exists(Referral.objects.filter(recruit=OuterRef("pk")))
        | Exists(RelationalContact.objects.filter(person=OuterRef("pk")))
    )
    return Share(days=days, new=new.count(), through_relationship=related.count())
