from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onestop.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from onestop.supervision import navigation, receivers, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
