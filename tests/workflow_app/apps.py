from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The data migrations whose rows the suite relies on. The test databases are built from the
# models (tests/settings.py: TEST["MIGRATE"] = False), so these run after that build, the very
# functions the migrations run in production.
DATA_MIGRATIONS = [
    ("onestop.accounts.migrations.0002_roles", "create_roles"),
    ("onestop.plans.migrations.0002_default_review_criteria", "create"),
]


def run_data_migrations(sender, **kwargs):
    from django.apps import apps as global_apps

    if sender.label != "workflow_app":  # once per migrate, after every app's tables exist
        return
    for module, function in DATA_MIGRATIONS:
        # The real registry: a database built without migrations has no migration state to pass.
        getattr(import_module(module), function)(global_apps, None)


class WorkflowAppConfig(AppConfig):
    """A small app used only by the test suite to exercise the shared workflow mechanisms."""

    name = "tests.workflow_app"
    label = "workflow_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tests.workflow_app import documents  # noqa: F401  registers the ticket form

        post_migrate.connect(run_data_migrations, sender=self, dispatch_uid="onestop-test-data-migrations")
