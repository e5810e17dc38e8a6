"""The personalised ask in real sends: each recipient's ladder of signed donation links is built
from their own highest previous gift, when the mailing was composed by someone allowed to see
giving; otherwise everyone is offered the donation page's own amounts."""

from __future__ import annotations

import email
import re
from email import policy
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from groundswell.donations.models import Contribution, DonationPage
from groundswell.donations.pages.donate import ask_ladder, ask_token_read
from groundswell.mailings.services import mailing_send
from groundswell.mailings.tests.conftest import person_make

pytestmark = pytest.mark.django_db

ASK_HTML = '<p>Dear {{ first_name|default:"Friend" }},</p>\n<p>{{ ask_ladder }}</p>'


@pytest.fixture
def page(db):
    return DonationPage.objects.create(
        slug="spring", title="Spring", is_published=True, amounts_cents=[500, 1000, 2500]
    )


def _gift(person, cents: int, n: int, **fields) -> None:
    Contribution.objects.create(
        processor="stripe",
        processor_id=f"pi_ask_{n}",
        received_at=timezone.now(),
        person=person,
        amount_cents=cents,
        **fields,
    )


def _ladders(sink) -> dict[str, list[int]]:
    """Each recipient's ladder as the amounts its signed links carry, and the highest gift
    each link vouches for (one value per message)."""
    out = {}
    for _, rcpt, raw in sink.received:
        message = email.message_from_bytes(raw, policy=policy.default)
        html = message.get_body(preferencelist=("html",)).get_content()
        hrefs = re.findall(r'<a class="gs-ask" href="([^"]+)"', html)
        queries = [parse_qs(urlsplit(h.replace("&amp;", "&")).query) for h in hrefs]
        out[rcpt] = (
            [int(q["amount"][0]) for q in queries],
            {ask_token_read(q["ask"][0]) if "ask" in q else None for q in queries},
        )
    return out


def test_each_recipient_is_asked_from_their_own_highest_gift(
    smtp_sink, mailing_make, admin_user, page, django_capture_on_commit_callbacks
):
    donor = person_make("dora@one.example", given_name="Dora")
    person_make("newt@one.example", given_name="Newt")
    _gift(donor, 20_000, 1)
    _gift(donor, 5_000, 2)
    _gift(donor, 90_000, 3, refunded_cents=90_000)  # refunded in full: not a gift to ask from
    mailing = mailing_make(html=ASK_HTML, refcode="spring-ask")
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send(mailing=mailing, actor=admin_user)
    ladders = _ladders(smtp_sink)
    assert ladders["dora@one.example"] == (
        ask_ladder(page=page, highest_cents=20_000),
        {20_000},
    )
    assert ladders["newt@one.example"][0] == ask_ladder(page=page, highest_cents=None)
    assert ladders["newt@one.example"][1] <= {None}


def test_a_mailing_composed_without_the_finance_capability_offers_the_pages_amounts(
    smtp_sink,
    mailing_make,
    organizer_user,
    admin_user,
    page,
    django_capture_on_commit_callbacks,
):
    donor = person_make("dora@one.example", given_name="Dora")
    _gift(donor, 20_000, 1)
    mailing = mailing_make(html=ASK_HTML, refcode="spring-ask", created_by=organizer_user)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send(mailing=mailing, actor=admin_user)
    amounts, vouched = _ladders(smtp_sink)["dora@one.example"]
    assert amounts == ask_ladder(page=page, highest_cents=None)
    assert vouched <= {None}
