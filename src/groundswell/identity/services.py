"""Identity resolution over the CRM: people and contribution donor snapshots into real people."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from groundswell.donations.models import Contribution
from groundswell.identity import engine
from groundswell.identity.evidence import link_evidence_collect, link_evidence_write
from groundswell.identity.figures import run_figures_precompute
from groundswell.identity.models import (
    ClusterMembership,
    IdentityModel,
    MergeSuggestion,
    RecordKind,
    ResolutionRun,
    ReviewDecision,
)
from groundswell.identity.training_log import splink_warnings_summarised
from groundswell.people.models import Person, PostalAddress

logger = logging.getLogger(__name__)

# Record ids become one BIGINT unique id for the engine: people even, contributions odd.
_KIND_BIT = {RecordKind.PERSON: 0, RecordKind.CONTRIBUTION: 1}
_KINDS = {0: RecordKind.PERSON, 1: RecordKind.CONTRIBUTION}
WRITE_BATCH = 5000


def uid_for(kind: str, record_id: int) -> int:
    return int(record_id) * 2 + _KIND_BIT[RecordKind(kind)]


def record_for(uid: int) -> tuple[str, int]:
    return _KINDS[uid % 2].value, uid // 2


def _person_rows() -> Iterator[dict]:

    primary = PostalAddress.objects.filter(person=OuterRef("pk")).order_by("-is_primary", "id")
    people = (
        Person.objects.filter(merged_into__isnull=True)
        .annotate(
            line1=Subquery(primary.values("line1")[:1]),
            city=Subquery(primary.values("city")[:1]),
            address_state=Subquery(primary.values("state")[:1]),
            address_postal=Subquery(primary.values("postal_code")[:1]),
        )
        .values_list(
            "id",
            "given_name",
            "middle_name",
            "family_name",
            "line1",
            "city",
            "address_state",
            "state",
            "address_postal",
            "postal_code",
            "employer",
            "occupation",
            "primary_email",
            "primary_phone",
        )  # fmt: skip
        .order_by("id")
    )
    for (pk, given, middle, family, line1, city, a_state, state, a_postal, postal, employer,
         occupation, email, phone) in people.iterator(chunk_size=WRITE_BATCH):  # fmt: skip
        yield {
            "unique_id": uid_for(RecordKind.PERSON, pk),
            "given_name": f"{given} {middle}".strip(),
            "family_name": family,
            "street": line1,
            "city": city,
            "state": a_state or state,
            "postal_code": a_postal or postal,
            "employer": employer,
            "occupation": occupation,
            "email": email,
            "phone": phone,
        }


def _contribution_rows(links: list[tuple[int, int]]) -> Iterator[dict]:
    rows = Contribution.objects.values_list(
        "id", "person_id", "donor_given_name", "donor_family_name", "donor_address_line1",
        "donor_city", "donor_state", "donor_postal_code", "donor_employer", "donor_occupation",
        "donor_email", "donor_phone",
    ).order_by("id")  # fmt: skip
    for (pk, person_id, given, family, line1, city, state, postal, employer, occupation, email,
         phone) in rows.iterator(chunk_size=WRITE_BATCH):  # fmt: skip
        uid = uid_for(RecordKind.CONTRIBUTION, pk)
        if person_id:
            # The gift was recorded against this person: the same human by construction.
            links.append((uid_for(RecordKind.PERSON, person_id), uid))
        yield {
            "unique_id": uid,
            "given_name": given,
            "family_name": family,
            "street": line1,
            "city": city,
            "state": state,
            "postal_code": postal,
            "employer": employer,
            "occupation": occupation,
            "email": email,
            "phone": phone,
        }


def _decided_pairs(verdict: str) -> list[tuple[int, int]]:
    return [
        (uid_for(ka, ia), uid_for(kb, ib))
        for ka, ia, kb, ib in ReviewDecision.objects.filter(verdict=verdict).values_list(
            "kind_a", "id_a", "kind_b", "id_b"
        )
    ]


def _model_for(backend: str, incremental: bool) -> IdentityModel | None:
    if not incremental:
        return None
    return IdentityModel.objects.filter(backend=backend).order_by("-created_at", "-id").first()


def identity_resolve(
    *,
    backend: str | None = None,
    incremental: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ResolutionRun:
    """Resolve people and contribution donors into clusters; reuse the saved model if any."""
    backend = backend or settings.GROUNDSWELL_IDENTITY_BACKEND
    if backend not in ("duckdb", "spark"):
        raise ValueError(f"unknown identity backend {backend!r}: use duckdb or spark")
    saved = _model_for(backend, incremental)
    run = ResolutionRun.objects.create(
        started_at=timezone.now(),
        backend=backend,
        incremental=incremental,
        model=saved,
        auto_link=settings.GROUNDSWELL_IDENTITY_AUTO_LINK,
        review_floor=settings.GROUNDSWELL_IDENTITY_REVIEW_FLOOR,
    )
    try:
        _run(run, saved, progress)
    except Exception as exc:
        ResolutionRun.objects.filter(pk=run.pk).update(
            status=ResolutionRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    _figures_precompute(run)
    if progress:
        progress("figures")
    return run


def _figures_precompute(run: ResolutionRun) -> None:
    # The run has its clusters whatever happens here: a page whose figures are missing counts
    # them live, as before, so a failure is logged rather than failing the run.
    try:
        run_figures_precompute(run=run)
    except Exception:
        logger.exception("identity: could not store the figures of run #%s", run.pk)


def _run(run: ResolutionRun, saved: IdentityModel | None, progress) -> None:
    links: list[tuple[int, int]] = []
    counts = {RecordKind.PERSON: 0, RecordKind.CONTRIBUTION: 0}

    def counted(kind: RecordKind, rows: Iterator[dict]) -> Iterator[dict]:
        for row in rows:
            counts[kind] += 1
            yield row

    # Rows stream into Arrow columns: a national campaign has millions of gifts.
    table = engine.records_table(
        itertools.chain(
            counted(RecordKind.PERSON, _person_rows()),
            counted(RecordKind.CONTRIBUTION, _contribution_rows(links)),
        )
    )
    run.person_records = counts[RecordKind.PERSON]
    run.contribution_records = counts[RecordKind.CONTRIBUTION]
    _records_read(run, progress)
    staff_accepted = _decided_pairs(ReviewDecision.Verdict.ACCEPTED)
    accepted = links + staff_accepted
    options = engine.EngineOptions(
        auto_link=run.auto_link,
        review_floor=run.review_floor,
        backend=run.backend,
        model=saved.settings_json if saved else None,
        keep_field_weights=True,
        # Spilled tables of a large run can take gigabytes: on the data disk, not in /tmp.
        temp_directory=str(Path(settings.DATA_DIR) / "identity" / "duckdb-tmp"),
        accepted=accepted,
        rejected=_decided_pairs(ReviewDecision.Verdict.REJECTED),
    )
    con = duckdb.connect()
    try:
        con.register("_records_in", table)
        con.execute("CREATE TEMP TABLE records AS SELECT * FROM _records_in")
        con.unregister("_records_in")
        del table
        with splink_warnings_summarised():
            result = engine.resolve(con, options, progress=progress)
        keys = _cluster_keys(con, result.clusters)
        # Read while the engine's working tables are still there: why each link was made.
        evidence = link_evidence_collect(con, staff_accepted)
    finally:
        con.close()

    with transaction.atomic():
        if result.trained:
            run.model = _model_save(run.backend, result.model, result.records)
        _memberships_write(run, keys)
        link_evidence_write(run=run, rows=evidence, keys=keys, record_for=record_for)
        run.suggestions = _suggestions_write(run, result.review_pairs)
        run.representatives = result.representatives
        run.deterministic_links = result.deterministic_links
        run.scored_pairs = result.comparisons
        run.clusters = len(set(keys.values()))
        run.trained = result.trained
        run.timings = result.timings
        run.status = ResolutionRun.Status.DONE
        run.finished_at = timezone.now()
        run.save()
    if progress:
        progress("write")


def _records_read(run: ResolutionRun, progress) -> None:
    # The page polling a run shows how many records it is resolving before it finishes.
    ResolutionRun.objects.filter(pk=run.pk).update(
        person_records=run.person_records, contribution_records=run.contribution_records
    )
    if progress:
        progress("read")


def _cluster_keys(con: duckdb.DuckDBPyConnection, clusters: pa.Table) -> dict[tuple[str, int], str]:
    """(kind, id) → a stable cluster key: the cluster's oldest person, else its oldest gift."""
    con.register("_clusters", clusters)
    rows = con.execute(
        """
        WITH c AS (SELECT unique_id, cluster_id, unique_id % 2 AS kind FROM _clusters),
        k AS (
            SELECT cluster_id,
                coalesce('p:' || CAST(min(unique_id // 2) FILTER (WHERE kind = 0) AS VARCHAR),
                         'c:' || CAST(min(unique_id // 2) AS VARCHAR)) AS cluster_key
            FROM c GROUP BY cluster_id
        )
        SELECT c.unique_id, k.cluster_key FROM c JOIN k USING (cluster_id)
        """
    ).fetchall()
    con.unregister("_clusters")
    return {record_for(uid): key for uid, key in rows}


