"""Groundswell settings: one base, every value from the environment, parsed strictly.

See docs/configuration.md for the variables.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from groundswell.config.env import (
    STRIPE_TEST_MODE_VAR,
    SettingError,
    env_bool,
    env_cache,
    env_database,
    env_email,
    env_int,
    env_list,
    env_mailbox,
    env_proxy_ssl_header,
    env_str,
    stripe_test_mode_check,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(env_str("GROUNDSWELL_DATA_DIR") or "groundswell-data").expanduser().resolve()
if DATA_DIR.exists() and not DATA_DIR.is_dir():
    raise SettingError("GROUNDSWELL_DATA_DIR", f"{DATA_DIR} exists and is not a folder")
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise SettingError("GROUNDSWELL_DATA_DIR", f"cannot create {DATA_DIR}: {exc}") from None

DEBUG = env_bool("DEBUG", False)
# Set by `groundswell demo` (and by the test settings): a local, throw-away campaign.
DEMO_MODE = env_bool("GROUNDSWELL_DEMO", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise SettingError("SECRET_KEY", "must be at least 32 characters long")
        return key
    key_file = DATA_DIR / "secret_key"
    if DEMO_MODE or DEBUG:
        # The demo keeps one generated key in its data folder so sessions survive restarts.
        if key_file.exists():
            return key_file.read_text().strip()
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
    raise SettingError(
        "SECRET_KEY",
        "is not set. Production refuses to start without it: set SECRET_KEY to a long random "
        "string (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
        "or run `groundswell demo` for a local demo",
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public forms explain a failed CSRF check in the campaign's look; staff pages keep Django's.
CSRF_FAILURE_VIEW = "groundswell.actions.views_public.csrf_failure"
# How many reverse proxies of ours stand in front (they append to X-Forwarded-For).
GROUNDSWELL_PROXY_HOPS = env_int("GROUNDSWELL_PROXY_HOPS", 0, minimum=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling (groundswell.accounts.login_throttle)
    "groundswell.core",
    "groundswell.accounts",
    "groundswell.people",
    "groundswell.actions",
    "groundswell.donations",
    "groundswell.identity",
    "groundswell.segments",
    "groundswell.mailings",
    "groundswell.events",
    "groundswell.analytics",  # the metric layer and dashboards over every app's data
    "groundswell.api",  # the Action Network v2 / OSDI compatible API
    "groundswell.home",  # the staff home: composes the figures of every app above
    "groundswell.demo",  # development-only generators and the demo campaign
    "groundswell.config",  # commands that compose several apps (`groundswell import`)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "groundswell.core.csp.StaffCSPMiddleware",
    # Last, as django-axes asks: it turns a refused log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "groundswell.config.urls"
WSGI_APPLICATION = "groundswell.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundswell.accounts.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", DATA_DIR / "groundswell.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "groundswell.accounts.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed log-ins are counted per network address and per username (either one locks out), and
# the lockout lasts this long after the last attempt; counts live in the database.
AXES_FAILURE_LIMIT = env_int("GROUNDSWELL_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GROUNDSWELL_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "groundswell.accounts.permissions.client_ip"
AXES_USERNAME_CALLABLE = "groundswell.accounts.login_throttle.login_username"
# Attempts refused during a lockout are not counted: the pause ends on time, and a script that
# keeps trying does not grow the attempt's row with every request.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "groundswell.accounts.login_throttle.AuditedLoginHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# A successful log-in does not wipe the count: it would let anyone with one account reset the
# counter of the address they are guessing another account's password from.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded CSVs go to disk, not memory: imports can be hundreds of megabytes.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GROUNDSWELL_IMPORT_MAX_BYTES = env_int("GROUNDSWELL_IMPORT_MAX_BYTES", 512 * 1024 * 1024, minimum=1)

# The demo writes the e-mail it "sends" into its data folder, one file per message batch.
globals().update(
    env_email(
        "EMAIL_URL",
        f"file://{DATA_DIR / 'sent-mail'}" if (DEMO_MODE or DEBUG) else "smtp://localhost:25",
    )
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Groundswell <noreply@localhost>")

# Mailings (groundswell.mailings): see docs/configuration.md, "Mailings".
# The public address of the campaign site, for the links in messages (unsubscribe, tracking);
# blank: the address the staff member used when pressing "Send".
GROUNDSWELL_PUBLIC_URL = (env_str("GROUNDSWELL_PUBLIC_URL") or "").rstrip("/")
# A mailbox that takes unsubscribe requests by e-mail (the List-Unsubscribe mailto); blank: none.
GROUNDSWELL_UNSUBSCRIBE_MAILTO = env_str("GROUNDSWELL_UNSUBSCRIBE_MAILTO") or ""
# The envelope sender (Return-Path) bounces go to; blank: the sender identity's address.
GROUNDSWELL_MAILING_RETURN_PATH = env_str("GROUNDSWELL_MAILING_RETURN_PATH") or ""
# Messages per second for all workers of a send together, and per recipient domain (0: no limit);
# GROUNDSWELL_MAILING_DOMAIN_RATES overrides the per-domain rate, e.g. "gmail.com=20,aol.com=5".
GROUNDSWELL_MAILING_RATE = env_int("GROUNDSWELL_MAILING_RATE", 0, minimum=0)
GROUNDSWELL_MAILING_DOMAIN_RATE = env_int("GROUNDSWELL_MAILING_DOMAIN_RATE", 0, minimum=0)
GROUNDSWELL_MAILING_DOMAIN_RATES = env_list("GROUNDSWELL_MAILING_DOMAIN_RATES", [])
# A new sending domain's warm-up: messages allowed on its first, second, ... day of sending
# (comma-separated); after the last day, no cap. Blank: no warm-up.
GROUNDSWELL_MAILING_WARMUP = env_list("GROUNDSWELL_MAILING_WARMUP", [])
# Worker tasks started for each send (each claims its own batches of recipients).
GROUNDSWELL_MAILING_WORKERS = env_int("GROUNDSWELL_MAILING_WORKERS", 2, minimum=1)
# A worker's claim on queued recipients it has not sent may be taken over after this long.
GROUNDSWELL_MAILING_CLAIM_STALE_SECONDS = env_int(
    "GROUNDSWELL_MAILING_CLAIM_STALE_SECONDS", 60, minimum=1
)
# Messages marked "sending" per commit before they go to the server: 1 leaves at most one
# "unknown, not retried" per killed worker; more is faster and leaves up to that many.
GROUNDSWELL_MAILING_HANDOFF = env_int("GROUNDSWELL_MAILING_HANDOFF", 1, minimum=1)
# A send to more recipients than this asks the staff member to confirm the number.
GROUNDSWELL_MAILING_CONFIRM_ABOVE = env_int("GROUNDSWELL_MAILING_CONFIRM_ABOVE", 1000, minimum=0)
# Mail people with no consent recorded (only where the law allows it and the campaign decides).
GROUNDSWELL_MAILING_ALLOW_UNKNOWN_CONSENT = env_bool(
    "GROUNDSWELL_MAILING_ALLOW_UNKNOWN_CONSENT", False
)
# DKIM: a PEM private key file, its selector and the signing domain (blank: the From domain).
GROUNDSWELL_DKIM_KEY_FILE = env_str("GROUNDSWELL_DKIM_KEY_FILE") or ""
GROUNDSWELL_DKIM_SELECTOR = env_str("GROUNDSWELL_DKIM_SELECTOR") or ""
GROUNDSWELL_DKIM_DOMAIN = env_str("GROUNDSWELL_DKIM_DOMAIN") or ""
if bool(GROUNDSWELL_DKIM_KEY_FILE) != bool(GROUNDSWELL_DKIM_SELECTOR):
    raise SettingError(
        "GROUNDSWELL_DKIM_SELECTOR" if GROUNDSWELL_DKIM_KEY_FILE else "GROUNDSWELL_DKIM_KEY_FILE",
        "set both GROUNDSWELL_DKIM_KEY_FILE and GROUNDSWELL_DKIM_SELECTOR, or neither",
    )

# SMS (groundswell.core.sms): a provider speaking Twilio's Messages API. Without the account
# SID, auth token and sending number nothing is texted (event reminders go by e-mail only).
GROUNDSWELL_SMS_URL = (env_str("GROUNDSWELL_SMS_URL") or "https://api.twilio.com").rstrip("/")
if not GROUNDSWELL_SMS_URL.startswith(("https://", "http://")):
    raise SettingError("GROUNDSWELL_SMS_URL", "expected an http:// or https:// address")
GROUNDSWELL_SMS_ACCOUNT_SID = env_str("GROUNDSWELL_SMS_ACCOUNT_SID") or ""
GROUNDSWELL_SMS_AUTH_TOKEN = env_str("GROUNDSWELL_SMS_AUTH_TOKEN") or ""
GROUNDSWELL_SMS_FROM = env_str("GROUNDSWELL_SMS_FROM") or ""
GROUNDSWELL_SMS_TIMEOUT = env_int("GROUNDSWELL_SMS_TIMEOUT", 10, minimum=1)
_SMS_PARTS = {
    "GROUNDSWELL_SMS_ACCOUNT_SID": GROUNDSWELL_SMS_ACCOUNT_SID,
    "GROUNDSWELL_SMS_AUTH_TOKEN": GROUNDSWELL_SMS_AUTH_TOKEN,
    "GROUNDSWELL_SMS_FROM": GROUNDSWELL_SMS_FROM,
}
if any(_SMS_PARTS.values()) and not all(_SMS_PARTS.values()):
    raise SettingError(
        next(name for name, value in _SMS_PARTS.items() if not value),
        "set GROUNDSWELL_SMS_ACCOUNT_SID, _AUTH_TOKEN and _FROM together, or none of them",
    )
if GROUNDSWELL_SMS_FROM and not re.fullmatch(r"\+[1-9][0-9]{6,14}", GROUNDSWELL_SMS_FROM):
    raise SettingError("GROUNDSWELL_SMS_FROM", "expected a number in E.164, e.g. +15555550100")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Shared by every server process (rate limits must be): a table in the database by default.
CACHES = {"default": env_cache("CACHE_URL", "db://")}
# Public forms: submissions allowed per IP per minute and per e-mail address per 10 minutes.
GROUNDSWELL_RATE_PER_IP = env_int("GROUNDSWELL_RATE_PER_IP", 30, minimum=1)
GROUNDSWELL_RATE_PER_EMAIL = env_int("GROUNDSWELL_RATE_PER_EMAIL", 5, minimum=1)
# API requests allowed per key per minute (Action Network allows 4 a second; 10 here).
GROUNDSWELL_API_RATE_PER_MINUTE = env_int("GROUNDSWELL_API_RATE_PER_MINUTE", 600, minimum=1)

# Check MX records for new e-mail addresses in a background task (skipped when DNS is down).
GROUNDSWELL_CHECK_MX = env_bool("GROUNDSWELL_CHECK_MX", not DEMO_MODE)
# DNS servers for that check ("host:port", comma-separated); default: the system's resolver.
GROUNDSWELL_DNS_SERVERS = env_list("GROUNDSWELL_DNS_SERVERS", [])

# The bounce mailbox (mailings.bounces): maildir:///var/mail/bounces or
# imaps://user:password@imap.example.com/Bounces; unset, no mailbox is read.
BOUNCE_MAILBOX_URL = env_mailbox("BOUNCE_MAILBOX_URL")
# Provider webhooks for bounces and complaints (django-anymail, mounted at /webhooks/mail/):
# the HTTP Basic credentials ("user:password") the provider is told to use; unset, they answer 503.
ANYMAIL_WEBHOOK_SECRET = env_str("ANYMAIL_WEBHOOK_SECRET") or ""
if ANYMAIL_WEBHOOK_SECRET and ":" not in ANYMAIL_WEBHOOK_SECRET:
    raise SettingError("ANYMAIL_WEBHOOK_SECRET", "expected user:password")
ANYMAIL = {
    "WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRET,
    # Mailgun signs its webhooks with this key (besides the Basic credentials).
    "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("MAILGUN_WEBHOOK_SIGNING_KEY") or "",
    # Confirming an SNS subscription needs boto3, which we do not ship: confirm it once in the
    # SNS console with the token anymail logs.
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
}

# ActBlue webhook (HTTP Basic): both credentials or neither; unset, the endpoint answers 503.
ACTBLUE_WEBHOOK_USERNAME = env_str("ACTBLUE_WEBHOOK_USERNAME") or ""
ACTBLUE_WEBHOOK_PASSWORD = env_str("ACTBLUE_WEBHOOK_PASSWORD") or ""
if bool(ACTBLUE_WEBHOOK_USERNAME) != bool(ACTBLUE_WEBHOOK_PASSWORD):
    raise SettingError(
        "ACTBLUE_WEBHOOK_PASSWORD" if ACTBLUE_WEBHOOK_USERNAME else "ACTBLUE_WEBHOOK_USERNAME",
        "set both ACTBLUE_WEBHOOK_USERNAME and ACTBLUE_WEBHOOK_PASSWORD, or neither",
    )
# ActBlue entity id of our committee: when set, other entities' line items are skipped.
GROUNDSWELL_COMMITTEE_ENTITY_ID = env_str("GROUNDSWELL_COMMITTEE_ENTITY_ID") or ""

# Stripe, for our own donation pages. Unset, those pages take no card payments. STRIPE_API_BASE
# and STRIPE_JS_URL point elsewhere only in tests (a local double that speaks Stripe's API).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY") or ""
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY") or ""
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET") or ""
STRIPE_API_BASE = env_str("STRIPE_API_BASE") or ""
STRIPE_JS_URL = env_str("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# The demo's donation pages take gifts in test mode (Stripe's test keys or the local double),
# and say so on every page; refused outside the demo and with live keys.
STRIPE_TEST_MODE = env_bool(STRIPE_TEST_MODE_VAR, False)
stripe_test_mode_check(
    test_mode=STRIPE_TEST_MODE,
    demo=DEMO_MODE,
    secret_key=STRIPE_SECRET_KEY,
    publishable_key=STRIPE_PUBLISHABLE_KEY,
)

# Identity resolution (groundswell.identity): the engine Splink runs on (duckdb on one machine,
# spark beyond it), the match probability above which records are linked automatically, and the
# floor below which a pair is not worth a reviewer's time (between the two: the review queue).
GROUNDSWELL_IDENTITY_BACKEND = env_str("GROUNDSWELL_IDENTITY_BACKEND", "duckdb").lower()
if GROUNDSWELL_IDENTITY_BACKEND not in {"duckdb", "spark"}:
    raise SettingError("GROUNDSWELL_IDENTITY_BACKEND", "expected duckdb or spark")

# Analytics (groundswell.analytics): where the dashboards' metrics run. duckdb reads an extract
# kept under the data folder (GROUNDSWELL_ANALYTICS_EXTRACT to put it elsewhere); postgres reads
# the operational PostgreSQL database directly; spark reads the extract as Parquet, or the
# warehouse folder GROUNDSWELL_ANALYTICS_PARQUET (needs the spark extra and Java 17).
GROUNDSWELL_ANALYTICS_ENGINE = env_str("GROUNDSWELL_ANALYTICS_ENGINE", "duckdb").lower()
if GROUNDSWELL_ANALYTICS_ENGINE not in {"duckdb", "postgres", "spark"}:
    raise SettingError("GROUNDSWELL_ANALYTICS_ENGINE", "expected duckdb, postgres or spark")
if (
    GROUNDSWELL_ANALYTICS_ENGINE == "postgres"
    and "postgresql" not in DATABASES["default"]["ENGINE"]
):
    raise SettingError(
        "GROUNDSWELL_ANALYTICS_ENGINE", "postgres needs DATABASE_URL to be a PostgreSQL database"
    )
GROUNDSWELL_ANALYTICS_EXTRACT = env_str("GROUNDSWELL_ANALYTICS_EXTRACT") or ""
GROUNDSWELL_ANALYTICS_PARQUET = env_str("GROUNDSWELL_ANALYTICS_PARQUET") or ""
# The fewest people a place bin (a ZIP3 area on Donors by place) may show; smaller ones are
# folded into "other". Two at the least: a bin of one is that person.
GROUNDSWELL_ANALYTICS_MIN_BIN = env_int("GROUNDSWELL_ANALYTICS_MIN_BIN", 10, minimum=2)


def _probability(name: str, default: str) -> float:
    raw = env_str(name, default) or default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(name, f"expected a probability such as 0.99, got {raw!r}") from None
    if not 0 < value < 1:
        raise SettingError(name, f"must be between 0 and 1 (exclusive), got {raw!r}")
    return value


GROUNDSWELL_IDENTITY_AUTO_LINK = _probability("GROUNDSWELL_IDENTITY_AUTO_LINK", "0.99")
GROUNDSWELL_IDENTITY_REVIEW_FLOOR = _probability("GROUNDSWELL_IDENTITY_REVIEW_FLOOR", "0.8")
if GROUNDSWELL_IDENTITY_REVIEW_FLOOR >= GROUNDSWELL_IDENTITY_AUTO_LINK:
    raise SettingError(
        "GROUNDSWELL_IDENTITY_REVIEW_FLOOR", "must be below GROUNDSWELL_IDENTITY_AUTO_LINK"
    )

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# How long a staff log-in lasts, in seconds from logging in (default: two weeks).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Staff pages (these paths) send a Content-Security-Policy: scripts from this site only, no
# eval (htmx is told not to use it), no inline script. Inline styles stay allowed: the
# templates' style attributes (progress bars) and the styles that vega-embed and htmx insert.
GROUNDSWELL_STAFF_PATHS = [
    "/accounts/",
    "/people/",
    "/pages/",
    "/finance/",
    "/identity/",
    "/mailings/",
    "/analytics/",
    "/admin/",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# HTTPS behind a proxy (README, "Security"): the header the proxy sets to "https", a redirect of
# plain HTTP, and HSTS once the site is known to work over HTTPS.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"groundswell": {"level": env_str("LOG_LEVEL", "INFO"), "propagate": True}},
}

if os.environ.get("GROUNDSWELL_SQL_DEBUG"):
    LOGGING["loggers"]["django.db.backends"] = {"level": "DEBUG"}
