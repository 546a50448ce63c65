"""Typed readers for settings that come from the environment.

Each helper turns a malformed value into ``ImproperlyConfigured`` naming the
variable, so a deployment fails at start with a sentence instead of a stack
trace deep inside Django.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


# With a default the value is always a string; without one it may be missing (None).
@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: str) -> Path:
    return Path(env_str(name, default)).expanduser().resolve()


def secret_key(data_dir: Path, allow_generated: bool) -> str:
    """SECRET_KEY from the environment; in demo/dev mode a key kept in the data dir.

    A generated key is written once and reused so sessions survive a restart.
    """
    value = env_str("SECRET_KEY")
    if value:
        if len(value) < 32 and not allow_generated:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return value
    if not allow_generated:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, or set ONESTOP_DEV=1 "
            "for a development machine (a key is then generated into ONESTOP_DATA_DIR)."
        )
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def audit_key(data_dir: Path) -> bytes:
    """The key of the audit chain (core.chain): ONESTOP_AUDIT_KEY, else a key kept in the data dir.

    It is deliberately NOT in the database: whoever can edit the database cannot re-sign the
    chain without it. Keep a copy apart from the database (``onestop backup`` includes it).
    """
    value = env_str("ONESTOP_AUDIT_KEY")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured("ONESTOP_AUDIT_KEY must be at least 32 characters long.")
        return value.encode()
    key_file = data_dir / "audit_key"
    if key_file.exists():
        return key_file.read_text().strip().encode()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key.encode()
