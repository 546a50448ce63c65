from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onestop.core.pagination import CappedPaginator
from onestop.notifications import services
from onestop.notifications.models import Notification


@login_required
def inbox(request):
    notifications = Notification.objects.visible_to(request.user)
    show = request.GET.get("show", "all")
    if show == "unread":
        notifications = notifications.unread()
    page = CappedPaginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "show": show})


@login_required
def open_notification(request, pk):
    """Mark the message read and go where it points (only ever within OneStop)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(notification, actor=request.user)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:inbox"
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d message marked as read.", "%(count)d messages marked as read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")
