from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "onestop.risks"
    label = "risks"
    verbose_name = _("Risk management")

    def ready(self):
        from onestop.risks import navigation, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
