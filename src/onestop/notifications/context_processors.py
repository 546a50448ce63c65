from django.utils.functional import SimpleLazyObject

from onestop.notifications.models import Notification


def inbox(request):
    """The unread count shown beside the inbox icon: one COUNT query, only if a page shows it."""

    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0

        return Notification.objects.visible_to(user).unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}
