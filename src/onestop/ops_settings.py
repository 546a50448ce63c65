"""The operations settings (issue 17), read from the environment for onestop/settings.py: the log
format, the /metrics token and where uploaded files are kept. docs/deployment.md explains each
variable; a malformed value stops the start with a sentence naming it (ImproperlyConfigured)."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from onestop.env import env_str

LOG_FORMATS = ("text", "json")
METRICS_TOKEN_MIN_LENGTH = 16


def log_format(default: str) -> str:
    value = (env_str("ONESTOP_LOG_FORMAT", default) or default).lower()
    if value not in LOG_FORMATS:
        raise ImproperlyConfigured(f"ONESTOP_LOG_FORMAT must be text or json; got {value!r}.")
    return value


def extend_logging(config: dict, log_format: str) -> dict:
    """Every line through one handler, with the request id (core.logs.RequestIdFilter), in the
    chosen format and with UTC ISO 8601 times. Huey's logger goes to that handler only: the
    worker used to print each of its lines twice (its own handler, then the root's)."""
    config.setdefault("formatters", {}).update(
        {"text": {"()": "onestop.core.logs.TextFormatter"}, "json": {"()": "onestop.core.logs.JsonFormatter"}}
    )
    config.setdefault("filters", {})["request_id"] = {"()": "onestop.core.logs.RequestIdFilter"}
    console = config["handlers"]["console"]
    console["formatter"] = log_format
    console["filters"] = [*console.get("filters", []), "request_id"]
    config.setdefault("loggers", {})["huey"] = {"handlers": ["console"], "propagate": False}
    return config


def metrics_token() -> str:
    token = env_str("ONESTOP_METRICS_TOKEN", "") or ""
    if token and len(token) < METRICS_TOKEN_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"ONESTOP_METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_LENGTH} characters long."
        )
    return token


def upload_storage(default: dict) -> dict:
    """The storage of uploaded files: ``default`` (the local upload folder) unless
    ONESTOP_S3_BUCKET names a bucket of an S3-compatible store (AWS S3, MinIO, Ceph, …).

    The objects are private (no ACL is set: the bucket's own policy, which must not be public,
    decides) and every download goes through OneStop's permission check (core.attachments);
    ``querystring_auth`` keeps any URL the storage makes signed and short-lived all the same."""
    bucket = env_str("ONESTOP_S3_BUCKET")
    if not bucket:
        return default
    endpoint = env_str("ONESTOP_S3_ENDPOINT_URL")
    if endpoint and urlparse(endpoint).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"ONESTOP_S3_ENDPOINT_URL must start with https:// or http://; got {endpoint!r}."
        )
    access_key = env_str("ONESTOP_S3_ACCESS_KEY_ID")
    secret_key = env_str("ONESTOP_S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both ONESTOP_S3_ACCESS_KEY_ID and ONESTOP_S3_SECRET_ACCESS_KEY, or neither "
            "(then the usual AWS_* variables or the machine's role are used)."
        )
    addressing = env_str("ONESTOP_S3_ADDRESSING_STYLE")
    if addressing not in {None, "auto", "path", "virtual"}:
        raise ImproperlyConfigured(
            f"ONESTOP_S3_ADDRESSING_STYLE must be auto, path or virtual; got {addressing!r}."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": env_str("ONESTOP_S3_REGION"),
            "access_key": access_key,
            "secret_key": secret_key,
            "location": (env_str("ONESTOP_S3_PREFIX", "") or "").strip("/"),
            "addressing_style": addressing,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            # A download is read from the bucket into memory up to 2 MB, beyond that a temp file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


def huey_class(configured: str) -> str:
    """Huey's queue class with OneStop's additions (core.jobqueue): periodic jobs once however
    many workers run, the request id on job log lines, failures counted for /metrics."""
    ours = {
        "huey.RedisHuey": "onestop.core.jobqueue.RedisHuey",
        "huey.SqliteHuey": "onestop.core.jobqueue.SqliteHuey",
    }
    return ours.get(configured, configured)
