"""Strict readers for settings that come from the environment.

A bad value must stop start-up with a message that names the variable and says what is wrong,
so every reader raises ``SettingError`` instead of guessing a default for a malformed value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

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


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """Parse the name of the header a TLS-ending proxy sets to "https" (X-Forwarded-Proto)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]+", raw):
        raise SettingError(
            name, f"expected a header name such as X-Forwarded-Proto, got {raw[:100]!r}"
        )
    return ("HTTP_" + raw.upper().replace("-", "_"), "https")


def url_redacted(raw: str) -> str:
    """The URL fit to quote in an error: whatever stands before its last "@" is left out.

    A malformed URL may carry its password anywhere up to that "@" (an unescaped ":" or "/"
    in it moves the parser's idea of the host), so all of it goes, not only the password.
    """
    scheme, sep, rest = raw.partition("://")
    if not sep or "@" not in rest:
        return raw
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def _scheme(name: str, raw: str) -> str:
    try:
        return urlparse(raw).scheme
    except ValueError as exc:  # an unclosed "[" of an IPv6 address, say
        raise SettingError(
            name, f"cannot parse {url_redacted(raw)!r}: {_parse_error(raw, exc)}"
        ) from None


def _parse_error(raw: str, exc: Exception) -> str:
    """A parser's complaint with any piece of the URL's credentials taken out."""
    message = str(exc)
    userinfo = raw.partition("://")[2].rpartition("@")[0]
    pieces = {userinfo, *userinfo.replace("/", ":").split(":")}
    for piece in sorted(pieces | {unquote(p) for p in pieces}, key=len, reverse=True):
        if piece:
            message = message.replace(piece, "***")
    return message


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
    scheme = _scheme(name, raw)
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise SettingError(
            name,
            f"unsupported scheme {scheme!r} in {url_redacted(raw)!r}; "
            "use postgres://user@host:port/db "
            "or sqlite:////absolute/path.sqlite3",
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise SettingError(
            name, f"cannot parse {url_redacted(raw)!r}: {_parse_error(raw, exc)}"
        ) from None
    if not config.get("NAME"):
        raise SettingError(name, f"no database name in {url_redacted(raw)!r}")
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
    scheme = _scheme(name, raw)
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
            f"unsupported scheme {scheme!r} in {url_redacted(raw)!r}; "
            "use smtp://, smtp+tls:// (STARTTLS), smtps:// (TLS on 465), "
            "console:// or file:///path",
        )
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    # smtp+tls:// (STARTTLS, port 587 unless given) and smtp+ssl:// (TLS from the first byte,
    # port 465) are ours: dj-email-url knows them only as smtp:// with ?tls=1 or ?ssl=1.
    # dj-email-url reads smtps:// as STARTTLS, but everywhere else (RFC 8314's "submissions",
    # mail clients, providers' docs) smtps means TLS from the first byte on port 465: a relay
    # written so would hang on a STARTTLS greeting, so smtps:// is ours too. submission:// is
    # STARTTLS on 587, as its port's name says.
    secure = {
        "smtp+tls": ("EMAIL_USE_TLS", 587),
        "submission": ("EMAIL_USE_TLS", 587),
        "smtp+ssl": ("EMAIL_USE_SSL", 465),
        "smtps": ("EMAIL_USE_SSL", 465),
    }.get(scheme)
    url = "smtp" + raw[len(scheme) :] if secure else raw
    try:
        parsed = dj_email_url.parse(url)
        given_port = urlparse(url).port
    except Exception as exc:
        raise SettingError(
            name, f"cannot parse {url_redacted(raw)!r}: {_parse_error(raw, exc)}"
        ) from None
    result = {
        "EMAIL_BACKEND": parsed["EMAIL_BACKEND"],
        "EMAIL_HOST": parsed.get("EMAIL_HOST") or "localhost",
        "EMAIL_PORT": parsed.get("EMAIL_PORT") or 25,
        "EMAIL_HOST_USER": parsed.get("EMAIL_HOST_USER") or "",
        "EMAIL_HOST_PASSWORD": parsed.get("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": bool(parsed.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": bool(parsed.get("EMAIL_USE_SSL")),
    }
    if secure:
        flag, default_port = secure
        result.update(
            EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_PORT=given_port or default_port
        )
        result[flag] = True
    if scheme == "file":
        # file:///abs/dir: dj-email-url drops the leading slash, making the path relative.
        path = urlparse(raw).path
        if not path or not path.startswith("/"):
            raise SettingError(name, f"expected file:///absolute/folder, got {url_redacted(raw)!r}")
        result["EMAIL_FILE_PATH"] = path
    return result


def env_mailbox(name: str) -> str:
    """Check the bounce mailbox's address (maildir:///dir, imaps://user:pass@host[:port]/folder,
    or imap:// to this machine only); "" when unset. Kept as the URL: the reader parses it."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return ""
    scheme = _scheme(name, raw)
    try:
        parts = urlparse(raw)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise SettingError(
            name, f"cannot parse {url_redacted(raw)!r}: {_parse_error(raw, exc)}"
        ) from None
    if scheme == "maildir":
        if not parts.path.startswith("/") or parts.netloc:
            raise SettingError(name, f"expected maildir:///absolute/folder, got {raw!r}")
        return raw
    if scheme not in {"imap", "imaps"}:
        raise SettingError(
            name,
            f"unsupported scheme {scheme!r} in {url_redacted(raw)!r}; "
            "use maildir:///folder or imaps://user:password@host/folder",
        )
    if not parts.hostname or parts.username is None or parts.password is None:
        raise SettingError(
            name, f"an IMAP mailbox needs user:password@host, got {url_redacted(raw)!r}"
        )
    if scheme == "imap" and parts.hostname not in {"127.0.0.1", "::1", "localhost"}:
        raise SettingError(name, "plain imap:// only to this machine; use imaps:// (TLS)")
    return raw


# The shared database cache's table, created by the core app's first migration.
CACHE_TABLE = "groundswell_cache"


def env_cache(name: str, default: str) -> dict:
    """Parse CACHE_URL: db:// (a table in the database), redis://host:port/db, locmem://, dummy://."""
    raw = (os.environ.get(name) or default).strip()
    scheme = _scheme(name, raw)
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


# The variable that runs the donation pages in test mode (the demo sets it).
STRIPE_TEST_MODE_VAR = "GROUNDSWELL_STRIPE_TEST_MODE"


def stripe_test_mode_check(
    *, test_mode: bool, demo: bool, secret_key: str, publishable_key: str
) -> None:
    """Refuse test mode outside the demo, and any key but Stripe's test keys in test mode.

    Test mode tells donors "no real money": on a campaign's real site, or with live keys, that
    would be false, so either refuses to start rather than taking a gift that is not what the
    page says.
    """
    if not test_mode:
        return
    if not demo:
        raise SettingError(
            STRIPE_TEST_MODE_VAR,
            "is only for the demo (GROUNDSWELL_DEMO=1): a campaign's real site never runs its "
            "donation pages in test mode",
        )
    if (secret_key and not secret_key.startswith("sk_test_")) or (
        publishable_key and not publishable_key.startswith("pk_test_")
    ):
        raise SettingError(
            STRIPE_TEST_MODE_VAR,
            "refuses live Stripe keys: test mode takes Stripe's test keys (sk_test_…, pk_test_…) "
            "or the local Stripe double, never real money",
        )
