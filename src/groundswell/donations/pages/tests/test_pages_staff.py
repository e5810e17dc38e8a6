"""Staff pages for donation pages and recurring gifts: permissions, the builder, cancelling."""

from __future__ import annotations

import pytest
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.donations.models import (
    Contribution,
    DonationPage,
    RecurringSeries,
)
from groundswell.donations.pages.donate import ask_token_read
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="spring-match", title="Spring match", amounts_cents=[500, 2500], is_published=False
    )


@pytest.fixture
def series(db):
    return RecurringSeries.objects.create(
        processor="stripe",
        processor_key="attempt:abc",
        period="monthly",
        amount_cents=1900,
        started_at=timezone.now(),
        next_charge_at=timezone.now(),
        donor={"given_name": "Ora", "family_name": "Syntheticova"},
    )


def _urls(page: DonationPage, series: RecurringSeries) -> list[str]:
    return [
        "/finance/pages/",
        "/finance/pages/new/",
        f"/finance/pages/{page.pk}/",
        f"/finance/pages/{page.pk}/edit/",
        "/finance/recurring/",
        f"/finance/recurring/{series.pk}/",
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("finance", 200), ("organizer", 403), ("volunteer", 403)],
)
def test_only_finance_roles_see_the_pages(persona_client, donation_page, series, role, expected):
    client = persona_client(role)
    for url in _urls(donation_page, series):
        assert client.get(url).status_code == expected, url
    posts = [
        f"/finance/pages/{donation_page.pk}/publish/",
        f"/finance/recurring/{series.pk}/cancel/",
    ]
    for url in posts:
        status = client.post(url, {"publish": "1", "reason": "test"}).status_code
        assert status == (302 if expected == 200 else 403), url


def test_anonymous_visitors_are_sent_to_log_in(client, donation_page, series):
    for url in _urls(donation_page, series):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_lists_are_empty_and_say_so(persona_client):
    client = persona_client("finance")
    assert "No donation pages yet" in client.get("/finance/pages/").content.decode()
    assert "No recurring gifts yet" in client.get("/finance/recurring/").content.decode()


def _form(**values) -> dict:
    data = {
        "title": "Giving Tuesday",
        "slug": "Giving-Tuesday",
        "intro": "Double your impact.",
        "amounts_text": "10, 5, 27, 50, 10",
        "min_dollars": "1",
        "max_dollars": "3500",
        "goal_dollars": "",
        "allow_custom_amount": "on",
        "allow_monthly": "on",
        "default_recurring": "",
        "goal_kind": "",
        "goal_donors": "",
        "next_rung": "share",
        "deadline": "",
    }
    data.update(values)
    return data


def test_a_page_is_created_with_its_amounts_in_cents_and_audited(persona_client, finance_user):
    client = persona_client("finance")
    response = client.post("/finance/pages/new/", _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    page = DonationPage.objects.get()
    assert page.slug == "giving-tuesday"
    assert page.amounts_cents == [500, 1000, 2700, 5000]
    assert (page.min_cents, page.max_cents) == (100, 350_000)
    assert not page.is_published
    assert AuditEvent.objects.filter(action="page_change", target_id=str(page.pk)).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "/donate/giving-tuesday/" in detail
    assert "Preview" in detail


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amounts_text": "5, lots"}, "amounts_text", "is not an amount"),
        ({"amounts_text": "0.50"}, "amounts_text", "below the $1 minimum"),
        ({"amounts_text": "5000"}, "amounts_text", "outside the smallest and largest"),
        ({"amounts_text": " , "}, "amounts_text", "at least one amount"),
        ({"amounts_text": "1,2,3,4,5,6,7,8,9"}, "amounts_text", "at most 8"),
        ({"min_dollars": "50", "max_dollars": "20"}, "max_dollars", "at least the smallest"),
        ({"min_dollars": "0.5"}, "min_dollars", "At least $1"),
        ({"goal_kind": "dollars"}, "goal_dollars", "goal in dollars"),
        ({"goal_kind": "donors"}, "goal_donors", "number of donors"),
        ({"show_donors_to_go": "on"}, "goal_donors", "needs a donor goal"),
        ({"default_recurring": "weekly"}, "default_recurring", "not offered"),
    ],
)
def test_the_builder_explains_bad_settings(persona_client, values, field, message):
    client = persona_client("finance")
    response = client.post("/finance/pages/new/", _form(**values))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert not DonationPage.objects.exists()


