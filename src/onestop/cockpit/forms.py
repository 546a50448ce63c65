from django import forms
from django.contrib.auth import get_user_model

from onestop.cockpit.models import PolicyVersion, ReportSubscription
from onestop.core import policy
from onestop.core.choices import TypeaheadSelect
from onestop.core.forms import ModelForm


class ReportSubscriptionForm(ModelForm):
    class Meta:
        model = ReportSubscription
        fields = ["subscriber", "dashboard", "frequency", "is_active"]
        widgets = {"subscriber": TypeaheadSelect("accounts.User")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscriber"].queryset = get_user_model().objects.filter(
            client_organization__isnull=True, is_active=True
        )


class PolicyVersionForm(ModelForm):
    """The effective date, the reason, and one field per setting (core/policy.py), filled with
    the values in force (or the version's own)."""

    class Meta:
        model = PolicyVersion
        fields = ["effective_from", "reason"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.settings() if self.instance.pk else policy.values()
        for key, setting in policy.SETTINGS.items():
            label = f"{setting.group} · {setting.label}" if setting.group else setting.label
            required = not setting.optional
            if setting.kind == policy.INT:
                field = forms.IntegerField(label=label, min_value=setting.minimum, required=required)
            elif setting.kind == policy.DECIMAL:
                field = forms.DecimalField(
                    label=label, min_value=setting.minimum, max_digits=16, decimal_places=2, required=required
                )
            else:
                field = forms.BooleanField(label=label, required=False)
            field.initial = current.get(key)
            self.fields[field_name(key)] = field

    def setting_values(self) -> dict:
        return {key: self.cleaned_data.get(field_name(key)) for key in policy.SETTINGS}


def field_name(key: str) -> str:
    return key.replace(".", "__")
