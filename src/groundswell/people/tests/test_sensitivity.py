"""What people.sensitivity declares hidden, for whom."""

import pytest

from groundswell.people import sensitivity


@pytest.fixture
def organizer(make_user):
    return make_user("organizer")


@pytest.fixture
def finance(make_user):
    return make_user("finance")


def test_the_donation_kinds_are_hidden_from_an_organizer_and_shown_to_finance(organizer, finance):
    hidden = sensitivity.activity_kinds_hidden(user=organizer)
    assert {"donation", "donation_refund", "donation_compliance", "best_efforts_answer"} <= set(
        hidden
    )
    assert "signup" not in hidden
    assert sensitivity.activity_kinds_hidden(user=finance) == []


@pytest.mark.parametrize(
    "source",
    ["ActBlue", "actblue", "ActBlue webhook", "ActBlue  CSV", "Donation page spring-match"],
)
def test_a_source_that_says_someone_gave_is_blank_for_an_organizer(organizer, finance, source):
    assert sensitivity.source_shown(source, user=organizer) == ""
    assert sensitivity.source_shown(source, user=finance) == source


@pytest.mark.parametrize("source", ["", "Sign-up page", "ActBlueberry picking", "VAN export"])
def test_other_sources_are_shown_to_everyone(organizer, source):
    assert sensitivity.source_shown(source, user=organizer) == source


def test_a_kind_cannot_be_declared_twice_with_different_capabilities():
    with pytest.raises(ValueError, match="already needs"):
        sensitivity.activity_kind_register("donation", capability="people.view")
    sensitivity.activity_kind_register("donation", capability="finance.view")  # the same again


def test_employer_and_occupation_are_hidden_from_an_organizer(organizer, finance):
    assert sensitivity.person_fields_hidden(user=organizer) == ("employer", "occupation")
    assert sensitivity.person_fields_hidden(user=finance) == ()
