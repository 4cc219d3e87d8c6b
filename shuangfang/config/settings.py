"""The one settings module. Everything that differs between deployments comes from the environment
(see ``.env.example``); the defaults make ``make run`` work on one box with SQLite and no servers."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_header_value, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "shuangfang"
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Under pytest (or with SHUANGFANG_TESTING=1): fast hasher, eager tasks, local-memory cache.
TESTING = env_bool("SHUANGFANG_TESTING", False) or "pytest" in sys.modules
# The key `make run` generated in var/ serves a one-box install when neither SECRET_KEY nor
# SECRET_KEY_FILE is set (so `manage.py …` works there without exporting anything).
_LOCAL_KEY = VAR_DIR / "secret_key"
if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")) and _LOCAL_KEY.is_file():
    os.environ["SECRET_KEY_FILE"] = str(_LOCAL_KEY)
SECRET_KEY = env_secret(
    "SECRET_KEY", required=not (DEBUG or TESTING), default="insecure-dev-key-only-for-debug"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address in QR codes and messages. Unset: the local server on PORT (what `manage.py serve`
# listens on), so a server moved to another port does not print codes that point at 8000.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}").rstrip("/")

# The domain apps, listed: ``core`` and ``orgs`` first because the others depend on them. A new
# app is added here, in ``config/urls.py`` and in ``config/api.py`` (``tests/test_apps.py`` fails
# on an app package that is not listed). What else an app brings (``permissions.py``, ``nav.py``,
# ``events.py``, ``demo.py``, its translations) is found through Django's app registry.
INSTALLED_APPS = [
    "shuangfang.core",
    "shuangfang.orgs",
    "shuangfang.assessment",
    "shuangfang.criteria",
    "shuangfang.dashboards",
    "shuangfang.duty",
    "shuangfang.equipment",
    "shuangfang.food",
    "shuangfang.hazards",
    "shuangfang.inspections",
    "shuangfang.monitoring",
    "shuangfang.notifications",
    "shuangfang.relief",
    "shuangfang.outreach",
    "shuangfang.readiness",
    "shuangfang.reports",
    "shuangfang.risks",
    "shuangfang.webhooks",
    "shuangfang.publicreports",
    "shuangfang.orgs.admin_config.AdminConfig",  # django.contrib.admin for superusers, see docs/security.md
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "shuangfang.core.middleware.AuthStampMiddleware",  # who is calling: one cache stamp a request
    "django.middleware.security.SecurityMiddleware",
    "shuangfang.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "shuangfang.core.middleware.AuthenticationMiddleware",  # Django's, the person cached
    "shuangfang.core.middleware.UnstorableInputMiddleware",
    "shuangfang.core.middleware.LoginRequiredMiddleware",
    "shuangfang.core.middleware.PasswordChangeRequiredMiddleware",
    "shuangfang.core.logs.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# The organisation tree core's tenancy scopes by (as AUTH_USER_MODEL names the user model).
ORGANIZATION_MODEL = "orgs.Organization"

ROOT_URLCONF = "shuangfang.config.urls"
WSGI_APPLICATION = "shuangfang.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuangfang.core.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shuangfang.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:  # an unknown scheme or a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + synchronous=NORMAL + IMMEDIATE transactions: concurrent writers wait instead of failing
    # with "database is locked" (see docs/performance.md).
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["CONN_MAX_AGE"] = 0 if TESTING else _db["CONN_MAX_AGE"]
else:
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "") or None
DATABASES = {"default": _db}
# The API's repeated list queries as prepared statements on PostgreSQL (core/planned.py). Off behind
# a pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
IS_SQLITE = _db["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, background work ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# Tests spread over processes (pytest-xdist) must not share a Redis database: every test empties
# the cache. Worker gwN (N ≥ 1) takes the database 2N below the given one (CI: 15 → 13, 11 …).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
if REDIS_URL and _XDIST_WORKER.startswith("gw") and _XDIST_WORKER != "gw0":
    _redis = urlsplit(REDIS_URL)
    _index = _redis.path.strip("/")
    _index = str((int(_index if _index.isdigit() else 0) - 2 * int(_XDIST_WORKER[2:])) % 16)
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_index}"))
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by the web processes without any server: login throttling must count across workers.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}
    }
# In this process only, for what may lag by seconds anyway and is cheaper to recompute than to fetch
# from Redis: a list's remembered total (core.api.list_count).
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "shuangfang-local",
    "OPTIONS": {"MAX_ENTRIES": 10_000},
}

HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "shuangfang", "url": REDIS_URL, "immediate": TESTING}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shuangfang",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
    }
HUEY["consumer"] = {"workers": env_int("WORKER_THREADS", 2, minimum=1), "worker_type": "thread"}

# mqtt://[user[:password]@]host[:port] or mqtts://… (TLS, port 8883 by default); a secret, so
# MQTT_URL_FILE works too. MQTT_PASSWORD (or MQTT_PASSWORD_FILE) replaces the URL's password.
MQTT_URL = env_secret("MQTT_URL", required=False)
# The demo city's devices keep reporting while ``manage.py serve`` runs (``make run`` sets it; off in
# production: only devices coded DEMO-… are fed, monitoring/demo_feed.py).
DEMO_SIMULATOR = env_bool("DEMO_SIMULATOR", False)
MQTT_PASSWORD = env_secret("MQTT_PASSWORD", required=False)
# Key of the devices' derived broker passwords (monitoring.broker_acl); SECRET_KEY when empty.
MQTT_CREDENTIALS_KEY = env_secret("MQTT_CREDENTIALS_KEY", required=False)
# TLS (mqtts://): the CA that signed the broker's certificate (empty: the system's CAs), and a
# client certificate and key when the broker asks for one.
MQTT_CA_FILE = env_str("MQTT_CA_FILE", "")
MQTT_CERT_FILE = env_str("MQTT_CERT_FILE", "")
MQTT_KEY_FILE = env_str("MQTT_KEY_FILE", "")
# The listener's MQTT client id: empty = unique per process (shuangfang-<host>-<pid>-<random>); a
# fixed id resumes its session after a restart but must never be shared by two running listeners.
MQTT_CLIENT_ID = env_str("MQTT_CLIENT_ID", "")
# Seconds the broker keeps a listener's session (and the share routed to it) after the connection
# drops. Empty: 30 s for a unique id (a reconnect blip; a dead listener holds little), 3,600 s for a
# fixed id (a listener slot that comes back: an outage of up to an hour loses nothing).
MQTT_SESSION_EXPIRY: int | None = (
    env_int("MQTT_SESSION_EXPIRY", 0, minimum=0) if env_str("MQTT_SESSION_EXPIRY").strip() else None
)
# Seconds without a sign of life from any MQTT listener before the operators are told
# (ops.listener_down) and /health/ready answers 503 (mqtt_listener).
MQTT_LISTENER_SILENCE = env_int("MQTT_LISTENER_SILENCE", 120, minimum=30)
# Extra readiness checks for /health/ready: dotted paths of functions returning (problem, details).
HEALTH_CHECKS = ["shuangfang.monitoring.watchdog.health"]
# /health/ready reports "queue_backlog" when more tasks than this wait for a worker.
HEALTH_QUEUE_MAX = env_int("HEALTH_QUEUE_MAX", 1000, minimum=1)
MQTT_GROUP = env_str("MQTT_GROUP", "sf-ingest")  # the shared-subscription group of the listeners
# Unacknowledged messages the broker may send a listener (MQTT 5 Receive Maximum): what it holds in memory.
MQTT_RECEIVE_MAXIMUM = env_int("MQTT_RECEIVE_MAXIMUM", 10_000, minimum=1)
MQTT_PROTOCOL = env_str("MQTT_PROTOCOL", "5")  # "3.1.1" for a broker without MQTT 5 (docs/operations.md)

# --- Auth and sessions --------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Single sign-on with the institution's identity provider (OpenID Connect; shuangfang/orgs/oidc.py,
# docs/operations.md "Logins"). Off unless OIDC_CLIENT_ID is set.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_CLIENT_SECRET", required=False) or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "") or None
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid profile email groups")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_ROLE_MAP = env_str("OIDC_ROLE_MAP", "")
OIDC_LOGIN_LABEL = env_str("OIDC_LOGIN_LABEL", "")  # the button's words, e.g. 政务统一身份认证
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATE_CLASS = "shuangfang.orgs.oidc.Start"
OIDC_CALLBACK_CLASS = "shuangfang.orgs.oidc.Callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
# Directory logins (LDAP / Active Directory; shuangfang/orgs/ldap.py): off unless LDAP_SERVER_URI is set.
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI", "")  # ldap://dc1.example.gov.cn:389 or ldaps://…:636
LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
LDAP_BIND_DN = env_str("LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = env_secret("LDAP_BIND_PASSWORD", required=False) or ""
LDAP_USER_BASE = env_str("LDAP_USER_BASE", "")
LDAP_USER_FILTER = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")  # AD: (sAMAccountName=%(user)s)
LDAP_GROUP_BASE = env_str("LDAP_GROUP_BASE", "")
LDAP_GROUP_FILTER = env_str("LDAP_GROUP_FILTER", "(&(objectClass=groupOfNames)(member=%(dn)s))")
LDAP_ATTR_NAME = env_str("LDAP_ATTR_NAME", "cn")  # AD: displayName
LDAP_ATTR_EMAIL = env_str("LDAP_ATTR_EMAIL", "mail")
LDAP_ATTR_PHONE = env_str("LDAP_ATTR_PHONE", "mobile")
LDAP_ROLE_MAP = env_str("LDAP_ROLE_MAP", "")
LDAP_TIMEOUT = env_int("LDAP_TIMEOUT", 5, minimum=1)
# Work apps (shuangfang/orgs/workapps.py, docs/operations.md "Work apps"): WeCom and DingTalk work
# messages to a person and scan-to-log-in, each off unless its app is configured. *_MATCH: how the
# app's user id meets a person here: "username" (the same login name) or "mobile" (their phone).
WECOM_CORP_ID = env_str("WECOM_CORP_ID", "")
WECOM_AGENT_ID = env_str("WECOM_AGENT_ID", "")
WECOM_SECRET = env_secret("WECOM_SECRET", required=False) or ""
WECOM_API = env_str("WECOM_API", "https://qyapi.weixin.qq.com").rstrip("/")
WECOM_LOGIN_URL = env_str("WECOM_LOGIN_URL", "https://login.work.weixin.qq.com/wwlogin/sso/login")
WECOM_MATCH = env_str("WECOM_MATCH", "username")
WECOM_LOGIN = env_bool("WECOM_LOGIN", True)
DINGTALK_APP_KEY = env_str("DINGTALK_APP_KEY", "")
DINGTALK_AGENT_ID = env_str("DINGTALK_AGENT_ID", "")
DINGTALK_APP_SECRET = env_secret("DINGTALK_APP_SECRET", required=False) or ""
DINGTALK_API = env_str("DINGTALK_API", "https://oapi.dingtalk.com").rstrip("/")
DINGTALK_LOGIN_API = env_str("DINGTALK_LOGIN_API", "https://api.dingtalk.com").rstrip("/")
DINGTALK_LOGIN_URL = env_str("DINGTALK_LOGIN_URL", "https://login.dingtalk.com/oauth2/auth")
DINGTALK_MATCH = env_str("DINGTALK_MATCH", "username")
DINGTALK_LOGIN = env_bool("DINGTALK_LOGIN", True)
for _match in (WECOM_MATCH, DINGTALK_MATCH):
    if _match not in ("username", "mobile"):
        raise ImproperlyConfigured(f"WECOM_MATCH / DINGTALK_MATCH: {_match!r} is neither username nor mobile")
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS.append("shuangfang.orgs.ldap.Backend")
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("shuangfang.orgs.oidc.Backend")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    # Django's similarity check over this project's fields, plus a name or login name repeated.
    {
        "NAME": "shuangfang.orgs.passwords.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "name", "phone", "email"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (docs/security.md): failures per account and address (or per account and known
# browser) lock that pair for LOGIN_LOCKOUT_SECONDS; failures per address over all accounts are capped
# (password spraying); failures per account beyond the limit slow every unknown browser down with a
# growing delay, up to LOGIN_MAX_DELAY_SECONDS, instead of locking the account.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 120, minimum=1)
# The reverse proxies (CIDRs) whose X-Forwarded-For is believed; empty: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _cidr in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_cidr!r} is not an address or a CIDR") from _exc
# API tokens: the lifetime a new token gets unless its owner picks a shorter one, and the longest.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1)
# The API schema (/api/v1/openapi.json) and docs (/api/v1/docs) are readable without login only if set.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

if REDIS_URL:  # sessions read from Redis, written through to the database (they survive a flush)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# 30 days: the installable app on a frontline phone opens logged in (docs/field-app.md, the trade-off).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 24 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_FAILURE_VIEW = "shuangfang.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- HTTPS and headers (docs/security.md) -------------------------------------------------------
# Off by default: a box reached over plain HTTP must keep working; a production deployment behind
# HTTPS sets them (`manage.py check --deploy` warns while they are off).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Health probes (a container runtime, the proxy) reach the process over plain HTTP: not redirected.
SECURE_REDIRECT_EXEMPT = [r"^health(/ready)?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# "X-Forwarded-Proto=https": the header the TLS-terminating proxy sets (and always overwrites).
SECURE_PROXY_SSL_HEADER = env_header_value("SECURE_PROXY_SSL_HEADER")
_s3 = urlsplit(env_str("S3_ENDPOINT_URL", ""))
_S3_ORIGIN = f"{_s3.scheme}://{_s3.netloc}" if _s3.netloc else ""
# No inline script anywhere (behaviour lives in static files), no eval; inline *styles* stay allowed
# because colours from data (risk levels) are style attributes and ECharts writes its tooltips
# with them. Extra image origins (a CDN for uploads) come from CSP_IMG_SRC.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": [
        "'self'",
        "data:",
        *env_list("CSP_IMG_SRC", []),
        *([_S3_ORIGIN] if _S3_ORIGIN else []),
    ],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env_str("CSP_REPORT_URI", ""):
    CONTENT_SECURITY_POLICY["report-uri"] = [env_str("CSP_REPORT_URI", "")]
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Backups (docs/operations.md): `manage.py backup` writes here; with BACKUP_DAILY the worker's
# scheduler makes one every night at 02:15 Shanghai time and keeps the BACKUP_KEEP newest.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_DAILY = env_bool("BACKUP_DAILY", False)
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)
# A list's Excel export above this many rows runs as a background job with a progress page; its
# file is kept JOB_KEEP_DAYS days.
EXPORT_IMMEDIATE_ROWS = env_int("EXPORT_IMMEDIATE_ROWS", 3000, minimum=1)
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 7, minimum=1)
# A printable PDF ledger of more rows than this is typeset by a worker too (seconds per 100 rows).
PDF_IMMEDIATE_ROWS = env_int("PDF_IMMEDIATE_ROWS", 200, minimum=1)
# City-wide statistics workbooks counted per institution: over this many, made by a worker.
STATS_IMMEDIATE_STATIONS = env_int("STATS_IMMEDIATE_STATIONS", 20, minimum=0)
# Documented input limits (docs/security.md): multi-line texts, picture size in pixels, imports.
TEXT_MAX_CHARS = env_int("TEXT_MAX_CHARS", 10_000, minimum=500)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000, minimum=1_000_000)
# Webhook subscriptions (docs/webhooks.md): the request timeout, how long a subscriber may fail
# before it is switched off, and whether http:// URLs are accepted (tests' local receivers).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5, minimum=1)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 86_400, minimum=60)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
# The regulator upload in the MEM entity chain (docs/mem-upload.md): off while the URL is empty.
MEM_UPLOAD_URL = env_str("MEM_UPLOAD_URL", "").rstrip("/")
MEM_UPLOAD_TOKEN = env_secret("MEM_UPLOAD_TOKEN", required=False) or ""
MEM_UPLOAD_BATCH = env_int("MEM_UPLOAD_BATCH", 20, minimum=1)
MEM_UPLOAD_TIMEOUT = env_int("MEM_UPLOAD_TIMEOUT", 10, minimum=1)
# Public reports from QR posters (docs/publicreports.md): reports accepted per sender address and
# per poster within PUBLIC_REPORT_WINDOW seconds, the wait between two reports of one phone, how
# many photos one report takes and the size of each.
PUBLIC_REPORT_WINDOW = env_int("PUBLIC_REPORT_WINDOW", 3600, minimum=60)
PUBLIC_REPORT_PER_ADDRESS = env_int("PUBLIC_REPORT_PER_ADDRESS", 6, minimum=1)
PUBLIC_REPORT_PER_POSTER = env_int("PUBLIC_REPORT_PER_POSTER", 30, minimum=1)
PUBLIC_REPORT_COOLING_SECONDS = env_int("PUBLIC_REPORT_COOLING_SECONDS", 120, minimum=0)
PUBLIC_REPORT_MAX_PHOTOS = env_int("PUBLIC_REPORT_MAX_PHOTOS", 3, minimum=1)
PUBLIC_REPORT_PHOTO_MAX_BYTES = env_int("PUBLIC_REPORT_PHOTO_MAX_BYTES", 10 * 1024 * 1024, minimum=100_000)

IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5_000, minimum=10)
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 20, minimum=1)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
_S3_BUCKET = env_str("S3_BUCKET", "")
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if _S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": env_secret("S3_ACCESS_KEY", required=True),
            "secret_key": env_secret("S3_SECRET_KEY", required=True),
        },
    }

# --- Email --------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", required=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shuangfang@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# --- Outbound requests and provider secrets (notifications) -------------------------------------
# Webhook and provider URLs may not reach loopback, private, link-local, multicast, reserved or cloud
# metadata addresses (``notifications.outbound``) unless listed here: CIDRs (``10.8.0.0/16``,
# ``::1``) or exact host names (``hooks.intranet.example``), comma-separated. Metadata addresses
# stay refused whatever is listed.
OUTBOUND_ALLOW = env_list("OUTBOUND_ALLOW", [])
# Fernet keys for provider secrets at rest (``notifications.sealing``), comma-separated, newest
# first; independent of SECRET_KEY. `make run` keeps one in var/field_keys (used when neither
# FIELD_ENCRYPTION_KEYS nor FIELD_ENCRYPTION_KEYS_FILE is set); DEBUG and tests fall back to a fixed
# insecure key. Without a key, storing or reading a secret fails with a clear error
# (``check --deploy`` reports it).
_LOCAL_FIELD_KEYS = VAR_DIR / "field_keys"
if (
    not (os.environ.get("FIELD_ENCRYPTION_KEYS") or os.environ.get("FIELD_ENCRYPTION_KEYS_FILE"))
    and _LOCAL_FIELD_KEYS.is_file()
):
    os.environ["FIELD_ENCRYPTION_KEYS_FILE"] = str(_LOCAL_FIELD_KEYS)
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in env_secret(
        "FIELD_ENCRYPTION_KEYS",
        required=False,
        # base64 of b"insecure-dev-field-key-only-dbg!": DEBUG and tests only
        default="aW5zZWN1cmUtZGV2LWZpZWxkLWtleS1vbmx5LWRiZyE=" if (DEBUG or TESTING) else "",
    ).split(",")
    if key.strip()
]

# --- API ----------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "shuangfang.core.api.BoundedPagination"
# The largest offset a list endpoint accepts (a 422 past it; 2**63 used to be a 500).
API_MAX_OFFSET = env_int("API_MAX_OFFSET", 1_000_000, minimum=1000)
# API tokens, people and memberships are kept this long in each process (core.authcache; stale at
# once on any change to them, in every process); 0 turns it off. A list's total on a full page is
# kept API_COUNT_CACHE_SECONDS.
AUTH_CACHE_SECONDS = env_int("AUTH_CACHE_SECONDS", 60, minimum=0)
API_COUNT_CACHE_SECONDS = env_int("API_COUNT_CACHE_SECONDS", 10, minimum=0)

# Logs (docs/operations.md): LOG_FORMAT=json for one JSON object a line with the request id, the
# user and the institution; plain text otherwise. One line per request on ``shuangfang.request``.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shuangfang.core.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "shuangfang.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The PDF libraries log each step of each PDF at INFO: only their warnings are news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The worker's own logger, configured here, so huey adds no second handler (each line once).
        "huey": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
