from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from onestop.core.pagination import CappedPaginator
from onestop.core.work import work_for
from onestop.notifications import services
from onestop.notifications.models import Notification


@login_required
def inbox(request):
    notifications = Notification.objects.visible_to(request.user)
    show = request.GET.get("show", "all")
    if show == "unread":
        notifications = notifications.unread()
    page = CappedPaginator(notifications, 25).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    mark_handled(request.user, page.object_list)
    return render(request, "notifications/inbox.html", {"page": page, "show": show})


def _path(url: str) -> str:
    return urlsplit(url).path


def mark_handled(user, notifications) -> None:
    """An "action needed" message whose work is done says so: its record no longer waits for
    the user on "My work" (the forwarded inquiry was assessed, the complaint closed, the kickoff
    acknowledged). One pass over "My work" (a fixed number of queries) for the whole page."""
    actions = [n for n in notifications if n.level == Notification.Level.ACTION and n.url]
    if not actions:
        return
    waiting = {_path(item.url) for item in work_for(user)}
    for notification in actions:
        notification.is_handled = _path(notification.url) not in waiting


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
