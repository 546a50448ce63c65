from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "onestop.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment and onboarding")

    def ready(self):
        from onestop.recruitment import navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
