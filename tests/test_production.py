"""The documented production steps work (docs/deployment.md): the vendored files are complete,
``collectstatic`` with the manifest storage succeeds, and gunicorn serves pages and static files
with DEBUG off."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_foundation import production_env

VENDOR = settings.PACKAGE_DIR / "static" / "vendor"
SECRET = "x7#Kq2!vR9zLm4@Wp8&Ty6^Nb3*Hc5%Jd1$Fg0-Ue7+Sa2=Oi9"


def test_every_source_map_a_vendored_file_names_is_vendored_too():
    if not VENDOR.is_dir():
        pytest.skip("static/vendor is made by `onestop vendor` (scripts/setup)")
    missing = []
    for path in [*VENDOR.rglob("*.js"), *VENDOR.rglob("*.css")]:
        if not path.is_file():
            continue  # a folder named like a file (chart.js/)
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore")):
            if not name.startswith("data:") and not (path.parent / name).exists():
                missing.append(f"{path.relative_to(VENDOR)} → {name}")
    assert not missing, missing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _onestop(*args, env, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "onestop.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@contextmanager
def fresh_database(data_dir: Path):
    """A fresh, empty database of the suite's own engine: the environment that points OneStop
    at it. On SQLite, the production settings' own file in ``data_dir``; on PostgreSQL a new
    database on the suite's server, dropped afterwards."""
    db = settings.DATABASES["default"]
    env = {"ONESTOP_DATA_DIR": str(data_dir)}
    if not db["ENGINE"].endswith("postgresql"):
        yield env
        return
    import uuid

    import psycopg

    name = f"onestop_migrate_{uuid.uuid4().hex[:12]}"
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            **env,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{params['port']}/{name}",
        }
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production_database(tmp_path):
    """The database the production steps migrate (the suite's test databases are built from the
    models; here ``onestop migrate`` builds one as a fresh installation does)."""
    with fresh_database(tmp_path / "data") as env:
        yield env


@pytest.mark.slow
def test_the_documented_production_steps_serve_pages_and_static_files_with_debug_off(
    tmp_path, production_database
):
    if not VENDOR.is_dir():
        pytest.skip("static/vendor is made by `onestop vendor` (scripts/setup)")
    env = production_env(
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ONESTOP_STATIC_ROOT=str(tmp_path / "static"),
        ONESTOP_HTTPS="0",  # TLS ends at the proxy; here the test talks to gunicorn directly
        DEBUG="0",
    )
    env.pop("DATABASE_URL", None)
    env.update(production_database)
    collected = _onestop("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    migrated = _onestop("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    # Every migration is applied (none left "[ ]").
    checked = _onestop("showmigrations", "--plan", env=env)
    assert checked.returncode == 0 and "[ ]" not in checked.stdout, checked.stdout + checked.stderr

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "onestop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        page = None
        for _ in range(150):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert page is not None and page.status == 200
        html = page.read().decode()
        # Static URLs carry the content hash of the manifest storage…
        stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, html[:2000]
        # …and whitenoise serves them.
        static = urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet.group(1)}", timeout=5)
        assert static.status == 200 and "immutable" in static.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output
