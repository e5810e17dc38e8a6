"""Store one validated ActBlue delivery: its contributions, its log entry and the links between.

Everything a delivery writes is committed together before the webhook answers 2xx. On
PostgreSQL an ordinary delivery (new gifts, no refund, no recurring series) is written by one
prepared statement in autocommit: the contribution rows (INSERT … ON CONFLICT DO NOTHING), the
delivery log row and its links, in data-modifying CTEs. That is one round trip instead of five
(BEGIN, three INSERTs, COMMIT) on the path that carries almost every delivery of a busy day; it
is what lets one two-core server take several hundred deliveries a second. A repeat, every
other kind of delivery, and every delivery on SQLite take the general path: one transaction
through the services.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime

from django.db import connection, transaction

from groundswell.core.untrusted import excerpt
from groundswell.donations import services
from groundswell.donations.intake.actblue import Cancellation, LineItem
from groundswell.donations.intake.actblue_recurring import (
    actblue_series_attach,
    actblue_series_cancel,
)
from groundswell.donations.intake.processing import contribution_process_now
from groundswell.donations.models import Contribution, Processor, WebhookDelivery
from groundswell.donations.services import (
    contribution_receive,
    contribution_received_build,
    contribution_record,
    contribution_refund,
)


def actblue_delivery_store(
    *, items: list[LineItem], body: str, remote_addr: str | None, body_size: int = 0
) -> tuple[str, list[int]]:
    """Write a delivery's contributions and its log entry; (the log status, contribution ids).

    The status is "accepted" when anything changed and "duplicate" when the delivery had been
    seen whole before (a contribution-level refund changes every line item it had not yet
    refunded, so its first delivery is "accepted" and only a repeat is "duplicate"). A
    repeated or concurrent delivery writes no second contribution.
    """
    changed = False
    if connection.vendor == "postgresql" and items and all(_plain(item) for item in items):
        stored = _store_in_one_statement(
            items=items, body=body, remote_addr=remote_addr, body_size=body_size
        )
        if stored.ids is not None:
            return WebhookDelivery.Status.ACCEPTED, stored.ids
        # A gift was there already (a repeat, or a concurrent delivery's): the general path
        # reads it. Rows this statement did insert are committed: they are this delivery's
        # change, so it is still logged as accepted.
        changed = stored.created
    return _store_in_transaction(
        items=items, body=body, remote_addr=remote_addr, changed=changed, body_size=body_size
    )


def actblue_test_log(*, body: bytes, remote_addr: str | None) -> WebhookDelivery:
    """Log ActBlue's test notification as a test: nothing is stored but the log row."""
    return _log_only(body=body, remote_addr=remote_addr, status=WebhookDelivery.Status.TEST)


def actblue_other_committee_log(*, body: bytes, remote_addr: str | None) -> WebhookDelivery:
    """Log a delivery whose line items are all another committee's: nothing else is stored."""
    status = WebhookDelivery.Status.OTHER_COMMITTEE
    return _log_only(body=body, remote_addr=remote_addr, status=status)


def _log_only(*, body: bytes, remote_addr: str | None, status: str) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        source=Processor.ACTBLUE,
        status=status,
        body=excerpt(body, limit=WebhookDelivery.MAX_BODY),
        body_size=len(body),
        remote_addr=remote_addr,
    )


def _plain(item: LineItem) -> bool:
    """A new gift that needs nothing but its row: no refund, no series, no cancellation."""
    return item.refund is None and not item.contribution.is_recurring and not item.cancelled_at


def _store_in_transaction(
    *,
    items: list[LineItem],
    body: str,
    remote_addr: str | None,
    changed: bool,
    body_size: int = 0,
) -> tuple[str, list[int]]:
    # One transaction for the delivery: ActBlue is told "received" only once all of it is
    # committed, and a failure part-way leaves nothing for the retry to trip over.
    with transaction.atomic():
        contributions = []
        for item in items:
            if item.refund is None:
                contribution, created = contribution_receive(data=item.contribution)
            else:
                contribution, created = contribution_record(
                    data=item.contribution, source="ActBlue webhook", ip_address=None
                )
            changed |= created
            if contribution.is_recurring:
                actblue_series_attach(
                    contribution=contribution, installments_planned=item.installments_planned
                )
            if item.cancelled_at is not None:
                details = item.cancellation or Cancellation()
                _, cancelled = actblue_series_cancel(
                    series_key=contribution.recurring_series_key,
                    cancelled_at=item.cancelled_at,
                    reason=details.reason,
                    kind=details.kind,
                    completed=details.completed,
                    pledged=details.pledged,
                )
                changed |= cancelled
            if item.refund is not None:
                contribution_process_now(contribution)
                contribution, refunded = contribution_refund(
                    processor=contribution.processor,
                    processor_id=contribution.processor_id,
                    refund_cents=item.refund.cents,
                    refund_key=item.refund.key,
                    refunded_at=item.refund.refunded_at,
                )
                changed |= refunded
            contributions.append(contribution)
        status = WebhookDelivery.Status.ACCEPTED if changed else WebhookDelivery.Status.DUPLICATE
        delivery = WebhookDelivery.objects.create(
            source=Processor.ACTBLUE,
            status=status,
            body=body,
            body_size=body_size,
            remote_addr=remote_addr,
        )
        ids = [c.pk for c in contributions]
        # One INSERT of the link rows: .set() would first read the (empty) links back.
        through = WebhookDelivery.contributions.through
        links = [through(webhookdelivery_id=delivery.pk, contribution_id=pk) for pk in ids]
        through.objects.bulk_create(list({link.contribution_id: link for link in links}.values()))
    return status, ids


