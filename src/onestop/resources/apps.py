from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "onestop.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self):
        from onestop.resources import navigation, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
