"""Store one validated ActBlue delivery: its contributions, its log entry and the links between.

Everything a delivery writes is committed together before the webhook answers 2xx. On
PostgreSQL an ordinary delivery (new gifts, no refund, no recurring series) is written by one
statement in autocommit: the contribution rows (INSERT … ON CONFLICT DO NOTHING), the delivery
log row and its links, in data-modifying CTEs. That is one round trip instead of five (BEGIN,
three INSERTs, COMMIT) on the path that carries almost every delivery of a busy day; it is what
lets one two-core server take several hundred deliveries a second. Every other delivery, and
every delivery on SQLite, takes the general path: one transaction through the services.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime

from django.db import connection, transaction

from groundswell.donations import services
from groundswell.donations.actblue import LineItem
from groundswell.donations.actblue_recurring import actblue_series_attach, actblue_series_cancel
from groundswell.donations.models import Contribution, Processor, WebhookDelivery
from groundswell.donations.processing import contribution_process_now
from groundswell.donations.services import (
    contribution_receive,
    contribution_received_build,
    contribution_record,
    contribution_refund,
)


def actblue_delivery_store(
    *, items: list[LineItem], body: str, remote_addr: str | None
) -> tuple[str, list[int]]:
    """Write a delivery's contributions and its log entry; (the log status, contribution ids).

    The status is "accepted" when anything changed and "duplicate" when the delivery had been
    seen whole before. A repeated or concurrent delivery writes no second contribution.
    """
    changed = False
    if connection.vendor == "postgresql" and items and all(_plain(item) for item in items):
        stored = _store_in_one_statement(items=items, body=body, remote_addr=remote_addr)
        if stored.status:
            return stored.status, stored.ids
        # A concurrent delivery of one of these gifts committed after this statement began, so
        # its row was not visible to it: the general path reads it afresh. Rows this statement
        # did insert are committed; they count as the change this delivery made.
        changed = stored.created
    return _store_in_transaction(items=items, body=body, remote_addr=remote_addr, changed=changed)


def _plain(item: LineItem) -> bool:
    """A new gift that needs nothing but its row: no refund, no series, no cancellation."""
    return item.refund is None and not item.contribution.is_recurring and not item.cancelled_at


def _store_in_transaction(
    *, items: list[LineItem], body: str, remote_addr: str | None, changed: bool
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
                _, cancelled = actblue_series_cancel(
                    series_key=contribution.recurring_series_key, cancelled_at=item.cancelled_at
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
            source=Processor.ACTBLUE, status=status, body=body, remote_addr=remote_addr
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
def _one_statement_sql(ids: int) -> str:
    """The statement for a delivery of ``ids`` distinct line items.

    Each id is its own parameter: with one array parameter, a generic plan made while the
    table's statistics are stale (a new campaign's first surge) scans every row of the
    processor instead of looking the ids up.
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
        ), found AS (
            SELECT id, processor_id, true AS created FROM new
            UNION ALL
            SELECT id, processor_id, false FROM {contributions}
            WHERE processor = '{Processor.ACTBLUE}'
              AND processor_id = ANY(ARRAY[{", ".join(["%s"] * ids)}])
        ), delivery AS (
            INSERT INTO {delivery} (received_at, source, status, error, body, remote_addr)
            SELECT now(), %s, CASE WHEN EXISTS (SELECT 1 FROM new) THEN %s ELSE %s END, '',
                   %s, %s
            WHERE (SELECT count(DISTINCT processor_id) FROM found) = %s
            RETURNING id, status
        ), links AS (
            INSERT INTO {links} (webhookdelivery_id, contribution_id)
            SELECT delivery.id, ids.id
            FROM delivery CROSS JOIN (SELECT DISTINCT id FROM found) ids
        )
        SELECT found.id, found.processor_id, found.created, (SELECT status FROM delivery)
        FROM found
    """  # noqa: S608  (identifiers from the models; every value but a constant is a parameter)
    # Short enough for psycopg to cache its conversion (at most 4096 characters).
    return " ".join(sql.split())


def _execute_prepared(sql: str, params: list) -> list[tuple]:
    """Run ``sql`` as a server-side prepared statement (psycopg), in autocommit; its rows.

    The project's cursors bind parameters on the client, so PostgreSQL would parse and plan
    this statement on every delivery; planning it costs more than running it. A prepared
    statement is planned once per connection (gunicorn keeps its connections).
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors, ServerBindingCursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


class _Stored:
    def __init__(self, status: str, ids: list[int], created: bool):
        self.status, self.ids, self.created = status, ids, created


def _store_in_one_statement(
    *, items: list[LineItem], body: str, remote_addr: str | None
) -> _Stored:
    """The PostgreSQL path: one statement writes the rows, the log entry and the links.

    A CTE's table scan sees the database as it was when the statement began, so the existing
    rows of repeated gifts are read by ``found`` and the new ones come from ``new``'s RETURNING.
    A gift whose conflicting row was committed by a concurrent delivery after that moment is in
    neither: then the log row is not written (its WHERE fails) and ``status`` comes back empty.
    """
    # The processor is written into the statement, not passed: a prepared statement's generic
    # plan cannot use the (processor, processor_id) index for a parameter it knows nothing of.
    assert Processor.ACTBLUE.value.isalnum()  # noqa: S101
    rows = [contribution_received_build(data=item.contribution) for item in items]
    processor_ids = list(dict.fromkeys(row.processor_id for row in rows))
    params = [
        _rows_json(rows),
        *processor_ids,
        Processor.ACTBLUE,
        WebhookDelivery.Status.ACCEPTED,
        WebhookDelivery.Status.DUPLICATE,
        body,
        remote_addr,
        len(processor_ids),
    ]
    result = _execute_prepared(_one_statement_sql(len(processor_ids)), params)
    by_processor_id = {processor_id: pk for pk, processor_id, _, _ in result}
    created = any(row[2] for row in result)
    if created:
        # In autocommit this runs at once (the rows are committed). Robust: a failed enqueue
        # is only logged; the next task, or the sweep, takes the rows.
        transaction.on_commit(services.contribution_processing_enqueue, robust=True)
    status = result[0][3] if result else None
    if not status:
        return _Stored("", [], created)
    return _Stored(status, [by_processor_id[row.processor_id] for row in rows], created)
