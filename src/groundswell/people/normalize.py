"""Normalisation and verification of what people type: names, e-mail, phones, US addresses.

Every function here is pure (no database, no network) so that an import can call it a hundred
thousand times; the network part of e-mail verification (MX) is a separate background task.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import phonenumbers
import usaddress
from email_validator import EmailNotValidError, validate_email
from rapidfuzz.distance import Levenshtein

# ---------------------------------------------------------------- names


def name_key(value: str) -> str:
    """A search key: accents stripped, lower case, letters and digits only."""
    folded = unicodedata.normalize("NFKD", value or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", folded.lower())[:100]


def clean_text(value: str | None, max_length: int) -> str:
    """Collapse whitespace and drop control characters; raise if too long."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if not text.isprintable():  # rare: only then pay for a per-character scan
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    if len(text) > max_length:
        raise ValueError(f"is longer than {max_length} characters")
    return text


# ---------------------------------------------------------------- e-mail

ROLE_LOCAL_PARTS = frozenset(
    [
        "abuse",
        "admin",
        "administrator",
        "billing",
        "contact",
        "customerservice",
        "devnull",
        "do-not-reply",
        "donotreply",
        "enquiries",
        "feedback",
        "help",
        "hello",
        "hostmaster",
        "info",
        "inquiries",
        "jobs",
        "mail",
        "mailer-daemon",
        "marketing",
        "media",
        "news",
        "newsletter",
        "no-reply",
        "noc",
        "noreply",
        "office",
        "postmaster",
        "press",
        "privacy",
        "root",
        "sales",
        "security",
        "service",
        "staff",
        "support",
        "team",
        "webmaster",
    ]
)

# Mailbox providers most supporters use; a domain one or two edits away is likely a typo.
COMMON_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "comcast.net",
    "msn.com",
    "live.com",
    "me.com",
    "att.net",
    "verizon.net",
    "sbcglobal.net",
    "protonmail.com",
    "proton.me",
    "ymail.com",
    "mac.com",
    "cox.net",
    "charter.net",
    "bellsouth.net",
    "earthlink.net",
    "optonline.net",
    "rocketmail.com",
    "googlemail.com",
)


