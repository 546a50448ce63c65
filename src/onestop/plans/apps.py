from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "onestop.plans"
    label = "plans"
    verbose_name = _("Service plans")

    def ready(self):
        from onestop.plans import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
