from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "onestop.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self):
        from onestop.core.fulltext import ensure_on_migrate  # noqa: PLC0415 — app registry not ready at import time

        # The knowledge base's full-text index also on a database built without migrations.
        ensure_on_migrate(self, "resources_article")
        from onestop.resources import navigation, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
