"""OneStop settings. Every deployment-specific value comes from the environment (see README)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from onestop import ops_settings, signin_settings
from onestop.env import audit_key, env_bool, env_int, env_list, env_path, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent

# Demo and dev mode relax what a production deployment must set explicitly
# (secret key, hosts, HTTPS); `onestop demo` switches demo mode on.
DEMO_MODE = env_bool("ONESTOP_DEMO")
DEV_MODE = env_bool("ONESTOP_DEV") or DEMO_MODE
DEBUG = env_bool("DEBUG", False)

DATA_DIR = env_path("ONESTOP_DATA_DIR", "./var")
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite files (data and job queue) live here
MEDIA_ROOT = DATA_DIR / "uploads"  # outside the web root; served only through checked views
STATIC_ROOT = env_path("ONESTOP_STATIC_ROOT", str(DATA_DIR / "static"))

SECRET_KEY = secret_key(DATA_DIR, allow_generated=DEV_MODE)
# The audit chain's key (core.chain): outside the database on purpose.
ONESTOP_AUDIT_KEY = audit_key(DATA_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEV_MODE else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "onestop.core",
    "onestop.accounts",
    "onestop.notifications",
    "onestop.engagements",
    "onestop.plans",
    "onestop.contracts",
    "onestop.projects",
    "onestop.coordination",
    "onestop.quality",
    "onestop.acceptance",
    "onestop.settlement",
    "onestop.feedback",
    # The company apps (core/stages.py COMPANY_APPS), in the policy's order: people, resources, risk.
    "onestop.recruitment",
    "onestop.people",
    "onestop.careers",
    "onestop.resources",
    "onestop.costs",
    "onestop.risks",
    "onestop.cockpit",
    "onestop.supervision",
    "onestop.webhooks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_fsm_log",
    "axes",
    "huey.contrib.djhuey",
    "django_htmx",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onestop.core.middleware.LanguageMiddleware",
    "onestop.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onestop.core.context_processors.shell",
                "onestop.notifications.context_processors.inbox",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "onestop.sqlite3",
            "OPTIONS": {
                # WAL lets readers work during a write; IMMEDIATE transactions plus a
                # busy timeout make concurrent writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Behind a reverse proxy every request comes from the proxy: name its addresses (or networks),
# and only then is its X-Forwarded-For header believed (core.limits.client_ip).
ONESTOP_TRUSTED_PROXIES = env_list("ONESTOP_TRUSTED_PROXIES")

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "onestop.core.limits.client_ip"
# Wrong passwords from one address, whatever the user names, before that address must wait
# 15 minutes (one office behind one NAT address shares this budget).
ONESTOP_LOGIN_FAILURES_PER_ADDRESS = env_int("ONESTOP_LOGIN_FAILURES_PER_ADDRESS", 30)
# Password-reset e-mails: per address and per account, each per hour.
ONESTOP_PASSWORD_RESETS_PER_ADDRESS = env_int("ONESTOP_PASSWORD_RESETS_PER_ADDRESS", 5)
ONESTOP_PASSWORD_RESETS_PER_ACCOUNT = env_int("ONESTOP_PASSWORD_RESETS_PER_ACCOUNT", 3)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# Browser features no page of OneStop uses, switched off for every page (core.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- sign-in: idle timeout, other sessions, two-factor (issue 17) -------------------------
# Everything of the sign-in features in this one block (accounts/sessions.py, accounts/twofactor.py).
# A browser session idle this long is logged out at its next request (0: never); API tokens are
# not sessions and are not affected.
ONESTOP_IDLE_TIMEOUT_MINUTES = env_int("ONESTOP_IDLE_TIMEOUT_MINUTES", 30)
if ONESTOP_IDLE_TIMEOUT_MINUTES < 0:
    raise ImproperlyConfigured("ONESTOP_IDLE_TIMEOUT_MINUTES must be 0 (off) or a number of minutes.")
# Users holding any of these roles must set up two-factor log-in before they can use anything else
# (e.g. "system_admin,finance"); empty: two-factor is optional for everyone.
ONESTOP_REQUIRE_2FA_ROLES = env_list("ONESTOP_REQUIRE_2FA_ROLES")
OTP_TOTP_ISSUER = env_str("ONESTOP_2FA_ISSUER", "OneStop")
# Wrong codes are counted by the log-in lockout (django-axes) like wrong passwords; django-otp's
# own growing per-device delay would also refuse the next, right code, so it is off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key or QR code
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# After the messages middleware, so the "you were logged out" message survives the log-out.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "onestop.accounts.sessions.IdleTimeoutMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("onestop.accounts.sessions.IdleTimeoutMiddleware") + 1,
    "onestop.accounts.twofactor.TwoFactorRequiredMiddleware",
)

# Single sign-on with an OpenID Connect provider (accounts/oidc.py): None, the default, is off.
# A user it signs in is matched by e-mail to an existing active staff account, never created.
ONESTOP_OIDC = signin_settings.oidc()
# LDAP / Active Directory passwords (accounts/ldap.py), off unless ONESTOP_LDAP_SERVER_URI is set:
# the directory is asked before OneStop's own passwords, which keep working (an administrator
# outside the directory still logs in).
LDAP_SETTINGS = signin_settings.ldap()
if LDAP_SETTINGS:
    globals().update(LDAP_SETTINGS)  # the AUTH_LDAP_* names django-auth-ldap reads
    AUTHENTICATION_BACKENDS.insert(
        AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend"),
        signin_settings.LDAP_BACKEND,
    )

# --- client data: retention (issue 17, accounts/clientdata.py) ---------------------------
# The people of a client organisation (its contacts and its deactivated portal users) are
# anonymised this many days after its last engagement closed, when none is open any more
# (0: never). The company's written policy names no period for them, and anonymising cannot be
# undone, so it is off until the operator chooses one (docs/deployment.md, "Client data").
ONESTOP_RETENTION_DAYS = env_int("ONESTOP_RETENTION_DAYS", 0)
if ONESTOP_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("ONESTOP_RETENTION_DAYS must be 0 (off) or a number of days.")

# Production serves over HTTPS; demo/dev runs on plain http://127.0.0.1.
HTTPS = env_bool("ONESTOP_HTTPS", not DEV_MODE and not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    # Subdomains and the browsers' preload list bind the whole domain, for months, beyond this
    # application: an operator opts in knowingly (docs/deployment.md), never by default.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # check --deploy asks for both; here they are deliberate opt-ins, not oversights.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # The one style attribute frappe-gantt writes (its grid pattern), allowed by its hash.
        "style-src": ["'self'", "'unsafe-hashes'", "'sha256-ZQQd4z8TNrVc2nE0CfAROCXKHG3tNEIdbONqn8Sl1Gk='"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- internationalisation ------------------------------------------------------
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "CNY")
if not (DEFAULT_CURRENCY.isalpha() and len(DEFAULT_CURRENCY) == 3):
    raise ImproperlyConfigured(
        f"DEFAULT_CURRENCY must be a three-letter ISO 4217 code; got {DEFAULT_CURRENCY!r}."
    )
DEFAULT_CURRENCY = DEFAULT_CURRENCY.upper()

# --- static and uploaded files ----------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # our own files and static/vendor/ from `onestop vendor`
# No route serves MEDIA_URL: uploads are downloaded only through checked views (core.attachments).
MEDIA_URL = "/_uploads-are-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEV_MODE and not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Demo and dev serve straight from the app folders so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = DEV_MODE or DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ONESTOP_MAX_UPLOAD_MB = env_int("ONESTOP_MAX_UPLOAD_MB", 20)  # per attached file (core.attachments)
# A list's Excel export past this many rows is written by the job worker and announced in the
# inbox (core.list_export); the files are kept this many days.
ONESTOP_EXPORT_BACKGROUND_ROWS = env_int("ONESTOP_EXPORT_BACKGROUND_ROWS", 5000)
ONESTOP_EXPORT_KEEP_DAYS = env_int("ONESTOP_EXPORT_KEEP_DAYS", 7)
# A request body without its files (a form, a JSON document): 2 MB is far above any form of
# OneStop; beyond it the page answers 400 and the API 413 (core.drf.JSONParser).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ONESTOP_MAX_REQUEST_KB", 2048) * 1024

# --- e-mail -----------------------------------------------------------------
# The address users reach OneStop at, for links in e-mails sent by background jobs.
ONESTOP_BASE_URL = env_str("ONESTOP_BASE_URL", "http://127.0.0.1:8000/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OneStop <onestop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = env_str("EMAIL_URL")
if _email_url:
    try:
        _email = dj_email_url.parse(_email_url)
    except Exception as exc:
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid e-mail URL: {exc}") from None
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(DATA_DIR / "mail")
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # Without a mail server, mail is written to files a developer can open.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

# --- e-mail intake (INT-1: engagements/tasks.py reads this mailbox every 5 minutes) --------
# Unset ONESTOP_IMAP_HOST: no mailbox is read.
ONESTOP_IMAP_HOST = env_str("ONESTOP_IMAP_HOST")
ONESTOP_IMAP_PORT = env_int("ONESTOP_IMAP_PORT", 993)
ONESTOP_IMAP_USER = env_str("ONESTOP_IMAP_USER", "")
ONESTOP_IMAP_PASSWORD = env_str("ONESTOP_IMAP_PASSWORD", "")
ONESTOP_IMAP_SSL = env_bool("ONESTOP_IMAP_SSL", True)
ONESTOP_IMAP_FOLDER = env_str("ONESTOP_IMAP_FOLDER", "INBOX")

# --- background jobs (Huey) -----------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if urlparse(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}."
        )
    HUEY = {"huey_class": "huey.RedisHuey", "name": "onestop", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "onestop",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
    }
# The cache holds the rate-limit counters (log-in, password reset, API throttles): shared by
# every process of the machine (files in the data dir), or of every machine (Redis).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

HUEY["consumer"] = {"workers": env_int("ONESTOP_WORKERS", 2), "worker_type": "thread", "periodic": True}

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["onestop.core.drf.RulesPermission"],
    "DEFAULT_PAGINATION_CLASS": "onestop.core.drf.CappedPageNumberPagination",
    "DEFAULT_PARSER_CLASSES": [
        "onestop.core.drf.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "onestop.core.drf.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "onestop.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "onestop.core.drf.exception_handler",
    # Per user, per address, and for anonymous requests per address (core.limits).
    "DEFAULT_THROTTLE_CLASSES": [
        "onestop.core.limits.UserThrottle",
        "onestop.core.limits.AnonymousThrottle",
        "onestop.core.limits.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("ONESTOP_API_RATE_USER", "1200/min"),
        "anon": env_str("ONESTOP_API_RATE_ANONYMOUS", "60/min"),
        "address": env_str("ONESTOP_API_RATE_ADDRESS", "3000/min"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneStop API",
    "DESCRIPTION": "REST API for everything the OneStop user interface does.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Twenty-odd resources: start with the resources folded and a filter box to find one.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "docExpansion": "none",
        "filter": True,
        "persistAuthorization": True,
    },
    # Two "channel" choice sets (how an inquiry arrived; how a comment was exchanged).
    "ENUM_NAME_OVERRIDES": {
        "InquiryChannelEnum": "onestop.engagements.models.Channel",
        "CommentChannelEnum": "onestop.core.models.Comment.Channel",
        "BudgetCategoryEnum": "onestop.plans.models.BudgetLine.Category",
        "FindingCategoryEnum": "onestop.quality.models.FindingCategory",
        "FindingCauseEnum": "onestop.quality.models.FindingCause",
        "ChecklistItemKindEnum": "onestop.acceptance.models.ChecklistItem.Kind",
        "ChangeKindEnum": "onestop.coordination.models.ChangeRequest.Kind",
        "InspectionKindEnum": "onestop.quality.models.Inspection.Kind",
        "ClientOrganizationKindEnum": "onestop.accounts.models.ClientOrganization.Kind",
        "HolidayKindEnum": "onestop.notifications.models.Holiday.Kind",
        "PaymentMethodEnum": "onestop.settlement.models.PaymentMethod",
        "AcceptanceMethodEnum": "onestop.acceptance.models.Method",
        # The company apps' choice sets whose field names other apps use too.
        "PostingChannelEnum": "onestop.recruitment.models.Channel",
        "CandidateStageEnum": "onestop.recruitment.states.Stage",
        "EngagementStageEnum": "onestop.engagements.states.EngagementStage",
        "InspectionItemResultEnum": "onestop.quality.models.InspectionItem.Result",
        "AuditResultEnum": "onestop.supervision.states.AuditResult",
        "InterviewRecommendationEnum": "onestop.recruitment.models.Interview.Recommendation",
        "ResultOutcomeEnum": "onestop.people.models.Outcome",
        "RiskOutcomeEnum": "onestop.risks.models.Outcome",
        "RiskLevelEnum": "onestop.risks.matrix.Level",
        "RiskStrategyEnum": "onestop.risks.matrix.Strategy",
        "WarningLevelEnum": "onestop.risks.models.WarningLevel",
        "BudgetAlertLevelEnum": "onestop.costs.models.BudgetAlert.Level",
        "ComputedSourceEnum": "onestop.people.computed.Source",
        "AllocationSourceEnum": "onestop.costs.models.Allocation.Source",
        "SkillSourceEnum": "onestop.people.models.SkillSource",
        "ArticleKindEnum": "onestop.resources.models.Article.Kind",
        "MaintenanceKindEnum": "onestop.resources.models.MaintenanceRecord.Kind",
        "TeamActivityKindEnum": "onestop.costs.models.TeamActivity.Kind",
        "RiskReviewKindEnum": "onestop.risks.models.RiskReview.Kind",
        "RiskIndicatorKindEnum": "onestop.risks.models.IndicatorKind",
        "ResultActionKindEnum": "onestop.people.models.ActionKind",
        "CourseKindEnum": "onestop.people.models.CourseKind",
        # An appraisal's grade and a career level's grade at least (careers) are one scale.
        "GradeEnum": "onestop.people.grading.GRADE_CHOICES",
        # proposed → approved / rejected: a result action's and a recognition's states (one set).
        "ProposalStateEnum": "onestop.people.states.ActionState",
        "PlanReviewRecommendationEnum": "onestop.plans.models.PlanReview.Recommendation",
    },
}

# --- logging -------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"database_unavailable": {"()": "onestop.core.logs.DatabaseUnavailableFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["database_unavailable"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"filters": ["database_unavailable"]}},
}

ONESTOP_LIST_COUNT_LIMIT = 10_000

# PLN-3: a plan whose budget total is above this needs a second management approval.
try:
    ONESTOP_PLAN_SECOND_APPROVAL_ABOVE = Decimal(env_str("ONESTOP_PLAN_SECOND_APPROVAL_ABOVE", "1000000"))
except InvalidOperation:
    raise ImproperlyConfigured(
        "ONESTOP_PLAN_SECOND_APPROVAL_ABOVE must be an amount such as 1000000."
    ) from None

# RES-6: budget alerts — a project's spending (in total and per category) past WARN percent of its
# budget warns the project lead and finance; past APPROVAL percent, further spending needs
# management's approval (costs/alerts.py).
ONESTOP_BUDGET_WARN_PERCENT = env_int("ONESTOP_BUDGET_WARN_PERCENT", 80)
ONESTOP_BUDGET_APPROVAL_PERCENT = env_int("ONESTOP_BUDGET_APPROVAL_PERCENT", 100)
if not 0 < ONESTOP_BUDGET_WARN_PERCENT < ONESTOP_BUDGET_APPROVAL_PERCENT:
    raise ImproperlyConfigured(
        "ONESTOP_BUDGET_WARN_PERCENT must be above 0 and below ONESTOP_BUDGET_APPROVAL_PERCENT."
    )

# Log-in attempts are security records: OneStop's admin shows them read-only (core/admin.py)
# instead of django-axes' own admin, where they could be deleted.
AXES_ENABLE_ADMIN = False

# --- operations (issue 17): request ids, logs, metrics, job queue, upload storage ---------------
# One block on purpose; onestop/ops_settings.py reads the variables, docs/deployment.md lists them.
# Every request: an id (X-Request-ID, on every log line), counted and timed for /metrics.
MIDDLEWARE = ["onestop.core.metrics.RequestMiddleware", *MIDDLEWARE]
ONESTOP_METRICS_TOKEN = ops_settings.metrics_token()  # Prometheus' bearer token for /metrics
ONESTOP_LOG_FORMAT = ops_settings.log_format(default="text" if DEV_MODE or DEBUG else "json")
ONESTOP_ACCESS_LOG = env_bool("ONESTOP_ACCESS_LOG", not DEV_MODE and not DEBUG)  # a line per request
LOGGING = ops_settings.extend_logging(LOGGING, ONESTOP_LOG_FORMAT)
HUEY["huey_class"] = ops_settings.huey_class(HUEY["huey_class"])
STORAGES["default"] = ops_settings.upload_storage(STORAGES["default"])  # S3 with ONESTOP_S3_BUCKET
# Probed on each app server directly over plain http (Prometheus, load balancers): no redirect.
SECURE_REDIRECT_EXEMPT = [r"^metrics$", r"^healthz$", r"^readyz$"]
