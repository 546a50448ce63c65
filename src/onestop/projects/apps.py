from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "onestop.projects"
    label = "projects"
    verbose_name = _("Project implementation")

    def ready(self):
        from onestop.projects import documents, navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
