"""Strict readers for settings that come from the environment.

A bad value must stop start-up with a message that names the variable and says what is wrong,
so every reader raises ``SettingError`` instead of guessing a default for a malformed value.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A setting read from the environment is malformed."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(name, f"expected one of true/false/1/0/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingError(name, f"expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(name, f"must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise SettingError(
            name, f"expected a comma-separated list with no empty items, got {raw!r}"
        )
    return items


def env_database(name: str, default_sqlite_path: Path) -> dict:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            "OPTIONS": _sqlite_options(),
        }
    raw = raw.strip()
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise SettingError(
            name,
            f"unsupported scheme {scheme!r} in {raw!r}; use postgres://user@host:port/db "
            "or sqlite:////absolute/path.sqlite3",
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise SettingError(name, f"cannot parse {raw!r}: {exc}") from None
    if not config.get("NAME"):
        raise SettingError(name, f"no database name in {raw!r}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = _sqlite_options()
        config["CONN_MAX_AGE"] = 0
    elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Queries are bound on the client and never prepared, as Django does by default; this
        # only lets the few hot statements that ask for it (the ActBlue webhook's) be prepared
        # once per connection. Set DATABASE_PREPARED_STATEMENTS=false behind a connection pooler
        # in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
        config.setdefault("OPTIONS", {})["prepare_threshold"] = PREPARE_ONLY_WHEN_ASKED
    return config


# psycopg prepares a statement after this many executions, or at once when asked to.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


def _sqlite_options() -> dict:
    # WAL lets the web server read while the task worker writes an import; IMMEDIATE
    # transactions avoid "database is locked" upgrades from read to write locks.
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }


def env_email(name: str, default: str) -> dict:
    """Parse EMAIL_URL (smtp://user:pass@host:port, smtp+tls://, console://, file:///dir)."""
    import dj_email_url

    raw = (os.environ.get(name) or default).strip()
    scheme = urlparse(raw).scheme
    if scheme not in {
        "smtp",
        "smtps",
        "submission",
        "smtp+tls",
        "smtp+ssl",
        "console",
        "file",
        "memory",
        "dummy",
    }:
        raise SettingError(
            name,
            f"unsupported scheme {scheme!r} in {raw!r}; use smtp://, smtp+tls://, smtps://, "
            "console:// or file:///path",
        )
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    try:
        parsed = dj_email_url.parse(raw)
    except Exception as exc:
        raise SettingError(name, f"cannot parse {raw!r}: {exc}") from None
    result = {
        "EMAIL_BACKEND": parsed["EMAIL_BACKEND"],
        "EMAIL_HOST": parsed.get("EMAIL_HOST") or "localhost",
        "EMAIL_PORT": parsed.get("EMAIL_PORT") or 25,
        "EMAIL_HOST_USER": parsed.get("EMAIL_HOST_USER") or "",
        "EMAIL_HOST_PASSWORD": parsed.get("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": bool(parsed.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": bool(parsed.get("EMAIL_USE_SSL")),
    }
    if scheme == "file":
        # file:///abs/dir: dj-email-url drops the leading slash, making the path relative.
        path = urlparse(raw).path
        if not path or not path.startswith("/"):
            raise SettingError(name, f"expected file:///absolute/folder, got {raw!r}")
        result["EMAIL_FILE_PATH"] = path
    return result


# The shared database cache's table, created by the core app's first migration.
CACHE_TABLE = "groundswell_cache"


def env_cache(name: str, default: str) -> dict:
    """Parse CACHE_URL: db:// (a table in the database), redis://host:port/db, locmem://, dummy://."""
    raw = (os.environ.get(name) or default).strip()
    scheme = urlparse(raw).scheme
    if scheme == "db":
        return {
            "BACKEND": "groundswell.core.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Django culls a third of the entries past MAX_ENTRIES, live rate-limit counters
            # included; room for a busy day's counters keeps the limits whole.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gs"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}
    raise SettingError(
        name,
        f"unsupported scheme {scheme!r}; use db://, redis://host:6379/0, locmem:// or dummy://",
    )
