from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "onestop.quality"
    label = "quality"
    verbose_name = _("Quality monitoring")

    def ready(self):
        from onestop.quality import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
