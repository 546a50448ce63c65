"""REST API of supervision (EXT-3). ``ROUTES`` lists (prefix, viewset[, basename]).

Every write runs the same service as the pages: 400 refused (with field errors), 403 not
allowed, 404 outside the user's reach, 409 when someone else acted first. A finding's steps are
its generic transitions (``POST …/{id}/<transition>/``); ``POST /api/compliance-runs/`` runs the
checks now.
"""

from __future__ import annotations

from rest_framework import serializers

from onestop.accounts.models import User
from onestop.core.actions import calls, service_action
from onestop.core.api import ModelSerializer, ObjectViewSet, TransitionActionsMixin
from onestop.core.fields import TEXT_NOTE
from onestop.engagements.models import Engagement
from onestop.supervision import filters, services
from onestop.supervision.models import AuditSample, AuditSampleItem, CheckRun, Finding, Sanction
from onestop.supervision.states import AuditResult

STAMPS = ["created_at", "updated_at"]


def _staff():
    return User.objects.filter(client_organization__isnull=True, is_active=True)


class CheckRunSerializer(ModelSerializer):
    class Meta:
        model = CheckRun
        fields = [
            "id",
            "code",
            "trigger",
            "started_by",
            "started_at",
            "finished_at",
            "note",
            "counts",
            "found",
            "raised",
            *STAMPS,
        ]
        read_only_fields = [
            "code",
            "trigger",
            "started_by",
            "started_at",
            "finished_at",
            "counts",
            "found",
            "raised",
        ]


class CheckRunViewSet(ObjectViewSet):
    """EXT-3: the compliance check runs; creating one runs every check now."""

    queryset = CheckRun.objects.all()
    serializer_class = CheckRunSerializer
    filterset_class = filters.CheckRunFilterSet
    select_related = ("started_by",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.run_checks(
            actor=self.request.user, note=serializer.validated_data.get("note", "")
        )


class FindingSerializer(ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "code",
            "kind",
            "kind_display",
            "run",
            "engagement",
            "record",
            "record_url",
            "description",
            "assignee",
            "due_date",
            "state",
            "state_display",
            "raised_by",
            "raised_at",
            "previous",
            "resolution",
            "resolved_by",
            "resolved_at",
            "closing_note",
            "closed_by",
            "closed_at",
            *STAMPS,
        ]
        read_only_fields = [
            "code",
            "run",
            "record",
            "record_url",
            "state",
            "raised_by",
            "raised_at",
            "previous",
            "resolution",
            "resolved_by",
            "resolved_at",
            "closing_note",
            "closed_by",
            "closed_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)
        self.fields["assignee"].queryset = _staff()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["engagement"].read_only = True
            self.fields["kind"].read_only = True


class FindingViewSet(TransitionActionsMixin, ObjectViewSet):
    """EXT-3: compliance findings; `start`, `resolve` (what was done), `verify`, `send_back` and
    `dismiss` (with the reason)."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = filters.FindingFilterSet
    select_related = ("engagement", "assignee")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    save_service = None

    def perform_create(self, serializer):
        serializer.instance = services.raise_by_hand(
            Finding(**serializer.validated_data), actor=self.request.user
        )


class AuditSampleSerializer(ModelSerializer):
    stage = serializers.ChoiceField(
        choices=Engagement.Stage.choices, required=False, allow_blank=True, default=""
    )
    replay_matches = serializers.BooleanField(read_only=True)

    class Meta:
        model = AuditSample
        fields = [
            "id",
            "code",
            "received_from",
            "received_to",
            "stage",
            "department",
            "size",
            "seed",
            "population",
            "selection",
            "replay_matches",
            "drawn_by",
            "drawn_at",
            "note",
            *STAMPS,
        ]
        read_only_fields = ["code", "population", "selection", "drawn_by", "drawn_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("received_from", "received_to", "stage", "department", "size", "seed"):
                self.fields[name].read_only = True


class AuditSampleViewSet(ObjectViewSet):
    """EXT-3: audit samples, drawn with a recorded seed (the same seed and criteria draw the same
    engagements)."""

    queryset = AuditSample.objects.all()
    serializer_class = AuditSampleSerializer
    filterset_class = filters.AuditSampleFilterSet
    select_related = ("drawn_by", "department")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.draw_sample(
            AuditSample(**serializer.validated_data), actor=self.request.user
        )


class AuditItemSerializer(ModelSerializer):
    class Meta:
        model = AuditSampleItem
        fields = [
            "id",
            "sample",
            "engagement",
            "position",
            "drawn",
            "result",
            "finding",
            "note",
            "audited_by",
            "audited_at",
            *STAMPS,
        ]
        read_only_fields = ["position", "drawn", "result", "finding", "audited_by", "audited_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(request.user)
            self.fields["sample"].queryset = AuditSample.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["engagement"].read_only = True
            self.fields["sample"].read_only = True


class AuditResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=AuditResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_NOTE, default="")
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_staff(), required=False, allow_null=True, default=None
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class AuditSampleItemViewSet(ObjectViewSet):
    """EXT-3: the sampled engagements; `record-result` records the audit result (a finding is
    raised with "finding")."""

    queryset = AuditSampleItem.objects.all()
    serializer_class = AuditItemSerializer
    filterset_class = filters.AuditSampleItemFilterSet
    select_related = ("sample", "engagement")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.add_to_sample(
            AuditSampleItem(**serializer.validated_data), actor=self.request.user
        )

    record_result = service_action(
        calls(services.record_result),
        serializer=AuditResultSerializer,
        url_path="record-result",
        name="record_result",
    )


class SanctionSerializer(ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Sanction
        fields = [
            "id",
            "code",
            "kind",
            "person",
            "department",
            "reason",
            "finding",
            "amount",
            "effective_on",
            "state",
            "state_display",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            *STAMPS,
        ]
        read_only_fields = ["code", "state", "proposed_by", "decided_by", "decided_at", "decision_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _staff()
        request = self.context.get("request")
        if request is not None:
            self.fields["finding"].queryset = Finding.objects.visible_to(request.user)


class SanctionViewSet(TransitionActionsMixin, ObjectViewSet):
    """EXT-3: rewards and penalties (獎懲) of people and departments; `approve`, `reject`."""

    queryset = Sanction.objects.all()
    serializer_class = SanctionSerializer
    filterset_class = filters.SanctionFilterSet
    select_related = ("person", "department")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.propose_sanction(
            Sanction(**serializer.validated_data), actor=self.request.user
        )


ROUTES = [
    ("compliance-runs", CheckRunViewSet, "checkrun"),
    ("compliance-findings", FindingViewSet, "finding"),
    ("audit-samples", AuditSampleViewSet, "auditsample"),
    ("audit-sample-items", AuditSampleItemViewSet, "auditsampleitem"),
    ("rewards-penalties", SanctionViewSet, "sanction"),
]

__all__ = ["ROUTES"]
