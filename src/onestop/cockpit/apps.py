from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "onestop.cockpit"
    label = "cockpit"
    verbose_name = _("Management cockpit")

    def ready(self):
        from onestop.cockpit import navigation, rules, tasks  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
