from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "onestop.careers"
    label = "careers"
    verbose_name = _("Incentives and careers")

    def ready(self):
        from onestop.careers import documents, navigation, receivers, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
