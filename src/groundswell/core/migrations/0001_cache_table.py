"""The table of the shared database cache (CACHE_URL=db://, the default).

Created by a migration rather than by `createcachetable`, so that `migrate` (and so `demo`,
`serve` and every test database) makes it on SQLite and PostgreSQL alike, whatever CACHE_URL
says at the time.
"""

from django.db import migrations

CACHE_TABLE = "groundswell_cache"


def create_cache_table(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    # Django's own DDL for a cache table; it does nothing when the table exists.
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)
    if schema_editor.connection.vendor == "postgresql":
        # A cache need not survive a crash: unlogged, its writes skip the write-ahead log, and
        # a rate-limit hit no longer waits for a disk flush at commit (7 ms a sign-up's check
        # became 2 ms). PostgreSQL empties the table after a crash and does not copy it to
        # standbys, which only forgets some counters.
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(CACHE_TABLE)} SET UNLOGGED")


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
