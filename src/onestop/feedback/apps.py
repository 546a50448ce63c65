from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "onestop.feedback"
    label = "feedback"
    verbose_name = _("Satisfaction and complaints")

    def ready(self):
        from onestop.feedback import navigation, receivers, tasks, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