def _rows_json(rows: list[Contribution]) -> str:
    """The new rows as one JSON array of {column: value}, for jsonb_populate_recordset.

    One parameter instead of fifty per row: psycopg caches the conversion of a statement's
    placeholders only for statements of at most fifty parameters, and converting a long one
    costs more on every delivery than the whole JSON encoding.
    """
    records = []
    for row in rows:
        record = {}
        for f in _fields():
            value = f.pre_save(row, True)  # created_at and modified_at are set here
            record[f.column] = value.isoformat() if isinstance(value, datetime) else value
        records.append(record)
    return json.dumps(records)


@functools.cache
def _fields() -> list:
    """The contribution's columns but its id (once the models are loaded)."""
    return [f for f in Contribution._meta.concrete_fields if not f.primary_key]


@functools.cache
def _one_statement_sql() -> str:
    """The rows, and the log entry and its links only if every row was new.

    No statement part reads a table: a prepared statement keeps the plan it first chose, and a
    lookup planned while a new campaign's table was nearly empty would later scan it whole.
    """
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _fields())
    contributions = qn(Contribution._meta.db_table)
    delivery = qn(WebhookDelivery._meta.db_table)
    links = qn(WebhookDelivery.contributions.through._meta.db_table)
    sql = f"""
        WITH new AS (
            INSERT INTO {contributions} ({columns})
            SELECT {columns} FROM jsonb_populate_recordset(NULL::{contributions}, %s::jsonb)
            ON CONFLICT (processor, processor_id) DO NOTHING
            RETURNING id, processor_id
        ), delivery AS (
            INSERT INTO {delivery}
                (received_at, source, status, error, body, body_size, remote_addr)
            SELECT now(), %s, %s, '', %s, %s, %s
            WHERE (SELECT count(*) FROM new) = %s
            RETURNING id
        ), links AS (
            INSERT INTO {links} (webhookdelivery_id, contribution_id)
            SELECT delivery.id, new.id FROM delivery CROSS JOIN new
        )
        SELECT new.id, new.processor_id, (SELECT count(*) FROM delivery) FROM new
    """  # noqa: S608  (identifiers from the models; every value is a parameter)
    # Short enough for psycopg to cache its conversion (at most 4096 characters).
    return " ".join(sql.split())


def _execute_prepared(sql: str, params: list) -> list[tuple]:
    """Run ``sql`` as a server-side prepared statement (psycopg), in autocommit; its rows.

    The project's cursors bind parameters on the client, so PostgreSQL would parse and plan
    this statement on every delivery; planning it costs more than running it. A prepared
    statement is planned once per connection (the server processes keep their connections).
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors, ServerBindingCursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


class _Stored:
    def __init__(self, ids: list[int] | None, created: bool):
        self.ids, self.created = ids, created


def _store_in_one_statement(
    *, items: list[LineItem], body: str, remote_addr: str | None, body_size: int
) -> _Stored:
    """The PostgreSQL path for a delivery of new gifts: one statement writes it all.

    ``ids`` is None when a gift was already there (a repeat, or a concurrent delivery's): then
    the statement wrote only the new rows, if any (``created``), and no log entry.
    """
    rows = [contribution_received_build(data=item.contribution) for item in items]
    # One row per line item id: a delivery may name the same line item twice.
    unique = list({row.processor_id: row for row in rows}.values())
    params = [
        _rows_json(unique),
        Processor.ACTBLUE,
        WebhookDelivery.Status.ACCEPTED,
        body,
        body_size,
        remote_addr,
        len(unique),
    ]
    result = _execute_prepared(_one_statement_sql(), params)
    if result:
        # In autocommit this runs at once (the rows are committed). Robust: a failed enqueue
        # is only logged; the next task, or the sweep, takes the rows.
        transaction.on_commit(services.contribution_processing_enqueue, robust=True)
    if not result or not result[0][2]:
        return _Stored(None, bool(result))
    by_processor_id = {processor_id: pk for pk, processor_id, _ in result}
    return _Stored([by_processor_id[row.processor_id] for row in rows], True)
