"""The supporter CRM: people, their contact points, consent history and activity timeline."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from groundswell.core.models import TimeStampedModel
from groundswell.people.choices import ConsentMethod, EmailStatus, PhoneType, SmsStatus

__all__ = ["ConsentMethod", "EmailStatus", "SmsStatus", "PhoneType"]


class PersonQuerySet(models.QuerySet):
    def active(self):
        """People who have not been merged into someone else."""
        return self.filter(merged_into__isnull=True)


class Person(TimeStampedModel):
    given_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    occupation = models.CharField(max_length=200, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Where we first met this person"
    )
    refcode = models.CharField(max_length=100, blank=True)
    tags = models.ManyToManyField("Tag", through="Tagging", related_name="people")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_people"
    )
    # Set by a privacy erasure (people.cleanup.person_erase): the row stays so the gifts the
    # law requires us to keep still point at someone, but everything personal is gone.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Search keys and a summary of the primary contact points, kept by the services so that the
    # supporter list can search and filter a million people with plain index range scans.
    given_key = models.CharField(max_length=100, blank=True, editable=False)
    family_key = models.CharField(max_length=100, blank=True, editable=False)
    primary_email = models.CharField(max_length=254, blank=True, editable=False)
    email_status = models.CharField(
        max_length=20, choices=EmailStatus.choices, blank=True, editable=False
    )
    primary_phone = models.CharField(max_length=20, blank=True, editable=False)
    state = models.CharField(max_length=2, blank=True, editable=False)
    postal_code = models.CharField(max_length=10, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The analytics extract's refresh reads the people changed since its last one.
            models.Index(fields=["modified_at"], name="person_modified_idx"),
            models.Index(fields=["family_key", "given_key"]),
            models.Index(fields=["given_key"]),
            models.Index(fields=["state", "id"]),
            models.Index(fields=["email_status", "id"]),
            models.Index(fields=["postal_code"]),
            models.Index(fields=["primary_phone"]),
        ]
        permissions = []

    def __str__(self) -> str:
        if self.erased_at:
            return f"Erased person #{self.pk}"
        return self.full_name or self.primary_email or f"Person #{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)


class EmailAddress(TimeStampedModel):
    class Verdict(models.TextChoices):
        VALID = "valid", "Valid"
        RISKY = "risky", "Risky"
        INVALID = "invalid", "Invalid"

    class MxStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked"
        OK = "ok", "Accepts mail"
        NO_MX = "no_mx", "Domain does not accept mail"
        SKIPPED = "skipped", "Skipped (DNS unreachable)"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    # Stored normalised and lower-cased: one address belongs to one person.
    address = models.CharField(max_length=254, unique=True)
    is_primary = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=EmailStatus.choices, default=EmailStatus.UNKNOWN
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.VALID)
    is_disposable = models.BooleanField(default=False)
    is_role = models.BooleanField(default=False)
    suggestion = models.CharField(
        max_length=254, blank=True, help_text="A likely intended address, e.g. a typo'd domain"
    )
    mx_status = models.CharField(
        max_length=10, choices=MxStatus.choices, default=MxStatus.UNCHECKED
    )
    mx_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "e-mail address"  # the product's spelling, in audit words and the admin
        verbose_name_plural = "e-mail addresses"
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_primary=True), name="one_primary_email_per_person"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class Phone(TimeStampedModel):
    Type = PhoneType

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, db_index=True, help_text="E.164")
    phone_type = models.CharField(max_length=10, choices=Type.choices, default=Type.OTHER)
    sms_status = models.CharField(
        max_length=20, choices=SmsStatus.choices, default=SmsStatus.UNKNOWN
    )
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="phone_once_per_person"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def display(self) -> str:
        import phonenumbers

        try:
            return phonenumbers.format_number(
                phonenumbers.parse(self.number),
                phonenumbers.PhoneNumberFormat.NATIONAL
                if self.number.startswith("+1")
                else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            )
        except phonenumbers.NumberParseException:
            return self.number


class PostalAddress(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200, blank=True)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, default="US")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "-id"]

    def __str__(self) -> str:
        return ", ".join(
            p
            for p in (self.line1, self.line2, self.city, f"{self.state} {self.postal_code}".strip())
            if p
        )

    def same_place(self, other: PostalAddress) -> bool:
        return (
            self.line1.lower(),
            self.line2.lower(),
            self.city.lower(),
            self.state,
            self.postal_code[:5],
            self.country,
        ) == (
            other.line1.lower(),
            other.line2.lower(),
            other.city.lower(),
            other.state,
            other.postal_code[:5],
            other.country,
        )


class ExternalId(TimeStampedModel):
    """A person's id in another system (VAN, …): stable where e-mail and phone are not, so a
    re-import of that system's file finds the same person even when a row has neither."""

    class System(models.TextChoices):
        VAN = "van", "VAN ID"
        OTHER = "other", "External ID"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(max_length=20, choices=System.choices)
    value = models.CharField(max_length=100)

    class Meta:
        ordering = ["system", "value"]
        constraints = [
            # One id names one person: a second person with the same VAN ID is a duplicate.
            models.UniqueConstraint(fields=["system", "value"], name="external_id_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.value}"


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tagging(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "tag"], name="tag_once_per_person"),
        ]
        indexes = [models.Index(fields=["tag", "person"])]


