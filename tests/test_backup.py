"""R: a backup restores into an empty place with every row, every upload and a verifiable chain."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from onestop.accounts.models import Department
from onestop.core import signatures as sig
from tests.factories import PASSWORD
from tests.workflow_app.models import Ticket

# The backup reads what is committed; serialized_rollback brings back the rows every test
# expects (roles, content types) after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def records(personas):
    for n in range(3):
        Department.objects.create(name=f"備份部門 {n}", code=f"backup-{n}")
    ticket = Ticket.objects.create(
        title="備份測試",
        description="簽署後備份",
        client_organization=personas["client_a"].client_organization,
        amount=Decimal("100.00"),
    )
    sig.sign(
        sig.get_document("ticket_form"), ticket, actor=personas["client_a"], role="client", password=PASSWORD
    )
    upload = Path(settings.MEDIA_ROOT) / "attachments" / "backup-test.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("上傳的文件")
    yield
    upload.unlink()


@pytest.fixture
def empty_place(tmp_path):
    """The environment of a new OneStop: an empty data folder and, on PostgreSQL, an empty database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ONESTOP_DATA_DIR": str(tmp_path / "new"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("ONESTOP_AUDIT_KEY", None)
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = f"onestop_restore_{uuid.uuid4().hex[:8]}"
    admin = {"host": url.hostname, "port": url.port or 5432, "user": url.username, "password": url.password}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    yield env
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def onestop(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "onestop.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_a_backup_restores_into_an_empty_place_with_every_row_file_and_an_intact_chain(
    records, empty_place, tmp_path
):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    assert {"manifest.json", "audit_key", "uploads"} <= {path.name for path in folder.iterdir()}

    restored = onestop(empty_place, "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    assert "row counts match" in restored.stdout and "audit chain intact" in restored.stdout
    new_uploads = Path(empty_place["ONESTOP_DATA_DIR"]) / "uploads" / "attachments" / "backup-test.txt"
    assert new_uploads.read_text() == "上傳的文件"
    verified = onestop(empty_place, "verify")
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr

    # Restoring again, over what is now there, is refused and changes nothing.
    again = onestop(empty_place, "restore", str(folder))
    assert again.returncode != 0 and "not empty" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(records, empty_place, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    (folder / "uploads" / "attachments" / "backup-test.txt").write_text("被改過")
    restored = onestop(empty_place, "restore", str(folder))
    assert restored.returncode != 0 and "damaged" in restored.stderr
    assert not (Path(empty_place["ONESTOP_DATA_DIR"]) / "uploads" / "attachments").exists()


def test_a_backup_goes_only_into_a_new_folder(records, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "used"))
