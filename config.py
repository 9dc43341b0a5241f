"""Configuration, read from the environment.

Three modes (``APP_ENV``):
- ``production`` (the default): ``SECRET_KEY`` must be set; no demo data unless asked for.
- ``demo``: what ``make run`` uses; a secret key is generated once and kept under ``instance/``.
- ``test``: what the test suite uses.

``DATABASE_URL`` selects PostgreSQL (or any SQLAlchemy URL); without it an SQLite file under ``instance/``
is used. ``REDIS_URL`` selects Redis as Celery broker, result backend and rate-limit storage; without it
Celery runs on its SQLAlchemy transport over an SQLite file, so ``make run`` needs nothing but Python.
"""

from __future__ import annotations

import os
import secrets
import string
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance")).resolve()


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot run the app safely."""


def _env_text(name: str, default: str) -> str:
    """The variable's value without surrounding blanks; ``default`` when it is unset or blank."""
    return os.environ.get(name, "").strip() or default


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'app.sqlite'}"
    # Heroku-style URLs and plain "postgresql://" both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key(app_env: str) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if app_env == "production":
        raise ConfigurationError(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
            "or set APP_ENV=demo for a local demonstration."
        )
    if app_env == "test":
        return "test-secret-key-not-for-production"
    # demo: generate once and keep it, so sessions survive restarts.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


APP_ENV = os.environ.get("APP_ENV", "production").strip().lower()
if APP_ENV not in {"production", "demo", "test"}:
    raise ConfigurationError(f"APP_ENV must be production, demo or test, not {APP_ENV!r}")

SECRET_KEY = _secret_key(APP_ENV)
DEMO_MODE = APP_ENV == "demo"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo#2026gy")
#: web port of ``make run`` (app/devserver.py); in production gunicorn's ``--bind`` decides
PORT = int(os.environ.get("PORT", "8080"))

# --- Logs -----------------------------------------------------------------------------------
# The level of the libraries' logs (Flask-AppBuilder, Alembic; under `make run` gunicorn and Celery too):
# at INFO they print hundreds of lines at every start. Our own loggers (app.*, workers.*) always log INFO
# (every job says what it did), and DEBUG too when LOG_LEVEL is DEBUG. Applied by app/logs.py.
LOG_LEVEL = _env_text("LOG_LEVEL", "WARNING").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ConfigurationError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}")

# --- Database -------------------------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = _database_url()
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
# Tables are created by our Alembic migrations only, never by FAB at start-up, and permissions are
# synchronised by `flask roles sync` (start-up must not write to the database).
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False

# --- Files ----------------------------------------------------------------------------------
STORAGE_DIR = Path(os.environ.get("STORAGE_DIR", INSTANCE_DIR / "storage")).resolve()
MAX_CONTENT_LENGTH = 25 * 1024 * 1024
SAMPLE_FILE_MAX_BYTES = 20 * 1024 * 1024
# What an upload may make us decode (images re-encoded, spreadsheets imported): a small file can unpack to
# gigabytes, so each is measured before it is decoded and refused above these limits.
#: pixels of an uploaded image, in millions: 25 admits an A3 page scanned at 300 dpi (3508 × 4961 ≈ 17.4)
#: and refuses a 9400 × 9400 PNG of a few hundred KB that would take seconds and hundreds of MB to decode
UPLOAD_MAX_MEGAPIXELS = float(os.environ.get("UPLOAD_MAX_MEGAPIXELS", "25"))
#: MB an uploaded XLSX (or any ZIP we open) unpacks to, all parts together (a 5,000-row catalog: about 6)
UPLOAD_MAX_UNPACKED_MB = int(os.environ.get("UPLOAD_MAX_UNPACKED_MB", "20"))
#: rows of data in an imported sheet (catalog, work calendar): the province's catalog has a few thousand
#: material rows; checking 20,000 took 12 s of a web worker here (bench/uploads.py), 5,000 about 3 s
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
#: characters in one cell of an imported sheet (Excel's own limit is 32,767)
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", "32767"))

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = f"sqla+sqlite:///{INSTANCE_DIR / 'celery-broker.sqlite'}"
    CELERY_RESULT_BACKEND = f"db+sqlite:///{INSTANCE_DIR / 'celery-results.sqlite'}"
