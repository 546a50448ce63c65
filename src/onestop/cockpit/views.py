"""The cockpit and role dashboards (X-7): pages of tiles, drill-down lists, exports.

The views only ask the tiles for their data (cockpit/tiles.py) and hand it to the templates and
to cockpit.js as JSON (``json_script``; no inline script under the CSP): nothing is computed
here or in a template.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.cockpit import exports, filters, forms, services
from onestop.cockpit.models import PolicyVersion, ReportSubscription
from onestop.cockpit.scope import FilterForm, Scope
from onestop.cockpit.tiles import DASHBOARDS, MANAGEMENT, tile, tiles_for
from onestop.core.actions import RecordAction, calls
from onestop.core.forms import bootstrapify
from onestop.core.pagination import CappedPaginator
from onestop.core.views import Column, ObjectViews

PAGE_SIZE = 50


def scope_of(request, dashboard: str) -> tuple[FilterForm, Scope]:
    """The dashboard's filter form and scope; 403 without the dashboard's rule."""
    if dashboard not in DASHBOARDS:
        raise Http404
    if not request.user.has_perm(DASHBOARDS[dashboard]["permission"]):
        raise PermissionDenied
    params = request.GET.copy()
    for name in ("value", "format", "page"):
        params.pop(name, None)
    form = FilterForm(params or None)
    applies = DASHBOARDS[dashboard].get("filters")
    if applies is not None:
        for name in [name for name in form.fields if name not in applies]:
            del form.fields[name]  # not shown, and ignored if given in the address
    return form, Scope.from_form(request.user, form, mine=DASHBOARDS[dashboard]["mine"])


def dashboard_url(key: str) -> str:
    return reverse("cockpit:cockpit" if key == MANAGEMENT else f"cockpit:dashboard_{key}")


def _errors(form) -> str:
    return "; ".join(str(message) for messages_ in form.errors.values() for message in messages_)


def dashboard_data(scope: Scope, dashboard: str) -> list[dict]:
    return [t.data(scope) for t in tiles_for(dashboard)]


@login_required
@require_GET
def cockpit(request, dashboard: str = MANAGEMENT):
    form, scope = scope_of(request, dashboard)
    tiles = dashboard_data(scope, dashboard)
    bootstrapify(form)
    if not form.is_bound:
        form.initial = {"start": scope.start, "end": scope.end}
    others = [
        {"key": key, "label": value["label"], "url": dashboard_url(key)}
        for key, value in DASHBOARDS.items()
        if key != dashboard and request.user.has_perm(value["permission"])
    ]
    return render(
        request,
        "cockpit/cockpit.html",
        {
            "form": form,
            "scope": scope,
            "dashboard": dashboard,
            "title": DASHBOARDS[dashboard]["label"],
            "tiles": tiles,
            "charts": {t["key"]: t["charts"] for t in tiles},
            "query": scope.query(),
            "others": others,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _drill(request, tile_key: str, drill_key: str):
    found = tile(tile_key)
    if found is None or drill_key not in found.drills:
        raise Http404
    dashboard = next(
        (d for d in found.dashboards if request.user.has_perm(DASHBOARDS[d]["permission"])), None
    )
    if dashboard is None:
        raise PermissionDenied
    form, scope = scope_of(request, dashboard)
    drill = found.drills[drill_key]
    value = request.GET.get("value") or None
    rows = drill.rows(scope, value)
    if drill.select_related:
        rows = rows.select_related(*drill.select_related)
    return form, scope, found, drill, value, rows


@login_required
@require_GET
def drill(request, tile_key: str, drill_key: str):
    """The records behind one figure: exactly the rows the figure counted, as a list."""
    form, scope, found, drill_, value, rows = _drill(request, tile_key, drill_key)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_errors(form), content_type="text/plain; charset=utf-8")
    file_format = request.GET.get("format")
    if file_format in exports.FORMATS:
        headers = [c.label for c in drill_.columns]
        name = f"{found.key}-{drill_key}-{timezone.localdate():%Y-%m-%d}"
        return exports.download(
            file_format, str(drill_.title), headers, exports.drill_rows(rows, drill_.columns), name
        )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [
        {
            "url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
            "cells": [c.value(obj) for c in drill_.columns],
        }
        for obj in page.object_list
    ]
    query = scope.query(value=value)
    return render(
        request,
        "cockpit/drill.html",
        {
            "tile": found,
            "drill": drill_,
            "columns": [c.label for c in drill_.columns],
            "table": table,
            "page": page,
            "query": query,
            "back": dashboard_url(found.dashboards[0]) + f"?{scope.query()}",
            "scope": scope,
        },
    )


@login_required
@require_GET
def table_export(request, dashboard: str, tile_key: str, table_key: str, file_format: str):
    """One table of a tile as CSV (streamed) or Excel."""
    if file_format not in exports.FORMATS:
        raise Http404
    form, scope = scope_of(request, dashboard)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_errors(form), content_type="text/plain; charset=utf-8")
    found = tile(tile_key)
    if found is None or dashboard not in found.dashboards:
        raise Http404
    data = found.data(scope)
    table = next((t for t in data["tables"] if t["key"] == table_key), None)
    if table is None:
        raise Http404
    name = f"{tile_key}-{table_key}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    return exports.download(
        file_format, table["title"], table["columns"], (r["cells"] for r in table["rows"]), name
    )


# --- scheduled reports: the subscriptions ------------------------------------------------------


class ReportSubscriptionViews(ObjectViews):
    model = ReportSubscription
    filterset_class = filters.ReportSubscriptionFilterSet
    form_class = forms.ReportSubscriptionForm
    icon = "envelope-paper"
    columns = [
        Column("subscriber", link=True, sort="subscriber__username"),
        Column("dashboard"),
        Column("frequency"),
        Column("is_active"),
        Column("last_sent_at"),
    ]
    list_select_related = ("subscriber",)
    detail_select_related = ("subscriber",)
    default_sort = "subscriber"
    detail_fields = ["subscriber", "dashboard", "frequency", "is_active", "last_period_end", "last_sent_at"]


# --- policy settings (EXT-4) -------------------------------------------------------------------


class PolicyVersionViews(ObjectViews):
    model = PolicyVersion
    form_class = forms.PolicyVersionForm
    icon = "sliders"
    allow_delete = False  # a version, proposed or approved, stays in the history of the rules
    columns = [
        Column("number", link=True),
        Column("effective_from"),
        Column("proposed_by", sort=False),
        Column("approved_by", sort=False),
        Column("approved_at"),
        Column("reason", sort=False),
    ]
    list_select_related = ("proposed_by", "approved_by")
    detail_select_related = ("proposed_by", "approved_by")
    default_sort = "-number"
    detail_template = "cockpit/policyversion_detail.html"
    list_template = "cockpit/policyversion_list.html"
    detail_fields = ["number", "effective_from", "reason", "proposed_by", "approved_by", "approved_at"]
    actions = [
        RecordAction(
            "approve",
            calls(services.approve),
            when=lambda version, user: user.has_perm("cockpit.approve_policyversion", version),
            success=gettext_lazy("The version is approved; it takes effect on its date."),
        )
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.propose(
            actor=actor,
            effective_from=form.cleaned_data["effective_from"],
            reason=form.cleaned_data["reason"],
            values=form.setting_values(),
            version=obj if obj is not None and obj.pk else None,
        )

    @classmethod
    def detail_context(cls, request, obj, bound_forms):
        in_force = PolicyVersion.objects.in_force(timezone.localdate())
        return {"differences": services.differences(obj), "in_force": in_force}