class ConsentEvent(models.Model):
    """One change of one channel's subscription status, with how and where it happened."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="The e-mail address or phone number")
    previous_status = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where: the form, file and line, URL or staff member"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "occurred_at"])]


class Activity(models.Model):
    """One interaction on a person's timeline; other capabilities add their own kinds."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=30)
    occurred_at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    # Makes a write idempotent: the same interaction delivered twice is recorded once.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class MergeRecord(models.Model):
    """A merge of one person into another, with everything needed to undo it."""

    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges_absorbed")
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # survivor's fields before the merge; moved rows per model; rows removed as duplicates.
    snapshot = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]


class ImportJobQuerySet(models.QuerySet):
    def stale(self):
        """Jobs queued or running whose worker has shown no sign of life for STALE_AFTER."""
        cutoff = timezone.now() - ImportJob.STALE_AFTER
        return self.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, modified_at__lt=cutoff),
            status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING],
        )


class ImportJob(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # A file imported from the command line is read where it lies, not copied.
    local_path = models.CharField(max_length=1000, blank=True)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    mapping = models.JSONField(default=dict, help_text="CSV column → person field")
    headers = models.JSONField(default=list)
    default_email_status = models.CharField(max_length=20, choices=EmailStatus.choices, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Tags applied to every row")
    source = models.CharField(max_length=100, blank=True)
    total_rows = models.IntegerField(null=True, blank=True)
    processed_rows = models.IntegerField(default=0)
    created_count = models.IntegerField(default=0)
    updated_count = models.IntegerField(default=0)
    unchanged_count = models.IntegerField(default=0)
    rejected_count = models.IntegerField(default=0)
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every committed batch (and when the job is queued): a queued or running job
    # whose heartbeat is older than STALE_AFTER has lost its worker and can be resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The run that owns the job: a batch commits only while its run still owns it, so a run
    # that was presumed dead and superseded by a resume cannot write beside its successor.
    run_token = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # No heartbeat for this long means the worker is gone (killed, out of memory, redeployed):
    # a batch takes about a second, so five minutes is far beyond a slow one.
    STALE_AFTER = timedelta(minutes=5)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(100 * self.processed_rows / self.total_rows))

    @property
    def path(self) -> str:
        return self.file.path if self.file else self.local_path

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stale(self) -> bool:
        """Queued or running, but no worker has shown a sign of life for STALE_AFTER."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        last = self.heartbeat_at or self.modified_at
        return last is not None and last < timezone.now() - self.STALE_AFTER


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.IntegerField(help_text="Line number in the file (the header is line 1)")
    column = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=500)
    # The row as the file had it, so the error report can be fixed and imported again.
    row = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line", "id"]
