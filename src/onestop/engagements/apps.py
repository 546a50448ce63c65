from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "onestop.engagements"
    label = "engagements"
    verbose_name = _("Engagements and intake")

    def ready(self):
        from onestop.core.fulltext import ensure_on_migrate  # noqa: PLC0415 — app registry not ready at import time
        from onestop.engagements import documents, navigation, search_index, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations

        # The search text's full-text index also on a database built without migrations.
        ensure_on_migrate(self, "engagements_engagement")