@lru_cache(maxsize=1)
def disposable_domains() -> frozenset[str]:
    text = resources.files("groundswell.people").joinpath("data/disposable_domains.txt")
    return frozenset(
        line.strip()
        for line in text.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


@dataclass
class EmailVerdict:
    address: str  # normalised, lower case
    verdict: str  # valid / risky / invalid
    is_disposable: bool = False
    is_role: bool = False
    suggestion: str = ""
    problems: list[str] = field(default_factory=list)


class InvalidEmail(ValueError):
    pass


_EMAIL_EXAMPLE = "an address looks like jane@example.com"


def email_problem(text: str) -> str:
    """What is wrong with an address the validator refused, in the campaign's words.

    The validator's own sentences ("The part after the @-sign is not valid. It should have a
    period.") are written for programmers; supporters and staff read these instead.
    """
    local, at, domain = text.rpartition("@")
    if not at:
        return f"the @ sign is missing ({_EMAIL_EXAMPLE})"
    if "@" in local:
        return "it has more than one @ sign"
    if any(ch.isspace() for ch in text):
        return "it contains a space"
    if not local:
        return f"there is nothing before the @ sign ({_EMAIL_EXAMPLE})"
    if not domain:
        return f"there is nothing after the @ sign ({_EMAIL_EXAMPLE})"
    if len(local) > 64:
        return "the part before the @ sign is longer than 64 characters"
    if "." not in domain.strip("."):
        return f"the part after the @ sign needs a dot, as in example.com ({_EMAIL_EXAMPLE})"
    if ".." in text or text.startswith(".") or local.endswith(".") or domain[:1] in ".-":
        return "a dot or hyphen is out of place; check it for typos"
    if domain.endswith("."):
        return "it ends with a dot"
    return "check it for typos or characters that do not belong in an address"


def _suggest_domain(domain: str) -> str:
    if domain in COMMON_DOMAINS:
        return ""
    best, best_distance = "", 3
    for known in COMMON_DOMAINS:
        distance = Levenshtein.distance(domain, known, score_cutoff=2)
        if distance < best_distance:
            best, best_distance = known, distance
    return best if best_distance <= 2 else ""


@lru_cache(maxsize=65536)
def email_verify(raw: str) -> EmailVerdict:
    """Check syntax, normalise, flag disposable and role accounts, suggest typo fixes.

    Raises InvalidEmail with a reader-facing reason when the address cannot be used.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidEmail("is empty")
    if len(text) > 254:
        raise InvalidEmail("is longer than 254 characters")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidEmail(f"is not a valid e-mail address: {email_problem(text)}") from None
    # Lower-case the whole address: supporters type their address in any case, and campaigns
    # must not count Jane@Example.com and jane@example.com as two people.
    address = result.normalized.lower()
    local, _, domain = address.rpartition("@")
    verdict = EmailVerdict(address=address, verdict="valid")
    if domain in disposable_domains():
        verdict.is_disposable = True
        verdict.problems.append("disposable mailbox")
    if local in ROLE_LOCAL_PARTS:
        verdict.is_role = True
        verdict.problems.append("role account")
    suggested = _suggest_domain(domain)
    if suggested:
        verdict.suggestion = f"{local}@{suggested}"
        verdict.problems.append(f"did you mean {verdict.suggestion}?")
    if verdict.problems:
        verdict.verdict = "risky"
    return verdict


# ---------------------------------------------------------------- phones


class InvalidPhone(ValueError):
    pass


@lru_cache(maxsize=65536)
def phone_normalize(raw: str, region: str = "US") -> str:
    """Return the E.164 form of a phone number, or raise InvalidPhone."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("is empty")
    if len(text) > 40:
        raise InvalidPhone("is longer than 40 characters")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone("has the wrong number of digits for a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------- US addresses

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "FM": "Federated States of Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
    "MP": "Northern Mariana Islands",
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}
_STATE_BY_NAME = {name_key(v): k for k, v in US_STATES.items()}

# Street suffixes and directions as the postal service abbreviates them.
_SUFFIXES = {
    "alley": "Aly",
    "avenue": "Ave",
    "av": "Ave",
    "ave": "Ave",
    "boulevard": "Blvd",
    "blvd": "Blvd",
    "circle": "Cir",
    "cir": "Cir",
    "court": "Ct",
    "ct": "Ct",
    "cove": "Cv",
    "drive": "Dr",
    "dr": "Dr",
    "expressway": "Expy",
    "freeway": "Fwy",
    "highway": "Hwy",
    "hwy": "Hwy",
    "lane": "Ln",
    "ln": "Ln",
    "parkway": "Pkwy",
    "pkwy": "Pkwy",
    "place": "Pl",
    "pl": "Pl",
    "plaza": "Plz",
    "road": "Rd",
    "rd": "Rd",
    "square": "Sq",
    "street": "St",
    "st": "St",
    "str": "St",
    "terrace": "Ter",
    "ter": "Ter",
    "trail": "Trl",
    "way": "Way",
    "loop": "Loop",
    "path": "Path",
    "pike": "Pike",
    "run": "Run",
    "point": "Pt",
    "crossing": "Xing",
    "heights": "Hts",
    "ridge": "Rdg",
    "row": "Row",
    "walk": "Walk",
}
_DIRECTIONS = {
    "north": "N",
    "south": "S",
    "east": "E",
    "west": "W",
    "northeast": "NE",
    "northwest": "NW",
    "southeast": "SE",
    "southwest": "SW",
    "n": "N",
    "s": "S",
    "e": "E",
    "w": "W",
    "ne": "NE",
    "nw": "NW",
    "se": "SE",
    "sw": "SW",
}
_UNITS = {
    "apartment": "Apt",
    "apt": "Apt",
    "suite": "Ste",
    "ste": "Ste",
    "unit": "Unit",
    "floor": "Fl",
    "fl": "Fl",
    "room": "Rm",
    "rm": "Rm",
    "#": "#",
    "building": "Bldg",
    "bldg": "Bldg",
    "lot": "Lot",
    "trailer": "Trlr",
}


class InvalidAddress(ValueError):
    pass


def state_normalize(raw: str) -> str:
    """Two-letter code for a US state, DC or territory given as code or name."""
    text = (raw or "").strip()
    if not text:
        return ""
    code = text.upper().replace(".", "")
    if code in US_STATES:
        return code
    by_name = _STATE_BY_NAME.get(name_key(text))
    if by_name:
        return by_name
    raise InvalidAddress(f"{text!r} is not a US state, DC or territory")


ZIP_PROBLEM = "must be five digits (such as 19104) or ZIP+4 (such as 19104-1234)"
# ASCII digits only: \d would pass other scripts' digits, which no ZIP is written in.
_ZIP_TYPED = re.compile(r"^([0-9]{5})(?:[ -]?([0-9]{4}))?$")


def postal_code_normalize(raw: str, country: str = "US", *, zeros_lost: bool = True) -> str:
    """A US ZIP as ``12345`` or ``12345-6789``; other countries' codes as given (12 at most).

    ``zeros_lost``: the value comes from a spreadsheet or file, where a number-typed column
    drops the leading zero of New England ZIP codes (2134 is 02134), so 3-4 and 7-8 digits are
    repaired. A person typing their own ZIP does not lose zeros: there "1910" is a typo (of
    19104?), refused rather than guessed as 01910, and only 5 digits or ZIP+4 pass.
    """
    text = (raw or "").strip()
    if not text or country != "US":
        return text[:12]
    if not zeros_lost:
        match = _ZIP_TYPED.match(text)
        if match is None:
            raise InvalidAddress(ZIP_PROBLEM)
        zip5, plus4 = match.groups()
        return f"{zip5}-{plus4}" if plus4 else zip5
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) in (3, 4):
        digits = digits.zfill(5)
    elif len(digits) in (7, 8):
        digits = digits.zfill(9)
    if len(digits) == 5:
        return digits
    if len(digits) == 9:
        return f"{digits[:5]}-{digits[5:]}"
    raise InvalidAddress(ZIP_PROBLEM)


