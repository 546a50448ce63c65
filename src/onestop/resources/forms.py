"""Forms of the resources pages (RES-1..3). Large choices (projects, people, engagements) are
type-aheads (core/choices.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.choices import TypeaheadSelect
from onestop.core.fields import TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.engagements.models import Engagement
from onestop.projects.models import Project
from onestop.resources.models import (
    Article,
    DocumentType,
    DocumentVersion,
    Equipment,
    MaintenanceRecord,
    TechnicalDocument,
)


def _staff(user):
    return User.objects.visible_to(user).staff().filter(is_active=True).order_by("full_name", "username")


def _person_field(label, user, required=True):
    return forms.ModelChoiceField(
        label=label, queryset=_staff(user), required=required, widget=TypeaheadSelect("accounts.User")
    )


class NoteField(forms.CharField):
    def __init__(self, label, required=True, **kwargs):
        super().__init__(
            label=label,
            required=required,
            max_length=TEXT_NOTE,
            widget=forms.Textarea(attrs={"rows": 3}),
            **kwargs,
        )


# --- documents -------------------------------------------------------------------------------


class DocumentTypeForm(ModelForm):
    class Meta:
        model = DocumentType
        fields = ["code", "name", "skeleton", "checklist", "retention_years", "active"]
        widgets = {
            "skeleton": forms.Textarea(attrs={"rows": 10}),
            "checklist": forms.Textarea(attrs={"rows": 6}),
        }


class DocumentAddForm(ModelForm):
    file = forms.FileField(label=_("file of version 1"), required=False)
    change_note = forms.CharField(label=_("change note"), max_length=TEXT_NOTE, required=False)

    class Meta:
        model = TechnicalDocument
        fields = ["project", "doc_type", "title", "description"]
        widgets = {"project": TypeaheadSelect("projects.Project")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.visible_to(self.user)
        self.fields["doc_type"].queryset = DocumentType.objects.filter(active=True)


class DocumentForm(ModelForm):
    class Meta:
        model = TechnicalDocument
        fields = ["doc_type", "title", "description"]


class NewVersionForm(forms.Form):
    change_note = NoteField(_("What changed"))
    file = forms.FileField(label=_("file"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"))


class SubmitVersionForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"] = _person_field(_("reviewer"), user)
        self.fields["approver"] = _person_field(_("approver"), user)
        self.fields["comment"] = forms.CharField(label=_("note"), max_length=TEXT_NOTE, required=False)


class ReviewForm(forms.Form):
    """One checkbox per checklist item of the document's type, and a note."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for index, item in enumerate(self.items):
            self.fields[f"item_{index}"] = forms.BooleanField(label=item, required=False)
        self.fields["note"] = NoteField(_("review note"), required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["checklist"] = {item: bool(cleaned.get(f"item_{i}")) for i, item in enumerate(self.items)}
        return cleaned

    def item_fields(self):
        return [self[f"item_{i}"] for i in range(len(self.items))]


class CommentForm(forms.Form):
    comment = NoteField(_("comment"))


class ReturnVersionForm(forms.Form):
    comment = NoteField(_("what must be corrected"))


class OptionalCommentForm(forms.Form):
    comment = NoteField(_("comment"), required=False)


class DeliverForm(forms.Form):
    delivered_to = forms.CharField(label=_("delivered to"), max_length=200)

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        approved = document.versions.filter(state="approved").order_by("-number") if document else None
        self.fields["version"] = forms.ModelChoiceField(
            label=_("version"), queryset=approved, empty_label=None
        )
        self.order_fields(["version", "delivered_to"])


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(code)s %(title)s · version %(number)s (%(state)s)") % {
            "code": obj.document.code,
            "title": obj.document.title,
            "number": obj.number,
            "state": obj.get_state_display(),
        }


class CheckDocumentForm(forms.Form):
    """The version of one of the project's documents an inspection checked (RES-1, QA-2)."""

    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, inspection=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        versions = DocumentVersion.objects.none()
        if inspection is not None and user is not None:
            versions = (
                DocumentVersion.objects.visible_to(user)
                .filter(document__project_id=inspection.project_id)
                .exclude(document__state=TechnicalDocument.State.DISPOSED)
                .select_related("document")
                .order_by("document__code", "-number")
            )
        self.fields["version"] = VersionChoiceField(label=_("document version"), queryset=versions)
        self.order_fields(["version", "note"])


# --- knowledge ---------------------------------------------------------------------------------


class ArticleForm(ModelForm):
    class Meta:
        model = Article
        fields = ["kind", "title", "summary", "tags", "engagement", "body"]
        widgets = {
            "engagement": TypeaheadSelect("engagements.Engagement"),
            "body": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = Engagement.objects.visible_to(self.user)


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("rating"), choices=[(n, "★" * n) for n in range(5, 0, -1)], coerce=int
    )


# --- equipment -------------------------------------------------------------------------------


class EquipmentRequestForm(ModelForm):
    class Meta:
        model = Equipment
        fields = [
            "name",
            "category",
            "model_number",
            "purpose",
            "estimated_price",
            "daily_rate",
            "maintenance_interval_days",
        ]


class EquipmentForm(ModelForm):
    class Meta:
        model = Equipment
        fields = [
            "name",
            "category",
            "model_number",
            "serial_number",
            "purpose",
            "estimated_price",
            "daily_rate",
            "location",
            "maintenance_interval_days",
            "next_maintenance_on",
            "calibration_due_on",
            "warranty_until",
            "licence_until",
        ]
        widgets = {
            "next_maintenance_on": DateInput(),
            "calibration_due_on": DateInput(),
            "warranty_until": DateInput(),
            "licence_until": DateInput(),
        }


class OrderForm(forms.Form):
    supplier = forms.CharField(label=_("supplier"), max_length=200)
    price = forms.DecimalField(label=_("purchase price"), max_digits=12, decimal_places=2, min_value=0)
    ordered_at = forms.DateField(label=_("ordered"), required=False, widget=DateInput())


class AcceptForm(forms.Form):
    note = NoteField(_("acceptance inspection"))


class CheckoutForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _person_field(_("checked out to"), user)
        # Any project: the service checks that the borrower works on it.
        self.fields["project"] = forms.ModelChoiceField(
            label=_("project"),
            queryset=Project.objects.all(),
            required=False,
            widget=TypeaheadSelect("projects.Project"),
        )
        self.fields["due_back_on"] = forms.DateField(
            label=_("due back"), widget=DateInput(), initial=lambda: timezone.localdate()
        )


class ReturnForm(forms.Form):
    condition_note = NoteField(_("condition on return"), required=False)


class MaintenanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MaintenanceRecord.Kind.choices)
    performed_on = forms.DateField(label=_("performed"), required=False, widget=DateInput())
    description = NoteField(_("what was done"))
    cost = forms.DecimalField(label=_("cost"), max_digits=10, decimal_places=2, min_value=0, required=False)
    verdict = forms.ChoiceField(
        label=_("verdict"), choices=[("", "—"), *MaintenanceRecord.Verdict.choices], required=False
    )
    expected_state = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