CELERY_BEAT_SCHEDULE_FILE = str(INSTANCE_DIR / "celerybeat-schedule")
HEARTBEAT_SECONDS = float(os.environ.get("HEARTBEAT_SECONDS", "60"))
OUTBOX_RELAY_SECONDS = float(os.environ.get("OUTBOX_RELAY_SECONDS", "5"))
#: a published side effect no worker has taken after this long is looked for: the relay asks the jobs queue
#: how far it got (a probe row), and publishes again what the queue passed without a worker taking it. A
#: row still waiting in a long queue is never published twice, so this can be short. (Jobs lost with a
#: Redis restarted empty do not wait for it: the relay finds its mark gone and hands them over at once.)
OUTBOX_STALE_SECONDS = float(os.environ.get("OUTBOX_STALE_SECONDS", "30"))
#: a side effect a worker took and neither finished nor gave back after this long is published again: the
#: worker died. Longer than any job runs (a courier booking waits at most COURIER_TIMEOUT_SECONDS, a notice
#: renders in seconds); a failed attempt waiting for its retry is not held, it waits for the retry's time.
OUTBOX_HELD_SECONDS = float(os.environ.get("OUTBOX_HELD_SECONDS", "300"))
DEADLINE_CHECK_SECONDS = float(os.environ.get("DEADLINE_CHECK_SECONDS", "300"))
#: webhooks (docs/WEBHOOKS.md): how long one POST may take, and after how many attempts a delivery is failed
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
#: the event feed (GET /api/v1/events): at most this many events per answer
EVENT_FEED_MAX_LIMIT = int(os.environ.get("EVENT_FEED_MAX_LIMIT", "500"))
#: how long an API client's Idempotency-Key is remembered (its answer replayed) before it may be used anew
IDEMPOTENCY_KEY_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))
#: a worker that lost the broker tries it again this often (Celery's own back-off grows to 30 s, so a worker
#: would resume up to half a minute after Redis is back)
BROKER_RETRY_SECONDS = float(os.environ.get("BROKER_RETRY_SECONDS", "2"))

# --- GET /health: past these limits it answers 503 and names the failing check ------------------------
#: seconds since the worker's (and beat's) last heartbeat: both report every HEARTBEAT_SECONDS
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = float(os.environ.get("HEALTH_HEARTBEAT_MAX_AGE_SECONDS",
                                                        str(2 * HEARTBEAT_SECONDS)))
#: unfinished outbox rows, and seconds the oldest one the relay has not handed over has waited
HEALTH_OUTBOX_MAX_ROWS = int(os.environ.get("HEALTH_OUTBOX_MAX_ROWS", "500"))
HEALTH_OUTBOX_MAX_AGE_SECONDS = float(os.environ.get("HEALTH_OUTBOX_MAX_AGE_SECONDS", "300"))
#: a provider (courier, SMS gateway) fails when, of its parcels or messages whose last attempt failed and those
#: that went through in the last HEALTH_PROVIDER_WINDOW_SECONDS, at least this share failed
HEALTH_PROVIDER_WINDOW_SECONDS = float(os.environ.get("HEALTH_PROVIDER_WINDOW_SECONDS", "300"))
HEALTH_PROVIDER_MAX_FAILURE_SHARE = float(os.environ.get("HEALTH_PROVIDER_MAX_FAILURE_SHARE", "0.5"))
#: messages given up on (failed for good, or parked for a person to resend) before health turns red
HEALTH_MAX_PARKED_MESSAGES = int(os.environ.get("HEALTH_MAX_PARKED_MESSAGES", "0"))
#: webhook deliveries given up on (failed after WEBHOOK_MAX_ATTEMPTS, waiting for 重新投递) before health turns red
HEALTH_MAX_FAILED_WEBHOOKS = int(os.environ.get("HEALTH_MAX_FAILED_WEBHOOKS", "0"))
if not 0 < HEALTH_PROVIDER_MAX_FAILURE_SHARE <= 1:
    raise ConfigurationError("HEALTH_PROVIDER_MAX_FAILURE_SHARE is a share between 0 (excluded) and 1")
TRACKING_SECONDS = float(os.environ.get("TRACKING_SECONDS", "300"))

# --- Courier (docs/COURIER.md) ----------------------------------------------------------------
#: ``manual``: the clerk types the waybill printed by the courier's terminal; ``http``: an EMS-style JSON API
COURIER_PROVIDER = os.environ.get("COURIER_PROVIDER", "manual").strip().lower() or "manual"
if COURIER_PROVIDER not in {"manual", "http"}:
    raise ConfigurationError(f"COURIER_PROVIDER must be manual or http, not {COURIER_PROVIDER!r}")
