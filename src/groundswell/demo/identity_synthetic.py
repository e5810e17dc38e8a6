"""Labelled synthetic contributions for the identity benchmark and tests (no real people).

People are drawn with realistic name frequencies (Faker's US tables plus a long tail of made-up
rare surnames and given names), live at addresses in cities weighted by state population, and
give one or more gifts. Each gift's donor fields carry the noise real contribution files have:
nicknames, typos, initials for given names, "LAST, FIRST M" and "First M Last" forms, letter
case, ZIP+4, missing employer/occupation/street, e-mail and phone on some rows only. Some
people move (a new street, ZIP and often city), some share a household (same surname, street
and ZIP, different given names, sometimes one landline), some are namesakes (same name in the
same city, different people), a father and son share a name and an address (JR and SR, written
on most gifts), and coworkers give through payroll from the office's ZIP+4 (one employer and
job title, most of them sharing a common first name). Retirees write RETIRED, NOT EMPLOYED or
NONE from one gift to the next, and employers come abbreviated or in capitals now and then.
Every row carries ``person`` — the truth.

Rows are made in chunks (``Generator.chunk``) so that ten million of them need neither one core
nor one process's memory: the name, place and employer pools are drawn once from the seed and
shared by every chunk (namesakes and common names collide across the whole data set, as in
life), while the people of a chunk — a donor's gifts, a household's members — come from the
chunk's own seeded stream, so a chunk is the same whichever process makes it and whenever.
``identity_synthetic_parquet`` writes the chunks to one Parquet file from parallel processes.
"""

from __future__ import annotations

import random
import string
from bisect import bisect
from dataclasses import dataclass, replace
from itertools import accumulate

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


# The columns of a generated row, in the order of the Parquet file.
COLUMNS = (
    "unique_id", "person", "full_name", "given_name", "family_name", "street", "city", "state",
    "postal_code", "employer", "occupation", "email", "phone",
)  # fmt: skip


@dataclass
class Place:
    city: str
    state: str
    zips: list[str]


@dataclass
class Home:
    base: str  # canonical spelling without the suffix, e.g. "123 N Oak"
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
    generation: str = ""  # JR or SR (a father and son at one address)


