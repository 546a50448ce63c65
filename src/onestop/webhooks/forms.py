from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import ModelForm, formfield_for
from onestop.webhooks.models import Endpoint, EventType


class EndpointForm(ModelForm):
    formfield_callback = formfield_for  # not inherited from core.forms.ModelForm by Django's metaclass

    # A plain text box: the model's validators say what is wrong with an address (https only,
    # no user name in it), the same words on the page and in the API.
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        widget=forms.URLInput,
        help_text=_("https:// (plain http:// only to localhost). OneStop POSTs each event here as JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What this endpoint is sent."),
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "active", "description"]
