from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "onestop.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from onestop.core import events
        from onestop.webhooks import navigation, tasks  # noqa: F401  (menu entry, jobs)
        from onestop.webhooks.receivers import record_event

        events.follow(record_event)
