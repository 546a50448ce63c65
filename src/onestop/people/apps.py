from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "onestop.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from onestop.people import documents, navigation, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