def _model_save(backend: str, model: dict, records: int) -> IdentityModel:
    saved = IdentityModel.objects.create(
        backend=backend, settings_json=model, trained_on_records=records
    )
    folder = Path(settings.DATA_DIR) / "identity"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"model-{saved.pk}.json"
        path.write_text(json.dumps(model, indent=1))
        saved.path = str(path)
        saved.save(update_fields=["path"])
    except OSError as exc:  # the database copy is the one runs use; the file is a convenience
        logger.warning("identity: could not write the model file: %s", exc)
    return saved


def _memberships_write(run: ResolutionRun, keys: dict[tuple[str, int], str]) -> None:
    """Bring memberships to ``keys``: only changed rows are written."""
    existing: dict[tuple[str, int], tuple[int, str]] = {
        (kind, rid): (pk, key)
        for pk, kind, rid, key in ClusterMembership.objects.values_list(
            "pk", "record_kind", "record_id", "cluster_key"
        ).iterator(chunk_size=WRITE_BATCH)
    }
    gone = [pk for record, (pk, _) in existing.items() if record not in keys]
    for start in range(0, len(gone), WRITE_BATCH):
        ClusterMembership.objects.filter(pk__in=gone[start : start + WRITE_BATCH]).delete()
    changed: dict[str, list[int]] = {}
    new: list[ClusterMembership] = []
    for record, key in keys.items():
        found = existing.get(record)
        if found is None:
            new.append(
                ClusterMembership(
                    record_kind=record[0], record_id=record[1], cluster_key=key, run=run
                )
            )
        elif found[1] != key:
            changed.setdefault(key, []).append(found[0])
    ClusterMembership.objects.bulk_create(new, batch_size=WRITE_BATCH)
    for key, pks in changed.items():
        for start in range(0, len(pks), WRITE_BATCH):
            ClusterMembership.objects.filter(pk__in=pks[start : start + WRITE_BATCH]).update(
                cluster_key=key, run=run
            )