def test_publishing_and_unpublishing_are_audited(persona_client, donation_page):
    client = persona_client("admin")
    client.post(f"/finance/pages/{donation_page.pk}/publish/", {"publish": "1"})
    donation_page.refresh_from_db()
    assert donation_page.is_published
    client.post(f"/finance/pages/{donation_page.pk}/publish/", {"publish": "0"})
    donation_page.refresh_from_db()
    assert not donation_page.is_published
    summaries = list(
        AuditEvent.objects.filter(action="page_change").values_list("summary", flat=True)
    )
    assert any(s.startswith("Published") for s in summaries)
    assert any(s.startswith("Unpublished") for s in summaries)


def test_editing_keeps_the_amounts_in_dollars(persona_client, donation_page):
    client = persona_client("finance")
    form = client.get(f"/finance/pages/{donation_page.pk}/edit/").context["form"]
    assert form["amounts_text"].value() == "5, 25"
    response = client.post(
        f"/finance/pages/{donation_page.pk}/edit/",
        _form(title="Spring match", slug="spring-match", amounts_text="7.50, 25"),
    )
    assert response.status_code == 302
    donation_page.refresh_from_db()
    assert donation_page.amounts_cents == [750, 2500]


def test_the_ask_link_maker_signs_the_donors_highest_gift(persona_client, donation_page):
    person = Person.objects.create(
        given_name="Pax", family_name="Donorfield", primary_email="pax@example.org"
    )
    for pid, cents in (("pi_1", 2500), ("pi_2", 7000)):
        Contribution.objects.create(
            processor="stripe",
            processor_id=pid,
            amount_cents=cents,
            received_at=timezone.now(),
            person=person,
        )
    Contribution.objects.create(
        processor="fec",
        processor_id="memo",
        amount_cents=90000,
        is_memo=True,
        received_at=timezone.now(),
        person=person,
    )
    client = persona_client("finance")
    response = client.get(
        f"/finance/pages/{donation_page.pk}/", {"person": "PAX@example.org", "refcode": "vip"}
    )
    ask = response.context["ask"]
    assert ask["highest"] == "$70.00"
    token = ask["url"].split("ask=")[1].split("&")[0]
    from urllib.parse import unquote

    assert ask_token_read(unquote(token)) == 7000
    assert "refcode=vip" in ask["url"]
    nobody = client.get(f"/finance/pages/{donation_page.pk}/", {"person": "nobody@example.org"})
    assert "No one found" in nobody.context["ask"]["error"]


def test_staff_cancel_a_recurring_gift_with_a_reason(persona_client, series, finance_user):
    client = persona_client("finance")
    response = client.post(f"/finance/recurring/{series.pk}/cancel/", {"reason": " "})
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.ACTIVE
    response = client.post(
        f"/finance/recurring/{series.pk}/cancel/", {"reason": "Donor wrote in"}, follow=True
    )
    assert "no further installments" in response.content.decode()
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.CANCELLED
    assert series.cancel_reason == "Donor wrote in"
    event = AuditEvent.objects.get(action="recurring_cancel")
    assert event.actor.username == "finance-persona"


def test_an_actblue_series_is_not_cancelled_here(persona_client, series):
    series.processor = "actblue"
    series.save()
    client = persona_client("finance")
    client.post(f"/finance/recurring/{series.pk}/cancel/", {"reason": "asked"})
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.ACTIVE


def test_the_recurring_list_filters_by_status(persona_client, series):
    RecurringSeries.objects.create(
        processor="stripe",
        processor_key="attempt:other",
        period="weekly",
        amount_cents=500,
        started_at=timezone.now(),
        status=RecurringSeries.Status.FAILING,
    )
    client = persona_client("finance")
    failing = client.get("/finance/recurring/", {"status": "failing"}).context["page"]
    assert [s.amount_cents for s in failing.items] == [500]
    everything = client.get("/finance/recurring/", {"status": "bogus"}).context["page"]
    assert everything.count == 2


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_take_the_same_queries_for_one_row_or_many(persona_client, donation_page, series):
    client = persona_client("finance")
    person = Person.objects.create(given_name="Lin", primary_email="lin@example.org")
    series.person = person
    series.page = donation_page
    series.save()
    one = [_queries(client, url) for url in ("/finance/pages/", "/finance/recurring/")]
    for i in range(6):
        page = DonationPage.objects.create(slug=f"p-{i}", title=f"Page {i}", amounts_cents=[500])
        Contribution.objects.create(
            processor="stripe",
            processor_id=f"pi_q{i}",
            amount_cents=1000,
            received_at=timezone.now(),
            page=page,
            person=person,
        )
        RecurringSeries.objects.create(
            processor="stripe",
            processor_key=f"attempt:q{i}",
            period="monthly",
            amount_cents=1000,
            started_at=timezone.now(),
            person=person,
            page=page,
        )
    many = [_queries(client, url) for url in ("/finance/pages/", "/finance/recurring/")]
    assert many == one
