"""Settings for the test suite: the real settings with fast hashing and jobs run inline."""

import os
import tempfile

os.environ.setdefault("ONESTOP_DEV", "1")
os.environ.setdefault("ONESTOP_DATA_DIR", tempfile.mkdtemp(prefix="onestop-test-"))

from onestop.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses argon2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}  # noqa: F405  jobs run at once, in the test's own thread
WHITENOISE_AUTOREFRESH = True
