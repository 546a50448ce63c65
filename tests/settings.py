"""Settings for the test suite: the real settings with fast hashing and jobs run inline."""

import os
import tempfile

os.environ.setdefault("ONESTOP_DEV", "1")
os.environ.setdefault("ONESTOP_DATA_DIR", tempfile.mkdtemp(prefix="onestop-test-"))

from onestop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses argon2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}  # noqa: F405  jobs run at once, in the test's own thread
WHITENOISE_AUTOREFRESH = True
# Rate-limit counters per test process; the limits themselves are tested by raising them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min", "address": "100000/min"},
}

# The test-only app that exercises the shared workflow mechanisms of onestop.core
# (tests/workflow_app: a Ticket with draft → submitted → approved / rejected) and its URLs.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflow_app"]  # noqa: F405
ROOT_URLCONF = "tests.urls"

# SQLite tests use a database file (in the temporary data dir), not Django's default
# in-memory database: the concurrency tests run real threads, each with its own connection,
# and a shared-cache in-memory database answers concurrent writers with "table is locked"
# at once instead of queueing them behind the busy timeout as the production file does.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405

# The test databases are built straight from the models: applying the 60-odd migrations one by
# one costs about a minute of CPU per database (Django re-renders the related model states for
# every operation), paid by each worker of each run. The migrations themselves stay covered:
# scripts/check-migrations proves they match the models, tests/test_production.py applies them
# all to a fresh database of the suite's engine, and the data migrations' own functions run
# after the build (tests/workflow_app/apps.py).
DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False  # noqa: F405

# PostgreSQL tests need no durability: a commit need not wait for the disk (the transactional
# tests, the browser tests' live server and the test database's creation commit often).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
