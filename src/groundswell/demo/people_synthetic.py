"""Synthetic supporters for the demo campaign and for benchmarks.

Deterministic for a given seed. Faker builds small pools of names, streets and places once;
people are then combined from the pools with one seeded random generator, which is fast enough
to make a million people in a few seconds and keeps every run with the same seed identical.
All people are invented; e-mail addresses use reserved example domains so nothing can be sent.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from groundswell.people.intake import person_input_clean

# Resident population in thousands (2020 census, rounded): people spread over the states
# roughly as Americans are.
STATE_POPULATION_K = {
    "CA": 39538,
    "TX": 29146,
    "FL": 21538,
    "NY": 20201,
    "PA": 13003,
    "IL": 12813,
    "OH": 11799,
    "GA": 10712,
    "NC": 10439,
    "MI": 10077,
    "NJ": 9289,
    "VA": 8631,
    "WA": 7705,
    "AZ": 7152,
    "MA": 7030,
    "TN": 6911,
    "IN": 6786,
    "MD": 6177,
    "MO": 6154,
    "WI": 5894,
    "CO": 5774,
    "MN": 5706,
    "SC": 5119,
    "AL": 5024,
    "LA": 4658,
    "KY": 4506,
    "OR": 4237,
    "OK": 3959,
    "CT": 3606,
    "UT": 3272,
    "IA": 3190,
    "NV": 3105,
    "AR": 3012,
    "MS": 2961,
    "KS": 2938,
    "NM": 2118,
    "NE": 1962,
    "ID": 1839,
    "WV": 1794,
    "HI": 1455,
    "NH": 1378,
    "ME": 1362,
    "RI": 1097,
    "MT": 1084,
    "DE": 990,
    "SD": 887,
    "ND": 779,
    "AK": 733,
    "DC": 690,
    "VT": 643,
    "WY": 577,
    "PR": 3286,
}

TAGS = [
    "volunteer",
    "donor",
    "petition-signer",
    "event-attendee",
    "canvasser",
    "phonebanker",
    "precinct-captain",
    "newsletter",
    "host",
    "student",
]
TAG_WEIGHTS = [18, 22, 30, 15, 8, 7, 2, 40, 3, 6]
SOURCES = ["website", "petition", "event", "social-ad", "referral", "canvass", "text"]
SOURCE_WEIGHTS = [35, 25, 10, 15, 8, 4, 3]
EMAIL_DOMAINS = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "inbox.example.org",
]
EMPLOYERS = [
    "Self-employed",
    "Retired",
    "Not employed",
    "County Schools",
    "City Hospital",
    "State University",
    "Acme Logistics",
    "Riverside Clinic",
    "Main Street Bakery",
    "Union Local 12",
    "Metro Transit",
    "Public Library",
]
OCCUPATIONS = [
    "Teacher",
    "Nurse",
    "Retired",
    "Not employed",
    "Software engineer",
    "Driver",
    "Electrician",
    "Student",
    "Social worker",
    "Cashier",
    "Attorney",
    "Librarian",
]


@dataclass
class SyntheticPerson:
    raw: dict[str, str]
    joined_at: datetime
    # Later consent changes: (status, method) applied after the person signed up.
    later_status: tuple[str, str] | None


class _Pools:
    def __init__(self, seed: int):
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.given = [fake.first_name() for _ in range(1500)]
        self.middle = [fake.first_name() for _ in range(300)]
        self.family = [fake.last_name() for _ in range(2500)]
        self.streets = [fake.street_name() for _ in range(1500)]
        self.places: dict[str, list[tuple[str, str]]] = {}
        for state in STATE_POPULATION_K:
            self.places[state] = [
                (
                    fake.city(),
                    fake.zipcode_in_state(state)
                    if state != "PR"
                    else f"00{fake.random_int(600, 988)}",
                )
                for _ in range(25)
            ]


CHUNK = 1000
_POOLS: dict[int, _Pools] = {}


def _pools(seed: int) -> _Pools:
    if seed not in _POOLS:
        _POOLS[seed] = _Pools(seed)
    return _POOLS[seed]


def chunk_generate(
    seed: int, chunk: int, total: int, *, start: datetime | None = None, days: int = 730
) -> list[SyntheticPerson]:
    """The people of one chunk of CHUNK; the same (seed, chunk) always gives the same people.

    Chunks are independent so that several processes can make them, and people join in order
    of their index (faster toward the present, as campaigns grow), so no sorting is needed.
    """
    rng = random.Random(f"{seed}:{chunk}")
    pools = _pools(seed)
    states = list(STATE_POPULATION_K)
    weights = list(STATE_POPULATION_K.values())
    # Dates end today so the demo looks current; the people depend on the seed alone.
    start = start or datetime.combine(date.today(), time(12), tzinfo=UTC)
    people = []
    for index in range(chunk * CHUNK, min(total, (chunk + 1) * CHUNK)):
        people.append(_person(rng, pools, index, total, states, weights, start, days))
    return people


def people_generate(
    count: int, *, seed: int = 1, start: datetime | None = None, days: int = 730
) -> Iterator[SyntheticPerson]:
    """Yield ``count`` synthetic supporters who joined over the ``days`` before ``start``."""
    for chunk in range(-(-count // CHUNK)):
        yield from chunk_generate(seed, chunk, count, start=start, days=days)


def chunk_clean(seed: int, chunk: int, total: int) -> list[tuple]:
    """A chunk of people cleaned for the upsert: (PersonInput, joined_at, later_status)."""
    cleaned = []
    for person in chunk_generate(seed, chunk, total):
        data, errors = person_input_clean(person.raw)
        if errors:  # the generator only makes valid people; fail loudly if not
            raise ValueError(f"synthetic person is invalid: {errors}")
        cleaned.append((data, person.joined_at, person.later_status))
    return cleaned


def _person(rng, pools, index, total, states, weights, start, days) -> SyntheticPerson:
    given = rng.choice(pools.given)
    family = rng.choice(pools.family)
    state = rng.choices(states, weights)[0]
    city, zipcode = rng.choice(pools.places[state])
    raw = {
        "given_name": given,
        "family_name": family,
        "email": f"{given}.{family}.{index}@{rng.choice(EMAIL_DOMAINS)}".lower(),
        "address_line1": f"{rng.randint(1, 9999)} {rng.choice(pools.streets)}",
        "city": city,
        "state": state,
        "postal_code": zipcode,
        "tags": ";".join(
            t for t, w in zip(TAGS, TAG_WEIGHTS, strict=True) if rng.random() * 100 < w
        ),
        "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        "email_status": "subscribed",
    }
    if rng.random() < 0.25:
        raw["middle_name"] = rng.choice(pools.middle)
    if rng.random() < 0.45:
        area = rng.randint(201, 989)
        raw["mobile_phone" if rng.random() < 0.7 else "phone"] = (
            f"({area}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        )
        if "mobile_phone" in raw and rng.random() < 0.5:
            raw["sms_status"] = "subscribed"
    if rng.random() < 0.3:
        raw["employer"] = rng.choice(EMPLOYERS)
        raw["occupation"] = rng.choice(OCCUPATIONS)
    if rng.random() < 0.15:
        raw["refcode"] = rng.choice(["fb-spring", "email-0412", "sms-gotv", "yt-bio", "launch-day"])
    later = None
    roll = rng.random()
    if roll < 0.07:
        later = ("unsubscribed", "unsubscribe_link")
    elif roll < 0.09:
        later = ("bouncing", "bounce")
    elif roll < 0.10:
        later = ("previous_bounce", "bounce")
    elif roll < 0.105:
        later = ("spam_complaint", "complaint")
    # Sign-ups accelerate toward the present: the share of the period still to come shrinks.
    remaining = 1 - (index + rng.random()) / max(total, 1)
    joined = start - timedelta(days=days * remaining**1.6)
    return SyntheticPerson(raw=raw, joined_at=joined, later_status=later)


CSV_COLUMNS = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Email",
    "Phone",
    "Mobile Phone",
    "Address",
    "City",
    "State",
    "Zip",
    "Employer",
    "Occupation",
    "Tags",
    "Source",
    "Refcode",
    "Email Status",
]
_CSV_FIELDS = [
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "phone",
    "mobile_phone",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "employer",
    "occupation",
    "tags",
    "source",
    "refcode",
    "email_status",
]


def person_csv_row(person: SyntheticPerson) -> list[str]:
    return [person.raw.get(name, "") for name in _CSV_FIELDS]


def malformed_csv_row(rng: random.Random, index: int) -> tuple[list[str], str]:
    """A row an import must reject, and why (for benchmarks and tests)."""
    kind = index % 4
    row = [""] * len(CSV_COLUMNS)
    row[0], row[2] = "Broken", f"Row{index}"
    if kind == 0:
        row[3] = f"broken{index}.example.com"  # no @
        return row, "invalid e-mail"
    if kind == 1:
        row[3] = f"broken{index}@example.org"
        row[8] = "ZZ"  # not a state
        return row, "invalid state"
    if kind == 2:
        row[3] = f"broken{index}@example.org"
        row[9] = "12"  # not a ZIP
        return row, "invalid ZIP"
    return row, "no e-mail or phone"
