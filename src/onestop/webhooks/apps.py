from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from onestop.core import events


class WebhooksConfig(AppConfig):
    name = "onestop.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from onestop.webhooks import navigation, tasks  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); menu entry, jobs
        from onestop.webhooks.receivers import record_event  # noqa: PLC0415 — app registry not ready at import time (apps.py)

        events.follow(record_event)