class Weighted:
    """A weighted draw in O(log n): ``random.choices`` re-adds all the weights on every call,
    which over tens of thousands of places made generation quadratic in the data's size."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]
        self.last = len(items) - 1

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total, 0, self.last)]


class Generator:
    """Pools drawn from ``seed`` (places sized for ``records`` gifts); rows chunk by chunk."""

    def __init__(self, seed: int = 7, records: int = 0):
        self.seed = seed
        self.rng = random.Random(seed)
        male = dict(Person.first_names_male)
        female = dict(Person.first_names_female)
        first_names = list(male) + list(female)
        first_weights = list(male.values()) + list(female.values())
        self.first_names = Weighted(first_names, first_weights)
        by_weight = sorted(zip(first_weights, first_names, strict=True), reverse=True)
        self.common_first = Weighted([n for _, n in by_weight[:60]], [w for w, _ in by_weight[:60]])
        last_names = list(Person.last_names)
        last_weights = list(Person.last_names.values())
        self.last_names = Weighted(last_names, last_weights)
        self.common_last = Weighted(last_names[:100], last_weights[:100])
        by_name: dict[str, list[str]] = {}
        for nick, name in nicknames().items():
            by_name.setdefault(name, []).append(nick.title())
        self.nicks = by_name
        self.street_names = last_names[:300] + [
            "Oak", "Maple", "Pine", "Cedar", "Elm", "Park", "Lake", "Hill", "Washington",
            "Lincoln", "Jefferson", "Main", "Church", "Spring", "River", "Sunset", "Highland",
            "Meadow", "Forest", "Walnut", "Chestnut", "Willow", "Mill", "Center", "Union",
        ]  # fmt: skip
        self.suffixes = list(_SUFFIX_SPELLINGS)
        self.companies = [f"{n} {s}" for n in last_names[:400] for s in Company.company_suffixes]
        self.jobs = list(Job.jobs)
        self.by_state: dict[str, list[Place]] = {}
        self.places = self._places(int(records / 3) + 1)

    def _pick(self, items: list):
        return items[int(self.rng.random() * len(items))]

    def _made_up(self, endings: list[str]) -> str:
        pick = self._pick
        word = "".join(pick(_SYLLABLES) for _ in range(2 if self.rng.random() < 0.5 else 3))
        return (word + pick(endings)).title()

    def _places(self, people: int) -> Weighted:
        """Cities weighted by their state's population; more of them for more people."""
        places, weights = [], []
        per_million = max(2, int(people / 2000))
        for state, millions in STATE_POPULATION.items():
            low, high = _POSTCODES[state]
            count = max(2, int(per_million * millions / 10))
            for _ in range(count):
                base = self.rng.randint(low, high)
                zips = [f"{min(high, base + k):05d}" for k in range(self.rng.randint(1, 6))]
                place = Place(self._made_up(["", "ville", "ton", " City", "burg", " Falls"]),
                              state, sorted(set(zips)))  # fmt: skip
                places.append(place)
                weights.append(millions / count)
                self.by_state.setdefault(state, []).append(place)
        return Weighted(places, weights)

    def _home(self, place: Place | None = None) -> Home:
        rng, pick = self.rng, self._pick
        place = place or self.places.draw(rng)
        direction = pick(["", "", "", "", "N", "S", "E", "W"])
        number = str(int(rng.random() * 9999) + 1)
        base = " ".join(p for p in (number, direction, pick(self.street_names)) if p)
        unit = f"Apt {int(rng.random() * 40) + 1}" if rng.random() < 0.15 else ""
        plus4 = f"{int(rng.random() * 9999) + 1:04d}"
        return Home(base, pick(self.suffixes), unit, place, pick(place.zips), plus4)

    def _new_place(self, place: Place) -> Place:
        """Where a mover goes: as in the census's movers, about two in three stay in their
        town, one in five goes elsewhere in the state and about one in seven to another state.
        (Earlier, seven in ten went to a random place, nearly always another state: a move
        that no name, place or employer could follow unless an e-mail or phone came along,
        so the truth asked for links no evidence supports.)"""
        roll = self.rng.random()
        if roll < 0.65:
            return place
        if roll < 0.85:
            return self._pick(self.by_state[place.state])
        return self.places.draw(self.rng)

    def _first(self, avoid: set[str] = frozenset()) -> str:
        for _ in range(20):
            if self.rng.random() < 0.08:
                name = self._made_up(["", "a", "o", "el", "ia", "an"])
            else:
                name = self.first_names.draw(self.rng)
            if name.upper() not in avoid:
                return name
        return name

    def _last(self) -> str:
        if self.rng.random() < 0.45:
            return self._made_up(_SURNAME_ENDINGS)
        return self.last_names.draw(self.rng)

    def _donor(self, person: int, *, first=None, last=None, home=None, phone=None) -> Donor:
        rng, pick = self.rng, self._pick
        first = first or self._first()
        last = last or self._last()
        homes = [home or self._home()]
        if rng.random() < 0.10:  # a mover: another street and ZIP, sometimes another city
            homes.append(self._home(self._new_place(homes[0].place)))
        nick_options = self.nicks.get(first.upper(), [])
        nickname = pick(nick_options) if nick_options and rng.random() < 0.4 else ""
        retired = rng.random() < 0.2
        email = ""
        if rng.random() < 0.6:
            handle = pick([f"{first}.{last}", f"{first[0]}{last}", f"{last}{first[:3]}"])
            email = f"{handle.lower()}{int(rng.random() * 999) + 1}@{pick(_DOMAINS)}"
        if phone is None and rng.random() < 0.4:
            area, exchange = 201 + int(rng.random() * 789), 200 + int(rng.random() * 800)
            phone = f"{area}{exchange}{int(rng.random() * 10000):04d}"
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
            middle=pick(string.ascii_uppercase) if rng.random() < 0.7 else "",
            last=last,
            homes=homes,
            employer="Retired" if retired else pick(self.companies),
            occupation="Retired" if retired else pick(self.jobs),
            email=email,
            phone=phone or "",
            gifts=gifts,
        )

    def donors(self, records: int, first_person: int = 0) -> list[Donor]:
        """People enough for at least ``records`` gifts: households and namesakes included."""
        rng = self.rng
        donors: list[Donor] = []
        total = 0
        while total < records:
            donor = self._donor(first_person + len(donors))
            donors.append(donor)
            total += donor.gifts
            roll = rng.random()
            if roll < 0.15:  # a household: same surname and address, a different given name
                taken = {
                    donor.first.upper(),
                    *(n.upper() for n in self.nicks.get(donor.first.upper(), [])),
                }
                other = self._donor(
                    first_person + len(donors),
                    first=self._first(taken),
                    last=donor.last,
                    home=donor.homes[0],
                    phone=donor.phone if rng.random() < 0.3 else None,
                )
                other.homes = donor.homes[:1]
                donors.append(other)
                total += other.gifts
            elif roll < 0.165:
                # A father and son of one name at one address, each with his generation mark.
                donor.generation = "Sr"
                son = self._donor(
                    first_person + len(donors), first=donor.first, last=donor.last,
                    home=donor.homes[0],
                )  # fmt: skip
                # The same address, its own record of it (a household shares one Home).
                son.homes, son.generation = [replace(donor.homes[0])], "Jr"
                donors.append(son)
                total += son.gifts
            elif roll < 0.175:
                total += self._payroll(donors, first_person)
            elif roll < 0.18:
                # Namesakes: two people with the same common name in the same city (two
                # Michael Johnsons in one town happen; two people of a rare name rarely do).
                place = donor.homes[0].place
                first = self.common_first.draw(rng)
                last = self.common_last.draw(rng)
                for _ in range(2):
                    home = self._home(place)
                    other = self._donor(
                        first_person + len(donors), first=first, last=last, home=home
                    )
                    other.homes = [home]
                    donors.append(other)
                    total += other.gifts
        return donors

    def _payroll(self, donors: list[Donor], first_person: int) -> int:
        """Coworkers giving through the employer's payroll: one employer, job title and
        ZIP+4 (the office's), three to five people, most sharing a common first name (five
        DAVIDs at one company). Returns how many gifts they add."""
        rng = self.rng
        office = self._home()
        employer, occupation = self._pick(self.companies), self._pick(self.jobs)
        first = self.common_first.draw(rng)
        gifts = 0
        for _ in range(rng.randint(3, 5)):
            worker = self._donor(
                first_person + len(donors),
                first=first if rng.random() < 0.8 else None,
                home=office,
            )
            # The office's address, each worker's own record of it (not a household).
            worker.homes = [replace(office)]
            worker.employer, worker.occupation = employer, occupation
            donors.append(worker)
            gifts += worker.gifts
        return gifts

    def _employment(self, donor: Donor) -> tuple[str | None, str | None]:
        """The employer and job as one gift writes them: people retire and write it four ways,
        and write their employer in full, abbreviated or in capitals from one gift to the next."""
        rand, pick = self.rng.random, self._pick
        employer, occupation = donor.employer, donor.occupation
        if employer == "Retired":
            employer = pick(["Retired", "RETIRED", "Not Employed", "None", "N/A"])
            occupation = pick(["Retired", "RETIRED", "Not Employed", "Retired"])
        elif rand() < 0.1:
            words = employer.split()
            employer = words[0] if len(words) > 1 and rand() < 0.5 else employer.upper()
        return (
            employer if rand() > 0.15 else None,
            occupation if rand() > 0.1 else None,
        )

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
        return text[:i] + self._pick(string.ascii_lowercase) + text[i + 1 :]

    def _case(self, text: str) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return text.upper()
        if roll < 0.35:
            return text.lower()
        return text

    def chunk(self, index: int, start: int, count: int) -> list[tuple]:
        """Exactly ``count`` shuffled rows (tuples in COLUMNS order) for chunk ``index``.

        Unique ids are ``start`` … ``start + count - 1``. Every person has a row before the
        cut at ``count``, so person ids also fall in that range: unique across chunks.
        """
        self.rng = rng = random.Random(f"groundswell-synthetic:{self.seed}:{index}")
        rand, case, typo, pick = rng.random, self._case, self._typo, self._pick
        out: list[tuple] = []
        for donor in self.donors(count, first_person=start):
            # How often this donor writes the nickname rather than the name (forms differ).
            nickname_share = pick([0.2, 0.5, 0.9]) if donor.nickname else 0.0
            for gift in range(donor.gifts):
                moved = len(donor.homes) > 1 and gift >= donor.gifts // 2
                home = donor.homes[-1] if moved else donor.homes[0]
                first = donor.first
                if donor.nickname and rand() < nickname_share:
                    first = donor.nickname
                if rand() < 0.02:
                    first = typo(first)
                elif rand() < 0.03:
                    first = donor.first[0]  # the initial of the name, not of a nickname
                last = typo(donor.last) if rand() < 0.02 else donor.last
                if donor.generation and rand() < 0.9:  # written now and then, not always
                    last = f"{last} {pick([donor.generation, donor.generation.upper() + '.'])}"
                middle = donor.middle if rand() < 0.6 else ""
                form = rand()
                full_name = given_name = family_name = None
                if form < 0.5:
                    given_name = case(f"{first} {middle}" if middle else first)
                    family_name = case(last)
                elif form < 0.8:
                    full_name = case(f"{last}, {first} {middle}" if middle else f"{last}, {first}")
                else:
                    dotted = f"{middle}." if middle and rand() < 0.5 else middle
                    full_name = case(f"{first} {dotted} {last}" if dotted else f"{first} {last}")
                street = f"{home.base} {pick(_SUFFIX_SPELLINGS[home.suffix])}"
                if home.unit and rand() < 0.7:
                    street += f" {home.unit}"
                if rand() < 0.02:
                    street = typo(street)
                zip_code = home.zip5
                if rand() < 0.3:
                    zip_code = f"{home.zip5}-{home.plus4}"
                elif rand() < 0.01:
                    zip_code = typo(zip_code)
                email = None
                if donor.email and rand() < 0.7:
                    email = donor.email.upper() if rand() < 0.1 else donor.email
                phone = None
                if donor.phone and rand() < 0.6:
                    phone = _phone_format(donor.phone, rng)
                out.append((
                    0, donor.person, full_name, given_name, family_name,
                    case(street) if rand() > 0.03 else None,
                    case(home.place.city), home.place.state, zip_code,
                    *self._employment(donor),
                    email, phone,
                ))  # fmt: skip
                if len(out) == count:
                    break
            if len(out) == count:
                break
        rng.shuffle(out)
        return [(start + i, *row[1:]) for i, row in enumerate(out)]

    def rows(self, records: int, *, index: int = 0, start: int = 0) -> list[dict]:
        """``records`` labelled contribution rows (shuffled), each with ``person``."""
        return [dict(zip(COLUMNS, row, strict=True)) for row in self.chunk(index, start, records)]