def _title(word: str) -> str:
    if any(ch.isdigit() for ch in word):
        return word.upper()
    return word[:1].upper() + word[1:].lower() if word.isupper() or word.islower() else word


@lru_cache(maxsize=65536)
def street_normalize(raw: str) -> tuple[str, str]:
    """Parse a US street line with usaddress; return (line1, unit line) in postal style.

    A line usaddress cannot tag is returned tidied but otherwise as typed: an address we do
    not understand is still the supporter's address.
    """
    text = " ".join((raw or "").replace(",", " ").split())
    if not text:
        return "", ""
    try:
        tagged, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return " ".join(_title(w) for w in text.split()), ""
    if kind not in ("Street Address", "Ambiguous"):
        return " ".join(_title(w) for w in text.split()), ""
    parts, unit = [], []
    for label, value in tagged.items():
        value = value.strip().rstrip(".")
        low = value.lower()
        if label in ("StreetNamePreDirectional", "StreetNamePostDirectional"):
            parts.append(_DIRECTIONS.get(low, _title(value)))
        elif label == "StreetNamePostType":
            parts.append(_SUFFIXES.get(low, _title(value)))
        elif label in ("OccupancyType", "SubaddressType"):
            unit.append(_UNITS.get(low, _title(value)))
        elif label in ("OccupancyIdentifier", "SubaddressIdentifier"):
            unit.append(value.upper() if len(value) <= 4 else _title(value))
        elif label in ("PlaceName", "StateName", "ZipCode", "CountryName", "Recipient"):
            continue
        else:
            parts.append(" ".join(_title(w) for w in value.split()))
    return " ".join(parts), " ".join(unit)
