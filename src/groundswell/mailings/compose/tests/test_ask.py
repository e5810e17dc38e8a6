"""The personalised ask: a ladder of signed donation links the donation page prefills from."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from groundswell.donations.models import DonationPage
from groundswell.donations.pages.donate import ask_ladder, ask_token_read
from groundswell.mailings.compose import AskContext, MessageContent, content_links, message_render

BASE = "https://example.org"
CONTENT = MessageContent(
    subject="Can you chip in?",
    html=(
        '<p>Hi {{ first_name|default:"Friend" }}, we need you.</p>\n<p>{{ ask_ladder }}</p>\n'
        '<p><a href="{{ donate_url }}">Give now</a> or '
        '<a href="https://example.org/donate/spring/">give on our page</a>; '
        '<a href="https://example.org/donate/spring/?refcode=own">a coded one</a>; '
        '<a href="https://example.org/issues">read more</a>.</p>'
    ),
)


def _page(**kwargs) -> DonationPage:
    fields = {"slug": "spring", "amounts_cents": [500, 1000, 2500], "min_cents": 100}
    return DonationPage(**{**fields, "max_cents": 350_000, **kwargs})


def _ask(highest: int | None, **kwargs) -> AskContext:
    return AskContext(page=_page(), base_url=BASE, refcode="m-spring", highest_cents=highest)


def _buttons(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<a class="gs-ask" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    return [(unescape(href), label) for href, label in found]


def test_the_ladder_is_built_from_the_highest_previous_gift_with_signed_links():
    message = message_render(content=CONTENT, merge={}, ask=_ask(2500))
    buttons = _buttons(message.html)
    expected = ask_ladder(page=_page(), highest_cents=2500)
    assert [label for _, label in buttons] == [f"${c // 100}" for c in expected]
    for (href, _), cents in zip(buttons, expected, strict=True):
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}/donate/spring/"
        query = parse_qs(parts.query)
        assert ask_token_read(query["ask"][0]) == 2500
        assert query["amount"] == [str(cents)]
        assert query["refcode"] == ["m-spring"]


def test_the_highest_gift_itself_is_never_printed():
    message = message_render(content=CONTENT, merge={}, ask=_ask(3137))
    visible = re.sub(r"<[^>]+>", " ", message.html)
    assert "31.37" not in visible and "3137" not in visible
    assert "31.37" not in message.text
    assert "$35" in visible  # the first rung: the gift rounded up to a round amount


def test_a_new_donor_is_offered_the_pages_own_amounts_without_an_ask_token():
    message = message_render(content=CONTENT, merge={}, ask=_ask(None))
    buttons = _buttons(message.html)
    assert [label for _, label in buttons] == ["$5", "$10", "$25"]
    assert all("ask=" not in href and "refcode=m-spring" in href for href, _ in buttons)


def test_every_donation_link_carries_the_mailings_refcode_unless_it_names_its_own():
    message = message_render(content=CONTENT, merge={}, ask=_ask(2500))
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', message.html)]
    donation = [h for h in hrefs if "/donate/" in h]
    assert len(donation) == 4 + 1 + 1 + 2  # the ladder, another amount, donate_url, the page's
    assert f"{BASE}/donate/spring/?refcode=own" in donation
    assert all("refcode=m-spring" in h for h in donation if "refcode=own" not in h)
    assert "https://example.org/issues" in hrefs


def test_the_text_part_lists_the_ladder_as_links():
    message = message_render(content=CONTENT, merge={}, ask=_ask(2500))
    lines = [line for line in message.text.splitlines() if line.startswith("Give $")]
    assert [line.split(":")[0] for line in lines] == [
        "Give $25",
        "Give $40",
        "Give $50",
        "Give $75",
    ]
    assert all(f"{BASE}/donate/spring/?ask=" in line for line in lines)


def test_ladder_links_go_through_link_wrap_and_the_static_ones_are_the_trackers_list():
    seen = []
    message_render(
        content=CONTENT, merge={}, ask=_ask(2500), link_wrap=lambda u: seen.append(u) or u
    )
    links = content_links(CONTENT, ask=_ask(2500))
    assert links == (
        f"{BASE}/donate/spring/?refcode=m-spring",
        f"{BASE}/donate/spring/?refcode=own",
        f"{BASE}/issues",
    )
    assert set(links) <= set(seen)
    assert any("amount=" in url for url in seen)


def test_without_an_ask_the_fields_take_their_defaults():
    content = MessageContent(subject="s", html='<p>{{ ask_ladder|default:"Give today" }}</p>')
    message = message_render(content=content, merge={})
    assert "Give today" in message.html and "Give today" in message.text


@pytest.mark.django_db
def test_the_donation_page_preselects_the_amount_of_the_button_clicked(client):
    page = _page(title="Spring", is_published=True)
    page.save()
    message = message_render(content=CONTENT, merge={}, ask=_ask(2500))
    href, label = _buttons(message.html)[2]
    response = client.get(href.removeprefix(BASE))
    assert response.status_code == 200
    checked = re.findall(r'name="amount" value="(\d+)" checked', response.content.decode())
    assert checked == [str(int(label.strip("$")) * 100)]
    refcode = re.search(r'name="refcode" value="([^"]*)"', response.content.decode())
    assert refcode.group(1) == "m-spring"


@pytest.mark.django_db
def test_an_amount_that_is_not_on_the_ladder_preselects_nothing_unusual(client):
    page = _page(title="Spring", is_published=True)
    page.save()
    response = client.get("/donate/spring/?amount=123456")
    checked = re.findall(r'name="amount" value="(\d+)" checked', response.content.decode())
    assert checked == ["1000"]  # the page's own choice: the middle of its amounts
