"""The embedded default cache: Django's database cache, shared by every server process.

`groundswell serve` runs several web processes; a per-process memory cache would give each its
own rate-limit counters (a limit of 5 let 7 through with two processes). A table in the
campaign's database is shared by all of them without another service to run.
"""

from __future__ import annotations

import base64
import pickle
import random
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now

# One add() in this many also deletes the expired entries (rate-limit windows that are over).
CULL_ONE_ADD_IN = 500


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an ``add`` of one statement and an atomic ``incr``.

    Django's own ``incr`` reads the value and writes it back in two steps, so two processes
    counting the same key at once both write the same number and one hit is lost. Here the read
    and the write happen in one transaction that holds the row: ``SELECT ... FOR UPDATE`` on
    PostgreSQL, and on SQLite the write lock that our IMMEDIATE transactions take at BEGIN.
    The entry keeps its expiry, as Redis's INCR does.

    Django's ``add`` counts the whole table, reads the key and then writes it; on the sign-up
    path (a new window for every new e-mail address) that cost 6 ms a check on PostgreSQL and
    28 ms once the table held 95,000 entries. Here it is one INSERT ... ON CONFLICT, which
    takes the key only when it is free or expired, and expired entries are swept now and then
    rather than counted on every write.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        current = now().replace(microsecond=0)
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quote('cache_key')}, {quote('value')}, "  # noqa: S608 (quoted identifiers; values are parameters)
                f"{quote('expires')}) VALUES (%s, %s, %s) ON CONFLICT ({quote('cache_key')}) "
                f"DO UPDATE SET {quote('value')} = EXCLUDED.{quote('value')}, "
                f"{quote('expires')} = EXCLUDED.{quote('expires')} "
                f"WHERE {table}.{quote('expires')} < %s",
                [key, encoded, adapt(expires.replace(microsecond=0)), adapt(current)],
            )
            added = cursor.rowcount == 1
            if added and random.randrange(CULL_ONE_ADD_IN) == 0:
                cursor.execute(
                    f"DELETE FROM {table} WHERE {quote('expires')} < %s",  # noqa: S608 (quoted identifiers; values are parameters)
                    [adapt(current)],
                )
        return added

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_column = quote(self._table), quote("cache_key")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} "  # noqa: S608 (quoted identifiers; values are parameters)
                f"WHERE {key_column} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {key_column} = %s",  # noqa: S608 (quoted identifiers; values are parameters)
                [encoded, key],
            )
        return value

    def hits_count(self, windows: dict[str, int], version=None) -> dict[str, int]:
        """Count one hit on each key and return each key's count: a missing or expired key
        starts at 1 and lives its timeout (``windows``: key → seconds), as add() then incr()
        would.

        On PostgreSQL it is one INSERT ... ON CONFLICT DO UPDATE for all the keys, with no
        transaction of its own: a rate-limit check on every public submission cost five
        statements and a commit before (add, then BEGIN, SELECT FOR UPDATE, UPDATE, COMMIT).
        The count is stored as a protocol-0 pickle ("I<digits>\\n."), which SQL can read
        and write and get() unpickles like any other value; a value in another form (written
        by incr()) counts from 1 again.
        """
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor != "postgresql":
            return {key: self._hit_add_incr(key, t, version) for key, t in windows.items()}
        made = {self.make_and_validate_key(k, version=version): k for k in sorted(windows)}
        quote = connection.ops.quote_name
        table, value, expires = quote(self._table), quote("value"), quote("expires")
        current = now().replace(microsecond=0)
        adapt = connection.ops.adapt_datetimefield_value
        first = base64.b64encode(b"I1\n.").decode("latin1")
        rows, params = [], []
        for key, name in made.items():
            rows.append("(%s, %s, %s)")
            until = datetime.fromtimestamp(self.get_backend_timeout(windows[name]), tz=UTC)
            params += [key, first, adapt(until.replace(microsecond=0))]
        stored = f"decode({table}.{value}, 'base64')"
        count = (
            f"COALESCE(CASE WHEN get_byte({stored}, 0) = 73 THEN convert_from("
            f"substring({stored} FROM 2 FOR length({stored}) - 3), 'UTF8')::bigint END, 0)"
        )
        expired = f"{table}.{expires} < %s"
        sql = (
            f"INSERT INTO {table} ({quote('cache_key')}, {value}, {expires}) "  # noqa: S608 (quoted identifiers; values are parameters)
            f"VALUES {', '.join(rows)} ON CONFLICT ({quote('cache_key')}) DO UPDATE SET "
            f"{value} = CASE WHEN {expired} THEN EXCLUDED.{value} ELSE encode(convert_to("
            f"'I' || ({count} + 1)::text || E'\\n.', 'UTF8'), 'base64') END, "
            f"{expires} = CASE WHEN {expired} THEN EXCLUDED.{expires} ELSE {table}.{expires} END "
            f"RETURNING {quote('cache_key')}, {value}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, adapt(current), adapt(current)])
            counts = {
                made[key]: pickle.loads(base64.b64decode(raw))  # noqa: S301 (our own value)
                for key, raw in cursor.fetchall()
            }
            if random.randrange(CULL_ONE_ADD_IN) < len(windows):
                cursor.execute(
                    f"DELETE FROM {table} WHERE {expires} < %s",  # noqa: S608 (quoted identifiers; values are parameters)
                    [adapt(current)],
                )
        return counts

    def _hit_add_incr(self, key: str, timeout: int, version=None) -> int:
        if self.add(key, 1, timeout=timeout, version=version):
            return 1
        try:
            return self.incr(key, version=version)
        except ValueError:  # expired between add and incr
            self.add(key, 1, timeout=timeout, version=version)
            return 1

    @staticmethod
    def _expired(connection, expires) -> bool:
        from django.db import models

        # The column comes back naive or aware depending on the database; the ORM's own
        # converters make it comparable, as Django's get() does.
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        for converter in converters:
            expires = converter(expires, expression, connection)
        return expires < now()
