from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "onestop.notifications"
    label = "notifications"
    verbose_name = _("Notifications and deadlines")

    def ready(self):
        from onestop.notifications import navigation, work  # noqa: F401  (menu entries, "My work" provider)
