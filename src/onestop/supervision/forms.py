from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.core.choices import TypeaheadSelect
from onestop.core.fields import TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.engagements.models import Engagement
from onestop.engagements.states import EngagementStage
from onestop.supervision.models import AuditSample, AuditSampleItem, CheckRun, Finding, Sanction
from onestop.supervision.states import AuditResult


def _staff():
    return User.objects.filter(client_organization__isnull=True, is_active=True)


class CheckRunForm(ModelForm):
    """Run the checks now: the run's note is all there is to say (the checks do the rest)."""

    class Meta:
        model = CheckRun
        fields = ["note"]


class FindingForm(ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "engagement", "description", "assignee", "due_date"]
        widgets = {
            "engagement": TypeaheadSelect("engagements.Engagement"),
            "assignee": TypeaheadSelect("accounts.User"),
            "due_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff()
        if self.user is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(self.user)
        if self.instance.pk is not None:
            self.fields["engagement"].disabled = True
            self.fields["kind"].disabled = True


class AuditSampleForm(ModelForm):
    """The criteria of a draw; the seed may be given to repeat an earlier draw."""

    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", "---------"), *EngagementStage.choices], required=False
    )

    class Meta:
        model = AuditSample
        fields = ["received_from", "received_to", "stage", "department", "size", "seed", "note"]
        widgets = {"received_from": DateInput(), "received_to": DateInput()}
        help_texts = {
            "seed": _(
                "Leave empty for a new random draw; give an earlier sample's seed and criteria to repeat it."
            ),
        }


class AuditSampleNoteForm(ModelForm):
    """A drawn sample keeps its criteria, seed and draw; only its note changes."""

    class Meta:
        model = AuditSample
        fields = ["note"]


class AuditSampleItemAddForm(ModelForm):
    """An engagement added to a sample by the auditor's judgement, beside the draw."""

    class Meta:
        model = AuditSampleItem
        fields = ["sample", "engagement", "note"]
        widgets = {"engagement": TypeaheadSelect("engagements.Engagement")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["engagement"].queryset = Engagement.objects.visible_to(self.user)
            self.fields["sample"].queryset = AuditSample.objects.visible_to(self.user)


class AuditResultForm(ModelForm):
    """The audit result of one sampled engagement; "finding raised" raises a finding at once."""

    result = forms.ChoiceField(label=_("Audit result"), choices=AuditResult.choices)
    assignee = forms.ModelChoiceField(
        label=_("Finding assigned to"),
        queryset=_staff(),
        required=False,
        widget=TypeaheadSelect("accounts.User"),
    )
    due_date = forms.DateField(label=_("Finding due"), required=False, widget=DateInput())

    class Meta:
        model = AuditSampleItem
        fields = ["note"]

    field_order = ["result", "note", "assignee", "due_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].initial = self.instance.result
        self.fields["note"].max_length = TEXT_NOTE


class SanctionForm(ModelForm):
    class Meta:
        model = Sanction
        fields = ["kind", "person", "department", "reason", "finding", "amount", "effective_on"]
        widgets = {
            "person": TypeaheadSelect("accounts.User"),
            "effective_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _staff()
        if self.user is not None:
            self.fields["finding"].queryset = Finding.objects.visible_to(self.user)
