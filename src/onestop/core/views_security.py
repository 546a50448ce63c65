"""The security events page: log-ins, refused log-ins, password and token changes (issue 17)."""

from __future__ import annotations

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onestop.core.forms import bootstrapify
from onestop.core.models import SecurityEvent
from onestop.core.pagination import CappedPaginator


class SecurityEventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("event"), choices=SecurityEvent.Kind.choices)
    username = django_filters.CharFilter(label=_("user name"), lookup_expr="icontains", max_length=150)
    ip_address = django_filters.CharFilter(label=_("address"), lookup_expr="startswith", max_length=45)

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "ip_address"]


@login_required
@require_GET
def security_events(request):
    if not request.user.has_perm("core.view_security_events"):
        raise PermissionDenied
    events = SecurityEvent.objects.visible_to(request.user).select_related("user", "actor")
    filterset = SecurityEventFilterSet(request.GET, queryset=events)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else events.none()  # an impossible filter shows its error, no rows
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    bootstrapify(filterset.form)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/security_events.html",
        {"page": page, "filter_form": filterset.form, "query": query.urlencode()},
        status=200 if valid else 400,
    )
