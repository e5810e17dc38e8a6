"""CSV import of people: file checks, automatic column mapping, and the streaming run.

The run reads the file once, in batches, so a file of millions of rows imports in constant
memory. Every rejected row is reported with its line, column and reason; valid rows are imported
regardless; a second import of the same file changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record
from groundswell.core.ahead import results_ahead
from groundswell.core.bulk import planner_statistics_refresh
from groundswell.core.untrusted import whole_number
from groundswell.people.intake import CUSTOM_PREFIX, FIELDS
from groundswell.people.models import Activity, ConsentMethod, ImportJob, ImportRowError
from groundswell.people.rowclean import CleanedBatch, batch_clean
from groundswell.people.services import IntakeContext, people_upsert

BATCH_SIZE = 1000
IGNORE = "ignore"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, for the person importing."""


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Header spellings seen in generic spreadsheets, ActBlue exports ("Donor First Name") and VAN
# exports ("FirstName", "Zip5", "CellPhone"), compared without case, spaces or punctuation.
_ALIASES: dict[str, str] = {}
for _field, _names in {
    "full_name": "name fullname donorname contactname",
    "given_name": "firstname first givenname fname forename",
    "middle_name": "middlename middle mi middleinitial",
    "family_name": "lastname last familyname surname lname",
    "email": "email emailaddress mail preferredemail personalemail donoremail",
    "email_status": "emailstatus subscribed subscriptionstatus emailoptin emailsubscribed "
    "emailconsent optin",
    "phone": "phone phonenumber homephone telephone tel primaryphone landline dayphone",
    "mobile_phone": "mobile mobilephone cell cellphone cellnumber mobilenumber",
    "sms_status": "smsstatus smsoptin smsconsent textoptin smssubscribed",
    "address_line1": "address address1 addressline1 addr1 street streetaddress line1 "
    "mailingaddress vaddress",
    "address_line2": "address2 addressline2 addr2 line2 apt unit suite",
    "city": "city town vcity",
    "state": "state st statecode province region vstate",
    "postal_code": "zip zipcode postalcode postcode zip5 vzip5",
    "country": "country countrycode",
    "latitude": "latitude lat",
    "longitude": "longitude lng lon long",
    "employer": "employer employername company",
    "occupation": "occupation jobtitle job",
    "tags": "tags tag labels",
    "source": "source",
    "refcode": "refcode referencecode ref",
    "van_id": "vanid van myvanid votebuilderid",
    "external_id": "externalid",
}.items():
    for _name in _names.split():
        _ALIASES[_name] = _field
# Other columns that identify a row in another system are kept as custom fields.
_CUSTOM_ALIASES = {"actblueid": "actblue_id", "receiptid": "receipt_id"}


def column_guess(header: str) -> str:
    """The person field a CSV header most likely holds, or IGNORE."""
    key = _key(header)
    if key in _ALIASES:
        return _ALIASES[key]
    if key.startswith("donor") and key[5:] in _ALIASES:
        return _ALIASES[key[5:]]
    if key in _CUSTOM_ALIASES:
        return CUSTOM_PREFIX + _CUSTOM_ALIASES[key]
    return IGNORE


def mapping_guess(headers: list[str]) -> dict[str, str]:
    """Map column positions to fields; a field already taken by an earlier column is kept."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        guess = column_guess(header)
        if guess != IGNORE and guess in taken:
            guess = IGNORE
        taken.add(guess)
        mapping[str(index)] = guess
    return mapping


def field_is_valid(name: str) -> bool:
    return (
        name == IGNORE
        or name in FIELDS
        or (name.startswith(CUSTOM_PREFIX) and bool(name[len(CUSTOM_PREFIX) :].strip()))
    )


def mapping_apply_overrides(
    headers: list[str], mapping: dict[str, str], overrides: dict[str, str]
) -> dict[str, str]:
    """Apply COLUMN=FIELD overrides (by header name, or by 1-based column number)."""
    mapping = dict(mapping)
    for column, field_name in overrides.items():
        if not field_is_valid(field_name):
            raise ImportFileError(
                f"--map {column}={field_name}: unknown field {field_name!r}; use one of "
                f"{', '.join(FIELDS)}, custom:<name> or ignore"
            )
        positions = [i for i, h in enumerate(headers) if h == column]
        number = whole_number(column, max_digits=6)
        if not positions and number is not None and 1 <= number <= len(headers):
            positions = [number - 1]
        if not positions:
            raise ImportFileError(
                f"--map {column}={field_name}: the file has no column {column!r} "
                f"(its columns are: {', '.join(headers)})"
            )
        for position in positions:
            mapping[str(position)] = field_name
    return mapping


def mapping_check(mapping: dict[str, str]) -> None:
    used = set(mapping.values()) - {IGNORE}
    if not used & {"email", "phone", "mobile_phone"}:
        raise ImportFileError(
            "no usable column: none of the columns is an e-mail address or a phone number, "
            "which are needed to match each row to a person. Map a column to email or phone."
        )


@dataclass
class FileInfo:
    encoding: str
    dialect: type[csv.Dialect] | csv.Dialect
    headers: list[str]
    sha256: str
    size: int
    estimated_rows: int


def file_inspect(path: str) -> FileInfo:
    """Check that a file is a usable CSV and read its header; raise ImportFileError if not."""
    digest = hashlib.sha256()
    size = newlines = 0
    with open(path, "rb") as fh:
        head = fh.read(65536)
        fh.seek(0)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            size += len(chunk)
    sha = digest.hexdigest()
    if not head.strip():
        raise ImportFileError("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "this is a spreadsheet (.xlsx/.zip), not a CSV file: save it as CSV and import that"
        )
    if b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("this is not a CSV file (it contains binary data)")
    encoding = _encoding(head)
    text = head.decode(encoding, errors="replace")
    if encoding.startswith("utf-16"):
        text = head.decode("utf-16", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader)
    except (StopIteration, csv.Error):
        raise ImportFileError("the file has no header row") from None
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise ImportFileError("the first line (the header) is blank")
    if len(headers) == 1 and not headers[0].isprintable():
        raise ImportFileError("this is not a CSV file")
    return FileInfo(encoding, dialect, headers, sha, size, max(0, newlines - 1) or 1)


def _encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample; ignore that.
        head.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if len(head) == 65536 and exc.start >= len(head) - 3:
            return "utf-8-sig"
        return "cp1252"


def file_records(path: str, info: FileInfo) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield (line the record starts on, fields or None, problem) for every record."""
    with open(path, encoding=info.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, info.dialect)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return
        start = reader.line_num + 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, None, f"cannot be read as CSV ({exc})"
                start = reader.line_num + 1
                continue
            if fields and any(f.strip() for f in fields):
                yield start, fields, ""
            start = reader.line_num + 1


