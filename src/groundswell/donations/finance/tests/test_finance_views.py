"""The finance pages: who may see them, the overview, the list's search and filters, the
contribution and donor pages, and the refund form."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.donations.finance.tests.finance_data import at, gift, series
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    DonationPage,
    HoldResolution,
    Processor,
)
from groundswell.donations.selectors import DateRange
from groundswell.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def today():
    # Read at each use, not once at import: a run collected before the campaign's midnight and
    # tested after it put "today's" gift on yesterday (a CI run at 00:1x New York time).
    return timezone.localdate()


def _urls() -> list[str]:
    c = gift(2_700, day=today(), donor_key="n:doe|jane|43215")
    return [
        reverse("donations:finance_home"),
        reverse("donations:contribution_list"),
        reverse("donations:contribution_detail", args=[c.pk]),
        reverse("donations:donor_detail", args=["n:doe|jane|43215"]),
        reverse("donations:export_contributions"),
        reverse("donations:export_schedule_a"),
    ]


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_finance_and_admin_roles_see_every_finance_page(persona_client, role):
    client = persona_client(role)
    for url in _urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_organizers_and_volunteers_are_refused(persona_client, role):
    client = persona_client(role)
    for url in _urls():
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(persona_client):
    client = persona_client(None)
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_refund_form_is_refused_to_an_organizer(persona_client):
    c = gift(5_000, day=today())
    response = _refund(persona_client("organizer"), c, "10.00")
    assert response.status_code == 403
    c.refresh_from_db()
    assert c.refunded_cents == 0


# ---------------------------------------------------------------- the overview


def test_the_overview_shows_the_numbers_of_the_chosen_range(persona_client):
    gift(2_500, day=today(), refcode="email-1")
    gift(7_500, day=today() - timedelta(days=3), refcode="email-1")
    gift(40_000, day=today() - timedelta(days=20), refcode="sms-9")
    gift(99_900, day=today(), is_memo=True)
    client = persona_client("finance")
    week = client.get(reverse("donations:finance_home"), {"range": "7d"})
    assert week.context["board"].money.net_cents == 10_000
    assert week.context["board"].median_cents == 5_000
    html = week.content.decode()
    assert "$100.00" in html and "email-1" in html and "sms-9" not in html
    assert 'id="by-day-spec"' in html and "vega-embed.min.js" in html
    month = client.get(reverse("donations:finance_home"), {"range": "30d"})
    assert month.context["board"].money.net_cents == 50_000
    assert [r.refcode for r in month.context["board"].by_refcode] == ["sms-9", "email-1"]


def test_a_custom_range_is_validated_and_falls_back_to_thirty_days(persona_client):
    client = persona_client("finance")
    ok = client.get(
        reverse("donations:finance_home"),
        {"range": "custom", "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert ok.context["period"].days == 31
    # Dates typed in win over a preset left in the select.
    typed = client.get(
        reverse("donations:finance_home"),
        {"range": "7d", "start": "2026-03-01", "end": "2026-03-10"},
    )
    assert typed.context["period"] == DateRange(date(2026, 3, 1), date(2026, 3, 10))
    bad = client.get(
        reverse("donations:finance_home"),
        {"range": "custom", "start": "2026-03-31", "end": "2026-03-01"},
    )
    assert bad.status_code == 200
    assert "ends before it starts" in bad.content.decode()
    assert bad.context["period"].days == 30


def test_the_overview_shows_the_table_fallback_and_an_empty_state(persona_client):
    client = persona_client("finance")
    empty = client.get(reverse("donations:finance_home"), {"range": "today"})
    assert "No contributions in this range" in empty.content.decode()
    gift(1_234, day=today())
    full = client.get(reverse("donations:finance_home"), {"range": "today"})
    html = full.content.decode()
    assert 'id="by-day-table"' in html and "$12.34" in html


def test_the_overview_links_only_the_areas_that_exist(persona_client):
    response = persona_client("finance").get(reverse("donations:finance_home"))
    links = {link["url"] for link in response.context["area_links"]}
    assert reverse("donations:webhook_settings") in links
    for link in response.context["area_links"]:
        assert link["url"].startswith("/finance/")


def test_the_overview_costs_a_bounded_number_of_queries(
    persona_client, django_assert_max_num_queries
):
    client = persona_client("finance")
    for index in range(40):
        gift(100 + index, day=today() - timedelta(days=index % 25), refcode=f"r{index % 7}")
    series(1_000)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("donations:finance_home"), {"range": "30d"})
    assert response.context["board"].money.count == 40


# ---------------------------------------------------------------- the list


def _listed(client, **params) -> list[int]:
    response = client.get(reverse("donations:contribution_list"), params)
    assert response.status_code == 200
    return [c.pk for c in response.context["page"].items]


def test_the_list_searches_names_emails_processor_ids_orders_and_refcodes(persona_client):
    jane = gift(1_000, day=today(), donor_given_name="Janet", donor_family_name="Doerr")
    other = gift(
        2_000,
        day=today(),
        donor_given_name="Quentin",
        donor_family_name="Zyx",
        donor_email="q.zyx@example.org",
        processor_id="AB999-1",
        order_number="AB999",
        refcode="spring-email",
    )
    client = persona_client("finance")
    assert _listed(client, q="jan doe") == [jane.pk]
    assert _listed(client, q="Q.ZYX@example.org") == [other.pk]
    assert _listed(client, q="AB999-1") == [other.pk]
    assert _listed(client, q="AB999") == [other.pk]
    assert _listed(client, q="spring-email") == [other.pk]
    assert _listed(client, q="nobody-at-all") == []


def test_the_list_filters_and_sorts(persona_client):
    page = DonationPage.objects.create(slug="fall", title="Fall")
    small = gift(500, day=today() - timedelta(days=40), processor=Processor.STRIPE, page=page)
    held = gift(
        400_000, day=today(), held_at=timezone.now(), hold_reason="over the limit", election="G2026"
    )
    resolved = gift(
        1_000,
        day=today(),
        held_at=timezone.now(),
        hold_resolution=HoldResolution.REDESIGNATED,
        election="P2026",
    )
    memo = gift(2_000, day=today(), is_memo=True, refcode="x")
    refunded = gift(3_000, day=today(), refunded_cents=3_000, status=ContributionStatus.REFUNDED)
    client = persona_client("finance")
    assert _listed(client, processor="stripe") == [small.pk]
    assert _listed(client, donation_page=page.pk) == [small.pk]
    assert _listed(client, held="held") == [held.pk]
    assert _listed(client, held="resolved") == [resolved.pk]
    assert held.pk not in _listed(client, held="never")
    assert _listed(client, memo="only") == [memo.pk]
    assert memo.pk not in _listed(client, memo="exclude")
    assert _listed(client, status="refunded") == [refunded.pk]
    assert _listed(client, election="G2026") == [held.pk]
    assert _listed(client, refcode="x") == [memo.pk]
    assert _listed(client, min_amount="10", max_amount="20") == [memo.pk, resolved.pk]
    around = {"start": today() - timedelta(days=41), "end": today() - timedelta(days=39)}
    assert _listed(client, **{k: v.isoformat() for k, v in around.items()}) == [small.pk]
    assert _listed(client, sort="-amount")[0] == held.pk
    assert _listed(client, sort="amount")[0] == small.pk
    assert _listed(client, sort="date")[0] == small.pk


def test_invalid_filters_are_reported_and_not_applied(persona_client):
    gift(1_000, day=today())
    response = persona_client("finance").get(
        reverse("donations:contribution_list"), {"election": "next one", "min_amount": "-4"}
    )
    html = response.content.decode()
    assert "An election looks like P2026" in html
    assert len(response.context["page"].items) == 1


def test_the_list_paginates_with_a_bounded_number_of_queries(
    persona_client, django_assert_max_num_queries
):
    person = PersonFactory()
    for index in range(60):
        gift(100 + index, when=at(today() - timedelta(days=1), 8, index % 60), person=person)
    client = persona_client("finance")
    with django_assert_max_num_queries(6):
        first = client.get(reverse("donations:contribution_list"))
    assert len(first.context["page"].items) == 50
    second = client.get(reverse("donations:contribution_list"), {"page": 2})
    assert len(second.context["page"].items) == 10
    assert "Page 2 of 2" in second.content.decode()
    # A filter on a donation page and the page number of the list do not get mixed up.
    spring = DonationPage.objects.create(slug="spring", title="Spring")
    Contribution.objects.filter(pk__in=[c.pk for c in first.context["page"].items]).update(
        page=spring
    )
    on_page = client.get(
        reverse("donations:contribution_list"), {"donation_page": spring.pk, "page": 1}
    )
    assert on_page.context["page"].count == 50


def test_the_list_has_empty_states(persona_client):
    client = persona_client("finance")
    assert (
        "No contributions yet"
        in client.get(reverse("donations:contribution_list")).content.decode()
    )
    gift(100, day=today())
    html = client.get(reverse("donations:contribution_list"), {"q": "zzz"}).content.decode()
    assert "No contribution matches" in html


# ---------------------------------------------------------------- detail and donor


def test_the_detail_shows_the_donor_as_given_beside_the_person_now(persona_client):
    person = PersonFactory(given_name="Marisol", family_name="Okonkwo-New", employer="Now Inc")
    c = gift(
        2_700,
        day=today(),
        person=person,
        donor_key=f"p:{person.pk}",
        donor_given_name="Marisol",
        donor_family_name="Okonkwo",
        donor_employer="Then LLC",
    )
    html = (
        persona_client("finance")
        .get(reverse("donations:contribution_detail", args=[c.pk]))
        .content.decode()
    )
    assert "Okonkwo-New" in html and "Then LLC" in html and "Now Inc" in html
    assert 'class="changed"' in html
    assert reverse("people:detail", args=[person.pk]) in html
    assert "Not itemized yet" in html
    big = gift(25_000, day=today(), person=person, donor_key=f"p:{person.pk}")
    html = (
        persona_client("finance")
        .get(reverse("donations:contribution_detail", args=[big.pk]))
        .content.decode()
    )
    assert ">Itemized<" in html and "$277.00" in html


def test_the_donor_page_totals_per_election_and_cycle_and_flags_itemization(persona_client):
    key = "n:rivera|ana|43215"
    gift(15_000, when=at(date(2026, 2, 1)), donor_key=key, election="P2026")
    gift(10_000, when=at(date(2026, 9, 1)), donor_key=key, election="G2026")
    gift(5_000, when=at(date(2024, 5, 1)), donor_key=key, election="P2024")
    gift(99_000, when=at(date(2026, 3, 1)), donor_key=key, is_memo=True)
    response = persona_client("finance").get(reverse("donations:donor_detail", args=[key]))
    history = response.context["history"]
    assert history.net_cents == 30_000 and history.count == 3
    assert {(e.election, e.net_cents) for e in history.by_election} == {
        ("P2026", 15_000),
        ("G2026", 10_000),
        ("P2024", 5_000),
    }
    assert [(c.cycle, c.net_cents, c.itemized) for c in history.by_cycle] == [
        (2026, 25_000, True),
        (2024, 5_000, False),
    ]
    assert response.context["page"].count == 4  # the memo row is listed, not counted


def test_an_unknown_donor_is_not_found(persona_client):
    client = persona_client("finance")
    assert client.get(reverse("donations:donor_detail", args=["n:nobody|x|1"])).status_code == 404
    assert client.get(reverse("donations:donor_detail", args=["nonsense"])).status_code == 404


# ---------------------------------------------------------------- refunds


def _refund(client, contribution, amount: str, reason: str = "donor asked", key: str = ""):
    return client.post(
        reverse("donations:contribution_refund", args=[contribution.pk]),
        {"amount": amount, "reason": reason, "key": key or secrets.token_hex(8)},
    )


def test_finance_staff_record_a_partial_refund_of_an_actblue_gift(persona_client):
    c = gift(5_000, day=today(), processor=Processor.ACTBLUE)
    client = persona_client("finance")
    response = _refund(client, c, "12.50")
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.refunded_cents, c.status) == (1_250, ContributionStatus.PARTIALLY_REFUNDED)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REFUND)
    assert event.actor.username == "finance-persona"
    assert event.details["reason"] == "donor asked"
    assert event.target_id == str(c.pk)
    page = client.get(response["Location"]).content.decode()
    assert "must be refunded in ActBlue" in page
    assert "“donor asked”" in page


def test_a_double_submitted_refund_is_made_once(persona_client):
    c = gift(5_000, day=today(), processor=Processor.OFFLINE)
    client = persona_client("admin")
    key = secrets.token_hex(8)
    _refund(client, c, "10.00", key=key)
    _refund(client, c, "10.00", key=key)
    c.refresh_from_db()
    assert c.refunded_cents == 1_000
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFUND).count() == 1


def test_a_refund_over_what_is_left_is_refused_with_a_clear_error(persona_client):
    c = gift(5_000, day=today(), refunded_cents=4_000)
    response = _refund(persona_client("finance"), c, "20.00")
    assert response.status_code == 400
    assert "At most $10.00 is left to refund" in response.content.decode()
    c.refresh_from_db()
    assert c.refunded_cents == 4_000


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refund_needs_a_reason(persona_client, reason):
    c = gift(5_000, day=today())
    response = _refund(persona_client("finance"), c, "1.00", reason=reason)
    assert response.status_code == 400
    c.refresh_from_db()
    assert c.refunded_cents == 0


def test_a_stripe_refund_that_cannot_be_made_says_why_and_changes_nothing(persona_client):
    c = gift(5_000, day=today(), processor=Processor.STRIPE, processor_id="pi_test_123")
    response = _refund(persona_client("finance"), c, "5.00")
    assert response.status_code == 400
    assert "Stripe" in response.content.decode()
    c.refresh_from_db()
    assert c.refunded_cents == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFUND).exists()


def test_a_voided_gift_offers_no_refund(persona_client):
    c = gift(5_000, day=today(), status=ContributionStatus.VOIDED)
    client = persona_client("finance")
    detail = client.get(reverse("donations:contribution_detail", args=[c.pk]))
    assert 'id="refund-form"' not in detail.content.decode()
    _refund(client, c, "1.00")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REFUND).exists()
    assert Contribution.objects.get(pk=c.pk).refunded_cents == 0


def test_the_overview_can_be_narrowed_to_a_page_and_a_refcode(persona_client):
    page = DonationPage.objects.create(slug="gotv", title="Get out the vote")
    gift(1_000, day=today(), page=page, refcode="a")
    gift(2_000, day=today(), page=page, refcode="b")
    gift(4_000, day=today(), refcode="a")
    client = persona_client("finance")
    url = reverse("donations:finance_home")
    assert client.get(url, {"donation_page": page.pk}).context["board"].money.net_cents == 3_000
    assert client.get(url, {"refcode": "a"}).context["board"].money.net_cents == 5_000
    both = client.get(url, {"donation_page": page.pk, "refcode": "a"})
    assert both.context["board"].money.net_cents == 1_000
    assert (
        "refcode=a" in both.context["list_qs"]
        and f"donation_page={page.pk}" in both.context["list_qs"]
    )


def test_the_detail_and_donor_pages_cost_a_bounded_number_of_queries(
    persona_client, django_assert_max_num_queries
):
    person = PersonFactory()
    key = f"p:{person.pk}"
    for index in range(25):
        gift(1_000 + index, when=at(today() - timedelta(days=index)), person=person, donor_key=key)
    c = Contribution.objects.filter(donor_key=key).first()
    client = persona_client("finance")
    client.get(reverse("donations:finance_home"))  # the session is loaded once, not counted
    with django_assert_max_num_queries(14):
        assert client.get(reverse("donations:contribution_detail", args=[c.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("donations:donor_detail", args=[key]))
    assert response.context["history"].count == 25


def test_an_htmx_search_gets_only_the_results(persona_client):
    gift(1_000, day=today(), donor_given_name="Ottoline", donor_family_name="Brackenbury")
    response = persona_client("finance").get(
        reverse("donations:contribution_list"), {"q": "otto"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Ottoline" in html and "<html" not in html


def test_a_custom_range_longer_than_the_chart_allows_is_refused(persona_client):
    response = persona_client("finance").get(
        reverse("donations:finance_home"),
        {"range": "custom", "start": "2020-01-01", "end": "2026-01-01"},
    )
    assert "at most 800 days" in response.content.decode()
    assert response.context["period"].days == 30


def test_a_donor_key_with_odd_characters_still_has_a_page(persona_client):
    key = "n:o'neil-smith/jr|mary ann|43215"
    c = gift(1_000, day=today(), donor_key=key)
    client = persona_client("finance")
    detail = client.get(reverse("donations:contribution_detail", args=[c.pk]))
    assert detail.status_code == 200
    response = client.get(reverse("donations:donor_detail", args=[key]))
    assert response.status_code == 200
    assert response.context["history"].count == 1


@pytest.mark.parametrize(
    "preset, start",
    [
        ("today", date(2026, 11, 29)),
        ("7d", date(2026, 11, 23)),
        ("30d", date(2026, 10, 31)),
        ("quarter", date(2026, 10, 1)),
        ("cycle", date(2025, 1, 1)),
        ("", date(2026, 10, 31)),
        ("bogus", date(2026, 10, 31)),
    ],
)
def test_each_preset_range_ends_today_and_starts_where_it_says(preset, start):
    from groundswell.donations.finance.views import RangeForm

    period = RangeForm({"range": preset}).period(date(2026, 11, 29))
    assert (period.start, period.end) == (start, date(2026, 11, 29))


def test_a_refund_with_a_tampered_key_is_still_made_once(persona_client):
    c = gift(5_000, day=today(), processor=Processor.OFFLINE)
    response = _refund(persona_client("finance"), c, "5.00", key="not-a-key; drop table")
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.refunded_cents == 500
