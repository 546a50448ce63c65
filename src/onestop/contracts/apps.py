from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "onestop.contracts"
    label = "contracts"
    verbose_name = _("Service contracts")

    def ready(self):
        from onestop.contracts import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
