from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.fields import TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.core.roles import Role
from onestop.projects.models import Project
from onestop.quality.models import (
    ImprovementAction,
    Inspection,
    InspectionItem,
    QCCheckpoint,
    QCPlan,
    QCTemplate,
    QCTemplateCheckpoint,
    RectificationNotice,
    SpotCheckDraw,
)
from onestop.quality.services import ANSWER_FIELDS, active_template

CHECKPOINT_FORM_FIELDS = [
    "phase",
    "name",
    "indicators",
    "acceptance_threshold",
    "frequency_days",
    "responsible_department",
    "sort_order",
]


def quality_staff():
    return User.objects.with_role(Role.QUALITY)


class QCTemplateForm(ModelForm):
    class Meta:
        model = QCTemplate
        fields = ["code", "name", "description", "is_active"]


class QCTemplateCheckpointForm(ModelForm):
    class Meta:
        model = QCTemplateCheckpoint
        fields = ["template", *CHECKPOINT_FORM_FIELDS]
        widgets = {"indicators": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = QCTemplate.objects.filter(first_used_at__isnull=True)


class QCPlanCreateForm(forms.Form):
    """QA-1: a project's QC plan from a template version (the active one by default)."""

    project = forms.ModelChoiceField(queryset=None, label=_("Project"))
    template = forms.ModelChoiceField(queryset=None, label=_("QC plan template"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["project"].queryset = (
            Project.objects.visible_to(user)
            .filter(state__in=[Project.State.OPENED, Project.State.IN_PROGRESS], qc_plan__isnull=True)
            .order_by("code")
        )
        self.fields["template"].queryset = QCTemplate.objects.filter(is_active=True)
        active = active_template()
        if active is not None and not self.is_bound:
            self.fields["template"].initial = active.pk


class QCPlanForm(ModelForm):
    class Meta:
        model = QCPlan
        fields = ["note"]


class QCCheckpointForm(ModelForm):
    class Meta:
        model = QCCheckpoint
        fields = ["plan", *CHECKPOINT_FORM_FIELDS]
        widgets = {"indicators": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = (
            QCPlan.objects.visible_to(self.user).filter(state=QCPlan.State.DRAFT).select_related("project")
        )
        self.fields["plan"].queryset = plans
        if self.instance.pk:
            self.fields["plan"].disabled = True


class InspectionForm(ModelForm):
    """Planning an inspection by hand (the scheduled ones are generated from the QC plan)."""

    class Meta:
        model = Inspection
        fields = ["project", "checkpoint", "kind", "planned_date", "inspector", "summary"]
        widgets = {"planned_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(self.user).order_by("code")
        self.fields["checkpoint"].queryset = QCCheckpoint.objects.select_related("plan__project")
        self.fields["inspector"].queryset = quality_staff()
        if self.instance.pk:
            for name in ("project", "checkpoint", "kind"):
                self.fields[name].disabled = True
        else:
            self.fields.pop("summary")


class InspectionItemAddForm(ModelForm):
    """An extra item on the checklist of an inspection not yet completed."""

    class Meta:
        model = InspectionItem
        fields = ["inspection", "label", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = Inspection.objects.exclude(state=Inspection.State.COMPLETED)


class PlanReviseForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for adjusting the active plan"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InspectionCompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InspectionItemForm(ModelForm):
    """Answering one checklist item: pass / fail / not applicable, evidence, and on a failure
    the finding's category and cause."""

    class Meta:
        model = InspectionItem
        fields = ["result", "evidence", "category", "cause", "note"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2})}


class ChecklistForm(forms.Form):
    """The whole checklist of an inspection on one page (QA-1): a row of fields per item, named
    ``item-<id>-<field>``, saved together by ``services.record_checklist``."""

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(inspection.checklist())
        for item in self.items:
            for name in ANSWER_FIELDS:
                field = InspectionItem._meta.get_field(name).formfield(required=False)
                field.initial = getattr(item, name)
                if isinstance(field.widget, forms.Textarea):
                    field.widget.attrs["rows"] = 1
                self.fields[f"item-{item.pk}-{name}"] = field

    def rows(self):
        """``[(item, {field name: bound field})]`` in checklist order, for the template."""
        return [
            (item, {name: self[f"item-{item.pk}-{name}"] for name in ANSWER_FIELDS}) for item in self.items
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["answers"] = [
            {"item": item.pk, **{name: cleaned.get(f"item-{item.pk}-{name}") or "" for name in ANSWER_FIELDS}}
            for item in self.items
        ]
        return cleaned


class SpotCheckDrawForm(forms.Form):
    sample_size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=100, initial=2)
    planned_date = forms.DateField(label=_("Inspection date"), widget=DateInput())
    inspector = forms.ModelChoiceField(queryset=None, label=_("Inspector"), required=False)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**53,
        help_text=_("Leave empty for a random seed; give one to repeat a draw."),
    )
    note = forms.CharField(
        max_length=TEXT_NOTE, label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["inspector"].queryset = quality_staff()
        if not self.is_bound:
            self.fields["planned_date"].initial = timezone.localdate()


class SpotCheckDrawNoteForm(ModelForm):
    class Meta:
        model = SpotCheckDraw
        fields = ["note"]


class NoticeRaiseForm(ModelForm):
    class Meta:
        model = RectificationNotice
        fields = ["item", "department", "requirement", "deadline"]
        widgets = {"deadline": DateInput(), "requirement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what can be chosen (issue 11 §4): the failed items without a notice of the
        # inspections the user may see — of the one inspection the page was opened from
        # (``?item=`` names its failed item) when there is one.
        failed = (
            InspectionItem.objects.filter(
                result=InspectionItem.Result.FAIL,
                inspection__in=Inspection.objects.visible_to(self.user)
                if self.user
                else Inspection.objects.none(),
            )
            .exclude(notices__isnull=False)
            .select_related("inspection")
            .order_by("inspection__code", "sort_order", "pk")
        )
        opened_from = self.initial.get("item")
        inspection_id = (
            InspectionItem.objects.filter(pk=opened_from).values_list("inspection_id", flat=True).first()
            if opened_from and str(opened_from).isdigit()
            else None
        )
        if inspection_id is not None:
            failed = failed.filter(inspection_id=inspection_id)
        self.fields["item"].queryset = failed
        self.fields["item"].label_from_instance = lambda item: f"{item.inspection.code} · {item.label}"
        item_id = self.initial.get("item") or self.data.get("item")
        if item_id and str(item_id).isdigit() and not self.is_bound:
            item = InspectionItem.objects.select_related("inspection__checkpoint").filter(pk=item_id).first()
            if item is not None:
                if item.inspection.checkpoint_id:
                    self.initial.setdefault(
                        "department", item.inspection.checkpoint.responsible_department_id
                    )
                self.initial.setdefault("requirement", item.note)


class NoticeEditForm(ModelForm):
    class Meta:
        model = RectificationNotice
        fields = ["requirement", "deadline"]
        widgets = {"deadline": DateInput(), "requirement": forms.Textarea(attrs={"rows": 3})}


class NoticeResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Corrective action taken"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class NoticeVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("close", _("Verified: close the notice")), ("reopen", _("Not sufficient: reopen"))],
    )
    note = forms.CharField(
        label=_("Verification"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reopen" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the rectification is not sufficient."))
        return data


class ImprovementActionForm(ModelForm):
    class Meta:
        model = ImprovementAction
        fields = [
            "title",
            "description",
            "source_category",
            "source_cause",
            "source_notice",
            "owner",
            "due_date",
        ]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}


class ActionCheckForm(forms.Form):
    effective = forms.ChoiceField(
        label=_("Effectiveness"), choices=[("yes", _("Effective")), ("no", _("Not effective"))]
    )
    note = forms.CharField(
        label=_("Effectiveness check"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class AnalysisFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end cannot be before the start."))
        return data