def _suggestions_write(run: ResolutionRun, pairs: pa.Table) -> int:
    """Open suggestions for this run's review pairs, except pairs staff already decided."""
    decided = set(ReviewDecision.objects.values_list("kind_a", "id_a", "kind_b", "id_b").iterator())
    current: dict[tuple, dict] = {}
    for left, right, probability, weight, weights in zip(
        *(pairs.column(c).to_pylist() for c in pairs.column_names[:5]), strict=True
    ):
        key = MergeSuggestion.ordered(record_for(left), record_for(right))
        if key in decided or key in current:
            continue
        current[key] = {
            "probability": float(probability),
            "match_weight": float(weight),
            "field_weights": json.loads(weights) if weights else {},
        }
    existing = {
        (s.kind_a, s.id_a, s.kind_b, s.id_b): s
        for s in MergeSuggestion.objects.exclude(status=MergeSuggestion.Status.DECIDED)
    }
    stale = [s.pk for key, s in existing.items() if key not in current]
    MergeSuggestion.objects.filter(pk__in=stale).update(status=MergeSuggestion.Status.STALE)
    new = []
    for key, values in current.items():
        suggestion = existing.get(key)
        if suggestion is None:
            new.append(
                MergeSuggestion(
                    kind_a=key[0], id_a=key[1], kind_b=key[2], id_b=key[3], run=run, **values
                )
            )
            continue
        for name, value in values.items():
            setattr(suggestion, name, value)
        suggestion.run = run
        suggestion.status = MergeSuggestion.Status.OPEN
        suggestion.save()
    MergeSuggestion.objects.bulk_create(new, batch_size=WRITE_BATCH, ignore_conflicts=True)
    return len(current)


def review_decide(
    *,
    a: tuple[str, int],
    b: tuple[str, int],
    verdict: str,
    user=None,
) -> ReviewDecision:
    """Record staff's verdict on two records; later runs apply it and never ask again.

    A rejection holds even against a third record that matches both (the engine's cannot-link
    pass). A "same person" verdict is withdrawn when an undo pulls its records apart again
    (``review.decisions_withdraw_for_undo``).
    """
    verdict = ReviewDecision.Verdict(verdict)
    kind_a, id_a, kind_b, id_b = MergeSuggestion.ordered(
        (RecordKind(a[0]).value, a[1]), (RecordKind(b[0]).value, b[1])
    )
    if (kind_a, id_a) == (kind_b, id_b):
        raise ValueError("a record cannot be compared with itself")
    with transaction.atomic():
        suggestion = MergeSuggestion.objects.filter(
            kind_a=kind_a, id_a=id_a, kind_b=kind_b, id_b=id_b
        ).first()
        decision, _ = ReviewDecision.objects.update_or_create(
            kind_a=kind_a,
            id_a=id_a,
            kind_b=kind_b,
            id_b=id_b,
            defaults={
                "verdict": verdict,
                "decided_by": user if user is not None and user.pk else None,
                "decided_at": timezone.now(),
                "suggestion": suggestion,
            },
        )
        if suggestion is not None:
            suggestion.status = MergeSuggestion.Status.DECIDED
            suggestion.save(update_fields=["status", "modified_at"])
    return decision
