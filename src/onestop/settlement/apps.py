from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "onestop.settlement"
    label = "settlement"
    verbose_name = _("Fee settlement")

    def ready(self):
        from onestop.settlement import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
