"""``onestop migrate`` builds an empty database from the models in seconds
(src/onestop/core/management/commands/migrate.py). These tests prove that what it builds is
what applying every migration one by one builds — the same tables, columns, constraints,
indexes, triggers, seeded rows and migration history — on the suite's own engine, and that a
database with anything in it is still migrated one by one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.test_foundation import production_env
from tests.test_production import fresh_database

ROOT = Path(__file__).resolve().parents[1]
# Rows compared by what they mean, not by their numbers: the content types and permissions are
# numbered in the order they happen to be created, and a migration's own record says when.
NATURAL = {
    "django_migrations": "SELECT app, name FROM django_migrations",
    "django_content_type": "SELECT app_label, model FROM django_content_type",
    "auth_permission": (
        "SELECT t.app_label, t.model, p.codename, p.name FROM auth_permission p "
        "JOIN django_content_type t ON t.id = p.content_type_id"
    ),
    "auth_group_permissions": (
        "SELECT g.name, t.app_label, p.codename FROM auth_group_permissions x JOIN auth_group g ON g.id = x.group_id "
        "JOIN auth_permission p ON p.id = x.permission_id JOIN django_content_type t ON t.id = p.content_type_id"
    ),
}
SQLITE_NUMBERED = re.compile(r"^(fk_\d+|__unnamed_constraint_\d+__)$")


def _onestop(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "onestop.cli", *args],
        capture_output=True,
        text=True,
        env=production_env(ONESTOP_DEV="1", **env),
        timeout=900,
        check=False,
    )


def _describe(env) -> dict:
    """``describe`` the database ``env`` points at, from a process of its own."""
    code = (
        "import django, json; django.setup(); from django.db import connection; "
        "from tests.test_migrate_fast import describe; print(json.dumps(describe(connection)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=production_env(ONESTOP_DEV="1", DJANGO_SETTINGS_MODULE="onestop.settings", **env),
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def describe(conn) -> dict:
    """Everything a database holds that the migrations decide, in a comparable form."""
    described: dict = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            columns = sorted(
                (c.name, str(c.type_code), c.internal_size, c.precision, c.scale, c.null_ok, str(c.default))
                for c in conn.introspection.get_table_description(cursor, table)
            )
            # SQLite numbers its unnamed constraints in column order, which differs when a
            # migration added the column later; those are compared by what they are.
            constraints = sorted(
                json.dumps(
                    [None if SQLITE_NUMBERED.match(name) else name, details], sort_keys=True, default=str
                )
                for name, details in conn.introspection.get_constraints(cursor, table).items()
            )
            names = ", ".join(sorted(conn.ops.quote_name(column[0]) for column in columns))
            cursor.execute(NATURAL.get(table, f"SELECT {names} FROM {conn.ops.quote_name(table)}"))
            # When a row was written is not what the migrations decide; what it holds is.
            rows = sorted(
                repr(tuple(type(v).__name__ if isinstance(v, datetime) else v for v in row))
                for row in cursor.fetchall()
            )
            described[table] = {"columns": columns, "constraints": constraints, "rows": rows}
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view', 'index')"
            )
        else:
            cursor.execute("SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        described["<schema objects>"] = sorted(map(list, cursor.fetchall()))
    conn.close()
    return described


@pytest.mark.slow
def test_an_empty_database_built_from_the_models_equals_one_migrated_one_by_one(tmp_path):
    with fresh_database(tmp_path / "slow") as slow_env, fresh_database(tmp_path / "fast") as fast_env:
        slow = _onestop("migrate", "--noinput", "--one-by-one", env=slow_env)
        assert slow.returncode == 0, slow.stdout + slow.stderr
        assert "Applying accounts.0001_initial... OK" in slow.stdout
        fast = _onestop("migrate", "--noinput", env=fast_env)
        assert fast.returncode == 0, fast.stdout + fast.stderr
        assert "building it from the models" in fast.stdout and "Applying" not in fast.stdout

        one_by_one, built = _describe(slow_env), _describe(fast_env)
        assert sorted(built) == sorted(one_by_one)
        different = [table for table in one_by_one if built[table] != one_by_one[table]]
        assert not different, {table: (one_by_one[table], built[table]) for table in different[:3]}
        # The migrations' data is there: the roles, the default review criteria, the risk matrix.
        for table in ("auth_group", "plans_reviewcriteriaset", "risks_riskmatrix", "risks_indicator"):
            assert built[table]["rows"], table
        # Nothing is left to apply, and a second run finds nothing to do.
        again = _onestop("migrate", "--noinput", env=fast_env)
        assert again.returncode == 0 and "No migrations to apply." in again.stdout, (
            again.stdout + again.stderr
        )


def test_a_database_that_is_not_empty_is_migrated_one_by_one(tmp_path):
    """A database with anything in it never takes the fast path: it may hold an earlier
    version whose data the migrations must carry forward. Here a table of the first migration
    is there already, so the one-by-one path runs and stops on it, as Django's own does."""
    with fresh_database(tmp_path / "data") as env:
        code = (
            "import django; django.setup(); from django.db import connection; "
            "connection.cursor().execute('CREATE TABLE django_content_type (id integer PRIMARY KEY)')"
        )
        made = subprocess.run(
            [sys.executable, "-c", code],
            env=production_env(ONESTOP_DEV="1", DJANGO_SETTINGS_MODULE="onestop.settings", **env),
            timeout=120,
            check=False,
        )
        assert made.returncode == 0
        ran = _onestop("migrate", "--noinput", env=env)
    assert ran.returncode != 0 and "building it from the models" not in ran.stdout
    assert "Applying contenttypes.0001_initial..." in ran.stdout and "already exists" in ran.stderr


def test_migrating_one_app_of_an_empty_database_applies_its_migrations_alone(tmp_path):
    """``migrate <app>`` is Django's one-by-one path; the full-text index of an app whose
    table is not there yet waits for a later migrate instead of failing this one."""
    with fresh_database(tmp_path / "data") as env:
        ran = _onestop("migrate", "--noinput", "auth", env=env)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "Applying auth.0001_initial... OK" in ran.stdout and "engagements" not in ran.stdout
