"""Permission-scoped reads of the supporter CRM for the staff UI and exports.

Searches must stay fast at a million people, so every query here uses only indexed columns:
the search keys and contact summary denormalised onto Person, EmailAddress.address and
Phone.number, always as equality or prefix *range* conditions. ``icontains``/``startswith``
are avoided on purpose: SQLite compiles them to LIKE ... ESCAPE, which never uses an index.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_EDIT, PEOPLE_IMPORT, PEOPLE_VIEW
from groundswell.core.pagination import CappedCount, count_capped
from groundswell.core.periods import TimeRange, counts_by_range
from groundswell.core.spreadsheet import csv_line
from groundswell.people.imports import file_inspect
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    EmailStatus,
    ImportJob,
    ImportRowError,
    MergeRecord,
    Person,
    Phone,
    PostalAddress,
    Tag,
    Tagging,
)
from groundswell.people.normalize import (
    InvalidEmail,
    InvalidPhone,
    email_verify,
    name_key,
    phone_normalize,
)
from groundswell.people.sensitivity import (
    PERSON_FIELDS,
    activity_kinds_hidden,
    person_fields_hidden,
    source_shown,
    source_visible,
)

# The columns the list page shows; the columns of PERSON_FIELDS are only ever loaded for the
# roles that may see them (sensitivity.py).
LIST_FIELDS = (
    "id",
    "erased_at",
    "given_name",
    "middle_name",
    "family_name",
    "primary_email",
    "email_status",
    "primary_phone",
    "state",
    "postal_code",
    "source",
    "created_at",
)

_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")


@dataclass(frozen=True)
class SearchQuery:
    """What a search box entry was understood as, shown back to staff under the box."""

    kind: str  # "", "email", "phone", "postal_code", "name"
    value: str  # the normalised value searched for
    problem: str = ""  # why nothing can match (e.g. not a phone number)

    @property
    def description(self) -> str:
        if self.problem:
            return self.problem
        return {
            "email": f"e-mail addresses starting with “{self.value}”",
            "phone": f"phone number {self.value}",
            "postal_code": f"ZIP code {self.value}",
            "name": f"names starting with “{self.value}”",
        }.get(self.kind, "")


def person_find_by_email(*, address: str) -> Person | None:
    """The person who has this e-mail address (normalised as stored), or None; never creates.

    For intake paths that may link a record to someone already known but must not make a
    person of their own (ActBlue's cancelled-recurring export). Takes no user: it answers
    nothing but a link, shown later through the caller's own role checks. A merged person's
    address leads to whom they were merged into.
    """
    try:
        normalised = email_verify(address).address
    except InvalidEmail:
        return None
    email = EmailAddress.objects.filter(address=normalised).select_related("person").first()
    person = email.person if email else None
    for _ in range(10):  # a merge chain is short; bounded all the same
        if person is None or person.merged_into_id is None:
            break
        person = Person.objects.filter(pk=person.merged_into_id).first()
    return person


def search_parse(query: str | None) -> SearchQuery:
    """Decide whether a search box entry is an e-mail, phone, ZIP code or name."""
    text = " ".join((query or "").split())
    if not text:
        return SearchQuery("", "")
    if "@" in text:
        return SearchQuery("email", text.lower().replace(" ", ""))
    zip_match = _ZIP.match(text)
    if zip_match:
        # Person.postal_code holds the 5-digit ZIP only, so ZIP+4 searches its first five.
        return SearchQuery("postal_code", zip_match.group(1))
    digits = sum(ch.isdigit() for ch in text)
    significant = len(text.replace(" ", ""))
    if digits >= 7 and digits >= 0.7 * significant:
        try:
            return SearchQuery("phone", phone_normalize(text))
        except InvalidPhone as exc:
            return SearchQuery("phone", text, problem=f"“{text}” {exc}")
    words = [w for w in (name_key(part) for part in text.split()) if w]
    if not words:
        return SearchQuery("name", text, problem=f"“{text}” has no letters or digits to search")
    return SearchQuery("name", " ".join(words))


def _prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range an index can answer."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _search_filter(search: SearchQuery) -> Q | None:
    """The condition for a parsed search; None means "matches nobody"."""
    if search.problem:
        return None
    if search.kind == "email":
        # Every address (not just the primary) is searchable; the unique index on
        # EmailAddress.address answers the range, and the planner semi-joins to Person.
        return Q(
            pk__in=EmailAddress.objects.filter(_prefix_range("address", search.value)).values(
                "person_id"
            )
        )
    if search.kind == "phone":
        # A phone number belongs to a handful of people at most, so the ids are fetched first:
        # "primary_phone = x OR id IN (...)" then stays two index lookups on every database.
        ids = list(
            Phone.objects.filter(number=search.value).values_list("person_id", flat=True)[:1000]
        )
        return Q(primary_phone=search.value) | Q(pk__in=ids)
    if search.kind == "postal_code":
        return Q(postal_code=search.value)
    if search.kind == "name":
        words = search.value.split()
        if len(words) == 1:
            return _prefix_range("family_key", words[0]) | _prefix_range("given_key", words[0])
        given, family = words[0], words[-1]
        if connection.vendor == "sqlite":
            # SQLite's planner (without statistics, and even with them) takes the given_key
            # index for "mar john" and then reads every Mar… to find the Johns: 380 ms at a
            # million people. Written as a substring test, the given name can only be checked
            # inside the (family_key, given_key) index, which makes it 10 ms. PostgreSQL
            # checks both ranges inside that index already.
            return _prefix_range("family_key", family) & Q(
                Exact(Substr("given_key", 1, len(given)), given)
            )
        return _prefix_range("given_key", given) & _prefix_range("family_key", family)
    return Q()


def person_list(
    *,
    user,
    query: str = "",
    tag: str | list[str] = "",
    match: str = "",
    state: str = "",
    status: str = "",
    source: str = "",
    imported: int | None = None,
) -> QuerySet[Person]:
    """People (not merged away) matching a search box entry and filters, newest first.

    ``imported``: only the people import #``imported`` added or updated.
    """
    if not user.can(PEOPLE_VIEW):
        return Person.objects.none()
    hidden = person_fields_hidden(user=user)
    fields = LIST_FIELDS + tuple(name for name in PERSON_FIELDS if name not in hidden)
    if source and not source_visible(source, user=user):
        # "Everyone who came from ActBlue" is a list of donors: answered as for a source
        # nobody has, so the answer does not even say whether there are any.
        return Person.objects.none()
    # The same people as Person.objects.active(), phrased as NOT (... IS NOT NULL): without
    # table statistics SQLite takes "merged_into_id IS NULL" for a selective index lookup,
    # walks the merged_into index (which holds everyone) and ignores the search's own index;
    # a search for a rare name then reads all million rows.
    people = Person.objects.exclude(merged_into__isnull=False).only(*fields).order_by("-id")
    condition = _search_filter(search_parse(query))
    if condition is None:
        return Person.objects.none()
    people = people.filter(condition)
    tags = [tag] if isinstance(tag, str) and tag else list(tag or [])
    if len(tags) == 1:
        # By name, so a filtered list is a readable link (?tag=precinct+captain). Ordering by
        # the tagging's person id (equal to the person's id) lets the database read the
        # (tag, person) index newest first and stop after one page, instead of sorting every
        # tagged person.
        people = people.filter(taggings__tag__name=tags[0]).order_by("-taggings__person_id")
    elif tags and match == "all":
        # One semi-join per tag, each answered by the (tag, person) index.
        for name in tags:
            people = people.filter(
                pk__in=Tagging.objects.filter(tag__name=name).values("person_id")
            )
    elif tags:
        people = people.filter(
            pk__in=Tagging.objects.filter(tag__name__in=tags).values("person_id")
        )
    if state:
        people = people.filter(state=state)
    if status:
        people = people.filter(email_status=status)
    if source:
        people = people.filter(source=source)
    if imported:
        # Who came in one file is the import pages' to tell: a donor list imported here
        # would otherwise be a list of donors for anyone who may see people.
        if not user.can(PEOPLE_IMPORT):
            return Person.objects.none()
        people = people.filter(pk__in=import_job_people(job_id=imported))
    return people


# The list counts exactly up to this many people. The page's own count stops at
# core.pagination's 10,000; past that the list runs one more capped count over the same
# indexed query, which reads at most this many rows. Measured on SQLite with 50,000 generated
# people: 8 ms for everyone, 32 ms for the 45,000 of one e-mail status (the slowest filter: it
# reads each row to skip merged people), so at most ~70 ms here; beyond it, "100,000+".
EXACT_COUNT_LIMIT = 100_000


def person_list_total(people: QuerySet[Person], *, capped: bool) -> dict | None:
    """The exact size of a list the page count capped, when it is cheap: {"count", "more"}.

    None when the page's count is already exact (10,000 or fewer). ``more`` says the list
    holds more than EXACT_COUNT_LIMIT people (then shown as "100,000+").
    """
    if not capped:
        return None
    count = people.order_by()[: EXACT_COUNT_LIMIT + 1].count()
    return {"count": min(count, EXACT_COUNT_LIMIT), "more": count > EXACT_COUNT_LIMIT}


def import_job_get(*, job_id: int) -> ImportJob | None:
    """One import job by id, or None."""
    return ImportJob.objects.filter(pk=job_id).first()


def import_job_people(*, job_id: int) -> QuerySet:
    """Ids of the people an import added or updated: its timeline entries name them.

    The entries' keys start with the file's checksum (a range scan of their unique index); the
    same file imported again shares it, so the job's own source narrows it to this import.
    """
    job = ImportJob.objects.filter(pk=job_id).only("pk", "sha256", "original_name").first()
    if job is None:
        return Activity.objects.none().values("person_id")
    return Activity.objects.filter(
        dedupe_key__startswith=f"import:{job.sha256[:16]}:",
        kind="import",
        data__source=f"import #{job.pk} {job.original_name}"[:300],
    ).values("person_id")


def person_export_rows(people: QuerySet[Person], *, user, chunk_size: int = 2000) -> Iterator[dict]:
    """Every person of a filtered list as a flat dict, read in chunks by id (keyset)."""
    visible = [name for name in PERSON_FIELDS if name not in person_fields_hidden(user=user)]
    last_id = None
    base = people.order_by("-id")
    while True:
        chunk_qs = base if last_id is None else base.filter(pk__lt=last_id)
        chunk = list(chunk_qs[:chunk_size])
        if not chunk:
            return
        ids = [p.pk for p in chunk]
        tags: dict[int, list[str]] = {}
        for person_id, name in (
            Tagging.objects.filter(person_id__in=ids)
            .order_by("tag__name")
            .values_list("person_id", "tag__name")
        ):
            tags.setdefault(person_id, []).append(name)
        addresses = {
            a.person_id: a for a in PostalAddress.objects.filter(person_id__in=ids, is_primary=True)
        }
        for person in chunk:
            address = addresses.get(person.pk)
            row = {
                "id": person.pk,
                "given_name": person.given_name,
                "middle_name": person.middle_name,
                "family_name": person.family_name,
                "email": person.primary_email,
                "email_status": person.email_status,
                "phone": person.primary_phone,
                "address_line1": address.line1 if address else "",
                "address_line2": address.line2 if address else "",
                "city": address.city if address else "",
                "state": address.state if address else person.state,
                "postal_code": address.postal_code if address else person.postal_code,
                "country": address.country if address else "",
                "source": source_shown(person.source, user=user),
                "tags": "; ".join(tags.get(person.pk, [])),
                "created_at": person.created_at.isoformat(),
            }
            for name in visible:
                row[name] = getattr(person, name)
            yield row
        last_id = ids[-1]


def export_columns(*, user) -> list[str]:
    """The CSV columns an export has for this user (PERSON_FIELDS only for who may see them)."""
    columns = [
        "id",
        "given_name",
        "middle_name",
        "family_name",
        "email",
        "email_status",
        "phone",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "source",
        "tags",
        "created_at",
    ]
    hidden = person_fields_hidden(user=user)
    return columns + [name for name in PERSON_FIELDS if name not in hidden]


def tag_names() -> list[str]:
    """Tag names for the filter select and the tag input's suggestions, A to Z."""
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:1000])


