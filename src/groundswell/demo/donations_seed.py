"""Demo contributions: what a grassroots campaign's money looks like, noise included.

Mostly small gifts (about $27 on average) with a long tail up to the $3,500 limit and a few
donors past it (so the compliance hold queue has something), monthly and weekly recurring
series, surges in the days before each quarter's FEC deadline, donors spread over the states as
the supporters are, refcodes from e-mail, social and ads, a few refunds and some gifts through
ActBlue. The donor snapshots carry the noise of real donor data — nicknames (Robert/Bob),
initials ("J. Smith"), movers (a new address and ZIP for later gifts), typos, ZIP+4, missing
employers — and some donors are not in the CRM at all (snapshot only), so the finance pages and
identity resolution have something true to show.

Deterministic for a seed and a day. Written in bulk (``core.bulk``) with the timeline entries
``contribution_record`` would have written, rather than one service call per gift, so the demo
stays quick; the donor limit totals are rebuilt once at the end, and the gifts they show past
the limit are held by the compliance rules themselves (``holds_flag``), not by the generator,
which knows who a donor "really" is while compliance counts by donor key. No gift, installment
or refund is dated after the moment the demo is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from faker import Faker

from groundswell.core.bulk import bulk_insert
from groundswell.demo.people_synthetic import EMPLOYERS, OCCUPATIONS, STATE_POPULATION_K
from groundswell.donations.compliance.limits import donor_totals_rebuild
from groundswell.donations.compliance.rules import cycle_for, donor_key_for, election_for, rule_for
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    DonationPage,
    Installment,
    PaymentMethod,
    Processor,
    RecurringPeriod,
    RecurringSeries,
    cents_display,
)
from groundswell.people.models import Activity, Person, PostalAddress

PREFIX = "demo-"
PAGE_SLUG = "give"
EASTERN = ZoneInfo("America/New_York")
# Dollars and weights: most gifts are small; the tail reaches the per-election limit.
AMOUNTS = [5, 10, 15, 20, 25, 27, 35, 50, 100, 250, 500, 1000, 2800, 3500]
AMOUNT_WEIGHTS = [18, 20, 8, 10, 12, 10, 4, 9, 4, 0.8, 0.25, 0.08, 0.02, 0.01]
MONTHLY_AMOUNTS = [10, 15, 20, 25, 27, 27, 35, 50, 100]
WEEKLY_AMOUNTS = [5, 10, 10, 20, 27]
# refcode → share of gifts; "" is a gift with no refcode.
REFCODES = {
    "": 28,
    "email-0412": 14,
    "email-eoq-march": 6,
    "email-eoq-june": 6,
    "email-eoq-sept": 6,
    "fb-spring": 8,
    "ig-story": 4,
    "tw-launch": 3,
    "ads-search-brand": 6,
    "ads-yt-bio": 4,
    "sms-gotv": 7,
    "ads-display-retarget": 4,
}
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will"], "Elizabeth": ["Liz", "Beth"],
    "Michael": ["Mike"], "James": ["Jim", "Jimmy"], "Jennifer": ["Jen", "Jenny"],
    "Katherine": ["Kate", "Katie"], "Christopher": ["Chris"], "Richard": ["Rick", "Rich"],
    "Joseph": ["Joe"], "Thomas": ["Tom"], "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"],
    "Anthony": ["Tony"], "Margaret": ["Maggie", "Peggy"], "Patricia": ["Pat", "Patty"],
    "Susan": ["Sue"], "Deborah": ["Deb"], "Jessica": ["Jess"], "Samantha": ["Sam"],
    "Nicholas": ["Nick"], "Steven": ["Steve"], "Stephen": ["Steve"], "Benjamin": ["Ben"],
    "Alexander": ["Alex"], "Andrew": ["Andy", "Drew"], "David": ["Dave"], "Edward": ["Ed"],
    "Kenneth": ["Ken"], "Timothy": ["Tim"], "Jonathan": ["Jon"], "Rebecca": ["Becky"],
    "Victoria": ["Vicky"], "Gregory": ["Greg"], "Joshua": ["Josh"], "Zachary": ["Zach"],
    "Charles": ["Charlie"], "Donald": ["Don"], "Ronald": ["Ron"], "Kimberly": ["Kim"],
    "Cynthia": ["Cindy"], "Jacqueline": ["Jackie"], "Christina": ["Tina"], "Amanda": ["Mandy"],
}  # fmt: skip


@dataclass
class _Donor:
    """One giver: a CRM person (person_id) or someone known only from their gifts."""

    person_id: int | None
    given: str
    family: str
    email: str
    phone: str
    line1: str
    city: str
    state: str
    postal_code: str
    employer: str
    occupation: str
    moved: dict[str, str] | None = None  # the address of gifts after a move
    gifts: int = 0


def quarter_end_after(day: date) -> date:
    """The last day of the quarter ``day`` is in (an FEC quarterly report's deadline)."""
    month = ((day.month - 1) // 3 + 1) * 3
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _gift_day(rng: random.Random, start: date, today: date) -> date:
    """A day in [start, today]: growing toward the present, surging before quarter ends."""
    span = (today - start).days
    if rng.random() < 0.38:
        # A deadline push: the last days before a quarter closes, heaviest on the final day.
        ends = []
        end = quarter_end_after(start)
        while end <= today:
            ends.append(end)
            end = quarter_end_after(end + timedelta(days=1))
        if ends:
            day = rng.choice(ends) - timedelta(days=int(rng.expovariate(1 / 2.5)))
            return max(start, min(day, today))
    return start + timedelta(days=int(span * rng.random() ** 0.75))


def _when(rng: random.Random, day: date, *, now: datetime) -> datetime:
    """A time of day people give (mostly daytime and evening, Eastern), never after ``now``."""
    hour = rng.choices(range(24), [1] * 6 + [3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 6, 7, 8, 9, 9, 7, 4, 2])[
        0
    ]
    moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), EASTERN)
    if moment <= now:
        return moment
    # Today: the day's shape squeezed into the hours that have passed.
    start = datetime.combine(day, time(0), EASTERN)
    if start >= now:
        return now
    return start + (moment - start) * ((now - start) / timedelta(days=1))


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:  # two letters swapped
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:  # a letter doubled
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1 :]  # a letter dropped


