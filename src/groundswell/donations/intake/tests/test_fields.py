from groundswell.donations.intake.fields import DONOR_FIELDS
from groundswell.people.intake import FIELDS


def test_every_donor_field_is_a_field_the_people_intake_knows():
    assert DONOR_FIELDS
    assert [name for name in DONOR_FIELDS if name not in FIELDS] == []


def test_no_donor_field_is_listed_twice():
    assert len(set(DONOR_FIELDS)) == len(DONOR_FIELDS)
