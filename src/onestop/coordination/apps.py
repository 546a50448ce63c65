from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "onestop.coordination"
    label = "coordination"
    verbose_name = _("Project coordination")

    def ready(self):
        from onestop.coordination import navigation, receivers, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