@dataclass
class PersonProfile:
    """Everything the person page shows, loaded in a fixed number of queries."""

    person: Person
    emails: list
    phones: list
    addresses: list
    taggings: list
    merges_kept: list
    merges_absorbed: list
    merged_into: Person | None
    show_finance: bool
    # Where they first came from, as this user may see it (blank when it says they gave).
    source: str = ""
    refcode: str = ""
    external_ids: list = field(default_factory=list)


def person_profile(*, user, person_id: int) -> PersonProfile | None:
    """A person with their contact points, tags and merges; None if missing or not allowed."""
    if not user.can(PEOPLE_VIEW):
        return None
    hidden = person_fields_hidden(user=user)
    people = Person.objects.select_related("merged_into")
    if hidden:
        # Not loaded at all, so a template slip cannot show them to other roles.
        people = people.defer(*hidden)
    person = people.filter(pk=person_id).first()
    if person is None:
        return None
    return PersonProfile(
        person=person,
        emails=list(person.emails.all()),
        phones=list(person.phones.all()),
        addresses=list(person.addresses.all()),
        taggings=list(person.taggings.select_related("tag").order_by("tag__name")),
        merges_kept=list(
            MergeRecord.objects.filter(survivor=person).select_related(
                "merged", "merged_by", "undone_by"
            )
        ),
        merges_absorbed=list(
            MergeRecord.objects.filter(merged=person).select_related(
                "survivor", "merged_by", "undone_by"
            )
        ),
        merged_into=person.merged_into,
        show_finance=user.can(FINANCE_VIEW),
        external_ids=list(person.external_ids.all()),
        source=source_shown(person.source, user=user),
        refcode=person.refcode if source_visible(person.source, user=user) else "",
    )