COURIER_BASE_URL = os.environ.get("COURIER_BASE_URL", "").strip().rstrip("/")
COURIER_KEY = os.environ.get("COURIER_KEY", "").strip()
COURIER_SECRET = os.environ.get("COURIER_SECRET", "").strip()
if COURIER_PROVIDER == "http" and not (COURIER_BASE_URL and COURIER_KEY and COURIER_SECRET):
    raise ConfigurationError("COURIER_PROVIDER=http needs COURIER_BASE_URL, COURIER_KEY and COURIER_SECRET")
#: read timeout of one courier request (the connection gets at most 5 s of it)
COURIER_TIMEOUT_SECONDS = float(os.environ.get("COURIER_TIMEOUT_SECONDS", "10"))
#: working days after acceptance to book the parcel of materials (1: the case's dispatch_due)
COURIER_BOOKING_DAYS = int(os.environ.get("COURIER_BOOKING_DAYS", "1"))
#: shipments polled per tracking run
COURIER_TRACKING_BATCH = int(os.environ.get("COURIER_TRACKING_BATCH", "100"))

# --- 对账: the daily reconciliation of both ends (docs/RECONCILIATION.md) ---------------------------
#: working days a parcel between two windows may take before it is found unsigned, on a route with too few
#: signed parcels to measure (a measured route uses the 90th percentile of its own transit times)
RECONCILIATION_TRANSIT_DAYS = int(os.environ.get("RECONCILIATION_TRANSIT_DAYS", "3"))
#: days a parcel tracked with the courier may go without any event before it is found silent
RECONCILIATION_TRACKING_SILENT_DAYS = int(os.environ.get("RECONCILIATION_TRACKING_SILENT_DAYS", "3"))
if RECONCILIATION_TRANSIT_DAYS < 1 or RECONCILIATION_TRACKING_SILENT_DAYS < 1:
    raise ConfigurationError("RECONCILIATION_TRANSIT_DAYS and RECONCILIATION_TRACKING_SILENT_DAYS are numbers of days (1 or more)")

# --- Notifications, reminders, reports ------------------------------------------------------
# SMS to applicants: "log" keeps the message in the database (shown to administrators under
# 已发送消息), "http" posts it to an SMS gateway (JSON, signed with key and secret).
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "log").strip().lower()
if SMS_PROVIDER not in {"log", "http"}:
    raise ConfigurationError(f"SMS_PROVIDER must be log or http, not {SMS_PROVIDER!r}")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "").strip()
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "").strip()
SMS_GATEWAY_SECRET = os.environ.get("SMS_GATEWAY_SECRET", "").strip()
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "10"))
if SMS_PROVIDER == "http" and not SMS_GATEWAY_URL:
    raise ConfigurationError("SMS_PROVIDER=http needs SMS_GATEWAY_URL (and SMS_GATEWAY_KEY / SMS_GATEWAY_SECRET)")
# Mail to staff (reminders, reports) through SMTP; off unless MAIL_SERVER is set.
MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip()
MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS
MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # SMTPS (usually port 465)
MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "").strip()
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
MAIL_SENDER = os.environ.get("MAIL_SENDER", "kytb-noreply@localhost").strip()
MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
# The retry schedule of a message (SMS or mail) that failed, the one source of truth for it
# (app.services.notifications.messages.retry_wait): doubling waits from NOTIFY_RETRY_FIRST_SECONDS (1, 2,
# 4 … minutes), at most NOTIFY_RETRY_LONGEST_SECONDS (an hour), kept on the message (next_attempt_on)
# and honoured by the periodic sender (every NOTIFY_SEND_SECONDS). A message whose next wait would
# end past NOTIFY_RETRY_BUDGET_SECONDS (a day) of waiting is parked: listed under 发送失败的消息 for
# 重新发送, and counted by the health check. Never dropped.
NOTIFY_RETRY_FIRST_SECONDS = float(os.environ.get("NOTIFY_RETRY_FIRST_SECONDS", "60"))
NOTIFY_RETRY_LONGEST_SECONDS = float(os.environ.get("NOTIFY_RETRY_LONGEST_SECONDS", "3600"))
NOTIFY_RETRY_BUDGET_SECONDS = float(os.environ.get("NOTIFY_RETRY_BUDGET_SECONDS", str(24 * 3600)))
NOTIFY_SEND_SECONDS = float(os.environ.get("NOTIFY_SEND_SECONDS", "60"))
if not 0 < NOTIFY_RETRY_FIRST_SECONDS <= NOTIFY_RETRY_LONGEST_SECONDS:
    raise ConfigurationError("NOTIFY_RETRY_FIRST_SECONDS must be positive and at most NOTIFY_RETRY_LONGEST_SECONDS")