def _snapshot(rng: random.Random, donor: _Donor, nth: int) -> dict[str, str]:
    """The donor as typed into this gift's form: mostly as on file, sometimes not quite."""
    given, family = donor.given, donor.family
    roll = rng.random()
    if roll < 0.10 and given in NICKNAMES:
        given = rng.choice(NICKNAMES[given])
    elif roll < 0.14 and given:
        given = f"{given[0]}."
    elif roll < 0.17:
        family = _typo(rng, family)
    elif roll < 0.19:
        given, family = given.upper(), family.upper()
    place = {
        "line1": donor.line1,
        "city": donor.city,
        "state": donor.state,
        "postal_code": donor.postal_code,
    }
    if donor.moved and nth >= donor.moved["from_gift"]:
        place = {k: v for k, v in donor.moved.items() if k != "from_gift"}
    if place["postal_code"] and len(place["postal_code"]) == 5 and rng.random() < 0.12:
        place["postal_code"] = f"{place['postal_code']}-{rng.randrange(10000):04d}"
    employer, occupation = donor.employer, donor.occupation
    if employer and rng.random() < 0.15:
        employer = ""  # left blank this time: the best-efforts queue follows it up
    return {
        "donor_given_name": given,
        "donor_family_name": family,
        "donor_address_line1": place["line1"],
        "donor_city": place["city"],
        "donor_state": place["state"],
        "donor_postal_code": place["postal_code"],
        "donor_country": "US",
        "donor_employer": employer,
        "donor_occupation": occupation,
        "donor_email": donor.email,
        "donor_phone": donor.phone,
    }


