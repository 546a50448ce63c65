from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "onestop.costs"
    label = "costs"
    verbose_name = _("Staff allocation and costs")

    def ready(self):
        from onestop.costs import navigation, receivers, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
