"""A page's copy test decided by statistics: each variant's rate with its interval, the chance
that it is best, the decision in a sentence, and keeping the winner (audited)."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from django.utils.html import escape

from groundswell.accounts.models import AuditEvent
from groundswell.actions.models import ActionPage, Exposure, PageVariant, Submission
from groundswell.actions.selectors import variant_test
from groundswell.core.experiments import State

pytestmark = pytest.mark.django_db
_tokens = itertools.count()


def traffic(variant: PageVariant, *, visitors: int, sign_ups: int) -> None:
    """Visitors who saw the variant, and sign-ups from some of them (synthetic addresses)."""
    Exposure.objects.bulk_create(
        Exposure(variant=variant, visitor=f"v{variant.pk}-{i}") for i in range(visitors)
    )
    Submission.objects.bulk_create(
        Submission(
            page=variant.page,
            variant=variant,
            token=f"t{next(_tokens)}",
            email=f"signer{i}@example.org",
        )
        for i in range(sign_ups)
    )


@pytest.fixture
def page():
    page = ActionPage.objects.create(slug="schools", title="Schools", headline="Fund schools")
    original = PageVariant.objects.create(page=page, name="Original", headline="Fund schools")
    urgent = PageVariant.objects.create(page=page, name="Urgent", headline="Vote is Thursday")
    page.original, page.urgent = original, urgent
    return page


@pytest.fixture
def decided(page):
    traffic(page.original, visitors=600, sign_ups=60)  # 10%
    traffic(page.urgent, visitors=600, sign_ups=120)  # 20%
    return page


def detail(client, page) -> str:
    return client.get(reverse("staff:page_detail", args=[page.pk])).content.decode()


def test_a_clear_difference_is_decided_with_the_winner_and_a_sentence(decided):
    test = variant_test(page=decided)
    assert test.decision.state is State.DECIDED
    assert test.winner.variant == decided.urgent
    assert test.decision.sentence.startswith(
        "Urgent converted 20.0% of visitors against 10.0% for Original; Urgent is better with"
    )
    assert test.decision.sentence.endswith("Urgent can be kept for everyone.")


def test_the_page_shows_each_rate_with_its_interval_chance_best_and_the_decision(
    persona_client, decided
):
    html = detail(persona_client("organizer"), decided)
    urgent = next(r for r in variant_test(page=decided).results if r.variant == decided.urgent)
    assert urgent.interval and urgent.interval in html
    low, high = (float(x) for x in urgent.interval.rstrip("%").split("–"))
    assert low < 20.0 < high
    assert "over 99%" in html  # Urgent's chance of being best
    assert "Decided." in html and "Urgent converted 20.0% of visitors" in html
    assert "Keep “Urgent” and stop the others" in html


def test_too_few_visitors_is_still_collecting_without_a_keep_button(persona_client, page):
    traffic(page.original, visitors=80, sign_ups=5)
    traffic(page.urgent, visitors=80, sign_ups=30)
    html = detail(persona_client("organizer"), page)
    assert "Still collecting." in html and "too early to call" in html
    assert "and stop the others" not in html
    assert variant_test(page=page).winner is None


def test_keeping_the_winner_stops_the_others_and_is_audited(persona_client, decided):
    client = persona_client("organizer")
    response = client.post(reverse("staff:variant_keep", args=[decided.pk, decided.urgent.pk]))
    assert response.status_code == 302
    assert list(decided.variants.filter(active=True)) == [decided.urgent]
    event = AuditEvent.objects.get(action=AuditEvent.Action.VARIANT_KEEP)
    assert event.actor.role == "organizer"
    assert event.target_id == str(decided.urgent.pk)
    assert "kept “Urgent” on page “schools” and stopped 1 other variant" in event.summary
    assert [e["name"] for e in event.details["estimates"]] == ["Original", "Urgent"]
    html = detail(client, decided)
    assert "“Urgent” is the only active variant: every new visitor sees it." in html
    public = client.get(reverse("public:page", args=[decided.slug])).content.decode()
    assert "Vote is Thursday" in public


def test_keeping_the_winner_twice_changes_nothing_and_audits_once(persona_client, decided):
    client = persona_client("admin")
    url = reverse("staff:variant_keep", args=[decided.pk, decided.urgent.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "“Urgent” was already kept." in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VARIANT_KEEP).count() == 1


def test_keeping_a_variant_that_did_not_win_is_refused_with_the_reason(persona_client, decided):
    client = persona_client("organizer")
    url = reverse("staff:variant_keep", args=[decided.pk, decided.original.pk])
    response = client.post(url, follow=True)
    refusal = escape("“Original” is not the decided winner of this page's test")
    assert refusal in response.content.decode()
    assert decided.variants.filter(active=True).count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VARIANT_KEEP).exists()


def test_a_variant_of_another_page_cannot_be_kept_here(persona_client, decided):
    other = ActionPage.objects.create(slug="other", title="Other")
    url = reverse("staff:variant_keep", args=[other.pk, decided.urgent.pk])
    assert persona_client("organizer").post(url).status_code == 404


def test_keeping_needs_a_post(persona_client, decided):
    url = reverse("staff:variant_keep", args=[decided.pk, decided.urgent.pk])
    assert persona_client("organizer").get(url).status_code == 405


def test_inactive_variants_keep_their_figures_but_leave_the_test(persona_client, decided):
    third = PageVariant.objects.create(page=decided, name="Third", active=False)
    traffic(third, visitors=50, sign_ups=45)
    test = variant_test(page=decided)
    assert [e.name for e in test.decision.estimates] == ["Original", "Urgent"]
    assert test.winner.variant == decided.urgent
    assert next(r for r in test.results if r.variant == third).chance_best == ""


def test_two_variants_with_one_name_are_told_apart_in_the_sentence(page):
    PageVariant.objects.filter(pk=page.urgent.pk).update(name="Original")
    test = variant_test(page=page)
    assert [e.name for e in test.decision.estimates] == [
        f"Original (#{page.original.pk})",
        f"Original (#{page.urgent.pk})",
    ]


def test_sign_ups_without_recorded_exposures_still_show_a_page(persona_client, page):
    traffic(page.original, visitors=0, sign_ups=3)
    traffic(page.urgent, visitors=2, sign_ups=5)
    response = persona_client("organizer").get(reverse("staff:page_detail", args=[page.pk]))
    assert response.status_code == 200
    test = variant_test(page=page)
    assert test.decision.state is State.COLLECTING
    assert all(0 <= e.mean <= 1 for e in test.decision.estimates)
