"""The public donation page (test client): amounts, the signed ask, donor checks, defences."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    DonationPage,
    PaymentAttempt,
)
from groundswell.donations.pages.donate import (
    ask_ladder,
    ask_token_make,
    ask_token_read,
    donation_link_query,
    nice_cents,
    page_progress,
)
from groundswell.donations.pages.views_public import parse_dollars

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="rapid-response",
        title="Rapid response",
        amounts_cents=[300, 1000, 2700, 10000],
        min_cents=100,
        max_cents=350_000,
        is_published=True,
        allow_monthly=True,
        allow_weekly=False,
    )


def _form(page_html: str, **values) -> dict:
    """The hidden fields of the rendered form plus a valid donor and the given values."""
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page_html))
    hidden.pop("csrfmiddlewaretoken", None)
    data = {
        **hidden,
        "amount": "2700",
        "recurring": "",
        "given_name": "Ivo",
        "family_name": "Exampleton",
        "email": "ivo.exampleton@example.org",
        "address_line1": "77 Sample Street",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80202",
        "employer": "Self-employed",
        "occupation": "Carpenter",
    }
    data.update(values)
    return data


def _get(client, url="/donate/rapid-response/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- amounts and the ladder


@pytest.mark.parametrize(
    ("text", "cents"),
    [("25", 2500), ("$25", 2500), ("25.5", 2550), ("1,000", 100000), ("0.99", 99)],
)
def test_dollars_are_read_as_typed(text, cents):
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "25.555", "1e3", "$ 2 5"])
def test_what_is_not_an_amount_is_refused(text):
    assert parse_dollars(text) is None


def test_the_ladder_is_rebuilt_around_the_highest_gift_in_nice_amounts(donation_page):
    assert ask_ladder(page=donation_page, highest_cents=2700) == [3000, 4500, 5500, 8500]
    assert ask_ladder(page=donation_page, highest_cents=50) == [100, 200]
    assert ask_ladder(page=donation_page) == [300, 1000, 2700, 10000]
    donation_page.max_cents = 5000
    assert ask_ladder(page=donation_page, highest_cents=2700) == [3000, 4500, 5000]
    assert nice_cents(740) == 800
    assert nice_cents(700) == 700
    assert nice_cents(14_900) == 15_000


def test_a_signed_ask_round_trips_and_a_tampered_one_is_ignored():
    token = ask_token_make(highest_cents=5000)
    assert ask_token_read(token) == 5000
    value, _, rest = token.partition(":")
    assert ask_token_read(f"999999:{rest}") is None
    assert ask_token_read("5000") is None
    assert ask_token_read("") is None


def test_the_page_shows_the_personalised_ladder_only_for_a_good_signature(client, donation_page):
    token = ask_token_make(highest_cents=10000)
    html = _get(client, f"/donate/rapid-response/?ask={token}")
    assert "Amounts chosen for you" in html
    assert 'value="15000"' in html and 'value="30000"' in html
    forged = token.replace("10000:", "90000:", 1)
    html = _get(client, f"/donate/rapid-response/?ask={forged}")
    assert "Amounts chosen for you" not in html
    assert 'value="2700"' in html and 'value="270000"' not in html


# ---------------------------------------------------------------- the page


def test_a_draft_is_hidden_from_the_public_and_shown_to_finance_staff(
    client, donation_page, persona_client
):
    donation_page.is_published = False
    donation_page.save()
    assert client.get("/donate/rapid-response/").status_code == 404
    assert client.get("/donate/no-such-page/").status_code == 404
    staff = persona_client("finance")
    response = staff.get("/donate/rapid-response/")
    assert response.status_code == 200
    assert "Draft" in response.content.decode()


def test_the_page_says_so_when_card_payments_are_not_set_up(client, donation_page, settings):
    settings.STRIPE_SECRET_KEY = ""
    html = _get(client)
    assert "not set up on this site yet" in html
    assert '<script src="https://js.stripe.com' not in html
    response = client.post("/donate/rapid-response/", _form(html), **JSON)
    assert response.status_code == 400
    assert "not set up" in response.json()["errors"][0]["message"]


def test_urgency_the_countdown_thermometer_and_donors_to_go(client, donation_page):
    donation_page.deadline = timezone.now() + timedelta(hours=5)
    donation_page.goal_kind = DonationPage.GoalKind.DOLLARS
    donation_page.goal_cents = 100_000
    donation_page.goal_donors = 10
    donation_page.show_donors_to_go = True
    donation_page.save()
    base = {
        "processor": "stripe",
        "received_at": timezone.now(),
        "page": donation_page,
    }
    Contribution.objects.create(
        processor_id="pi_a", amount_cents=5000, donor_email="a@example.org", **base
    )
    Contribution.objects.create(
        processor_id="pi_b",
        amount_cents=3000,
        refunded_cents=1000,
        status=ContributionStatus.PARTIALLY_REFUNDED,
        donor_email="b@example.org",
        **base,
    )
    Contribution.objects.create(
        processor_id="pi_c", amount_cents=9000, is_memo=True, donor_email="c@example.org", **base
    )
    Contribution.objects.create(
        processor_id="pi_d",
        amount_cents=2000,
        refunded_cents=2000,
        status=ContributionStatus.REFUNDED,
        donor_email="d@example.org",
        **base,
    )
    progress = page_progress(page=donation_page)
    assert (progress.raised_cents, progress.donors, progress.percent) == (7000, 2, 7)
    assert progress.donors_to_go == 8
    html = _get(client)
    assert "$70</strong> raised" in html
    assert "left</span>" in html and "data-deadline=" in html
    assert "<strong>8</strong> donors to go" in html


# ---------------------------------------------------------------- submitting


def test_a_valid_gift_starts_a_payment_with_the_refcodes_it_arrived_with(
    client, donation_page, stripe_double
):
    html = _get(client, "/donate/rapid-response/?refcode=sms-7&refcode_variant=b&utm_x=1")
    response = client.post("/donate/rapid-response/", _form(html), **JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    attempt = PaymentAttempt.objects.get()
    assert body["client_secret"] == attempt.client_secret
    assert body["finish_url"] == f"/donate/rapid-response/finish/{attempt.key}/"
    assert (attempt.refcode, attempt.refcodes) == ("sms-7", {"refcode_variant": "b"})
    assert attempt.amount_cents == 2700
    assert attempt.donor["employer"] == "Self-employed"
    # A double-click: the same form again is the same payment.
    again = client.post("/donate/rapid-response/", _form(html), **JSON)
    assert again.json()["client_secret"] == attempt.client_secret
    assert len(stripe_double.payment_intents) == 1


def test_finish_records_the_gift_and_thanks_the_donor(client, donation_page, stripe_double):
    html = _get(client)
    body = client.post("/donate/rapid-response/", _form(html), **JSON).json()
    attempt = PaymentAttempt.objects.get()
    # Before the card is confirmed, finishing waits.
    assert client.get(body["finish_url"]).status_code == 202
    stripe_double.confirm_card(attempt.processor_ref, "4242424242424242")
    response = client.get(body["finish_url"])
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "$27.00" in thanks.content.decode()
    assert Contribution.objects.get().processor_id == attempt.processor_ref
    # The paid form sent again (the back button) leads to the thanks, not a second payment.
    again = client.post("/donate/rapid-response/", _form(html), **JSON).json()
    assert again["redirect"].startswith("/donate/rapid-response/thanks/")
    assert len(stripe_double.payment_intents) == 1
    forged = client.get("/donate/rapid-response/thanks/1:forged/")
    assert forged.status_code == 200 and "$27.00" not in forged.content.decode()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "other", "custom_amount": "0.50"}, "amount", "smallest gift"),
        ({"amount": "other", "custom_amount": "5000"}, "amount", "largest gift"),
        ({"amount": "other", "custom_amount": "lots"}, "amount", "in dollars"),
        ({"amount": ""}, "amount", "Choose an amount"),
        ({"recurring": "weekly"}, "recurring", "does not offer"),
        ({"recurring": "daily"}, "recurring", "one-time, monthly or weekly"),
        ({"employer": ""}, "employer", "Enter your employer."),
        ({"email": "not-an-address"}, "email", "E-mail:"),
        ({"state": "Narnia"}, "state", "State:"),
        ({"postal_code": "ABCDE"}, "postal_code", "ZIP code:"),
    ],
)
def test_bad_input_is_explained_field_by_field(
    client, donation_page, stripe_double, values, field, message
):
    html = _get(client)
    response = client.post("/donate/rapid-response/", _form(html, **values), **JSON)
    assert response.status_code == 400
    assert message in response.json()["fields"][field]
    assert not PaymentAttempt.objects.exists()


def test_a_custom_amount_is_refused_when_the_page_allows_only_its_own(
    client, donation_page, stripe_double
):
    donation_page.allow_custom_amount = False
    donation_page.save()
    html = _get(client)
    bad = client.post("/donate/rapid-response/", _form(html, amount="4321"), **JSON)
    assert bad.json()["fields"]["amount"] == "Choose one of the amounts."
    good = client.post("/donate/rapid-response/", _form(html, amount="10000"), **JSON)
    assert good.status_code == 200


def test_without_javascript_the_form_comes_back_with_errors_and_an_explanation(
    client, donation_page, stripe_double
):
    html = _get(client)
    response = client.post("/donate/rapid-response/", _form(html, employer=""))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter your employer." in text
    assert 'value="Ivo"' in text
    ok = client.post("/donate/rapid-response/", _form(html))
    assert "needs JavaScript" in ok.content.decode()
    assert not PaymentAttempt.objects.exists()


def test_a_bot_that_fills_the_honeypot_is_thanked_and_nothing_is_charged(
    client, donation_page, stripe_double
):
    html = _get(client)
    response = client.post("/donate/rapid-response/", _form(html, website="spam"), **JSON)
    assert response.json() == {"redirect": "/donate/rapid-response/thanks/"}
    assert client.get("/donate/rapid-response/thanks/").status_code == 200
    assert not stripe_double.payment_intents


def test_a_flood_from_one_address_is_slowed_down(client, donation_page, stripe_double, settings):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    html = _get(client)
    statuses = []
    for i in range(3):
        data = _form(html, key=f"flood-key-{i:02d}-abcdefgh")
        statuses.append(client.post("/donate/rapid-response/", data, **JSON).status_code)
    assert statuses == [200, 200, 429]


def test_the_form_needs_a_csrf_token(donation_page, stripe_double):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    html = strict.get("/donate/rapid-response/").content.decode()
    response = strict.post("/donate/rapid-response/", _form(html), **JSON)
    assert response.status_code == 403


def test_a_monthly_donor_can_stop_their_gift_with_their_own_link(
    client, donation_page, stripe_double
):
    from groundswell.donations.models import RecurringSeries

    html = _get(client)
    body = client.post("/donate/rapid-response/", _form(html, recurring="monthly"), **JSON).json()
    attempt = PaymentAttempt.objects.get()
    stripe_double.confirm_card(attempt.processor_ref, "4242424242424242")
    thanks = client.get(client.get(body["finish_url"])["Location"]).content.decode()
    cancel_url = re.search(r'href="(/donate/recurring/[^"]+/cancel/)"', thanks).group(1)
    assert "Stop your recurring gift?" in client.get(cancel_url).content.decode()
    series = RecurringSeries.objects.get()
    assert series.status == RecurringSeries.Status.ACTIVE
    done = client.post(cancel_url).content.decode()
    assert "will not be charged again" in done
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.CANCELLED
    assert series.cancel_reason.startswith("Cancelled by the donor")
    forged = cancel_url.replace(f"/{series.pk}:", f"/{series.pk + 1}:")
    assert client.get(forged).status_code == 404


def test_donors_to_go_counts_toward_the_campaigns_goal_once_donors_are_resolved(
    client, donation_page
):
    from datetime import date

    from groundswell.identity.models import ThresholdRuleSet
    from groundswell.identity.tests.helpers import finished_run, gift
    from groundswell.identity.thresholds import rule_set_activate, rule_set_save

    donation_page.show_donors_to_go = True
    donation_page.goal_donors = 10
    donation_page.save()
    goal = rule_set_save(
        rule_set=ThresholdRuleSet(
            name="Campaign goal",
            total_donors=50,
            per_state_minimum=1,
            states_required=1,
            window_start=date.today() - timedelta(days=30),
            window_end=date.today() + timedelta(days=30),
            deadline=date.today() + timedelta(days=30),
        )
    )
    rule_set_activate(rule_set=goal)
    # Before any resolution run there is no honest campaign count: the page's own goal is used.
    assert page_progress(page=donation_page).donors_to_go == 10
    run = finished_run()
    gift(given="Avery", family="Donor", on=date.today() - timedelta(days=1), cluster="c:1", run=run)
    gift(given="Avery", family="Donor", on=date.today() - timedelta(days=2), cluster="c:1", run=run)
    gift(given="Blair", family="Donor", on=date.today() - timedelta(days=2), cluster="c:2", run=run)
    # Two people (three gifts) toward the campaign's 50.
    assert page_progress(page=donation_page).donors_to_go == 48
    assert "<strong>48</strong> donors to go" in _get(client)


def test_a_donation_link_query_carries_the_signed_ask_the_amount_and_the_refcode():
    query = parse_qs(
        donation_link_query(highest_cents=2700, amount_cents=5500, refcode="m 1").lstrip("?")
    )
    assert ask_token_read(query["ask"][0]) == 2700
    assert query["amount"] == ["5500"] and query["refcode"] == ["m 1"]
    assert donation_link_query(highest_cents=None) == ""


def test_a_link_preselects_its_amount_only_when_the_ladder_offers_it(client, donation_page):
    query = donation_link_query(highest_cents=2700, amount_cents=5500)
    page = client.get(f"/donate/rapid-response/{query}").content.decode()
    assert re.findall(r'name="amount" value="(\d+)" checked', page) == ["5500"]
    odd = donation_link_query(highest_cents=2700, amount_cents=5501)
    page = client.get(f"/donate/rapid-response/{odd}").content.decode()
    first_rung = ask_ladder(page=donation_page, highest_cents=2700)[0]  # the page's own choice
    assert re.findall(r'name="amount" value="(\d+)" checked', page) == [str(first_rung)]
