from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "onestop.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self):
        from django.db.models.signals import post_migrate  # noqa: PLC0415 — app registry not ready at import time

        post_migrate.connect(_ensure_fulltext_index, sender=self)
        from onestop.resources import navigation, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations


def _ensure_fulltext_index(sender, using="default", **kwargs):
    """The knowledge base's full-text index also on a database built without migrations."""
    from django.db import connections  # noqa: PLC0415 — app registry not ready at import time

    from onestop.core.fulltext import ensure_index  # noqa: PLC0415 — app registry not ready at import time

    ensure_index(connections[using], "resources_article")