# The address of the web app, for links in mails (empty: mails carry no links).
APP_URL = os.environ.get("APP_URL", "").strip().rstrip("/")
# Reports go to every city supervisor (the city-wide report) and every county administrator (their
# county's report) by mail, and to these further addresses (comma-separated, city-wide report).
REPORT_RECIPIENTS = [a.strip() for a in os.environ.get("REPORT_RECIPIENTS", "").split(",") if a.strip()]

# --- Exports of the work ledger ------------------------------------------------------------
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))  # larger XLSX: background job
EXPORT_PDF_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_PDF_INLINE_MAX_ROWS", "300"))
EXPORT_PDF_MAX_ROWS = int(os.environ.get("EXPORT_PDF_MAX_ROWS", "20000"))
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))

# --- Flask-AppBuilder -----------------------------------------------------------------------
APP_NAME = "广元市政务服务“跨域通办”管理系统"
APP_THEME = ""
FAB_BASE_TEMPLATE = "app_baselayout.html"
FAB_INDEX_VIEW = "app.views.home.HomeView"
FAB_SECURITY_MANAGER_CLASS = "app.security.manager.AppSecurityManager"
FAB_API_SWAGGER_UI = True
# The OpenAPI view is ours (app.api.openapi: FAB's, with an example for every body and answer).
FAB_ADD_OPENAPI_VIEWS = False
FAB_API_MAX_PAGE_SIZE = 100
# /api/v1/security/* would expose user and role management to a session cookie without CSRF.
FAB_ADD_SECURITY_API = False
# FAB's pages of raw permissions, view menus and their pairs: roles are written from the role matrix
# (app/domain/permissions.py) at start-up, so nobody edits them by hand and no role may open them.
FAB_ADD_SECURITY_PERMISSION_VIEW = False
FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
# FAB's menu API is replaced by ours, documented as it answers (app/api/menu.py)
FAB_ADD_MENU_API = False

AUTH_TYPE = AUTH_DB
AUTH_USER_REGISTRATION = False
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"  # exists and holds no permission

# Password rules
FAB_PASSWORD_COMPLEXITY_ENABLED = True
# FAB_PASSWORD_COMPLEXITY_VALIDATOR is set by the app factory (it must be a callable).

# Failed sign-ins are throttled per account name and client address (app/services/organisation/
# login_throttle.py), never locked for everybody: after AUTH_THROTTLE_FAILURES failures from one address,
# that address waits AUTH_THROTTLE_FIRST_WAIT_SECONDS before it may try that name again, twice as long after
# each further failure, at most AUTH_THROTTLE_LONGEST_WAIT_SECONDS; the count starts again after a success
# or AUTH_THROTTLE_FORGET_MINUTES without failures. Kept in the database, so every process sees it.
AUTH_THROTTLE_FAILURES = int(os.environ.get("AUTH_THROTTLE_FAILURES", "5"))
AUTH_THROTTLE_FIRST_WAIT_SECONDS = int(os.environ.get("AUTH_THROTTLE_FIRST_WAIT_SECONDS", "30"))
AUTH_THROTTLE_LONGEST_WAIT_SECONDS = int(os.environ.get("AUTH_THROTTLE_LONGEST_WAIT_SECONDS", "900"))
AUTH_THROTTLE_FORGET_MINUTES = int(os.environ.get("AUTH_THROTTLE_FORGET_MINUTES", "60"))
if not 0 < AUTH_THROTTLE_FIRST_WAIT_SECONDS <= AUTH_THROTTLE_LONGEST_WAIT_SECONDS < AUTH_THROTTLE_FORGET_MINUTES * 60:
    raise ConfigurationError("AUTH_THROTTLE_FIRST_WAIT_SECONDS <= AUTH_THROTTLE_LONGEST_WAIT_SECONDS must be positive "
                             "and shorter than AUTH_THROTTLE_FORGET_MINUTES")
if AUTH_THROTTLE_FAILURES < 1:
    raise ConfigurationError("AUTH_THROTTLE_FAILURES must be at least 1")

