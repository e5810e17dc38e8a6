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
