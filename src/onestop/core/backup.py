"""Backup and restore of a whole OneStop: the database, the uploaded files and the audit key.

A backup is a folder::

    manifest.json     when, which database, how many rows of each model, the audit chain's head,
                      and the SHA-256 of every file below
    database.sqlite3  SQLite: an online copy (sqlite3's backup API, consistent while in use)
    database.pgdump   PostgreSQL: ``pg_dump --format=custom``
    uploads/          the upload folder as it is; with uploads in an S3 bucket (ONESTOP_S3_BUCKET),
                      every object under the configured prefix, downloaded (the backup is complete
                      on its own: it does not depend on the bucket still being there)
    audit_key         the key of the audit chain (core.chain), without which it cannot be verified

``restore`` goes into an EMPTY place only (an empty database and upload folder, or an empty bucket
prefix: the files are uploaded to it): restoring over
live data is a different operation, and refusing it prevents the worst accident. After restoring
it compares the row counts with the manifest and verifies the audit chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection

from onestop.core import chain


class BackupError(Exception):
    pass


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def _file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            hashes[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is needed for a PostgreSQL database (apt-get install postgresql-client)."
        )
    # A fixed program (pg_dump or pg_restore) with arguments from the settings; no shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def backup(target: Path) -> dict:
    """Write a backup of everything into the folder ``target`` (created; must be empty)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for each backup.")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target / "database.sqlite3")
        with destination:
            connection.connection.backup(destination)
        destination.close()
    elif vendor == "postgresql":
        args, env = _pg_env()
        name = str(connection.settings_dict["NAME"])
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "database.pgdump"),
                name,
            ],
            env,
        )
    else:
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    uploads = _backup_uploads(target / "uploads")
    key_file = target / "audit_key"
    key_file.write_bytes(settings.ONESTOP_AUDIT_KEY)
    key_file.chmod(0o600)
    report = chain.verify()
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "database": vendor,
        "rows": row_counts(),
        "uploads": uploads,
        "audit_chain": {"links": report.head_seq, "head": report.head_digest, "intact": report.intact},
        "files": _file_hashes(target),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def read_manifest(source: Path) -> dict:
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable manifest.json: {error}") from error
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise BackupError(f"The backup is damaged: {name} is missing or differs from the manifest.")
    return manifest


def upload_storage() -> Storage | None:
    """The storage of uploaded files when it is not the local upload folder (an S3 bucket)."""
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def describe_storage(storage: Storage) -> str:
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        prefix = getattr(storage, "location", "")
        return f"s3://{bucket}/{prefix + '/' if prefix else ''}"
    return type(storage).__name__


def _stored_files(storage: Storage, folder: str = ""):
    """Every file name in ``storage`` below ``folder``, walking its folders."""
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from _stored_files(storage, f"{folder}/{name}" if folder else name)


def _backup_uploads(destination: Path) -> dict:
    """Copy every uploaded file into ``destination``: the upload folder as it is, or each object
    of the bucket downloaded. Returns what the manifest says about it."""
    storage = upload_storage()
    if storage is None:
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.copytree(media, destination, dirs_exist_ok=True)
        else:
            destination.mkdir()
        count = sum(1 for path in destination.rglob("*") if path.is_file())
        return {"storage": "folder", "source": str(media), "files": count}
    destination.mkdir()
    count = 0
    for name in _stored_files(storage):
        path = destination / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as handle, path.open("wb") as out:
            shutil.copyfileobj(handle, out)
        count += 1
    return {"storage": "s3", "source": describe_storage(storage), "files": count}


def _upload_files(folder: Path, storage: Storage) -> None:
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        with path.open("rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:
            raise BackupError(f"{name} was stored as {stored}: the upload storage was not empty.")


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return not tables


def restore(source: Path) -> dict:
    """Restore the backup in ``source`` into an empty database and upload folder."""
    source = Path(source)
    manifest = read_manifest(source)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"The backup is of a {manifest['database']} database; this OneStop uses {vendor}.")
    if not _database_is_empty():
        raise BackupError("The database is not empty; restore only into a new, empty database.")
    storage = upload_storage()
    media = Path(settings.MEDIA_ROOT)
    if storage is None and media.exists() and any(media.iterdir()):
        raise BackupError(f"The upload folder {media} is not empty; restore only into an empty one.")
    if storage is not None and any(_stored_files(storage)):
        raise BackupError(
            f"The upload storage {describe_storage(storage)} is not empty; restore only into an empty one."
        )
    if vendor == "sqlite":
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"])
        origin = sqlite3.connect(source / "database.sqlite3")
        with target:
            origin.backup(target)
        origin.close()
        target.close()
    else:
        args, env = _pg_env()
        name = str(connection.settings_dict["NAME"])
        _run(
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                name,
                str(source / "database.pgdump"),
            ],
            env,
        )
    if storage is None:
        shutil.copytree(source / "uploads", media, dirs_exist_ok=True)
    else:
        _upload_files(source / "uploads", storage)
    key = (source / "audit_key").read_bytes()
    key_restored = _restore_key(key)
    return {
        "manifest": manifest,
        "key_matches": key == settings.ONESTOP_AUDIT_KEY,
        "key_restored": key_restored,
    }


def _restore_key(key: bytes) -> bool:
    """Put the backup's audit key in place, unless the environment sets one (then it must match).

    The key file a fresh data folder generated for itself vouches for nothing yet (the database
    was empty), so replacing it loses nothing."""
    if os.environ.get("ONESTOP_AUDIT_KEY"):
        return False
    key_file = Path(settings.DATA_DIR) / "audit_key"
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    settings.ONESTOP_AUDIT_KEY = key
    return True


def check_restored(manifest: dict) -> list[str]:
    """What differs between the restored database and the manifest (empty: nothing)."""
    now = row_counts()
    return [
        f"{label}: {count} in the backup, {now.get(label)} restored"
        for label, count in manifest["rows"].items()
        if now.get(label) != count
    ]