def _phone_format(digits: str, rng: random.Random) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    forms = (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1{digits}", digits)
    return forms[int(rng.random() * 5)]


def contributions(records: int, *, seed: int = 7) -> list[dict]:
    """``records`` labelled synthetic contribution rows (one chunk: for tests and samples)."""
    return Generator(seed, records).rows(records)


# The identity engine trains a small list among synthetic donors (``splink_model._background``);
# the running app reads them from this file, written here so that the app needs no generator.
BACKGROUND_FILE = "background_donors.csv"
BACKGROUND_ROWS = 1500
BACKGROUND_SEED = 1


def background_rows() -> list[dict]:
    """The synthetic donors of the background file: the engine's raw columns, no truth."""
    from groundswell.identity.normalize_sql import RAW_COLUMNS

    rows = contributions(BACKGROUND_ROWS, seed=BACKGROUND_SEED)
    return [
        {"unique_id": row["unique_id"], **{c: row.get(c) or "" for c in RAW_COLUMNS}}
        for row in rows
    ]


def background_write(path) -> None:
    """Write ``background_rows`` as CSV to ``path`` (identity/data/background_donors.csv)."""
    import csv

    from groundswell.identity.normalize_sql import RAW_COLUMNS

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["unique_id", *RAW_COLUMNS])
        writer.writeheader()
        writer.writerows(background_rows())
