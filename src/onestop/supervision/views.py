"""Pages of supervision (EXT-3): thin views over supervision.services. A finding's steps are its
generic transitions (the buttons on its page); running the checks is adding a check run."""

from __future__ import annotations

from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.supervision import filters, forms, services
from onestop.supervision.models import AuditSample, AuditSampleItem, CheckRun, Finding, Sanction


class CheckRunViews(ObjectViews):
    model = CheckRun
    filterset_class = filters.CheckRunFilterSet
    form_class = forms.CheckRunForm
    icon = "arrow-repeat"
    allow_delete = False
    list_select_related = ("started_by",)
    detail_select_related = ("started_by",)
    columns = [
        Column("code", link=True),
        Column("trigger"),
        Column("started_by", sort="started_by__full_name"),
        Column("started_at"),
        Column("raised"),
        Column("found"),
    ]
    detail_fields = [
        "code",
        "trigger",
        "started_by",
        "started_at",
        "finished_at",
        "raised",
        "found",
        "summary",
        "note",
    ]
    related_tables = [
        RelatedTable(
            "findings",
            [
                Column("code", link=True),
                Column("kind"),
                Column("record"),
                Column("assignee"),
                Column("state"),
            ],
        )
    ]
    default_sort = "-started_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.run_checks(actor=actor, note=form.cleaned_data.get("note", ""))
        return super().save(form, actor=actor, request=request, obj=obj)


class FindingViews(ObjectViews):
    model = Finding
    filterset_class = filters.FindingFilterSet
    form_class = forms.FindingForm
    icon = "shield-check"
    allow_delete = False
    list_select_related = ("engagement", "assignee")
    detail_select_related = (
        "engagement",
        "assignee",
        "run",
        "previous",
        "raised_by",
        "resolved_by",
        "closed_by",
    )
    columns = [
        Column("code", link=True),
        Column("kind"),
        Column("engagement", sort="engagement__code"),
        Column("record"),
        Column("assignee", sort="assignee__full_name"),
        Column("due_date"),
        Column("state"),
        Column("raised_at"),
    ]
    detail_fields = [
        "code",
        "kind",
        "state",
        "engagement",
        "record_link",
        "description",
        "assignee",
        "due_date",
        "run",
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
    default_sort = "-raised_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.raise_by_hand(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)


class AuditSampleViews(ObjectViews):
    model = AuditSample
    filterset_class = filters.AuditSampleFilterSet
    form_class = forms.AuditSampleNoteForm
    add_form_class = forms.AuditSampleForm
    icon = "shuffle"
    allow_delete = False
    list_select_related = ("drawn_by", "department")
    detail_select_related = ("drawn_by", "department")
    columns = [
        Column("code", link=True),
        Column("drawn_at"),
        Column("drawn_by", sort="drawn_by__full_name"),
        Column("size"),
        Column("seed"),
        Column("department", sort="department__name"),
    ]
    detail_fields = [
        "code",
        "received_from",
        "received_to",
        "stage",
        "department",
        "size",
        "seed",
        "population_size",
        "replay_matches",
        "drawn_by",
        "drawn_at",
        "note",
    ]
    related_tables = [
        RelatedTable(
            "items",
            [
                Column("position"),
                Column("engagement", link=True),
                Column("drawn"),
                Column("result"),
                Column("finding"),
                Column("audited_by"),
            ],
            add_url_param="sample",
        )
    ]
    default_sort = "-drawn_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.draw_sample(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)


class AuditSampleItemViews(ObjectViews):
    model = AuditSampleItem
    filterset_class = filters.AuditSampleItemFilterSet
    form_class = forms.AuditResultForm
    add_form_class = forms.AuditSampleItemAddForm
    icon = "clipboard-check"
    allow_delete = False
    list_select_related = ("sample", "engagement", "finding")
    detail_select_related = ("sample", "engagement", "finding", "audited_by")
    columns = [
        Column("sample", sort="sample__code"),
        Column("position"),
        Column("engagement", link=True, sort="engagement__code"),
        Column("drawn"),
        Column("result"),
        Column("finding"),
    ]
    detail_fields = [
        "sample",
        "engagement",
        "position",
        "drawn",
        "result",
        "finding",
        "note",
        "audited_by",
        "audited_at",
    ]
    default_sort = "sample"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.add_to_sample(form.save(commit=False), actor=actor)
        data = form.cleaned_data
        return services.record_result(
            obj,
            actor=actor,
            result=data["result"],
            note=data.get("note", ""),
            assignee=data.get("assignee"),
            due_date=data.get("due_date"),
        )


class SanctionViews(ObjectViews):
    model = Sanction
    filterset_class = filters.SanctionFilterSet
    form_class = forms.SanctionForm
    icon = "award"
    allow_delete = False
    list_select_related = ("person", "department")
    detail_select_related = ("person", "department", "finding", "proposed_by", "decided_by")
    columns = [
        Column("code", link=True),
        Column("kind"),
        Column("person", sort="person__full_name"),
        Column("department", sort="department__name"),
        Column("amount"),
        Column("effective_on"),
        Column("state"),
    ]
    detail_fields = [
        "code",
        "kind",
        "person",
        "department",
        "reason",
        "finding",
        "amount",
        "effective_on",
        "state",
        "proposed_by",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    default_sort = "-effective_on"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.propose_sanction(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)