# Rate limits on both logins (web form and /api/v1/security/login)
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per minute")
RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
# Redis away: the limits count in this process's memory until it answers again (checked with growing
# pauses), so the logins go on instead of failing; a Redis that does not answer is given up on quickly.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2} if REDIS_URL else {}
RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "kytb")
RATELIMIT_HEADERS_ENABLED = True

# Behind a reverse proxy (README, "Running in production"): how many proxies in front of the app may be
# believed when they name the client in X-Forwarded-For (and the scheme in X-Forwarded-Proto). 0, the
# default, trusts no header: the address is the one that connected, which a client cannot choose. Set it
# to the number of proxies you run (1 for one nginx), never more: the login limits, the login throttle
# and the access log then count and record each client's own address instead of the proxy's.
PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
if PROXY_FIX_X_FOR < 0 or PROXY_FIX_X_PROTO < 0:
    raise ConfigurationError("PROXY_FIX_X_FOR and PROXY_FIX_X_PROTO are numbers of trusted proxies (0 or more)")

# Personal data (issue 9): searches by ID number or phone per user, and how long a supervisor's
# 查看个人信息 (disclosure, logged with its reason) shows a case's full data
PERSONAL_DATA_SEARCH_LIMIT = os.environ.get("PERSONAL_DATA_SEARCH_LIMIT", "30 per minute;300 per day")
PERSONAL_DATA_DISCLOSURE_MINUTES = int(os.environ.get("PERSONAL_DATA_DISCLOSURE_MINUTES", "30"))

# While the database cannot be reached, requests are answered 503 with this Retry-After (seconds)
OUTAGE_RETRY_AFTER_SECONDS = int(os.environ.get("OUTAGE_RETRY_AFTER_SECONDS", "30"))

# Sessions and tokens
SESSION_COOKIE_NAME = "kytb_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("HTTPS", False)
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
REMEMBER_COOKIE_DURATION = timedelta(hours=8)
PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "2")))
JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
JWT_REFRESH_TOKEN_EXPIRES = timedelta(hours=8)
PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"

# CSRF (Flask-WTF) is installed before FAB; the API authenticates with JWT and is exempt.
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None

# --- Languages ------------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "zh"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "中文"},
    "en": {"flag": "gb", "name": "English"},
}

# --- Catalog and cases ----------------------------------------------------------------------
#: the complaint hotline (投诉电话) of a matter that names none: new matters, blank cells of a catalog
#: import, notices of a guide without one (12345 is the national government service hotline)
COMPLAINT_PHONE = _env_text("COMPLAINT_PHONE", "12345")
if len(COMPLAINT_PHONE) > 32:  # matter.complaint_phone is VARCHAR(32)
    raise ConfigurationError(f"COMPLAINT_PHONE has at most 32 characters, not {len(COMPLAINT_PHONE)}")


def check_case_number_format(template: str) -> str:
    """``template`` if case numbers can be made with it, else ConfigurationError saying why. Numbers are
    unique per deciding window and year, so it names each of {center_code}, {year} and {sequence} (with
    any format spec, such as {sequence:06d}) and nothing else; a number fits the database column."""
    column_length, longest_center_code = 40, 16  # case.number VARCHAR(40), service_center.code VARCHAR(16)
    try:
        fields = {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}
        if fields != {"center_code", "year", "sequence"}:
            raise ValueError(f"it must name exactly {{center_code}}, {{year}} and {{sequence}}, not {sorted(fields)}")
        longest = template.format(center_code="X" * longest_center_code, year=9999, sequence=999_999)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as error:
        raise ConfigurationError(f"CASE_NUMBER_FORMAT {template!r} cannot make case numbers: {error}") from None
    if len(longest) > column_length:
        raise ConfigurationError(f"CASE_NUMBER_FORMAT {template!r} makes numbers longer than {column_length} "
                                 f"characters, such as {longest!r}")
    return template


#: a case turns yellow (即将到期) when the due day of its running stage is at most this many working days
#: away; dispatch and delivery, due the next working day, turn yellow on their due day only
DEADLINE_WARNING_WORKING_DAYS = int(os.environ.get("DEADLINE_WARNING_WORKING_DAYS", "1"))
if DEADLINE_WARNING_WORKING_DAYS < 0:
    raise ConfigurationError("DEADLINE_WARNING_WORKING_DAYS is a number of working days (0 or more)")
