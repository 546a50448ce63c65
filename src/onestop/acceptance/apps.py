from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    name = "onestop.acceptance"
    label = "acceptance"
    verbose_name = _("Acceptance")

    def ready(self):
        from onestop.acceptance import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
