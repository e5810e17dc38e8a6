"""A donor figure reads the same on every page that shows it: one definition, one function.

The public donation page, the staff page list and detail, and the donor goal's progress page
once disagreed (4,200 donors of 5,000 beside "1,736 to go to reach our goal of 5,000", and
3,386 in the staff list, for the same page).
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from groundswell.donations.models import Contribution, ContributionStatus, DonationPage
from groundswell.donations.pages.donate import page_donor_count, page_progress
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.tests.helpers import finished_run, gift
from groundswell.identity.thresholds import progress, rule_set_activate, rule_set_save
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _number(pattern: str, html: str) -> int:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return int(match.group(1).replace(",", ""))


@pytest.fixture
def give_page():
    page = DonationPage.objects.create(
        slug="give",
        title="Chip in",
        is_published=True,
        goal_kind=DonationPage.GoalKind.DONORS,
        goal_donors=10,
        show_donors_to_go=True,
    )
    DonationPage.objects.create(slug="other", title="Another page", is_published=True)
    now = timezone.now()
    people = [
        Person.objects.create(given_name=f"Donor{i}", primary_email=f"donor{i}@example.org")
        for i in range(3)
    ]

    def give(n, **fields):
        fields = {"amount_cents": 2500, **fields}
        if fields.get("status") == ContributionStatus.REFUNDED:
            fields["refunded_cents"] = fields["amount_cents"]
        return Contribution.objects.create(
            processor="stripe", processor_id=f"pi_{n}", received_at=now, page=page, **fields
        )

    give(1, person=people[0])
    give(2, person=people[0])  # the same person again
    give(3, donor_key="n:avery|donor|50309", donor_given_name="Avery")
    give(4, donor_key="n:avery|donor|50309", donor_given_name="Avery")  # the same key again
    give(5, donor_email="blair@example.org")  # known only by e-mail
    give(6, person=people[1], status=ContributionStatus.REFUNDED)  # refunded in full: no donor
    give(7, person=people[2], amount_cents=5000, refunded_cents=1000, status="partially_refunded")
    give(8, donor_email="memo@example.org", is_memo=True)  # a memo entry is not a gift
    return page


def _staff_figures(client, page) -> dict:
    listing = client.get("/finance/pages/").content.decode()
    row = re.search(rf"/finance/pages/{page.pk}/.*?</tr>", listing, re.S).group(0)
    detail = client.get(f"/finance/pages/{page.pk}/").content.decode()
    return {
        "list": _number(r'data-label="Donors" class="num">([\d,]+)<', row),
        "list_goal": _number(r'class="goal-donors">([\d,]+)<', row),
        "detail": _number(r'id="donors">([\d,]+)<', detail),
        "detail_goal": _number(r'id="goal-donors">([\d,]+)<', detail),
        "detail_to_go": _number(r'id="donors-to-go">([\d,]+)<', detail),
    }


def _public_figures(client) -> dict:
    html = client.get("/donate/give/").content.decode()
    return {
        "donors": _number(r'id="goal-donors"><strong>([\d,]+)</strong>', html),
        "goal": _number(r'id="goal-donors">.*?of ([\d,]+)</span>', html),
        "to_go": _number(r'id="donors-to-go"><strong>([\d,]+)</strong>', html),
        "to_go_goal": _number(r"to go to reach our goal of ([\d,]+)\.", html),
    }


def test_a_pages_donors_read_the_same_in_public_in_the_list_and_in_the_detail(
    client, persona_client, give_page
):
    # The person, the donor key and the e-mail each make one donor; refunds and memos none.
    assert page_donor_count(page=give_page) == 4
    public = _public_figures(client)
    assert public == {"donors": 4, "goal": 10, "to_go": 6, "to_go_goal": 10}
    staff = _staff_figures(persona_client("finance"), give_page)
    assert staff == {"list": 4, "list_goal": 4, "detail": 4, "detail_goal": 4, "detail_to_go": 6}


def test_a_page_counting_toward_the_campaigns_goal_shows_that_goals_figures_everywhere(
    client, persona_client, give_page
):
    today = date.today()
    goal = rule_set_save(
        rule_set=ThresholdRuleSet(
            name="Debate stage",
            total_donors=25,
            per_state_minimum=1,
            states_required=1,
            window_start=today - timedelta(days=30),
            window_end=today + timedelta(days=30),
            deadline=today + timedelta(days=30),
        )
    )
    rule_set_activate(rule_set=goal)
    run = finished_run()
    # Gifts through other channels count toward the campaign's goal, one per real person.
    for n, cluster in enumerate(["c:1", "c:1", "c:2", "c:3"]):
        gift(
            given=f"Casey{n}",
            family="Donor",
            on=today - timedelta(days=2),
            cluster=cluster,
            run=run,
        )
    expected = progress(rule_set=goal).donors
    assert expected is not None and expected > 4  # more than the page's own donors

    public = _public_figures(client)
    assert public == {"donors": expected, "goal": 25, "to_go": 25 - expected, "to_go_goal": 25}
    report = persona_client("finance").get(f"/identity/goals/{goal.slug}/").content.decode()
    assert _number(r'id="donors-so-far">([\d,]+)<', report) == expected
    assert _number(r'id="donors-to-go">([\d,]+)<', report) == 25 - expected
    staff = _staff_figures(persona_client("finance"), give_page)
    # The page's own donors stay its own; the goal it shows in public is the campaign's.
    assert staff == {
        "list": 4,
        "list_goal": expected,
        "detail": 4,
        "detail_goal": expected,
        "detail_to_go": 25 - expected,
    }
    assert page_progress(page=give_page).donor_goal.name == "Debate stage"


def test_the_page_list_counts_every_pages_donors_in_one_query(
    persona_client, give_page, django_assert_max_num_queries
):
    client = persona_client("finance")
    client.get("/finance/pages/")  # the session and the user are loaded once
    with django_assert_max_num_queries(8):
        html = client.get("/finance/pages/").content.decode()
    assert html.count('data-label="Donors"') == 2