class _Builder:
    def __init__(self, *, seed: int, today: date, page: DonationPage):
        self.rng = random.Random(f"donations:{seed}")
        self.today = today
        self.start = today - timedelta(days=540)
        self.page = page
        self.contributions: list[Contribution] = []
        self.activities: list[Activity] = []
        self.series: list[RecurringSeries] = []
        # series processor key → [(sequence, due_at, processor_id)] for its installments
        self.installments: dict[str, list[tuple[int, datetime, str]]] = {}
        self._rules: dict[int, object] = {}
        self._elections: dict[date, str] = {}
        self._refcodes = list(REFCODES)
        self._refcode_weights = list(REFCODES.values())
        # The moment the demo is made (the end of ``today`` when the demo is dated in the past).
        self.now = min(
            timezone.now(), datetime.combine(today + timedelta(days=1), time(0), EASTERN)
        )

    def election(self, received_at: datetime) -> str:
        day = received_at.date()
        if day not in self._elections:
            self._elections[day] = election_for(
                received_at=received_at, rule=self._rule(received_at)
            )
        return self._elections[day]

    def _rule(self, received_at: datetime):
        cycle = cycle_for(timezone.localdate(received_at))
        if cycle not in self._rules:
            self._rules[cycle] = rule_for(received_at=received_at)
        return self._rules[cycle]

    def gift(
        self,
        donor: _Donor,
        *,
        cents: int,
        received_at: datetime,
        processor: str = Processor.STRIPE,
        refcode: str | None = None,
        series: RecurringSeries | None = None,
    ) -> Contribution:
        rng = self.rng
        number = len(self.contributions) + 1
        processor_id = f"{PREFIX}{number:06d}"
        if refcode is None:
            refcode = rng.choices(self._refcodes, self._refcode_weights)[0]
        snapshot = _snapshot(rng, donor, donor.gifts)
        donor.gifts += 1
        election = self.election(received_at)
        key = donor_key_for(
            person_id=donor.person_id,
            given_name=snapshot["donor_given_name"],
            family_name=snapshot["donor_family_name"],
            postal_code=snapshot["donor_postal_code"],
        )
        contribution = Contribution(
            amount_cents=cents,
            received_at=received_at,
            created_at=received_at,
            processor=processor,
            processor_id=processor_id,
            order_number=f"AB{number:07d}" if processor == Processor.ACTBLUE else "",
            refcode=refcode,
            refcodes={"refcode": refcode} if refcode else {},
            form_name="campaign-actblue" if processor == Processor.ACTBLUE else self.page.slug,
            page=self.page if processor == Processor.STRIPE else None,
            election=election,
            payment_method=PaymentMethod.CHECK
            if processor == Processor.OFFLINE
            else PaymentMethod.CARD,
            is_recurring=series is not None,
            recurring_period=series.period if series else RecurringPeriod.ONCE,
            recurring_series_key=series.processor_key if series else "",
            person_id=donor.person_id,
            donor_key=key,
            **snapshot,
        )
        contribution._series_key = series.processor_key if series else ""
        self.contributions.append(contribution)
        if donor.person_id:
            label = Processor(processor).label
            self.activities.append(
                Activity(
                    person_id=donor.person_id,
                    kind="donation",
                    occurred_at=received_at,
                    summary=f"Gave {cents_display(cents)} via {label}",
                    data={
                        "amount_cents": cents,
                        "processor": processor,
                        "processor_id": processor_id,
                        "refcode": refcode,
                    },
                    dedupe_key=f"contribution:{processor}:{processor_id}",
                )
            )
        return contribution

    def one_time_gifts(self, donor: _Donor) -> None:
        rng = self.rng
        count = 1 + min(int(rng.expovariate(1 / 1.3)), 9)
        for _ in range(count):
            received_at = _when(rng, _gift_day(rng, self.start, self.today), now=self.now)
            roll = rng.random()
            processor = (
                Processor.ACTBLUE
                if roll < 0.08
                else Processor.OFFLINE
                if roll < 0.10
                else Processor.STRIPE
            )
            dollars = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
            if processor == Processor.OFFLINE:
                dollars = max(dollars, 25)  # checks, rarely tiny
            self.gift(donor, cents=dollars * 100, received_at=received_at, processor=processor)

    def recurring(self, donor: _Donor, *, period: str) -> None:
        rng = self.rng
        step = timedelta(weeks=1) if period == RecurringPeriod.WEEKLY else None
        amount = rng.choice(WEEKLY_AMOUNTS if step else MONTHLY_AMOUNTS) * 100
        began = _when(
            rng,
            self.start + timedelta(days=rng.randrange((self.today - self.start).days)),
            now=self.now,
        )
        key = f"{PREFIX}series-{len(self.series) + 1:05d}"
        cancelled = rng.random() < 0.25
        series = RecurringSeries(
            processor=Processor.STRIPE,
            processor_key=key,
            period=period,
            amount_cents=amount,
            started_at=began,
            person_id=donor.person_id,
            page=self.page,
            refcode=rng.choice(["", "email-0412", "fb-spring", "sms-gotv"]),
            donor={"given_name": donor.given, "family_name": donor.family, "email": donor.email},
            created_at=began,
        )
        due, sequence, stop = began, 0, None
        if cancelled:
            stop = began + (self.today - began.date()) * rng.uniform(0.2, 0.9)
        rows = []
        # An installment falls due at the time of day the series began: today's only if passed.
        while due <= self.now and (stop is None or due < stop):
            sequence += 1
            contribution = self.gift(
                donor, cents=amount, received_at=due, refcode=series.refcode, series=series
            )
            rows.append((sequence, due, contribution.processor_id))
            due = due + step if step else _month_later(began, sequence)
        series.installments_paid = sequence
        if cancelled:
            series.status = RecurringSeries.Status.CANCELLED
            series.cancelled_at = stop
            series.cancel_reason = "Cancelled by the donor"
        else:
            series.next_charge_at = due
        self.series.append(series)
        self.installments[key] = rows


