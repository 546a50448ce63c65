from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """A small app used only by the test suite to exercise the shared workflow mechanisms."""

    name = "tests.workflow_app"
    label = "workflow_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tests.workflow_app import documents  # noqa: F401  registers the ticket form