def person_activities(*, user, person: Person) -> QuerySet[Activity]:
    """A person's timeline as this user may see it, newest first."""
    activities = Activity.objects.filter(person=person)
    hidden = activity_kinds_hidden(user=user)
    if hidden:
        activities = activities.exclude(kind__in=hidden)
    return activities.order_by("-occurred_at", "-id")


def person_consent_events(*, person: Person) -> QuerySet[ConsentEvent]:
    """A person's consent history, newest first, with the staff member who made each change."""
    return (
        ConsentEvent.objects.filter(person=person)
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """Import jobs, newest first, for roles that may import."""
    if not user.can(PEOPLE_IMPORT):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")


def import_jobs_open(*, user, limit: int = 5) -> list[ImportJob]:
    """Imports not finished yet, newest first: running or queued, or waiting for a person to
    map their columns. At most ``limit`` (an import is rarely left open for long)."""
    if not user.can(PEOPLE_IMPORT):
        return []
    open_statuses = [ImportJob.Status.PENDING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    return list(import_job_list(user=user).filter(status__in=open_statuses)[:limit])


def people_new_counts(*, user, ranges: list[TimeRange]) -> list[int] | None:
    """How many supporters first appeared in each range (merged-away duplicates left out);
    None for a role that may not see people."""
    if not user.can(PEOPLE_VIEW):
        return None
    return counts_by_range(Person.objects.active(), field="created_at", ranges=ranges)


def people_bouncing_count(*, user) -> CappedCount | None:
    """Supporters whose e-mail address bounces, as the people list filtered by that status
    counts them; None for a role that cannot fix an address (edit people)."""
    if not user.can(PEOPLE_EDIT):
        return None
    return count_capped(person_list(user=user, status=EmailStatus.BOUNCING))


def import_row_errors(*, job: ImportJob) -> QuerySet[ImportRowError]:
    """An import's rejected rows in file order."""
    return ImportRowError.objects.filter(job=job).order_by("line", "id")


def import_error_report_lines(*, job: ImportJob) -> Iterator[str]:
    """The error report as CSV lines, for the web page's download and ``import --errors``.

    The file's own columns follow the error's, so the report can be corrected in a spreadsheet
    and imported again (the first four columns are then ignored). Every cell is escaped for
    spreadsheets: the rejected values are hostile input by definition.
    """
    yield csv_line(["line", "column", "value", "reason", *(str(h) for h in job.headers)])
    for error in import_row_errors(job=job).iterator(chunk_size=2000):
        yield csv_line([error.line, error.column, error.value, error.reason, *error.row])


def import_job_samples(job: ImportJob, *, rows: int = 3) -> list[list[str]]:
    """The first few values of every column, for choosing the column mapping."""
    info = file_inspect(job.path)
    samples: list[list[str]] = [[] for _ in info.headers]
    with open(job.path, encoding=info.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(_limited_lines(fh, 200), info.dialect)
        try:
            next(reader)
            for fields in reader:
                for index, value in enumerate(fields[: len(samples)]):
                    value = value.strip()
                    if value and len(samples[index]) < rows:
                        samples[index].append(value[:80])
                if all(len(s) >= rows for s in samples):
                    break
        except csv.Error:
            # A malformed row near the top still leaves the samples gathered so far usable;
            # the import itself reports that row with its line number.
            pass
    return samples


def _limited_lines(fh, limit: int) -> Iterator[str]:
    for number, line in enumerate(fh):
        if number >= limit:
            return
        yield line


def phone_display(number: str) -> str:
    """A stored E.164 number as people write it (national format for US numbers)."""
    return Phone(number=number).display if number else ""
