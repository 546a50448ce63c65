"""Signal handlers of the notifications app."""

from __future__ import annotations

from django.apps import apps

from onestop.notifications import services
from onestop.notifications.models import Deadline


def close_deadlines_of_deleted_record(sender, instance, **kwargs):
    """A record that is deleted takes its open deadlines with it: nobody is reminded or escalated
    about something that no longer exists (the closing is in the deleting transaction)."""
    if sender._meta.apps is not apps:  # a migration's model: the tables may not exist yet
        return
    if sender._meta.app_label == "notifications" or sender.__name__.startswith("Historical"):
        return
    if not isinstance(getattr(instance, "pk", None), int):
        return
    if Deadline.objects.open().filter(target_id=instance.pk).exists():
        services.close_deadlines(instance)
