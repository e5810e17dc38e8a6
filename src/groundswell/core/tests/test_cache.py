"""The shared database cache: made by migrate, and counting atomically across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import pytest
from django.db import connection

from groundswell.config.env import CACHE_TABLE, env_cache
from groundswell.core.cache import DatabaseCache


def database_cache() -> DatabaseCache:
    return DatabaseCache(CACHE_TABLE, {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def test_the_default_cache_is_the_database_table_every_process_shares():
    # The base settings (the test overlay swaps in a memory cache for speed).
    from groundswell.config import settings as base

    if not os.environ.get("CACHE_URL"):
        assert base.CACHES["default"]["BACKEND"] == "groundswell.core.cache.DatabaseCache"
        assert base.CACHES["default"]["LOCATION"] == CACHE_TABLE


def test_cache_url_picks_the_backend_and_refuses_others_without_echoing_them(monkeypatch):
    from groundswell.config.env import SettingError

    for url, backend in [
        ("db://", "groundswell.core.cache.DatabaseCache"),
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
    ]:
        monkeypatch.setenv("CACHE_URL", url)
        assert env_cache("CACHE_URL", "db://")["BACKEND"] == backend
    monkeypatch.setenv("CACHE_URL", "memcache://user:s3cret-pw@cache.internal:11211")
    with pytest.raises(SettingError, match="unsupported scheme 'memcache'") as caught:
        env_cache("CACHE_URL", "db://")
    assert "s3cret-pw" not in str(caught.value)


def test_migrate_makes_the_cache_table(db):
    assert CACHE_TABLE in connection.introspection.table_names()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [CACHE_TABLE])
            assert cursor.fetchone() == ("u",)  # unlogged: no disk flush per counted hit


def test_incr_counts_and_keeps_the_expiry(db):
    cache = database_cache()
    assert cache.add("hits", 1, timeout=600)
    assert not cache.add("hits", 1, timeout=600)
    assert cache.incr("hits") == 2
    assert cache.incr("hits", 5) == 7
    assert cache.decr("hits") == 6
    assert cache.get("hits") == 6
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


def test_add_takes_a_free_or_expired_key_only(db):
    cache = database_cache()
    cache.set("stale", "old", timeout=-1)
    assert cache.add("stale", "new", timeout=60)
    assert cache.get("stale") == "new"
    assert not cache.add("stale", "newer", timeout=60)
    assert cache.get("stale") == "new"
    assert cache.add("forever", {"a": 1}, timeout=None)
    assert cache.get("forever") == {"a": 1}


def test_adds_now_and_then_sweep_the_expired_entries(db, monkeypatch):
    from groundswell.core import cache as module

    cache = database_cache()
    for n in range(3):
        cache.set(f"gone-{n}", n, timeout=-1)
    monkeypatch.setattr(module, "CULL_ONE_ADD_IN", 1)
    assert cache.add("fresh", 1, timeout=60)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {CACHE_TABLE}")
        assert cursor.fetchone()[0] == 1


def test_an_expired_counter_cannot_be_incremented(db):
    cache = database_cache()
    cache.set("old", 3, timeout=-1)
    with pytest.raises(ValueError, match="not found"):
        cache.incr("old")


def test_hits_count_counts_each_key_in_its_own_window(db):
    cache = database_cache()
    assert cache.hits_count({"ip": 61, "mail": 601}) == {"ip": 1, "mail": 1}
    assert cache.hits_count({"ip": 61, "mail": 601}) == {"ip": 2, "mail": 2}
    assert cache.hits_count({"ip": 61}) == {"ip": 3}
    # What get() reads is the count, and each key keeps the expiry its first hit gave it.
    assert cache.get("ip") == 3 and cache.get("mail") == 2
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cache_key, expires FROM {CACHE_TABLE} ORDER BY cache_key"  # noqa: S608
        )
        (ip_key, ip_expires), (mail_key, mail_expires) = cursor.fetchall()
    assert 500 < (mail_expires - ip_expires).total_seconds() < 600


def test_hits_count_starts_an_expired_window_again(db):
    cache = database_cache()
    cache.set("old", 7, timeout=-1)
    assert cache.hits_count({"old": 60}) == {"old": 1}
    assert cache.hits_count({"old": 60}) == {"old": 2}
    assert cache.get("old") == 2


# Each racing process opens the window (or finds it open) and counts hits, through the same
# code as a public form: actions.ratelimit._hit against the shared database cache.
RACER = """
import json, os, sys, time
import django
django.setup()
from groundswell.actions import ratelimit
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
def check():
    # The form's own check: the address and the network counted together (hits_count).
    try:
        ratelimit.submission_rate_check(ip_address=sys.argv[3], email="racer@example.org")
    except ratelimit.RateLimited:
        return False
    return True
if sys.argv[2] == "check":
    allowed = sum(check() for _ in range(40))
else:
    allowed = sum(ratelimit._hit("email:racer@example.org", 25, 3600) is None for _ in range(40))
print(json.dumps({"allowed": allowed}))
"""


def _database_url() -> str:
    """The test database as a URL another process can open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["hit", "check"])
def test_processes_racing_on_one_limit_let_exactly_the_limit_through(tmp_path, how):
    import time

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The test database lives in this process's memory: race on a file database instead.
        data = tmp_path / "data"
        database_url = f"sqlite:///{data / 'race.sqlite3'}"
        env = _racer_env(database_url, data)
        migrated = subprocess.run(
            [sys.executable, "-m", "groundswell", "migrate", "-v0"], env=env, capture_output=True
        )
        assert migrated.returncode == 0, migrated.stderr
    else:
        env = _racer_env(_database_url(), tmp_path / "data")
    start = time.time() + 3
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(start), how, f"192.0.2.{n}"],
            env={**env, "GROUNDSWELL_RATE_PER_EMAIL": "25", "GROUNDSWELL_RATE_PER_IP": "1000"},
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    allowed = [json.loads(racer.communicate(timeout=120)[0])["allowed"] for racer in racers]
    # 120 hits on a limit of 25 from three processes at once: 25 pass, whoever wins them.
    assert sum(allowed) == 25, allowed


def _racer_env(database_url: str, data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "groundswell.config.settings",
        "GROUNDSWELL_DEMO": "1",
        "GROUNDSWELL_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TMPDIR": tempfile.gettempdir(),
    }
