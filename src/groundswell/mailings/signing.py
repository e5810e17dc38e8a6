"""DKIM signatures (RFC 6376: rsa-sha256, relaxed/relaxed) made with OpenSSL's RSA.

dkimpy does what is easy to get subtly wrong — parsing the message, choosing the signed
header fields, relaxed canonicalization of headers and body — and ``cryptography`` makes the
RSA signature. dkimpy's own RSA is pure Python: about 7.7 ms of CPU per message with a
2,048-bit key, which held a signed send near 190 messages/s on 2 cores whatever else we did.
OpenSSL signs in well under a millisecond, and the key is parsed once per process rather than
once per message. The result verifies with dkimpy's verifier (the tests check it).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Sequence
from functools import lru_cache

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from dkim.canonicalization import CanonicalizationPolicy

RELAXED = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
HEADER_NAME = b"DKIM-Signature"


class DkimKeyError(ValueError):
    """The configured key is not an unencrypted RSA private key in PEM."""


@lru_cache(maxsize=4)
def rsa_key_load(pem: bytes) -> rsa.RSAPrivateKey:
    """The RSA private key in ``pem`` (PKCS#1 or PKCS#8), parsed once per process."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise DkimKeyError(f"The DKIM key cannot be read: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DkimKeyError("The DKIM key must be an RSA key (rsa-sha256).")
    return key


def dkim_header(
    raw: bytes,
    *,
    selector: bytes,
    domain: bytes,
    private_key: bytes,
    include_headers: Sequence[bytes],
    timestamp: int | None = None,
) -> bytes:
    """The ``DKIM-Signature:`` header line (folded, CRLF-terminated) for the message ``raw``."""
    key = rsa_key_load(private_key)
    headers, body = dkim.rfc822_parse(raw)
    include = tuple(name.lower() for name in include_headers)
    body_hash = base64.b64encode(hashlib.sha256(RELAXED.canonicalize_body(body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", b"relaxed/relaxed"),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", selector),
        (b"t", str(int(timestamp if timestamp is not None else time.time())).encode("ascii")),
        (b"h", b" : ".join(include)),
        (b"bh", body_hash),
        (b"b", b""),
    ]
    unsigned = b"; ".join(b"=".join(field) for field in fields)
    # The signature covers the chosen header fields and then this header itself with b= empty;
    # relaxed canonicalization unfolds it, so folding it afterwards changes nothing signed.
    hasher = hashlib.sha256()
    dkim.hash_headers(
        hasher,
        RELAXED,
        RELAXED.canonicalize_headers(headers),
        include,
        (HEADER_NAME, b" " + unsigned),
        dict(fields),
    )
    signature = key.sign(hasher.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    value = unsigned + base64.b64encode(signature)
    return HEADER_NAME + b": " + dkim.fold(value, namelen=len(HEADER_NAME)) + b"\r\n"
