"""Unique-donor counts from hand-made clusters, beside the naive first+last+ZIP5 count."""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.donations.models import ContributionStatus
from groundswell.identity.selectors import (
    RefundedRule,
    naive_key,
    state_code,
    state_counts_sorted,
    unique_donors,
)
from groundswell.identity.tests.helpers import finished_run, gift

pytestmark = pytest.mark.django_db
START, END = date(2019, 1, 1), date(2019, 12, 31)


def counts(**kwargs):
    return unique_donors(start=START, end=END, **kwargs)


@pytest.fixture
def run():
    return finished_run()


def test_one_person_giving_under_three_spellings_is_one_donor_but_three_naive_ones(run):
    gift(given="Robert J.", family="Testperson", cluster="c:1", run=run)
    gift(given="Bob", family="Testperson", cluster="c:1", run=run)
    gift(given="Robert", family="Testperson", postal="50309-1234", cluster="c:1", run=run)
    gift(given="Alicia", family="Sampleton", cluster="c:9", run=run)

    result = counts()

    assert result.unique == 2
    # "Robert J.", "Bob" and "Robert" are three naive keys; ZIP+4 is cut to ZIP5 so the
    # third Robert matches no one but itself either way.
    assert result.naive == 4
    assert result.difference_percent == pytest.approx(100.0)
    assert result.contributions == 4


def test_two_people_sharing_a_name_and_zip_are_two_donors_but_one_naive_key(run):
    gift(given="Jordan", family="Examplar", cluster="c:1", run=run)
    gift(given="Jordan", family="Examplar", cluster="c:2", run=run)

    result = counts()

    assert (result.unique, result.naive) == (2, 1)
    assert result.difference_percent == pytest.approx(-50.0)


def test_memo_rows_voided_gifts_and_gifts_outside_the_range_do_not_count(run):
    gift(given="Ann", family="Inrange", cluster="c:1", run=run)
    gift(given="Memo", family="Row", memo=True, cluster="c:2", run=run)
    gift(given="Void", family="Gift", status=ContributionStatus.VOIDED, cluster="c:3", run=run)
    gift(given="Too", family="Early", on=date(2018, 12, 31), cluster="c:4", run=run)
    gift(given="Too", family="Late", on=date(2020, 1, 1), cluster="c:5", run=run)

    result = counts()

    assert (result.unique, result.naive, result.contributions) == (1, 1, 1)


def test_a_donor_whose_every_gift_was_refunded_is_left_out_unless_the_rule_says_otherwise(run):
    gift(
        given="Refunded", family="Twice", status=ContributionStatus.REFUNDED, cluster="c:1", run=run
    )
    gift(
        given="Refunded",
        family="Twice",
        status=ContributionStatus.CHARGED_BACK,
        cluster="c:1",
        run=run,
    )
    gift(given="Partly", family="Back", status=ContributionStatus.REFUNDED, cluster="c:2", run=run)
    gift(given="Partly", family="Back", cluster="c:2", run=run)

    assert counts().unique == 1
    assert counts().naive == 1
    included = counts(refunded_rule=RefundedRule.INCLUDE)
    assert (included.unique, included.naive) == (2, 2)


def test_per_state_counts_cover_states_dc_and_territories_and_a_mover_counts_where_they_gave_last(
    run,
):
    gift(given="Mo", family="Ver", state="IA", on=date(2019, 2, 1), cluster="c:1", run=run)
    gift(
        given="Mo",
        family="Ver",
        state="New Hampshire",
        postal="03301",
        on=date(2019, 5, 1),
        cluster="c:1",
        run=run,
    )
    gift(given="Dee", family="Cee", state="DC", postal="20001", cluster="c:2", run=run)
    gift(given="Pat", family="Rico", state="pr", postal="00901", cluster="c:3", run=run)
    gift(given="No", family="State", state="", cluster="c:4", run=run)

    result = counts()
    by_state = {row.code: row for row in result.by_state}

    assert len(by_state) == 56
    assert by_state["NH"].unique == 1 and by_state["IA"].unique == 0
    # The naive key sees two people (two ZIPs), one in each state.
    assert by_state["IA"].naive == 1 and by_state["NH"].naive == 1
    assert by_state["DC"].unique == 1 and by_state["PR"].unique == 1
    assert result.no_state_unique == 1
    assert result.unique == 4
    assert counts(state="NH").unique == 1
    assert counts(state="Puerto Rico").naive == 1


def test_a_gift_newer_than_the_last_run_uses_its_persons_cluster_else_the_naive_key(
    run, django_user_model
):
    from groundswell.identity.models import ClusterMembership, RecordKind
    from groundswell.people.models import Person

    person = Person.objects.create(given_name="Kim", family_name="Linked")
    ClusterMembership.objects.create(
        record_kind=RecordKind.PERSON, record_id=person.pk, cluster_key=f"p:{person.pk}", run=run
    )
    gift(given="Kim", family="Linked", person=person, cluster=f"p:{person.pk}", run=run)
    gift(given="Kimberly", family="Linked", person=person)  # no membership of its own yet
    gift(given="New", family="Donor")  # nobody knows them yet

    result = counts()

    assert result.unique == 2
    assert result.unresolved == 1  # Kimberly is placed through her person


def test_without_a_finished_run_there_is_no_unique_count_but_the_naive_one_is_there():
    gift(given="Early", family="Bird")

    result = counts()

    assert result.unique is None and result.run is None
    assert result.naive == 1


def test_the_count_changes_when_a_new_run_regroups_the_records(run):
    from groundswell.identity.models import ClusterMembership

    first = gift(given="Sam", family="Splitt", cluster="c:1", run=run)
    gift(given="Samuel", family="Splitt", cluster="c:2", run=run)
    assert counts().unique == 2

    later = finished_run()
    ClusterMembership.objects.filter(cluster_key="c:2").update(
        cluster_key=f"c:{first.pk}", run=later
    )
    ClusterMembership.objects.filter(cluster_key="c:1").update(
        cluster_key=f"c:{first.pk}", run=later
    )

    assert counts().unique == 1


def test_state_codes_and_naive_keys_are_normalised_as_documented():
    assert state_code("iowa") == "IA"
    assert state_code(" D.C. ") == "DC"
    assert state_code("Washington, D.C.") == "DC"
    assert state_code("AE") == ""  # military mail is not a state
    assert state_code("Narnia") == ""
    assert naive_key(" ROBERT ", "smith", "50309-1234") == naive_key("robert", "SMITH", "50309")
    assert naive_key("Bob", "Smith", "50309") != naive_key("Robert", "Smith", "50309")


def test_an_unknown_state_or_refund_rule_is_refused():
    with pytest.raises(ValueError, match="unknown state"):
        counts(state="Atlantis")
    with pytest.raises(ValueError, match="refunded rule"):
        counts(refunded_rule="sometimes")


def test_the_state_table_sorts_by_any_column(run):
    gift(given="A", family="One", state="VT", cluster="c:1", run=run)
    gift(given="B", family="Two", state="OH", cluster="c:2", run=run)
    gift(given="C", family="Three", state="OH", cluster="c:3", run=run)
    rows = counts().by_state

    assert [r.code for r in state_counts_sorted(rows, "-unique")[:2]] == ["OH", "VT"]
    assert state_counts_sorted(rows, "name")[0].name == "Alabama"
    assert state_counts_sorted(rows, "-name")[0].name == "Wyoming"