# 延期 (Administrative Licensing Law Art. 42): how many working days all extensions of a case may add, unless the
# matter's guide says otherwise (max_extension_days) — ten, as the law gives when no other law says more.
EXTENSION_MAX_WORKING_DAYS = int(os.environ.get("EXTENSION_MAX_WORKING_DAYS", "10"))
if EXTENSION_MAX_WORKING_DAYS < 0:
    raise ConfigurationError("EXTENSION_MAX_WORKING_DAYS is a number of working days (0 or more)")
# 容缺受理: the applicant promises to supply a deferred material within this many working days of acceptance
DEFERRED_MATERIAL_MAX_WORKING_DAYS = int(os.environ.get("DEFERRED_MATERIAL_MAX_WORKING_DAYS", "5"))
if DEFERRED_MATERIAL_MAX_WORKING_DAYS < 1:
    raise ConfigurationError("DEFERRED_MATERIAL_MAX_WORKING_DAYS is a number of working days (1 or more)")
# 好差评: a rating of 不满意 or below opens a rectification (整改) due this many working days after the rating
RECTIFICATION_WORKING_DAYS = int(os.environ.get("RECTIFICATION_WORKING_DAYS", "5"))
if RECTIFICATION_WORKING_DAYS < 1:
    raise ConfigurationError("RECTIFICATION_WORKING_DAYS is a number of working days (1 or more)")

#: 远程预审: the office hours in which a pre-check's time runs, on working days ("09:00-12:00,13:30-17:30")
PRECHECK_OFFICE_HOURS = _env_text("PRECHECK_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
try:
    from app.domain.precheck import parse_office_hours as _parse_office_hours

    _parse_office_hours(PRECHECK_OFFICE_HOURS)
except ValueError as _error:
    raise ConfigurationError(f"PRECHECK_OFFICE_HOURS {PRECHECK_OFFICE_HOURS!r}: {_error}") from None

#: case numbers, gap-free per deciding window and year (app/services/cases/numbers.py)
CASE_NUMBER_FORMAT = check_case_number_format(_env_text("CASE_NUMBER_FORMAT", "{center_code}-{year}-{sequence:06d}"))

# --- Printed notices (app/documents/fonts.py) -------------------------------------------------
# None leaves the choice to the documents package, which also runs without the app (benchmarks): the
# directory `make fonts` fills (app/documents/fonts/), and /usr/share/fonts and /usr/local/share/fonts.
_font_dir = os.environ.get("NOTICE_FONT_DIR", "").strip()
NOTICE_FONT_DIR: Path | None = Path(_font_dir).expanduser() if _font_dir else None
_system_font_dirs = os.environ.get("NOTICE_SYSTEM_FONT_DIRS")  # set but empty: no system directory
NOTICE_SYSTEM_FONT_DIRS: tuple[Path, ...] | None = (
    None if _system_font_dirs is None
    else tuple(Path(p.strip()).expanduser() for p in _system_font_dirs.split(os.pathsep) if p.strip())
)

# --- The applicant's side (issue 13): the public API and the static portal -------------------------
# The address applicants reach the portal at, for the short links in SMS and the QR code on the notices
# (empty: APP_URL; both empty: relative links, fine for development only).
PUBLIC_URL = (_env_text("PUBLIC_URL", "") or APP_URL).rstrip("/")
# Origins (comma-separated) whose pages may call the public API from a browser (CORS): the static host of
# the portal when it is not served by this app. The app's own /portal/ needs none.
PORTAL_ORIGINS = [o.strip().rstrip("/") for o in os.environ.get("PORTAL_ORIGINS", "").split(",") if o.strip()]
# Requests per client address to the public API (every endpoint counts), and to the progress lookups.
PUBLIC_API_RATE_LIMIT = _env_text("PUBLIC_API_RATE_LIMIT", "120 per minute;2000 per day")
PUBLIC_PROGRESS_RATE_LIMIT = _env_text("PUBLIC_PROGRESS_RATE_LIMIT", "10 per minute;100 per day")
# The static portal (app/services/public/portal.py): `flask portal build` writes it here, Flask serves it at
# /portal/, the publish_portal job rebuilds it when a guide is published or an article saved. Copy the folder
# to any static host; its pages call the public API at PORTAL_API_BASE (empty: the same origin, /api/v1/public;
# otherwise the API's origin, e.g. https://zwfw.example.gov.cn, listed in that app's PORTAL_ORIGINS).
PORTAL_DIR = Path(os.environ.get("PORTAL_DIR", INSTANCE_DIR / "portal")).resolve()
PORTAL_API_BASE = _env_text("PORTAL_API_BASE", "").rstrip("/")