def _month_later(began: datetime, months: int) -> datetime:
    month = began.month - 1 + months
    year, month = began.year + month // 12, month % 12 + 1
    day = min(began.day, 28)
    return began.replace(year=year, month=month, day=day)


def _donors(rng: random.Random, seed: int, share: float, outsiders: int) -> list[_Donor]:
    """CRM people who give (about ``share`` of them) plus ``outsiders`` known only by gifts."""
    people = list(
        Person.objects.active()
        .order_by("id")
        .values(
            "id", "given_name", "family_name", "primary_email", "primary_phone", "state",
            "postal_code", "employer", "occupation",
        )
    )  # fmt: skip
    addresses = {}
    for row in PostalAddress.objects.order_by("person_id", "id").values(
        "person_id", "line1", "city", "state", "postal_code"
    ):
        addresses.setdefault(row["person_id"], row)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    places = {
        state: [(fake.city(), fake.zipcode_in_state(state)) for _ in range(6)]
        for state in STATE_POPULATION_K
        if state != "PR"
    }
    states, weights = list(places), [STATE_POPULATION_K[s] for s in places]

    def place() -> tuple[str, str, str, str]:
        state = rng.choices(states, weights)[0]
        city, postal = rng.choice(places[state])
        return f"{rng.randint(1, 9999)} {fake.street_name()}", city, state, postal

    donors = []
    for person in people:
        if rng.random() >= share:
            continue
        address = addresses.get(person["id"], {})
        donor = _Donor(
            person_id=person["id"],
            given=person["given_name"],
            family=person["family_name"],
            email=person["primary_email"],
            phone=person["primary_phone"],
            line1=address.get("line1", ""),
            city=address.get("city", ""),
            state=address.get("state") or person["state"],
            postal_code=address.get("postal_code") or person["postal_code"],
            employer=person["employer"] or rng.choice([*EMPLOYERS, "", ""]),
            occupation=person["occupation"] or rng.choice([*OCCUPATIONS, "", ""]),
        )
        donors.append(donor)
    for index in range(outsiders):
        line1, city, state, postal = place()
        given, family = fake.first_name(), fake.last_name()
        donors.append(
            _Donor(
                person_id=None,
                given=given,
                family=family,
                email=f"{given}.{family}.g{index}@example.net".lower(),
                phone="",
                line1=line1,
                city=city,
                state=state,
                postal_code=postal,
                employer=rng.choice(EMPLOYERS),
                occupation=rng.choice(OCCUPATIONS),
            )
        )
    for donor in donors:
        if rng.random() < 0.06:
            line1, city, state, postal = place()
            donor.moved = {
                "from_gift": 1 + rng.randrange(2),
                "line1": line1,
                "city": city,
                "state": state,
                "postal_code": postal,
            }
    return donors


def demo_page_seed(*, today: date | None = None) -> DonationPage:
    """The demo's published donation page, /donate/give/, with a deadline at the quarter's end."""
    today = today or timezone.localdate()
    deadline = datetime.combine(quarter_end_after(today), time(23, 59, 59), EASTERN)
    page, _ = DonationPage.objects.get_or_create(
        slug=PAGE_SLUG,
        defaults={
            "title": "Chip in before the deadline",
            "intro": "Every dollar comes from people like you. Help us hit our goal before "
            "the end-of-quarter deadline.",
            "amounts_cents": [500, 1000, 2700, 5000, 10000, 25000],
            "allow_monthly": True,
            "default_recurring": RecurringPeriod.ONCE,
            "deadline": deadline,
            "goal_kind": DonationPage.GoalKind.DONORS,
            "goal_donors": 5000,
            "show_donors_to_go": True,
            "thank_you_message": "Thank you! Now help us reach more people like you.",
            "next_rung": DonationPage.NextRung.SHARE,
            "processor": Processor.STRIPE,
            "is_published": True,
        },
    )
    return page


