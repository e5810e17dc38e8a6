"""Each ad platform's documented normalisation of an identifier, then its SHA-256 hex.

Pure functions of stored text: no database, no settings, so the tests can check them against
strings normalised by hand. Every function returns "" for a value that cannot be made into a
usable identifier; it never raises, whatever the stored text holds (odd Unicode included).

Sources (read December 2026):
- Meta, "How to format a customer list" and the Marketing API's hashing and normalising
  rules: e-mail trimmed and lowercase; phone digits only with the country code, no "+" and no
  leading zeros; first and last name lowercase letters without punctuation (UTF-8 letters with
  accents allowed); ZIP lowercase without spaces or dashes, US ZIPs only their first 5 digits;
  state the 2-letter code in lowercase; city lowercase letters only; country the ISO 3166-1
  alpha-2 code in lowercase. Every column is hashed.
- Google Ads, "Format your customer data file" and the Customer Match API guides: e-mail
  lowercase with whitespace removed, and for gmail.com / googlemail.com addresses the dots
  before the "@" removed; phone in E.164 with "+" and the country code; first and last name
  lowercase with whitespace removed; Country (ISO two-letter code) and Zip are sent in the
  clear, not hashed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Campaigns are US committees: a stored number without a country code is a US number.
DEFAULT_COUNTRY = "us"
_DIGITS = re.compile(r"\d")
_US_ZIP = re.compile(r"^\s*(\d{5})(?:[\s-]?\d{4})?\s*$")
_EMAIL_LOCAL_DOMAIN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def sha256_hex(value: str) -> str:
    """The lowercase hex SHA-256 of the UTF-8 text; "" stays "" (an empty cell, not a hash)."""
    if not value:
        return ""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _text(value: object) -> str:
    # Stored values are text, but a hostile import may leave anything: never raise on it.
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # NFC so "é" typed as e + combining accent hashes like the precomposed letter; surrogates
    # and other unencodable code points are dropped rather than crashing the export.
    text = unicodedata.normalize("NFC", text.encode("utf-8", "ignore").decode("utf-8"))
    return text


def _email_base(value: object) -> str:
    text = "".join(_text(value).split()).lower()
    if len(text) > 254 or not _EMAIL_LOCAL_DOMAIN.match(text):
        return ""
    return text


def meta_email(value: object) -> str:
    """Trimmed and lowercase (Meta: "trim leading and trailing whitespace, lowercase")."""
    return _email_base(value)


def google_email(value: object) -> str:
    """Lowercase, no whitespace, and no dots before the "@" of gmail.com/googlemail.com."""
    text = _email_base(value)
    if not text:
        return ""
    local, _, domain = text.rpartition("@")
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
        if not local:
            return ""
    return f"{local}@{domain}"


def phone_e164(value: object) -> str:
    """The number as E.164 ("+" and 8 to 15 digits), or "" when it cannot be one.

    Stored numbers are E.164 already; a bare 10-digit number (an old import) is taken as US,
    an 11-digit one starting with 1 as US with its country code.
    """
    text = _text(value).strip()
    digits = "".join(_DIGITS.findall(text))
    # Only ASCII digits: other scripts' digits would hash differently from the platform's.
    digits = "".join(d for d in digits if d in "0123456789")
    if not text.startswith("+"):
        if text.startswith("00"):
            digits = digits[2:]  # the international call prefix written instead of "+"
        elif len(digits) == 10:
            digits = "1" + digits
        elif not (len(digits) == 11 and digits.startswith("1")):
            return ""
    digits = digits.lstrip("0")
    if not 8 <= len(digits) <= 15:
        return ""
    return "+" + digits


def meta_phone(value: object) -> str:
    """Digits only with the country code, no "+" and no leading zeros (Meta)."""
    return phone_e164(value)[1:]


def google_phone(value: object) -> str:
    """E.164 with its "+" (Google)."""
    return phone_e164(value)


def meta_name(value: object) -> str:
    """Lowercase letters only: no punctuation, spaces or digits; accented letters kept."""
    text = _text(value).lower()
    kept = "".join(c for c in text if unicodedata.category(c)[0] in "LM")
    return unicodedata.normalize("NFC", kept)


def google_name(value: object) -> str:
    """Lowercase with every whitespace character removed (Google's hashed-name rule)."""
    text = "".join(_text(value).split()).lower()
    # Control and format characters (zero-width joiners, bidi marks) are not part of a name.
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def country_code(value: object) -> str:
    """The ISO 3166-1 alpha-2 code in lowercase, or "" for anything else (US when blank)."""
    text = _text(value).strip().lower() or DEFAULT_COUNTRY
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text
    return ""


def zip_code(value: object, country: str) -> str:
    """A postal code both platforms accept: US ZIPs as their first 5 digits, others lowercase
    without spaces or dashes (Meta's rule; Google takes the same values in the clear)."""
    text = _text(value)
    if country == "us":
        match = _US_ZIP.match(text)
        return match.group(1) if match else ""
    cleaned = "".join(c for c in text.lower() if c.isascii() and c.isalnum())
    return cleaned if 2 <= len(cleaned) <= 10 else ""


def meta_state(value: object, country: str) -> str:
    """A US state as its 2-letter code in lowercase; elsewhere lowercase letters only."""
    letters = "".join(c for c in _text(value).lower() if c.isascii() and c.isalpha())
    if country == "us":
        return letters if len(letters) == 2 else ""
    return letters


def meta_city(value: object) -> str:
    """Lowercase letters only, no spaces or punctuation (Meta's "ct")."""
    return meta_name(value)
