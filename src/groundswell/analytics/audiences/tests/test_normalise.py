"""Each platform's normalisation, checked against strings normalised by hand from the
platforms' own guides (Meta's "How to format a customer list"; Google Ads' "Format your
customer data file" and the Customer Match API's "Prepare user data"). Expected hashes are
hashlib's digest of the hand-written string, never our function's output."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.analytics.audiences import normalise as n
from groundswell.core.tests.hostile import SUITE


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_sha256_is_the_lowercase_hex_digest_of_the_utf8_text():
    # The well-known SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    assert n.sha256_hex("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert n.sha256_hex("émilie") == sha("émilie")
    assert n.sha256_hex("") == ""


@pytest.mark.parametrize(
    ("raw", "meta", "google"),
    [
        ("  John.Doe@Gmail.com ", "john.doe@gmail.com", "johndoe@gmail.com"),
        ("A.B.C@googlemail.com", "a.b.c@googlemail.com", "abc@googlemail.com"),
        ("Jane.Roe@Example.org", "jane.roe@example.org", "jane.roe@example.org"),
        ("jo+news@example.org", "jo+news@example.org", "jo+news@example.org"),
        ("not-an-address", "", ""),
        ("two@@example.org", "", ""),
        ("", "", ""),
    ],
)
def test_emails_are_trimmed_lowercased_and_gmail_dots_dropped_for_google_only(raw, meta, google):
    assert n.meta_email(raw) == meta
    assert n.google_email(raw) == google


@pytest.mark.parametrize(
    ("raw", "meta", "google"),
    [
        # Meta's own examples: "1-234-567-8910", "12345678910", "+44 844 412 4653".
        ("1-234-567-8910", "12345678910", "+12345678910"),
        ("12345678910", "12345678910", "+12345678910"),
        ("+44 844 412 4653", "448444124653", "+448444124653"),
        ("+1 (614) 555-0147", "16145550147", "+16145550147"),
        ("614-555-0147", "16145550147", "+16145550147"),  # stored without a code: US
        ("0044 20 7946 0958", "442079460958", "+442079460958"),
        ("555-0147", "", ""),
        ("call me", "", ""),
        ("+1234567890123456789", "", ""),
    ],
)
def test_phones_have_the_country_code_without_plus_for_meta_and_e164_for_google(raw, meta, google):
    assert n.meta_phone(raw) == meta
    assert n.google_phone(raw) == google


@pytest.mark.parametrize(
    ("raw", "meta", "google"),
    [
        ("Mary", "mary", "mary"),
        ("  Émilie ", "émilie", "émilie"),
        ("E\u0301milie", "émilie", "émilie"),  # decomposed accent hashes like the composed one
        ("O'Brien", "obrien", "o'brien"),
        ("Mary-Ann St. Clair", "maryannstclair", "mary-annst.clair"),
        ("F.", "f", "f."),
    ],
)
def test_names_lowercase_meta_without_punctuation_google_without_whitespace(raw, meta, google):
    assert n.meta_name(raw) == meta
    assert n.google_name(raw) == google


def test_zip_state_city_and_country_as_meta_documents():
    assert n.zip_code("43215-1234", "us") == "43215"
    assert n.zip_code(" 02139 ", "us") == "02139"
    assert n.zip_code("4321", "us") == ""
    assert n.zip_code("WC2H 8LG", "gb") == "wc2h8lg"
    assert n.meta_state("OH", "us") == "oh"
    assert n.meta_state("Ohio", "us") == ""
    assert n.meta_city("St. Louis") == "stlouis"
    assert n.country_code("US") == "us"
    assert n.country_code("") == "us"  # a US committee's people: US unless stored otherwise
    assert n.country_code("United States") == ""


HEX64 = re.compile(r"^[0-9a-f]{64}$")


@SUITE
@given(st.text(max_size=300))
def test_any_stored_text_normalises_without_crashing(text):
    for fn in (n.meta_email, n.google_email, n.meta_name, n.google_name, n.meta_city):
        out = fn(text)
        assert isinstance(out, str)
        assert out == "" or HEX64.match(n.sha256_hex(out))
    assert n.meta_name(text) == n.meta_name(n.meta_name(text))  # idempotent
    assert not any(c.isspace() for c in n.meta_name(text) + n.google_name(text))
    phone = n.phone_e164(text)
    assert phone == "" or re.fullmatch(r"\+[1-9]\d{7,14}", phone)
    assert n.meta_phone(text) == phone[1:]
    for country in ("us", "gb", n.country_code(text)):
        assert isinstance(n.zip_code(text, country), str)
        assert isinstance(n.meta_state(text, country), str)
    email = n.google_email(text)
    assert email == "" or email.count("@") == 1
