"""Reads of amplify, scoped by the viewing user: the posts, and what each link brought.

Sign-ups and gifts are the actions and donations apps' own counts of the refcodes our links
add (``submission_counts_by_refcode``, ``totals_by_refcode_prefix``): one definition of a
sign-up and of a counted gift. Money is only given to roles with FINANCE_VIEW.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW, PAGES_EDIT
from groundswell.actions.selectors import submission_counts_by_refcode
from groundswell.analytics.amplify.models import (
    REFCODE_PREFIX,
    LinkClick,
    ShareEvent,
    ShareLink,
    SuggestedPost,
)
from groundswell.core.pagination import Page
from groundswell.donations.selectors import DateRange, totals_by_refcode_prefix


def posts_for_staff(*, user, archived: bool = False) -> QuerySet[SuggestedPost]:
    """Posts for those who write them (PAGES_EDIT); nothing for anyone else."""
    if not user.can(PAGES_EDIT):
        return SuggestedPost.objects.none()
    return SuggestedPost.objects.filter(archived_at__isnull=not archived)


def posts_active(*, user) -> QuerySet[SuggestedPost]:
    """The posts a volunteer may share now: not archived, inside their window."""
    now = timezone.now()
    return SuggestedPost.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), archived_at__isnull=True, starts_at__lte=now
    ).order_by("-starts_at", "-id")


@dataclass
class Figures:
    """What some links brought in a range. ``net_cents`` is None for roles without money."""

    shares: int = 0
    clicks: int = 0
    signups: int = 0
    gifts: int = 0
    net_cents: int | None = 0

    def add(self, other: Figures) -> None:
        self.shares += other.shares
        self.clicks += other.clicks
        self.signups += other.signups
        self.gifts += other.gifts
        if self.net_cents is not None and other.net_cents is not None:
            self.net_cents += other.net_cents

    @property
    def any(self) -> bool:
        return bool(self.shares or self.clicks or self.signups or self.gifts)


@dataclass
class Row:
    key: int
    label: str
    figures: Figures = field(default_factory=Figures)


def _per_link(*, links: QuerySet[ShareLink], period: DateRange, money: bool) -> dict[int, Figures]:
    """Figures per link id, in one query per kind of figure."""
    by_link: dict[int, Figures] = {}

    def at(link_id: int) -> Figures:
        return by_link.setdefault(link_id, Figures(net_cents=0 if money else None))

    window = {"at__gte": period.start_at, "at__lt": period.end_before}
    link_ids = links.values("pk")
    for row in (
        ShareEvent.objects.filter(link__in=link_ids, **window)
        .values("link")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        at(row["link"]).shares = row["n"]
    for row in (
        LinkClick.objects.filter(link__in=link_ids, **window)
        .values("link")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        at(row["link"]).clicks = row["n"]
    signups = submission_counts_by_refcode(
        prefix=REFCODE_PREFIX, start_at=period.start_at, end_before=period.end_before
    )
    gifts = totals_by_refcode_prefix(period=period, prefix=REFCODE_PREFIX)
    codes = {refcode[len(REFCODE_PREFIX) :] for refcode in (*signups, *gifts)}
    if codes:
        for link_id, code in links.filter(code__in=codes).values_list("pk", "code"):
            refcode = REFCODE_PREFIX + code
            figures = at(link_id)
            figures.signups = signups.get(refcode, 0)
            total = gifts.get(refcode)
            if total is not None:
                figures.gifts = total.count
                if money:
                    figures.net_cents = total.net_cents
    return by_link


def _ranked(rows: dict[int, Row]) -> list[Row]:
    kept = [row for row in rows.values() if row.figures.any]
    kept.sort(
        key=lambda r: (
            -r.figures.signups,
            -r.figures.gifts,
            -r.figures.clicks,
            -r.figures.shares,
            r.label,
        )
    )
    return kept


def _page(rows: list[Row], page: str | int | None, per_page: int) -> Page:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    last = max(1, -(-len(rows) // per_page))
    number = min(number, last)
    start = (number - 1) * per_page
    return Page(rows[start : start + per_page], number, per_page, len(rows), False)


def _user_label(user) -> str:
    return user.get_full_name() or user.username


def leaderboard_volunteers(*, user, period: DateRange, page=None, per_page: int = 25) -> Page:
    """Each volunteer's shares, clicks, sign-ups and gifts (money for finance roles), best first."""
    money = user.can(FINANCE_VIEW)
    links = ShareLink.objects.all()
    per_link = _per_link(links=links, period=period, money=money)
    owners = dict(links.filter(pk__in=per_link).values_list("pk", "user_id"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=set(owners.values()))}
    rows: dict[int, Row] = {}
    for link_id, figures in per_link.items():
        owner = users[owners[link_id]]
        row = rows.setdefault(
            owner.pk, Row(owner.pk, _user_label(owner), Figures(net_cents=0 if money else None))
        )
        row.figures.add(figures)
    return _page(_ranked(rows), page, per_page)


def leaderboard_posts(*, user, period: DateRange, page=None, per_page: int = 25) -> Page:
    """Each post's shares, clicks, sign-ups and gifts over every volunteer's link."""
    money = user.can(FINANCE_VIEW)
    links = ShareLink.objects.all()
    per_link = _per_link(links=links, period=period, money=money)
    posts_of = dict(links.filter(pk__in=per_link).values_list("pk", "post_id"))
    posts = SuggestedPost.objects.in_bulk(set(posts_of.values()))
    rows: dict[int, Row] = {}
    for link_id, figures in per_link.items():
        post = posts[posts_of[link_id]]
        row = rows.setdefault(
            post.pk, Row(post.pk, post.text, Figures(net_cents=0 if money else None))
        )
        row.figures.add(figures)
    return _page(_ranked(rows), page, per_page)


def figures_of(*, user, period: DateRange) -> Figures:
    """The viewing user's own figures over all their links."""
    money = user.can(FINANCE_VIEW)
    total = Figures(net_cents=0 if money else None)
    for figures in _per_link(
        links=ShareLink.objects.filter(user=user), period=period, money=money
    ).values():
        total.add(figures)
    return total


def link_get(*, code: str) -> ShareLink | None:
    """The link with this code, with its post, or None."""
    return ShareLink.objects.select_related("post").filter(code=code).first()
