"""The personalised ask: ``{{ ask_ladder }}`` and ``{{ donate_url }}`` for one recipient.

The ladder is the donation page's own (``donations.pages.donate.ask_ladder``: 1×, 1.5×, 2×, 3×
the donor's highest previous gift, rounded, within the page's limits) and each button is a
signed link the page already accepts (``donation_link_query``: the signed ``ask``, the amount to
preselect, the mailing's refcode). The highest gift itself is never printed; it only chooses
amounts, and the signature keeps a forwarded or edited link from changing them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.urls import reverse

from groundswell.donations.pages.donate import ask_ladder, donation_link_query
from groundswell.mailings.compose.layout import Theme

# Amounts computed per distinct highest gift are kept for the mailing's whole send; donors
# share few distinct highest gifts, but a bound keeps a hostile list from growing memory.
_LADDER_CACHE_MAX = 20_000


@dataclass(frozen=True)
class AskContext:
    """What the renderer needs to build one recipient's ask.

    ``page`` is the mailing's ``DonationPage`` (its slug, minimum, maximum and amounts are
    read); ``base_url`` the public site's origin (``https://example.org``); ``refcode`` the
    mailing's refcode, added to every donation link; ``highest_cents`` the recipient's highest
    previous gift (``donations.pages.donate.person_highest_gift``), None for a new donor, who
    is offered the page's own amounts.
    """

    page: object
    base_url: str
    refcode: str = ""
    highest_cents: int | None = None

    def mailing_key(self) -> tuple:
        """The part shared by every recipient of a mailing (a cache key for compiled content)."""
        page = self.page
        return (
            self.base_url.rstrip("/"),
            page.slug,
            page.min_cents,
            page.max_cents,
            tuple(page.amounts_cents or ()),
            self.refcode,
        )


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


class AskLinks:
    """One mailing's donation links: the page's address, the ladders by highest gift."""

    def __init__(self, ask: AskContext):
        self.ask = ask
        self.base_url = ask.base_url.rstrip("/")
        self.page_url = self.base_url + reverse("donate:page", args=[ask.page.slug])
        self._ladders: dict[int | None, tuple[tuple[int, str], ...]] = {}
        self._donate_urls: dict[int | None, str] = {}

    def donate_url(self, highest_cents: int | None) -> str:
        """The recipient's link to the page, their own ladder offered, the page's preselection."""
        url = self._donate_urls.get(highest_cents)
        if url is None:
            url = self.page_url + donation_link_query(
                highest_cents=highest_cents, refcode=self.ask.refcode
            )
            if len(self._donate_urls) < _LADDER_CACHE_MAX:
                self._donate_urls[highest_cents] = url
        return url

    def ladder(self, highest_cents: int | None) -> tuple[tuple[int, str], ...]:
        """(amount, signed link) for each rung of the recipient's ladder."""
        rungs = self._ladders.get(highest_cents)
        if rungs is None:
            amounts = ask_ladder(page=self.ask.page, highest_cents=highest_cents)
            rungs = tuple(
                (
                    cents,
                    self.page_url
                    + donation_link_query(
                        highest_cents=highest_cents, amount_cents=cents, refcode=self.ask.refcode
                    ),
                )
                for cents in amounts
            )
            if len(self._ladders) < _LADDER_CACHE_MAX:
                self._ladders[highest_cents] = rungs
        return rungs

    def ladder_html(self, highest_cents: int | None, *, theme: Theme, wrap: Callable) -> str:
        """A row of buttons (inline styles: this is added after the layout's CSS is inlined)."""
        button = (
            "display:inline-block;margin:0 8px 10px 0;padding:12px 18px;"
            f"background-color:{theme.colour('primary', '#1f6f5c')};"
            f"color:{theme.colour('on_primary', '#ffffff')};border-radius:6px;"
            "font-weight:bold;font-size:17px;text-decoration:none;"
        )
        parts = [
            f'<a class="gs-ask" href="{html.escape(wrap(url))}" style="{button}">'
            f"{_dollars(cents)}</a>"
            for cents, url in self.ladder(highest_cents)
        ]
        other = html.escape(wrap(self.donate_url(highest_cents)))
        parts.append(
            f'<a class="gs-ask-other" href="{other}" style="display:inline-block;'
            f'padding:12px 4px;color:{theme.colour("link", "#1f6f5c")};">Another amount</a>'
        )
        # A block span, not a div: the field usually sits in a <p>, which may not hold a div.
        style = "display:block;margin:8px 0 6px 0;"
        return f'<span class="gs-ladder" style="{style}">{"".join(parts)}</span>'

    def ladder_text(self, highest_cents: int | None, *, wrap: Callable) -> str:
        lines = [
            f"Give {_dollars(cents)}: {wrap(url)}" for cents, url in self.ladder(highest_cents)
        ]
        lines.append(f"Another amount: {wrap(self.donate_url(highest_cents))}")
        return "\n".join(lines)

    def refcode_add(self, url: str) -> str:
        """A link to one of the campaign's donation pages with the mailing's refcode added
        (unless it names one), so a gift through any donation link is credited to the mailing."""
        if not self.ask.refcode or not url.startswith(self.base_url + "/donate/"):
            return url
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(name == "refcode" for name, _ in query):
            return url
        query.append(("refcode", self.ask.refcode))
        return urlunsplit(parts._replace(query=urlencode(query)))
