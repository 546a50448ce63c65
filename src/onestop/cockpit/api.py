"""The cockpit's figures as JSON (X-7): every dashboard, every tile and every drill-down, with
the same filters as the pages (``start``, ``end``, ``department``, ``lead``, ``client``) and the
same rules (403 without the dashboard's rule). ``ROUTES`` lists (prefix, viewset, basename)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.cockpit import filters, services
from onestop.cockpit.models import PolicyVersion, ReportSubscription
from onestop.cockpit.scope import FilterForm, Scope
from onestop.cockpit.tiles import DASHBOARDS, MANAGEMENT, tile, tiles_for
from onestop.core import policy
from onestop.core.actions import calls, service_action
from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.core.drf import CappedPageNumberPagination
from onestop.core.fields import TEXT_NOTE

FILTERS = [
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="First day of the period (default: six months back)."
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of the period (default: today)."),
    OpenApiParameter("department", int, description="The project lead's department."),
    OpenApiParameter("lead", int, description="The project lead (of the plan or the project)."),
    OpenApiParameter("client", int, description="The client organisation."),
]
DASHBOARD_PARAMETER = OpenApiParameter(
    "dashboard",
    str,
    enum=[*DASHBOARDS],
    description="Whose view: management (default) or a role's dashboard.",
)


def _scope(request, dashboard: str) -> Scope:
    if dashboard not in DASHBOARDS:
        raise Http404
    if not request.user.has_perm(DASHBOARDS[dashboard]["permission"]):
        raise PermissionDenied
    params = {k: v for k, v in request.query_params.items() if k in FilterForm.base_fields}
    form = FilterForm(params or None)
    if form.is_bound and not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return Scope.from_form(request.user, form, mine=DASHBOARDS[dashboard]["mine"])


def _period(scope: Scope) -> dict:
    return {"start": scope.start, "end": scope.end, "mine": scope.mine}


class DashboardViewSet(viewsets.ViewSet):
    """The dashboards the user may open; one dashboard with all its tiles' figures."""

    # One object per dashboard: the list action wraps the item's schema in an array itself.
    @extend_schema(responses={200: {"type": "object"}}, operation_id="cockpit_dashboards_list")
    def list(self, request):
        return Response(
            [
                {"key": key, "label": str(value["label"])}
                for key, value in DASHBOARDS.items()
                if request.user.has_perm(value["permission"])
            ]
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, enum=[*DASHBOARDS]), *FILTERS],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request, pk=None):
        scope = _scope(request, pk)
        return Response({"dashboard": pk, **_period(scope), "tiles": [t.data(scope) for t in tiles_for(pk)]})


@extend_schema(
    parameters=[
        OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The tile's key.")
    ]
)
class TileViewSet(viewsets.ViewSet):
    """One tile's figures; the records behind one of its figures (``drill/<name>/?value=``)."""

    pagination_class = CappedPageNumberPagination

    def _tile(self, request, pk):
        found = tile(pk)
        if found is None:
            raise Http404
        dashboard = request.query_params.get("dashboard") or MANAGEMENT
        if dashboard not in found.dashboards:
            raise Http404
        return found, _scope(request, dashboard)

    @extend_schema(parameters=[DASHBOARD_PARAMETER, *FILTERS], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        found, scope = self._tile(request, pk)
        return Response({**_period(scope), **found.data(scope)})

    @extend_schema(
        parameters=[
            OpenApiParameter("drill", str, OpenApiParameter.PATH, description="The figure's drill-down."),
            OpenApiParameter("value", str, description="The figure's value (a stage, a bucket…)."),
            DASHBOARD_PARAMETER,
            *FILTERS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"], url_path=r"drill/(?P<drill>[\w-]+)")
    def drill(self, request, pk=None, drill=None):
        found, scope = self._tile(request, pk)
        if drill not in found.drills:
            raise Http404
        spec = found.drills[drill]
        rows = spec.rows(scope, request.query_params.get("value") or None)
        if spec.select_related:
            rows = rows.select_related(*spec.select_related)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        columns = [str(c.label) for c in spec.columns]
        data = [
            {
                "id": obj.pk,
                "kind": obj._meta.label_lower,
                "url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
                "cells": dict(zip(columns, [_json(c.value(obj)) for c in spec.columns], strict=True)),
            }
            for obj in page
        ]
        response = paginator.get_paginated_response(data)
        response.data["columns"] = columns
        return response


def _json(value):
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class ReportSubscriptionSerializer(ModelSerializer):
    class Meta:
        model = ReportSubscription
        fields = [
            "id",
            "subscriber",
            "dashboard",
            "frequency",
            "is_active",
            "last_period_end",
            "last_sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_period_end", "last_sent_at", "created_at", "updated_at"]


class ReportSubscriptionViewSet(ObjectViewSet):
    """Subscriptions to the scheduled reports (a dashboard's tables by e-mail as Excel)."""

    queryset = ReportSubscription.objects.all()
    serializer_class = ReportSubscriptionSerializer
    filterset_class = filters.ReportSubscriptionFilterSet
    ordering_fields = ["dashboard", "frequency"]


class PolicyVersionSerializer(ModelSerializer):
    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "number",
            "effective_from",
            "reason",
            "values",
            "proposed_by",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PolicyProposalSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=TEXT_NOTE)
    values = serializers.DictField(
        required=False, help_text="Settings of core/policy.py by key; those left out keep the value in force."
    )


class PolicyVersionViewSet(ObjectViewSet):
    """The versions of the policy settings (EXT-4): ``POST`` proposes a version, ``approve``
    (another manager) puts it in force from its date; ``differences`` compares it with the
    approved version before it."""

    queryset = PolicyVersion.objects.select_related("proposed_by", "approved_by")
    serializer_class = PolicyVersionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["number", "effective_from"]

    @extend_schema(request=PolicyProposalSerializer, responses=PolicyVersionSerializer)
    def create(self, request, *args, **kwargs):
        data = PolicyProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {**policy.values(), **data.validated_data.pop("values", {})}
        version = services.propose(actor=request.user, values=values, **data.validated_data)
        return Response(PolicyVersionSerializer(version).data, status=201)

    @extend_schema(request=PolicyProposalSerializer, responses=PolicyVersionSerializer)
    def partial_update(self, request, *args, **kwargs):
        """A change to a version not yet approved (its proposer only)."""
        version = self.get_object()
        data = PolicyProposalSerializer(
            data={"effective_from": version.effective_from, "reason": version.reason, **request.data}
        )
        data.is_valid(raise_exception=True)
        values = {**version.settings(), **data.validated_data.pop("values", {})}
        version = services.propose(actor=request.user, values=values, version=version, **data.validated_data)
        return Response(PolicyVersionSerializer(version).data)

    approve = service_action(calls(services.approve), url_path="approve")

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=True, methods=["get"])
    def differences(self, request, pk=None):
        return Response(services.differences(self.get_object()))


ROUTES = [
    ("cockpit/policy-versions", PolicyVersionViewSet, "policyversion"),
    ("cockpit/report-subscriptions", ReportSubscriptionViewSet, "reportsubscription"),
    ("cockpit/dashboards", DashboardViewSet, "cockpit-dashboard"),
    ("cockpit/tiles", TileViewSet, "cockpit-tile"),
]
