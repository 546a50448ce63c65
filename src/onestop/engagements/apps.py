from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "onestop.engagements"
    label = "engagements"
    verbose_name = _("Engagements and intake")

    def ready(self):
        from onestop.engagements import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
