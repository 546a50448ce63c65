from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "onestop.notifications"
    label = "notifications"
    verbose_name = _("Notifications and deadlines")

    def ready(self):
        from onestop.notifications import navigation, work  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); menu entries, "My work" provider
        from onestop.notifications.receivers import close_deadlines_of_deleted_record  # noqa: PLC0415 — app registry not ready at import time (apps.py)

        post_delete.connect(close_deadlines_of_deleted_record, dispatch_uid="onestop-deadlines-of-deleted")
