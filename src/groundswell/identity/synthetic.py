"""Labelled synthetic contributions for the identity benchmark and tests (no real people).

People are drawn with realistic name frequencies (Faker's US tables plus a long tail of made-up
rare surnames and given names), live at addresses in cities weighted by state population, and
give one or more gifts. Each gift's donor fields carry the noise real contribution files have:
nicknames, typos, initials for given names, "LAST, FIRST M" and "First M Last" forms, letter
case, ZIP+4, missing employer/occupation/street, e-mail and phone on some rows only. Some
people move (a new street, ZIP and often city), some share a household (same surname, street
and ZIP, different given names, sometimes one landline) and some are namesakes (same name in the
same city, different people). Every row carries ``person`` — the truth.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from faker.providers.address.en_US import Provider as Address
from faker.providers.company.en_US import Provider as Company
from faker.providers.job.en_US import Provider as Job
from faker.providers.person.en_US import Provider as Person

from groundswell.identity.normalize import nicknames

# Residents in millions (2020 census, rounded): where donors live.
STATE_POPULATION = {
    "AL": 5.0, "AK": 0.7, "AZ": 7.2, "AR": 3.0, "CA": 39.5, "CO": 5.8, "CT": 3.6, "DE": 1.0,
    "DC": 0.7, "FL": 21.5, "GA": 10.7, "HI": 1.5, "ID": 1.8, "IL": 12.8, "IN": 6.8, "IA": 3.2,
    "KS": 2.9, "KY": 4.5, "LA": 4.7, "ME": 1.4, "MD": 6.2, "MA": 7.0, "MI": 10.1, "MN": 5.7,
    "MS": 3.0, "MO": 6.2, "MT": 1.1, "NE": 2.0, "NV": 3.1, "NH": 1.4, "NJ": 9.3, "NM": 2.1,
    "NY": 20.2, "NC": 10.4, "ND": 0.8, "OH": 11.8, "OK": 4.0, "OR": 4.2, "PA": 13.0, "RI": 1.1,
    "SC": 5.1, "SD": 0.9, "TN": 6.9, "TX": 29.1, "UT": 3.3, "VT": 0.6, "VA": 8.6, "WA": 7.7,
    "WV": 1.8, "WI": 5.9, "WY": 0.6, "PR": 3.3,
}  # fmt: skip
_POSTCODES = {**Address.states_postcode, "DC": (20001, 20599), "PR": (600, 988)}
_SUFFIX_SPELLINGS = {
    "St": ["St", "Street", "St."], "Ave": ["Ave", "Avenue", "Av."], "Rd": ["Rd", "Road"],
    "Dr": ["Dr", "Drive"], "Ln": ["Ln", "Lane"], "Ct": ["Ct", "Court"], "Blvd": ["Blvd",
    "Boulevard"], "Way": ["Way"], "Pl": ["Pl", "Place"], "Cir": ["Cir", "Circle"],
}  # fmt: skip
_SYLLABLES = (
    "ab al an ar as ba be bo bra ca ce chi co da de di do el en er fa fe fi ga ge gi go ha he "
    "hi ho ka ke ki ko kow la le li lo lu ma me mi mo mu na ne ni no nu ol or pa pe pi po ra "
    "re ri ro ru sa se si so ta te ti to tu va ve vi wa we wi ya yo za ze zi"
).split()
_SURNAME_ENDINGS = ["", "", "son", "sen", "berg", "ski", "ez", "ley", "ton", "man", "ic", "ova"]
_DOMAINS = ["example.com", "example.net", "example.org", "mail.example", "inbox.example"]


@dataclass
class Place:
    city: str
    state: str
    zips: list[str]


@dataclass
class Home:
    street: str  # canonical spelling, e.g. "123 N Oak St"
    number: str
    name: str
    suffix: str
    unit: str
    place: Place
    zip5: str
    plus4: str


@dataclass
class Donor:
    person: int
    first: str
    nickname: str
    middle: str
    last: str
    homes: list[Home]
    employer: str
    occupation: str
    email: str
    phone: str
    gifts: int


class Generator:
    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        male = dict(Person.first_names_male)
        female = dict(Person.first_names_female)
        self.first_names = list(male) + list(female)
        self.first_weights = list(male.values()) + list(female.values())
        by_weight = sorted(zip(self.first_weights, self.first_names, strict=True), reverse=True)
        self.common_first = [name for _, name in by_weight[:60]]
        self.common_first_weights = [weight for weight, _ in by_weight[:60]]
        self.last_names = list(Person.last_names)
        self.last_weights = list(Person.last_names.values())
        by_name: dict[str, list[str]] = {}
        for nick, name in nicknames().items():
            by_name.setdefault(name, []).append(nick.title())
        self.nicks = by_name
        self.street_names = self.last_names[:300] + [
            "Oak", "Maple", "Pine", "Cedar", "Elm", "Park", "Lake", "Hill", "Washington",
            "Lincoln", "Jefferson", "Main", "Church", "Spring", "River", "Sunset", "Highland",
            "Meadow", "Forest", "Walnut", "Chestnut", "Willow", "Mill", "Center", "Union",
        ]  # fmt: skip
        self.companies = [
            f"{n} {s}" for n in self.last_names[:400] for s in Company.company_suffixes
        ]
        self.jobs = list(Job.jobs)
        self.places: list[Place] = []
        self.place_weights: list[float] = []
        self.by_state: dict[str, list[Place]] = {}

    def _made_up(self, endings: list[str]) -> str:
        parts = self.rng.randint(2, 3)
        word = "".join(self.rng.choice(_SYLLABLES) for _ in range(parts))
        return (word + self.rng.choice(endings)).title()

    def _places(self, people: int) -> None:
        per_million = max(2, int(people / 2000))
        for state, millions in STATE_POPULATION.items():
            low, high = _POSTCODES[state]
            count = max(2, int(per_million * millions / 10))
            for _ in range(count):
                base = self.rng.randint(low, high)
                zips = [f"{min(high, base + k):05d}" for k in range(self.rng.randint(1, 6))]
                place = Place(self._made_up(["", "ville", "ton", " City", "burg", " Falls"]),
                              state, sorted(set(zips)))  # fmt: skip
                self.places.append(place)
                self.place_weights.append(millions / count)
                self.by_state.setdefault(state, []).append(place)

    def _home(self, place: Place | None = None) -> Home:
        place = place or self.rng.choices(self.places, self.place_weights)[0]
        number = str(self.rng.randint(1, 9999))
        name = self.rng.choice(self.street_names)
        suffix = self.rng.choice(list(_SUFFIX_SPELLINGS))
        direction = self.rng.choice(["", "", "", "", "N", "S", "E", "W"])
        unit = f"Apt {self.rng.randint(1, 40)}" if self.rng.random() < 0.15 else ""
        street = " ".join(p for p in (number, direction, name, suffix) if p)
        plus4 = f"{self.rng.randint(1, 9999):04d}"
        return Home(street, number, name, suffix, unit, place, self.rng.choice(place.zips), plus4)

    def _first(self, avoid: set[str] = frozenset()) -> str:
        for _ in range(20):
            if self.rng.random() < 0.08:
                name = self._made_up(["", "a", "o", "el", "ia", "an"])
            else:
                name = self.rng.choices(self.first_names, self.first_weights)[0]
            if name.upper() not in avoid:
                return name
        return name

    def _last(self) -> str:
        if self.rng.random() < 0.45:
            return self._made_up(_SURNAME_ENDINGS)
        return self.rng.choices(self.last_names, self.last_weights)[0]

    def _donor(self, person: int, *, first=None, last=None, home=None, phone=None) -> Donor:
        rng = self.rng
        first = first or self._first()
        last = last or self._last()
        homes = [home or self._home()]
        if rng.random() < 0.10:  # a mover: another street and ZIP, often another city or state
            if rng.random() < 0.3:
                homes.append(self._home(homes[0].place))
            else:
                homes.append(self._home())
        nick_options = self.nicks.get(first.upper(), [])
        nickname = rng.choice(nick_options) if nick_options and rng.random() < 0.4 else ""
        retired = rng.random() < 0.2
        email = ""
        if rng.random() < 0.6:
            handle = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{last}{first[:3]}"])
            email = f"{handle.lower()}{rng.randint(1, 999)}@{rng.choice(_DOMAINS)}"
        if phone is None and rng.random() < 0.4:
            phone = f"{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if rng.random() < 0.08:  # a monthly recurring donor
            gifts = rng.randint(6, 24)
        else:
            gifts = 1
            while rng.random() < 0.5 and gifts < 40:
                gifts += 1
        return Donor(
            person=person,
            first=first,
            nickname=nickname,
            middle=rng.choice(string.ascii_uppercase) if rng.random() < 0.7 else "",
            last=last,
            homes=homes,
            employer="Retired" if retired else rng.choice(self.companies),
            occupation="Retired" if retired else rng.choice(self.jobs),
            email=email,
            phone=phone or "",
            gifts=gifts,
        )

    def donors(self, records: int) -> list[Donor]:
        """People enough for about ``records`` gifts: households and namesakes included."""
        rng = self.rng
        people_estimate = int(records / 3) + 1
        self._places(people_estimate)
        donors: list[Donor] = []
        total = 0
        while total < records:
            donor = self._donor(len(donors))
            donors.append(donor)
            total += donor.gifts
            roll = rng.random()
            if roll < 0.15:  # a household: same surname and address, a different given name
                taken = {
                    donor.first.upper(),
                    *(n.upper() for n in self.nicks.get(donor.first.upper(), [])),
                }
                other = self._donor(
                    len(donors),
                    first=self._first(taken),
                    last=donor.last,
                    home=donor.homes[0],
                    phone=donor.phone if rng.random() < 0.3 else None,
                )
                other.homes = donor.homes[:1]
                donors.append(other)
                total += other.gifts
            elif roll < 0.18:
                # Namesakes: two people with the same common name in the same city (two
                # Michael Johnsons in one town happen; two people of a rare name rarely do).
                place = donor.homes[0].place
                first = rng.choices(self.common_first, self.common_first_weights)[0]
                last = rng.choices(self.last_names[:100], self.last_weights[:100])[0]
                for _ in range(2):
                    home = self._home(place)
                    other = self._donor(len(donors), first=first, last=last, home=home)
                    other.homes = [home]
                    donors.append(other)
                    total += other.gifts
        return donors

    def _typo(self, text: str) -> str:
        if len(text) < 4:
            return text
        rng = self.rng
        i = rng.randint(1, len(text) - 2)
        kind = rng.random()
        if kind < 0.33:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if kind < 0.66:
            return text[:i] + text[i + 1 :]
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]

    def _case(self, text: str) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return text.upper()
        if roll < 0.35:
            return text.lower()
        return text

    def rows(self, records: int) -> list[dict]:
        """About ``records`` labelled contribution rows (shuffled), each with ``person``."""
        rng = self.rng
        out: list[dict] = []
        for donor in self.donors(records):
            # How often this donor writes the nickname rather than the name (forms differ).
            nickname_share = rng.choice([0.2, 0.5, 0.9]) if donor.nickname else 0.0
            for gift in range(donor.gifts):
                moved = len(donor.homes) > 1 and gift >= donor.gifts // 2
                home = donor.homes[-1] if moved else donor.homes[0]
                first = donor.first
                if donor.nickname and rng.random() < nickname_share:
                    first = donor.nickname
                if rng.random() < 0.02:
                    first = self._typo(first)
                elif rng.random() < 0.03:
                    first = donor.first[0]  # the initial of the name, not of a nickname
                last = self._typo(donor.last) if rng.random() < 0.02 else donor.last
                middle = donor.middle if rng.random() < 0.6 else ""
                form = rng.random()
                row = {"person": donor.person, "full_name": None, "given_name": None,
                       "family_name": None}  # fmt: skip
                if form < 0.5:
                    row["given_name"] = self._case(f"{first} {middle}".strip())
                    row["family_name"] = self._case(last)
                elif form < 0.8:
                    row["full_name"] = self._case(f"{last}, {first} {middle}".strip())
                else:
                    dotted = f"{middle}." if middle and rng.random() < 0.5 else middle
                    row["full_name"] = self._case(" ".join(p for p in (first, dotted, last) if p))
                suffix = rng.choice(_SUFFIX_SPELLINGS[home.suffix])
                street = home.street.rsplit(" ", 1)[0] + " " + suffix
                if home.unit and rng.random() < 0.7:
                    street += f" {home.unit}"
                if rng.random() < 0.02:
                    street = self._typo(street)
                zip_code = home.zip5
                if rng.random() < 0.3:
                    zip_code = f"{home.zip5}-{home.plus4}"
                elif rng.random() < 0.01:
                    zip_code = self._typo(zip_code)
                row.update(
                    street=self._case(street) if rng.random() > 0.03 else None,
                    city=self._case(home.place.city),
                    state=home.place.state,
                    postal_code=zip_code,
                    employer=donor.employer if rng.random() > 0.15 else None,
                    occupation=donor.occupation if rng.random() > 0.1 else None,
                    email=(donor.email.upper() if rng.random() < 0.1 else donor.email)
                    if donor.email and rng.random() < 0.7
                    else None,
                    phone=_phone_format(donor.phone, rng)
                    if donor.phone and rng.random() < 0.6
                    else None,
                )  # fmt: skip
                out.append(row)
        rng.shuffle(out)
        for index, row in enumerate(out):
            row["unique_id"] = index
        return out


def _phone_format(digits: str, rng: random.Random) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1{digits}", digits])


def contributions(records: int, *, seed: int = 7) -> list[dict]:
    """About ``records`` labelled synthetic contribution rows."""
    return Generator(seed).rows(records)
