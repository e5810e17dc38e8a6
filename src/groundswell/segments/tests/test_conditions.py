"""Each registered condition selects exactly the people it describes (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.identity.models import ClusterMembership, ResolutionRun, ThresholdRuleSet
from groundswell.segments.definition import DefinitionError, definition_clean
from groundswell.segments.selectors import definition_people
from groundswell.segments.tests import world as w

pytestmark = pytest.mark.django_db


def names(*items, op="and", negate=False) -> set[str]:
    definition = {"op": op, "negate": negate, "items": list(items)}
    return set(definition_people(definition=definition).values_list("given_name", flat=True))


def test_name_contains_matches_given_or_family_name_without_accents_or_case():
    w.person("Zofia")
    w.person("Ada", family_name="Zofiason", family_key="zofiason")
    w.person("Bram")
    assert names({"kind": "name", "text": "ZOFIA"}) == {"Zofia", "Ada"}


def test_has_an_email_address_and_has_a_phone_number_each_way():
    w.person("Ada", email="ada@example.org")
    w.person("Bram", phone="+12155550101")
    assert names({"kind": "has_email", "has": "yes"}) == {"Ada"}
    assert names({"kind": "has_email", "has": "no"}) == {"Bram"}
    assert names({"kind": "has_phone", "has": "yes"}) == {"Bram"}


def test_added_between_two_days_includes_both_days():
    ada = w.person("Ada")
    bram = w.person("Bram")
    w.person("Cleo")
    ada.created_at = timezone.now() - timedelta(days=40)
    ada.save(update_fields=["created_at"])
    bram.created_at = timezone.now() - timedelta(days=5)
    bram.save(update_fields=["created_at"])
    start = (timezone.localdate() - timedelta(days=41)).isoformat()
    end = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert names({"kind": "created", "start": start, "end": end}) == {"Ada", "Bram"}
    assert names({"kind": "created", "end": end}) == {"Ada", "Bram"}


def test_source_and_refcode_are_exact():
    w.person("Ada", source="Spring fair", refcode="fair-26")
    w.person("Bram", source="Spring fair 2")
    assert names({"kind": "source", "source": "Spring fair"}) == {"Ada"}
    assert names({"kind": "refcode", "refcode": "fair-26"}) == {"Ada"}


def test_tags_any_all_and_none():
    w.person("Ada", tags=["volunteer", "host"])
    w.person("Bram", tags=["volunteer"])
    w.person("Cleo")
    assert names({"kind": "tags_any", "tags": ["host", "volunteer"]}) == {"Ada", "Bram"}
    assert names({"kind": "tags_all", "tags": ["host", "volunteer"]}) == {"Ada"}
    assert names({"kind": "tags_none", "tags": ["host"]}) == {"Bram", "Cleo"}
    assert names({"kind": "tag", "tag": "host"}) == {"Ada"}


def test_subscription_status_counts_people_without_an_address_as_no_consent():
    w.person("Ada", email="ada@example.org")
    w.person("Bram", email="bram@example.org", email_status="unsubscribed")
    w.person("Cleo")
    assert names({"kind": "email_status", "statuses": ["subscribed"]}) == {"Ada"}
    assert names({"kind": "email_status", "statuses": ["unknown"]}) == {"Cleo"}
    assert names({"kind": "email_status", "status": "unsubscribed"}) == {"Bram"}


def test_issues_and_help_from_the_participation_form_are_their_tags():
    w.person("Ada", tags=["issue: Clean water", "help: Knock on doors"])
    w.person("Bram", tags=["issue: Housing"])
    assert names({"kind": "issues", "values": ["issue: Clean water"]}) == {"Ada"}
    assert names({"kind": "issues", "values": ["Housing"]}) == {"Bram"}
    assert names({"kind": "help_offered", "values": ["Knock on doors"]}) == {"Ada"}


def test_states_zip_codes_prefixes_and_city():
    ada = w.person("Ada", state="PA", zip_code="19103")
    w.person("Bram", state="PA", zip_code="15213")
    w.person("Cleo", state="OH", zip_code="43215")
    w.address(ada, city="Philadelphia")
    assert names({"kind": "state", "states": ["pa", "Ohio"]}) == {"Ada", "Bram", "Cleo"}
    assert names({"kind": "zip", "zips": "19103, 432"}) == {"Ada", "Cleo"}
    assert names({"kind": "zip", "zips": ["1"]}) == {"Ada", "Bram"}
    assert names({"kind": "city", "city": "philadelphia", "state": "PA"}) == {"Ada"}


def test_distance_from_a_zip_uses_coordinates_when_set_else_the_zip_centroid():
    w.person("Ada", state="PA", zip_code="19103")  # Center City: 0 miles
    w.person("Bram", state="PA", zip_code="15213")  # Pittsburgh: ~250 miles
    near_zip_far_home = w.person("Cleo", state="PA", zip_code="19104")
    # Geocoded in Pittsburgh although the summary ZIP says Philadelphia: the coordinates win.
    w.address(near_zip_far_home, lat=40.4440, lng=-79.9530)
    far_zip_near_home = w.person("Dov", state="OH", zip_code="43215")
    w.address(far_zip_near_home, lat=39.9550, lng=-75.1600)
    assert names({"kind": "distance", "zip": "19103", "miles": 25}) == {"Ada", "Dov"}


def test_distance_from_an_unknown_zip_is_refused():
    with pytest.raises(DefinitionError, match="00000"):
        definition_clean({"op": "and", "items": [{"kind": "distance", "zip": "00000", "miles": 5}]})


def test_gift_count_total_and_within_days():
    ada, bram, cleo = w.person("Ada"), w.person("Bram"), w.person("Cleo")
    w.gift(ada, 5_000, days_ago=3)
    w.gift(ada, 2_500, days_ago=100)
    w.gift(bram, 10_000, days_ago=50)
    w.gift(cleo, 9_999, status="voided")
    assert names({"kind": "gift_count", "min": 2}) == {"Ada"}
    assert names({"kind": "gift_count", "min": 1, "days": 30}) == {"Ada"}
    assert names({"kind": "gift_count", "max": 0}) == {"Cleo"}
    assert names({"kind": "gift_total", "min": 75}) == {"Ada", "Bram"}
    assert names({"kind": "gift_total", "min": 1, "max": 80}) == {"Ada"}


def test_first_and_last_gift_and_the_highest_previous_gift():
    ada, bram = w.person("Ada"), w.person("Bram")
    w.person("Cleo")
    w.gift(ada, 5_000, days_ago=3)
    w.gift(bram, 25_000, days_ago=60)
    w.gift(bram, 1_000, days_ago=45)
    today = timezone.localdate()
    assert names({"kind": "first_gift", "start": (today - timedelta(days=10)).isoformat()}) == {
        "Ada"
    }
    assert names({"kind": "last_gift", "when": "within", "days": 30}) == {"Ada"}
    assert names({"kind": "last_gift", "when": "not_within", "days": 30}) == {"Bram", "Cleo"}
    assert names({"kind": "highest_gift", "min": 100}) == {"Bram"}
    assert names({"kind": "highest_gift", "max": 100}) == {"Ada"}


def test_recurring_givers_active_ever_and_never():
    from groundswell.donations.models import RecurringSeries

    ada, bram = w.person("Ada"), w.person("Bram")
    w.person("Cleo")
    w.gift(ada, 1_000, recurring=True)
    w.gift(bram, 1_000)
    RecurringSeries.objects.create(
        processor="actblue",
        processor_key="R-SEG-1",
        period="monthly",
        amount_cents=1_000,
        started_at=timezone.now(),
        person=ada,
    )
    assert names({"kind": "recurring", "which": "active"}) == {"Ada"}
    assert names({"kind": "recurring", "which": "ever"}) == {"Ada"}
    assert names({"kind": "recurring", "which": "never"}) == {"Bram", "Cleo"}


def _run():
    return ResolutionRun.objects.create(
        started_at=timezone.now(), backend="duckdb", auto_link=0.9, review_floor=0.5
    )


def test_the_active_goals_donors_include_people_whose_cluster_gave_in_the_window():
    ada, bram, cleo = w.person("Ada"), w.person("Bram"), w.person("Cleo")
    run = _run()
    # Bram's gift came in under another name; identity put it in Bram's cluster.
    unlinked = w.gift(ada, 3_000, days_ago=5)
    unlinked.person = None
    unlinked.save(update_fields=["person"])
    ClusterMembership.objects.create(
        record_kind="contribution", record_id=unlinked.pk, cluster_key=f"p:{bram.pk}", run=run
    )
    ClusterMembership.objects.create(
        record_kind="person", record_id=bram.pk, cluster_key=f"p:{bram.pk}", run=run
    )
    w.gift(cleo, 3_000, days_ago=400)  # before the window
    today = timezone.localdate()
    ThresholdRuleSet.objects.create(
        name="Autumn",
        slug="autumn",
        total_donors=10,
        per_state_minimum=1,
        states_required=0,
        window_start=today - timedelta(days=30),
        window_end=today,
        deadline=today + timedelta(days=30),
        active=True,
    )
    assert names({"kind": "goal_donor", "in_goal": "yes"}) == {"Bram"}
    assert names({"kind": "goal_donor", "in_goal": "no"}) == {"Ada", "Cleo"}


def test_without_an_active_goal_nobody_is_counted_in_it():
    w.person("Ada")
    assert names({"kind": "goal_donor", "in_goal": "yes"}) == set()


def test_a_cluster_with_enough_gifts_selects_its_person():
    ada, bram = w.person("Ada"), w.person("Bram")
    run = _run()
    ClusterMembership.objects.create(
        record_kind="person", record_id=ada.pk, cluster_key=f"p:{ada.pk}", run=run
    )
    for _ in range(3):
        gift = w.gift(bram, 1_000)
        ClusterMembership.objects.create(
            record_kind="contribution", record_id=gift.pk, cluster_key=f"p:{ada.pk}", run=run
        )
    assert names({"kind": "cluster_gifts", "min": 3}) == {"Ada", "Bram"}
    assert names({"kind": "cluster_gifts", "min": 4}) == set()


def test_actions_taken_on_a_page_any_petition_and_within_days():
    ada, bram, cleo = w.person("Ada"), w.person("Bram"), w.person("Cleo")
    petition, signup = w.page("save-the-creek"), w.page("join", kind="signup")
    w.submitted(ada, petition, days_ago=2)
    w.submitted(bram, signup, days_ago=2)
    w.submitted(cleo, w.page("old-petition"), days_ago=90)
    assert names({"kind": "action_page", "pages": ["save-the-creek"]}) == {"Ada"}
    assert names({"kind": "action_kind", "page_kind": "petition"}) == {"Ada", "Cleo"}
    assert names({"kind": "action_kind", "page_kind": "petition", "days": 30}) == {"Ada"}
    assert names({"kind": "action_kind", "page_kind": "petition", "did": "no"}) == {"Bram"}


def test_referrals_made_at_least_n():
    ada, bram = w.person("Ada"), w.person("Bram")
    w.referred(ada, w.person("Cleo"))
    w.referred(ada, w.person("Dov"))
    w.referred(bram, w.person("Eli"))
    assert names({"kind": "referrals", "min": 2}) == {"Ada"}
    assert names({"kind": "referrals", "min": 1}) == {"Ada", "Bram"}


def test_or_groups_and_negated_groups_combine():
    w.person("Ada", state="PA", tags=["host"])
    w.person("Bram", state="OH")
    w.person("Cleo", state="MI", tags=["host"])
    either = names({"kind": "state", "states": ["OH"]}, {"kind": "tag", "tag": "host"}, op="or")
    assert either == {"Ada", "Bram", "Cleo"}
    neither = names(
        {"kind": "state", "states": ["OH"]}, {"kind": "tag", "tag": "host"}, op="or", negate=True
    )
    assert neither == set()
    assert names(
        {"kind": "tag", "tag": "host"},
        {"op": "and", "negate": True, "items": [{"kind": "state", "states": ["MI"]}]},
    ) == {"Ada"}
    assert names() == {"Ada", "Bram", "Cleo"}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"kind": "gift_count"}, "at-least"),
        ({"kind": "gift_total", "min": 10, "max": 5}, "must not be more"),
        ({"kind": "last_gift", "when": "within", "days": "²"}, "whole number"),
        ({"kind": "zip", "zips": "1910x"}, "five digits"),
        ({"kind": "created", "start": "2026-13-01"}, "date such as"),
        ({"kind": "tags_any", "tags": []}, "one or more"),
        ({"kind": "distance", "zip": "19103", "miles": 5000}, "between"),
        ({"kind": "referrals", "min": 0}, "between"),
    ],
)
def test_bad_parameters_are_refused_with_a_message_that_says_what_to_fix(item, message):
    with pytest.raises(DefinitionError, match=message):
        definition_clean({"op": "and", "items": [item]})


def test_depth_and_size_are_bounded():
    deep: dict = {"op": "and", "items": []}
    node = deep
    for _ in range(5):
        child = {"op": "or", "items": []}
        node["items"].append(child)
        node = child
    with pytest.raises(DefinitionError, match="nested at most"):
        definition_clean(deep)
    many = {"op": "and", "items": [{"kind": "tag", "tag": "x"}] * 51}
    with pytest.raises(DefinitionError, match="at most 50 conditions"):
        definition_clean(many)
    groups = {"op": "and", "items": [{"op": "or", "items": []}] * 60}
    with pytest.raises(DefinitionError, match="groups"):
        definition_clean(groups)
