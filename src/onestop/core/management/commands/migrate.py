"""`onestop migrate`: Django's migrate, with a fast path for a new, empty database.

Applying the ninety-odd migrations one by one to an empty database takes minutes of CPU:
Django re-renders every model related to the one an operation touches, for every operation,
and nearly every model points at the user. The result is nonetheless fully described by the
models themselves (``scripts/check-migrations`` proves that the migrations and the models
agree). So an empty database is built the way Django builds a test database — every table at
once, from the final model state the migrations describe — and then gets what the migrations add beyond the schema: their
data functions (``RunPython``: the roles, the default review criteria, risk matrix and
indicators…) and our vendor-specific SQL (the full-text index), in the migrations' order,
against the final historical models. Every migration is then recorded as applied, so later
upgrades apply only the new ones, one by one, as usual.

Anything the fast path cannot reproduce exactly (an operation of a kind it does not know, raw
SQL other than ours) makes it fall back to the one-by-one path; ``--one-by-one`` asks for that
path explicitly. A database that has any table at all is always migrated one by one.
``tests/test_migrate_fast.py`` proves both paths give the same schema, rows and history.
"""

from __future__ import annotations

import time

from django.core.management.commands import migrate
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, router
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState

from onestop.core.fulltext import RunSQLOn

# Operations whose whole effect on a new database is the final models' schema.
SCHEMA_OPERATIONS = (
    operations.CreateModel,
    operations.DeleteModel,
    operations.RenameModel,
    operations.AlterModelTable,
    operations.AlterModelTableComment,
    operations.AlterModelOptions,
    operations.AlterModelManagers,
    operations.AlterUniqueTogether,
    operations.AlterIndexTogether,
    operations.AlterOrderWithRespectTo,
    operations.AddField,
    operations.RemoveField,
    operations.AlterField,
    operations.RenameField,
    operations.AddIndex,
    operations.RemoveIndex,
    operations.RenameIndex,
    operations.AddConstraint,
    operations.RemoveConstraint,
)


class Command(migrate.Command):
    help = (
        "Bring the database up to date. An empty database is built from the models in seconds "
        "(with the migrations' data and recorded as migrated); any other is migrated one by one."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--one-by-one",
            action="store_true",
            help="Apply every migration one by one even to an empty database (slow; what an upgrade does).",
        )

    def handle(self, *args, **options):
        special = (
            "app_label",
            "migration_name",
            "fake",
            "fake_initial",
            "plan",
            "run_syncdb",
            "check_unapplied",
            "prune",
        )
        if options["one_by_one"] or any(options.get(name) for name in special):
            return super().handle(*args, **options)
        connection = connections[options["database"]]
        connection.prepare_database()
        if connection.introspection.table_names():
            return super().handle(*args, **options)
        executor = MigrationExecutor(connection)
        if executor.loader.detect_conflicts():
            return super().handle(*args, **options)  # reports the conflict as usual
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        if not plan or not all(
            self._reproducible(op) for migration, _ in plan for op in migration.operations
        ):
            return super().handle(*args, **options)
        self._build(connection, executor, plan, options)

    @staticmethod
    def _reproducible(operation) -> bool:
        return isinstance(operation, (*SCHEMA_OPERATIONS, operations.RunPython, RunSQLOn))

    def _build(self, connection, executor, plan, options) -> None:
        verbosity, interactive = options["verbosity"], options["interactive"]
        started = time.monotonic()
        if verbosity >= 1:
            self.stdout.write(
                self.style.MIGRATE_HEADING("A new, empty database: building it from the models.")
            )
        pre_state = ProjectState(real_apps=executor.loader.unmigrated_apps)  # nothing applied yet
        emit_pre_migrate_signal(
            verbosity, interactive, connection.alias, stdout=self.stdout, apps=pre_state.apps, plan=plan
        )
        # The final historical models: what the data functions would see at the end of the
        # one-by-one path, without the real models' save() overrides and signal receivers.
        final_state = executor.loader.project_state()
        final_apps = final_state.apps
        # The tables are made from those historical models too, not from the real ones: they
        # are what the migrations describe, to the detail (Django gives the auto-created
        # many-to-many tables of a migration's models the project's DEFAULT_AUTO_FIELD).
        models = [
            model
            for config in final_apps.get_app_configs()
            for model in router.get_migratable_models(config, connection.alias, include_auto_created=False)
            if model._meta.can_migrate(connection)
        ]
        # One transaction on both engines (SQLite and PostgreSQL run DDL transactionally): a
        # failure leaves the database empty, not half built.
        with connection.schema_editor() as editor:
            editor.create_model(MigrationRecorder.Migration)
            for model in models:
                editor.create_model(model)
            for migration, _ in plan:
                for operation in migration.operations:
                    if isinstance(operation, operations.RunPython):
                        operation.code(final_apps, editor)
                    elif isinstance(operation, RunSQLOn):
                        operation.database_forwards(migration.app_label, editor, final_state, final_state)
                executor.record_migration(migration)
                if verbosity >= 2:
                    self.stdout.write(f"  Recorded {migration.app_label}.{migration.name}")
            executor.check_replacements()
        if verbosity >= 1:
            seconds = time.monotonic() - started
            self.stdout.write(
                f"  {len(models)} tables created, {len(plan)} migrations recorded ({seconds:.1f} s)."
            )
        emit_post_migrate_signal(
            verbosity, interactive, connection.alias, stdout=self.stdout, apps=final_apps, plan=plan
        )
