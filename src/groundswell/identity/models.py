"""Identity resolution: runs, trained models, cluster membership, merge suggestions, decisions.

Records are referred to by kind and id rather than by foreign keys: a cluster spans people and
contribution donor snapshots, and a run over millions of contributions must be able to write its
memberships in bulk without loading either model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from groundswell.core.models import TimeStampedModel


class RecordKind(models.TextChoices):
    PERSON = "person", "Person"
    CONTRIBUTION = "contribution", "Contribution donor"


class IdentityModel(TimeStampedModel):
    """A trained Splink model (its JSON settings with m and u), reused by incremental runs."""

    backend = models.CharField(max_length=10)
    settings_json = models.JSONField(help_text="Splink's model: comparisons, m and u values")
    trained_on_records = models.PositiveIntegerField(default=0)
    # A copy in the data folder, for Splink's own tools (Linker(df, "model.json")).
    path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"identity model #{self.pk} ({self.backend}, {self.trained_on_records} records)"


class ResolutionRun(TimeStampedModel):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    backend = models.CharField(max_length=10)
    incremental = models.BooleanField(default=True)
    model = models.ForeignKey(
        IdentityModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    trained = models.BooleanField(default=False, help_text="Whether this run trained its model")
    person_records = models.PositiveIntegerField(default=0)
    contribution_records = models.PositiveIntegerField(default=0)
    representatives = models.PositiveIntegerField(default=0)
    deterministic_links = models.PositiveIntegerField(default=0)
    scored_pairs = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)
    auto_link = models.FloatField()
    review_floor = models.FloatField()
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per stage")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"resolution run #{self.pk} ({self.status})"

    @property
    def records(self) -> int:
        return self.person_records + self.contribution_records

    @property
    def seconds(self) -> float | None:
        if not self.finished_at:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ClusterMembership(models.Model):
    """Which real person (cluster) a record belongs to, as of the latest run."""

    record_kind = models.CharField(max_length=12, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    # Stable across runs while the cluster keeps its oldest record: "p:<person id>" when the
    # cluster holds a person, else "c:<contribution id>".
    cluster_key = models.CharField(max_length=40, db_index=True)
    run = models.ForeignKey(ResolutionRun, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_kind", "record_id"], name="identity_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.record_id} → {self.cluster_key}"


class _Pair(models.Model):
    """Two records in a canonical order (kind, id of a ≤ kind, id of b)."""

    kind_a = models.CharField(max_length=12, choices=RecordKind.choices)
    id_a = models.BigIntegerField()
    kind_b = models.CharField(max_length=12, choices=RecordKind.choices)
    id_b = models.BigIntegerField()

    class Meta:
        abstract = True

    @staticmethod
    def ordered(a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int, str, int]:
        (ka, ia), (kb, ib) = sorted([(a[0], int(a[1])), (b[0], int(b[1]))])
        return ka, ia, kb, ib


class MergeSuggestion(_Pair, TimeStampedModel):
    """A pair scored between the review floor and the auto-link threshold, for staff to judge."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECIDED = "decided", "Decided"
        STALE = "stale", "No longer suggested"

    run = models.ForeignKey(
        ResolutionRun, on_delete=models.CASCADE, related_name="suggestions_made"
    )
    probability = models.FloatField()
    match_weight = models.FloatField()
    field_weights = models.JSONField(default=dict, help_text="Match weight (log2) per field")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind_a", "id_a", "kind_b", "id_b"], name="identity_suggestion_once"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="identity_suggestion_probability",
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self) -> str:
        return f"{self.kind_a} {self.id_a} ~ {self.kind_b} {self.id_b} ({self.probability:.3f})"


