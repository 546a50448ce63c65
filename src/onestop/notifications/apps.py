from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "onestop.notifications"
    label = "notifications"
    verbose_name = _("Notifications and deadlines")

    def ready(self):
        from django.db.models.signals import post_delete

        from onestop.notifications import navigation, work  # noqa: F401  (menu entries, "My work" provider)
        from onestop.notifications.receivers import close_deadlines_of_deleted_record

        post_delete.connect(close_deadlines_of_deleted_record, dispatch_uid="onestop-deadlines-of-deleted")
