"""DKIM signatures made with OpenSSL's RSA verify with dkimpy's verifier, whatever the key's PEM."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from groundswell.mailings.message import DKIM_HEADERS
from groundswell.mailings.signing import DkimKeyError, dkim_header

MESSAGE = (
    b"From: Campaign <news@campaign.example.org>\r\n"
    b"To: ada@one.example\r\n"
    b"Subject: Hello   Ada,\r\n  folded\r\n"
    b"Date: Fri, 04 Dec 2026 20:00:00 +0000\r\n"
    b"Message-ID: <abc.def@campaign.example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello Ada,  \r\n\r\nThank you.\r\n\r\n\r\n"
)


def _key(fmt) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def _sign(pem: bytes) -> bytes:
    return dkim_header(
        MESSAGE,
        selector=b"gs2026",
        domain=b"campaign.example.org",
        private_key=pem,
        include_headers=DKIM_HEADERS,
    )


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8],
    ids=["pkcs1", "pkcs8"],
)
def test_a_signature_verifies_and_any_change_to_a_signed_part_breaks_it(fmt):
    pem, record = _key(fmt)
    signed = _sign(pem) + MESSAGE

    def dns(name, timeout=5):
        assert name == b"gs2026._domainkey.campaign.example.org."
        return record

    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert all(len(line) <= 80 for line in signed.split(b"\r\n\r\n")[0].split(b"\r\n"))
    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"Thank you", b"Thank yuo"), dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"Subject: Hello", b"Subject: Hi"), dnsfunc=dns)
    # Relaxed canonicalization: re-folded headers and trailing blank lines still verify.
    assert dkim.verify(signed.replace(b"Hello   Ada", b"Hello Ada") + b"\r\n", dnsfunc=dns)


def test_a_key_of_another_kind_or_no_key_at_all_is_refused_in_words():
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(DkimKeyError, match="must be an RSA key"):
        _sign(ec_pem)
    with pytest.raises(DkimKeyError, match="cannot be read"):
        _sign(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