def _gifts_generate(builder: _Builder, donors: list[_Donor], today: date) -> None:
    """One-time and recurring gifts for each donor, and a few gifts over the limit."""
    rng = builder.rng
    for donor in donors:
        roll = rng.random()
        if roll < 0.07:
            builder.recurring(donor, period=RecurringPeriod.MONTHLY)
        elif roll < 0.09:
            builder.recurring(donor, period=RecurringPeriod.WEEKLY)
        if roll >= 0.09 or rng.random() < 0.5:
            builder.one_time_gifts(donor)
    # A few donors who give the maximum and then some more: the compliance queue's examples.
    # CRM people, whose gifts share one donor key however the snapshots vary, so compliance
    # sees them past the limit as surely as the generator does.
    linked = [d for d in donors if d.person_id] or donors
    for donor in rng.sample(linked, min(3, len(linked))):
        day = today - timedelta(days=rng.randrange(20, 50))
        first = _when(rng, day - timedelta(days=10), now=builder.now)
        builder.gift(donor, cents=280_000, received_at=first)
        second = _when(rng, day, now=builder.now)
        builder.gift(donor, cents=rng.choice([80_000, 100_000]), received_at=second)


def _refunds_sprinkle(builder: _Builder, contributions: list[Contribution]) -> None:
    """Refund a few gifts, fully or in half, with the refund on the donor's timeline."""
    rng = builder.rng
    for contribution in rng.sample(contributions, min(4, len(contributions))):
        full = rng.random() < 0.5
        contribution.refunded_cents = (
            contribution.amount_cents if full else contribution.amount_cents // 2
        )
        contribution.status = (
            ContributionStatus.REFUNDED if full else ContributionStatus.PARTIALLY_REFUNDED
        )
        contribution.refunded_at = min(
            contribution.received_at + timedelta(days=rng.randrange(1, 9)), builder.now
        )
        contribution.refund_keys = [f"{contribution.processor_id}:refund"]
        if contribution.person_id:
            builder.activities.append(
                Activity(
                    person_id=contribution.person_id,
                    kind="donation_refund",
                    occurred_at=contribution.refunded_at,
                    summary=f"Refunded {cents_display(contribution.refunded_cents)} of "
                    f"{cents_display(contribution.amount_cents)}",
                    data={
                        "processor": contribution.processor,
                        "processor_id": contribution.processor_id,
                    },
                    dedupe_key=f"refund:{contribution.processor}:{contribution.processor_id}:"
                    f"{contribution.refund_keys[0]}",
                )
            )


def _demo_write(builder: _Builder, contributions: list[Contribution]) -> None:
    """Write the series, contributions, timeline entries and paid installments at once."""
    with transaction.atomic():
        RecurringSeries.objects.bulk_create(builder.series, batch_size=500)
        series_ids = {s.processor_key: s.pk for s in builder.series}
        for contribution in contributions:
            if contribution._series_key:
                contribution.series_id = series_ids[contribution._series_key]
        bulk_insert(Contribution, contributions)
        bulk_insert(Activity, builder.activities, ignore_conflicts=True)
        ids = dict(
            Contribution.objects.filter(
                processor_id__startswith=PREFIX, series__isnull=False
            ).values_list("processor_id", "pk")
        )
        installments = [
            Installment(
                series_id=series_ids[key],
                sequence=sequence,
                due_at=due,
                claimed_at=due,
                status=Installment.Status.PAID,
                attempts=1,
                contribution_id=ids[processor_id],
            )
            for key, rows in builder.installments.items()
            for sequence, due, processor_id in rows
        ]
        bulk_insert(Installment, installments)


def demo_contributions_seed(
    *, seed: int = 2026, today: date | None = None, donor_share: float = 0.35
) -> int:
    """Give the demo campaign's supporters a history of contributions; returns how many were
    made (0 when the demo already has them)."""
    if Contribution.objects.filter(processor_id__startswith=PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    page = demo_page_seed(today=today)
    builder = _Builder(seed=seed, today=today, page=page)
    rng = builder.rng
    people_count = Person.objects.active().count()
    donors = _donors(rng, seed, donor_share, outsiders=max(20, people_count // 15))
    if not donors:
        return 0
    _gifts_generate(builder, donors, today)
    contributions = builder.contributions
    contributions.sort(key=lambda c: c.received_at)
    _refunds_sprinkle(builder, contributions)
    _demo_write(builder, contributions)
    donor_totals_rebuild()
    return len(contributions)
