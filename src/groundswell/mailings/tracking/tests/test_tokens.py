"""Signed click and open addresses: the target is the mailing's own link; forgeries are refused."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.mailings.compose import MessageContent, content_links, message_render
from groundswell.mailings.tracking import (
    click_url,
    click_verify,
    link_wrap_for,
    open_url,
    open_verify,
)

BASE = "https://example.org"
LINKS = ("https://example.org/plan", "https://example.org/events", "https://other.example/x")
TOKEN = "tok_9sQ2xv-AbCdEfGhIjKl"
CLICK = re.compile(r"^https://example\.org/m/c/([^/]+)/(\d+)/([^/]+)/$")


def _parts(url: str) -> tuple[str, str, str]:
    return CLICK.match(url).groups()


def test_a_click_address_leads_to_the_mailings_own_link_by_its_number():
    for number, target in enumerate(LINKS):
        token, link_id, sig = _parts(
            click_url(base_url=BASE, token=TOKEN, link_id=number, target=target)
        )
        assert (token, link_id) == (TOKEN, str(number))
        assert click_verify(token=token, link_id=link_id, sig=sig, links=LINKS) == target


def test_the_address_carries_no_target_so_it_cannot_redirect_elsewhere():
    url = click_url(base_url=BASE, token=TOKEN, link_id=2, target=LINKS[2])
    assert "other.example" not in url


def test_a_signature_made_for_one_recipient_or_link_fails_for_another():
    token, link_id, sig = _parts(click_url(base_url=BASE, token=TOKEN, link_id=0, target=LINKS[0]))
    assert click_verify(token=token, link_id="1", sig=sig, links=LINKS) is None
    assert click_verify(token="tok_someone-else1", link_id=link_id, sig=sig, links=LINKS) is None


def test_a_click_on_a_link_that_changed_after_sending_is_refused():
    token, link_id, sig = _parts(click_url(base_url=BASE, token=TOKEN, link_id=0, target=LINKS[0]))
    changed = ("https://evil.example/",) + LINKS[1:]
    assert click_verify(token=token, link_id=link_id, sig=sig, links=changed) is None


def test_a_number_past_the_mailings_links_is_refused():
    assert click_verify(token=TOKEN, link_id="7", sig="A" * 16, links=LINKS) is None


def test_links_keep_working_after_the_secret_is_rotated():
    with override_settings(SECRET_KEY="old-secret-" + "x" * 40):
        token, link_id, sig = _parts(
            click_url(base_url=BASE, token=TOKEN, link_id=1, target=LINKS[1])
        )
        pixel_sig = open_url(base_url=BASE, token=TOKEN).rsplit("/", 1)[1]
    with override_settings(SECRET_KEY="new-secret-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
        assert click_verify(token=token, link_id=link_id, sig=sig, links=LINKS) is None
    with override_settings(
        SECRET_KEY="new-secret-" + "y" * 40, SECRET_KEY_FALLBACKS=["old-secret-" + "x" * 40]
    ):
        assert click_verify(token=token, link_id=link_id, sig=sig, links=LINKS) == LINKS[1]
        assert open_verify(token=TOKEN, sig=pixel_sig)


def test_the_open_pixel_address_verifies_for_its_token_only():
    url = open_url(base_url=BASE, token=TOKEN)
    token, sig = re.match(r"^https://example\.org/m/o/([^/]+)/([^/]+)$", url).groups()
    assert sig.endswith(".gif")
    assert open_verify(token=token, sig=sig)
    assert open_verify(token=token, sig=sig[:-4])
    assert not open_verify(token="tok_someone-else1", sig=sig)


def test_link_wrap_tracks_the_mailings_links_and_leaves_others_alone():
    wrap = link_wrap_for(base_url=BASE, token=TOKEN, links=LINKS)
    tracked = wrap(LINKS[1])
    token, link_id, sig = _parts(tracked)
    assert click_verify(token=token, link_id=link_id, sig=sig, links=LINKS) == LINKS[1]
    assert wrap("https://example.org/donate/x/?ask=1") == "https://example.org/donate/x/?ask=1"


def test_a_rendered_message_carries_verifiable_click_links_for_its_own_links():
    content = MessageContent(
        subject="s",
        html='<p><a href="https://example.org/plan">Plan</a> <a href="https://example.org/go">Go</a></p>',
    )
    links = content_links(content)
    message = message_render(
        content=content, merge={}, link_wrap=link_wrap_for(base_url=BASE, token=TOKEN, links=links)
    )
    hrefs = re.findall(r'href="(https://example\.org/m/c/[^"]+)"', message.html)
    assert len(hrefs) == 2
    targets = [
        click_verify(**dict(zip(("token", "link_id", "sig"), _parts(h), strict=True)), links=links)
        for h in hrefs
    ]
    assert targets == list(links)


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "bad/token!", None, 5])
def test_a_malformed_token_is_refused_without_an_error(token):
    assert click_verify(token=token, link_id="0", sig="A" * 16, links=LINKS) is None
    assert open_verify(token=token, sig="A" * 16) is False


_URLISH = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=len(LINKS) - 1),
    position=st.integers(min_value=0),
    replacement=st.characters(codec="ascii"),
    field=st.sampled_from(["token", "link_id", "sig"]),
)
def test_any_altered_character_of_a_click_address_is_refused(number, position, replacement, field):
    token, link_id, sig = _parts(
        click_url(base_url=BASE, token=TOKEN, link_id=number, target=LINKS[number])
    )
    parts = {"token": token, "link_id": link_id, "sig": sig}
    value = parts[field]
    at = position % len(value)
    assume(value[at] != replacement)
    parts[field] = value[:at] + replacement + value[at + 1 :]
    assume(not (field == "link_id" and parts["link_id"].lstrip("0") == link_id.lstrip("0")))
    assert click_verify(**parts, links=LINKS) is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(token=_URLISH, link_id=_URLISH, sig=_URLISH)
def test_arbitrary_click_parts_are_refused_and_never_raise(token, link_id, sig):
    assert click_verify(token=token, link_id=link_id, sig=sig, links=LINKS) is None
    assert open_verify(token=token, sig=sig) is False
