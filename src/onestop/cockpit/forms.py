from django.contrib.auth import get_user_model

from onestop.cockpit.models import ReportSubscription
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