def job_create(
    *,
    path: str,
    original_name: str,
    user=None,
    stored_file=None,
    overrides: dict[str, str] | None = None,
    tags: list[str] | None = None,
    source: str = "",
    default_email_status: str = "",
) -> ImportJob:
    """Inspect a file and record an import job with its guessed (or given) column mapping."""
    info = file_inspect(path)
    mapping = mapping_guess(info.headers)
    if overrides:
        mapping = mapping_apply_overrides(info.headers, mapping, overrides)
    job = ImportJob(
        original_name=original_name[:255],
        sha256=info.sha256,
        size_bytes=info.size,
        headers=info.headers,
        mapping=mapping,
        total_rows=info.estimated_rows,
        tags=tags or [],
        source=source,
        default_email_status=default_email_status,
        created_by=user if user is not None and user.pk else None,
    )
    if stored_file is not None:
        job.file = stored_file
    else:
        job.local_path = str(path)
    job.save()
    return job


class ImportSuperseded(Exception):
    """Another run has taken the job over (this one was presumed dead): stop, writing nothing."""


def _job_claim(job: ImportJob, info: FileInfo) -> str | None:
    """Make this run the owner of the job; None if a live run owns it or it is done."""
    now = timezone.now()
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status == ImportJob.Status.DONE or (
            current.status == ImportJob.Status.RUNNING and not current.is_stale
        ):
            return None
        if current.processed_rows and info.sha256 != current.sha256:
            # The checkpoint counts rows of the file as it was; in another file it means nothing.
            raise ImportFileError(
                f"the file has changed since the import began ({current.processed_rows} rows "
                "were imported from the earlier version); import the new file as a new import"
            )
        token = uuid.uuid4().hex
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.RUNNING,
            run_token=token,
            heartbeat_at=now,
            started_at=current.started_at or now,
            finished_at=None,
            total_rows=max(info.estimated_rows, current.processed_rows),
            error_message="",
        )
    return token


def job_run(job: ImportJob, *, progress: Callable[[int, int], None] | None = None) -> ImportJob:
    """Import the job's file from its last committed batch on; safe to run again or in parallel.

    Each batch commits with the job's checkpoint (rows done) and heartbeat in one transaction,
    so a run killed anywhere resumes after the last batch that committed, and a batch is never
    applied twice. A run that finds the job owned by a live run, or done, returns at once.
    """
    path = job.path
    mapping = {int(k): v for k, v in job.mapping.items() if v != IGNORE}
    try:
        try:
            info = file_inspect(path)
        except OSError as exc:
            # Say so rather than leave the job to be resumed (and fail) again and again.
            raise ImportFileError(f"the file cannot be read any more ({exc.strerror})") from None
        token = _job_claim(job, info)
    except ImportFileError as exc:
        _job_fail(job, None, str(exc))
        job.refresh_from_db()
        return job
    if token is None:
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    try:
        mapping_check({str(k): v for k, v in mapping.items()})
        context = IntakeContext(
            method=ConsentMethod.IMPORT,
            source=f"import #{job.pk} {job.original_name}",
            actor=job.created_by,
            activity_kind="import",
            activity_summary=f"Imported from {job.original_name}",
            dedupe_prefix=f"import:{info.sha256[:16]}",
        )
        options = {
            "tags": job.tags,
            "source": job.source,
            "default_email_status": job.default_email_status,
        }
        batches = _cleaned_batches(path, info, mapping, options, skip=job.processed_rows)
        for cleaned in batches:
            _write_batch(job, cleaned, context, token)
            if progress:
                job.refresh_from_db(fields=["processed_rows", "total_rows"])
                progress(job.processed_rows, job.total_rows or 0)
    except ImportSuperseded:
        job.refresh_from_db()
        return job
    except ImportFileError as exc:
        _job_fail(job, token, str(exc))
        job.refresh_from_db()
        return job
    except Exception as exc:
        _job_fail(
            job,
            token,
            f"the import stopped unexpectedly ({type(exc).__name__}: {exc}); "
            "rows imported so far are kept, and running it again is safe",
        )
        raise
    ImportJob.objects.filter(pk=job.pk, run_token=token).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now(), total_rows=F("processed_rows")
    )
    job.refresh_from_db()
    if job.processed_rows >= BATCH_SIZE:
        planner_statistics_refresh()
    if progress:
        progress(job.processed_rows, job.total_rows or 0)
    return job