class ReviewDecision(_Pair, TimeStampedModel):
    """Staff's verdict on a pair: remembered, applied to every later run, never asked again."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", "Same person"
        REJECTED = "rejected", "Different people"

    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    suggestion = models.ForeignKey(
        MergeSuggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind_a", "id_a", "kind_b", "id_b"], name="identity_decision_once"
            ),
            models.CheckConstraint(
                condition=~(Q(kind_a=F("kind_b")) & Q(id_a=F("id_b"))),
                name="identity_decision_two_records",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_a} {self.id_a} / {self.kind_b} {self.id_b}: {self.verdict}"


class ThresholdRuleSet(TimeStampedModel):
    """A donor goal: N unique donors overall and M in each of K states, counted over a window.

    The DNC's 2019–20 debate rules ship as data (``builtin``, not editable); staff add their own.
    At most one rule set is the campaign's active goal (the "donors to go" on donation pages).
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    builtin = models.BooleanField(default=False, help_text="Shipped with Groundswell; read-only")
    total_donors = models.PositiveIntegerField(help_text="Unique donors needed overall")
    per_state_minimum = models.PositiveIntegerField(help_text="Unique donors needed in a state")
    states_required = models.PositiveSmallIntegerField(
        help_text="How many states (DC and territories count) must reach the minimum"
    )
    window_start = models.DateField(help_text="First day a gift counts")
    window_end = models.DateField(help_text="Last day a gift counts")
    deadline = models.DateField(help_text="The day the goal must be met")
    active = models.BooleanField(default=False, help_text="The campaign's current goal")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deadline", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="identity_ruleset_one_active"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lte=F("window_end")), name="identity_ruleset_window"
            ),
            models.CheckConstraint(
                condition=Q(total_donors__gte=1)
                & Q(states_required__gte=0)
                & Q(states_required__lte=56),
                name="identity_ruleset_figures",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LinkRule(models.TextChoices):
    """What put two records in one cluster, as finance staff read it."""

    EMAIL = "email", "Same e-mail address"
    PHONE = "phone", "Same phone number"
    NAME_STREET = "name_street", "Same name at the same street address"
    NAME_ZIP4 = "name_zip4", "Same name at the same ZIP+4"
    NAME_EMPLOYER = "name_employer", "Same name and employer in the same ZIP"
    SWAPPED = "swapped", "Same two names written the other way round in the same ZIP"
    NAME_AREA_EMPLOYER = "name_area_employer", "Same name and employer in the same city or area"
    INITIAL_EMPLOYER = (
        "initial_employer",
        "Given name as its initial, same surname and employer in the same ZIP",
    )
    NAMES_TYPO_EMPLOYER = (
        "names_typo_employer",
        "Given name and surname each one letter off, at the same ZIP+4 and employer",
    )
    SURNAME_TYPO = "surname_typo", "Same given name, surname one letter off, in the same ZIP"
    GIVEN_PREFIX = "given_prefix", "Given name written short, same surname, in the same place"
    CITY_NOT_WORKING = "city_not_working", "Same name in the same city, neither one working"
    GIVEN_TYPO = "given_typo", "Same surname, given name one letter off, in the same ZIP"
    RARE_NAME_PLACE = "rare_name_place", "Same name, rare in the file, in the same city or ZIP"
    RARE_NAME_EMPLOYER = (
        "rare_name_employer",
        "Same name, rare in the file, and the same employer in the same state",
    )
    GENERATION_NOT_WORKING = (
        "generation_status",
        "Same name at the same address, JR or SR on one side, neither one working",
    )
    RETIRED_JUNIOR = (
        "retired_junior",
        "Same name at the same address, a retired JR on one side only",
    )
    MIDDLE_SLIP = (
        "middle_slip",
        "Same rare name and job at the same ZIP+4, middle initials differ by a slip",
    )
    HOUSEHOLD_AT_BOTH = (
        "household_at_both",
        "Same name in the same area at two addresses, a household member at both",
    )
    DETERMINISTIC = "deterministic", "An exact rule of the engine"
    MODEL = "model", "The matching model"
    STAFF = "staff", "Staff said they are the same person"
    RECORDED = "recorded", "The gift was recorded against this person"


class LinkEvidence(_Pair):
    """Why two records of one cluster are linked, as the run that linked them found it.

    A cluster's records are joined by a tree of such links (and records identical once
    normalised, which are not listed). The latest finished run's evidence replaces the one
    before: it explains the clusters the counts use, keyed by the same stable cluster key.
    """

    run = models.ForeignKey(ResolutionRun, on_delete=models.CASCADE, related_name="link_evidence")
    cluster_key = models.CharField(max_length=40)
    rule = models.CharField(max_length=20, choices=LinkRule.choices)
    probability = models.FloatField(null=True, blank=True, help_text="The model's, if scored")
    match_weight = models.FloatField(null=True, blank=True)
    field_weights = models.JSONField(default=dict, help_text="Match weight (log2) per field")

    class Meta:
        indexes = [models.Index(fields=["cluster_key"], name="identity_evidence_cluster")]

    def __str__(self) -> str:
        return f"{self.kind_a} {self.id_a} – {self.kind_b} {self.id_b}: {self.rule}"


class RunFigures(models.Model):
    """What a Donors page shows, worked out when a run finishes, so the page is one read.

    ``key`` hashes everything the figures depend on (the run, the range or goal, the refund
    rule, the gifts' count and latest change); a gift added or changed after the run makes a
    new key, and the page then counts live until the next run, exactly as before.
    """

    run = models.ForeignKey(ResolutionRun, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10)  # "tally" or "progress"
    figures = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} figures of run #{self.run_id}"
