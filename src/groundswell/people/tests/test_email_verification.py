import pytest

from groundswell.people.normalize import (
    InvalidAddress,
    InvalidEmail,
    email_verify,
    phone_normalize,
    postal_code_normalize,
    street_normalize,
)


def test_a_plain_address_is_valid_and_lower_cased():
    verdict = email_verify("Jane.Doe@Example.org")
    assert (verdict.address, verdict.verdict) == ("jane.doe@example.org", "valid")


def test_a_disposable_mailbox_is_flagged_risky():
    verdict = email_verify("someone@mailinator.com")
    assert verdict.is_disposable and verdict.verdict == "risky"


def test_a_role_account_is_flagged():
    verdict = email_verify("info@example.org")
    assert verdict.is_role and not verdict.is_disposable


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pat@gmial.com", "pat@gmail.com"),
        ("pat@gmail.con", "pat@gmail.com"),
        ("pat@yaho.com", "pat@yahoo.com"),
        ("pat@hotmial.com", "pat@hotmail.com"),
    ],
)
def test_a_likely_typo_gets_a_suggestion(typed, meant):
    assert email_verify(typed).suggestion == meant


def test_a_well_known_domain_gets_no_suggestion():
    assert email_verify("pat@gmail.com").suggestion == ""


def test_an_unusable_address_says_why():
    with pytest.raises(InvalidEmail, match="the @ sign is missing"):
        email_verify("pat.example.org")


def test_phones_are_stored_in_e164():
    assert phone_normalize("(202) 555-0143") == "+12025550143"
    assert phone_normalize("+44 20 7946 0958") == "+442079460958"


def test_zip_codes_from_a_file_regain_their_leading_zero():
    assert postal_code_normalize("2134") == "02134"
    assert postal_code_normalize("021341234") == "02134-1234"


def test_a_typed_zip_does_not_gain_a_zero_it_never_lost():
    with pytest.raises(InvalidAddress, match="must be five digits"):
        postal_code_normalize("2134", zeros_lost=False)
    assert postal_code_normalize("02134 1234", zeros_lost=False) == "02134-1234"


def test_street_lines_are_put_in_postal_style():
    assert street_normalize("123 north main street apt 4") == ("123 N Main St", "Apt 4")
    assert street_normalize("400 W. Elm Avenue") == ("400 W Elm Ave", "")
