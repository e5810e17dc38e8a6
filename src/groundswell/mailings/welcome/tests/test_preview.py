"""Preview as any person: the message as the chosen person would get it, the ask built from
their giving only for finance roles, and no ledger row or engagement written by looking."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.donations.models import Contribution, DonationPage
from groundswell.donations.pages.donate import amount_label, ask_ladder
from groundswell.mailings.models import Delivery, Engagement
from groundswell.mailings.welcome.tests.conftest import person_make

pytestmark = pytest.mark.django_db

ASK_HTML = (
    '<p>Dear {{ first_name|default:"Friend" }} of {{ city|default:"our town" }},</p>\n'
    "<p>{{ ask_ladder }}</p>"
)


@pytest.fixture
def donor(db):
    person = person_make("rosa@one.example", given_name="Rosa", family_name="Quarrington")
    page = DonationPage.objects.create(
        slug="spring", title="Spring", is_published=True, amounts_cents=[500, 1000, 2500]
    )
    Contribution.objects.create(
        processor="stripe",
        processor_id="pi_preview",
        received_at=timezone.now(),
        page=page,
        person=person,
        amount_cents=20_000,
    )
    return person


def _ladder_labels(highest):
    page = DonationPage.objects.get(slug="spring")
    return [amount_label(c) for c in ask_ladder(page=page, highest_cents=highest)]


def test_an_admin_who_may_see_giving_previews_the_donor_with_their_own_ask(
    persona_client, mailing_make, donor
):
    mailing = mailing_make(html=ASK_HTML)
    client = persona_client("admin")  # may send mailings and see giving
    page = client.get(f"/mailings/{mailing.pk}/preview/?q=rosa@one").content.decode()
    assert f'&amp;person={donor.pk}"' in page  # the search lists her

    page = client.get(f"/mailings/{mailing.pk}/preview/?person={donor.pk}").content.decode()
    assert "Hello Rosa" in page  # the subject, merged
    assert "Dear Rosa of our town," in page
    for label in _ladder_labels(20_000):
        assert label in page
    assert "Paid for by Quillon for Congress" in page


def test_a_role_without_finance_sees_the_pages_own_amounts_and_is_told_why(
    persona_client, mailing_make, donor
):
    mailing = mailing_make(html=ASK_HTML)
    page = (
        persona_client("organizer")
        .get(f"/mailings/{mailing.pk}/preview/?person={donor.pk}")
        .content.decode()
    )
    assert "Dear Rosa of our town," in page
    assert "your role may not see giving" in page
    own, personal = _ladder_labels(None), _ladder_labels(20_000)
    for label in own:
        assert label in page
    for label in set(personal) - set(own):
        assert label not in page


def test_previewing_records_no_delivery_and_no_engagement(persona_client, mailing_make, donor):
    mailing = mailing_make()
    client = persona_client("admin")
    for _ in range(2):
        assert client.get(f"/mailings/{mailing.pk}/preview/?person={donor.pk}").status_code == 200
    assert not Delivery.objects.exists()
    assert not Engagement.objects.exists()
    page = client.get(f"/mailings/{mailing.pk}/preview/?person={donor.pk}").content.decode()
    assert "/o/" not in page and "/c/" not in page  # no open pixel, no tracked link


def test_a_welcome_step_is_previewed_as_a_person_too(persona_client, series_make, donor):
    series = series_make(activate=False)
    step = series.steps.first()
    page = (
        persona_client("admin")
        .get(f"/mailings/welcome/steps/{step.pk}/preview/?person={donor.pk}")
        .content.decode()
    )
    assert "Welcome, Rosa" in page


@pytest.mark.parametrize("bad", ["abc", "1 OR 1=1", "9" * 40, "-1"])
def test_a_person_that_is_not_a_number_is_refused_with_400(persona_client, mailing_make, bad):
    mailing = mailing_make()
    response = persona_client("admin").get(f"/mailings/{mailing.pk}/preview/", {"person": bad})
    assert response.status_code == 400


def test_a_person_who_does_not_exist_is_not_found(persona_client, mailing_make):
    mailing = mailing_make()
    response = persona_client("admin").get(f"/mailings/{mailing.pk}/preview/?person=987654")
    assert response.status_code == 404


# A staff page behind a login, not a public endpoint: a twentieth of the public suites' count.
HOSTILE = hypothesis_settings(
    max_examples=max(50, EXAMPLES // 20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)


@HOSTILE
@given(
    query=st.text(max_size=300),
    person=st.one_of(st.text(max_size=30), st.integers(-(2**70), 2**70).map(str)),
)
def test_any_search_or_person_in_the_query_string_gets_an_answer_not_a_500(
    persona_client, mailing_make, query, person
):
    mailing = mailing_make()
    response = persona_client("admin").get(
        f"/mailings/{mailing.pk}/preview/", {"q": query, "person": person}
    )
    assert response.status_code in (200, 400, 404)
    assert not Delivery.objects.exists()