def _job_fail(job: ImportJob, token: str | None, message: str) -> None:
    owned = ImportJob.objects.filter(pk=job.pk)
    if token is not None:
        owned = owned.filter(run_token=token)
    owned.update(status=ImportJob.Status.FAILED, error_message=message, finished_at=timezone.now())


def job_resume(*, job: ImportJob, actor=None, ip_address: str | None = None) -> bool:
    """Queue a stale job again (it resumes from its checkpoint); False if it is not stale."""
    # people.tasks imports this module (its task runs the job): imported here, not above.
    from groundswell.people.tasks import people_import_run

    with transaction.atomic():
        updated = (
            ImportJob.objects.stale()
            .filter(pk=job.pk)
            # Queued with a fresh heartbeat: not stale again, so not re-queued, until a worker
            # has had STALE_AFTER to pick it up.
            .update(status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now())
        )
        if updated and actor is not None:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                summary=f"resumed import #{job.pk} of {job.original_name} after "
                f"{job.processed_rows} rows",
                target=job,
                details={"file": job.original_name, "sha256": job.sha256, "resumed": True},
                ip_address=ip_address,
            )
        if updated:
            transaction.on_commit(lambda: people_import_run.enqueue(job_id=job.pk))
    return bool(updated)


def jobs_resume_stale() -> list[int]:
    """Queue again every job whose worker is gone; returns their ids."""
    return [job.pk for job in ImportJob.objects.stale() if job_resume(job=job)]


def _batched(records, size: int):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _cleaned_batches(
    path: str, info: FileInfo, mapping: dict[int, str], options: dict, *, skip: int = 0
):
    """Clean the file's rows batch by batch, after the first ``skip`` (already imported).

    Cleaning (parsing names, e-mail, phones and addresses) is pure CPU work, so on a machine
    with a spare core it runs in a helper process a few batches ahead of the database writes.
    """
    batches = _batched(itertools.islice(file_records(path, info), skip, None), BATCH_SIZE)
    yield from results_ahead(
        batch_clean,
        ((info.headers, mapping, batch, options) for batch in batches),
        parallel=info.estimated_rows > BATCH_SIZE,
    )


def _write_batch(job: ImportJob, cleaned: CleanedBatch, context: IntakeContext, token: str) -> None:
    created = updated = unchanged = 0
    # A row this very file already created or changed someone with is not applied again: two
    # rows that match one person (say, a shared phone) would otherwise overwrite each other's
    # names on every run, and the same file imported twice must change nothing.
    done = set(
        Activity.objects.filter(
            dedupe_key__in=[f"{context.dedupe_prefix}:{key}" for key in cleaned.keys]
        ).values_list("dedupe_key", flat=True)
    )
    items, keys = [], []
    for item, key in zip(cleaned.items, cleaned.keys, strict=True):
        if f"{context.dedupe_prefix}:{key}" in done:
            unchanged += 1
        else:
            items.append(item)
            keys.append(key)
    with transaction.atomic():
        # The checkpoint moves first, and only while this run owns the job: a superseded run
        # rolls its batch back here (on PostgreSQL this also waits for the owner's batch).
        owned = ImportJob.objects.filter(pk=job.pk, run_token=token).update(
            processed_rows=F("processed_rows") + cleaned.rows,
            rejected_count=F("rejected_count") + len({e[0] for e in cleaned.errors}),
            heartbeat_at=timezone.now(),
        )
        if not owned:
            raise ImportSuperseded(job.pk)
        if items:
            for result in people_upsert(items, context=context, keys=keys):
                if result.created:
                    created += 1
                elif result.changed:
                    updated += 1
                else:
                    unchanged += 1
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    job=job,
                    line=line,
                    column=column[:255],
                    value=value[:255],
                    reason=reason[:500],
                    row=row,
                )
                for line, column, value, reason, row in cleaned.errors
            ],
            batch_size=500,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            created_count=F("created_count") + created,
            updated_count=F("updated_count") + updated,
            unchanged_count=F("unchanged_count") + unchanged,
        )
