from django import forms

from onestop.core.forms import ModelForm
from onestop.core.views import Column, ObjectViews
from tests.workflow_app.models import Ticket


class TicketForm(ModelForm):
    class Meta:
        model = Ticket
        fields = ["title", "description", "client_organization"]
        widgets = {"description": forms.Textarea}


class TicketViews(ObjectViews):
    model = Ticket
    form_class = TicketForm
    columns = [Column("title", link=True), Column("state"), Column("client_organization", sort=False)]
    list_select_related = ("client_organization",)
    detail_select_related = ("client_organization", "decided_by")
    detail_fields = ["title", "description", "client_organization", "state", "decided_by"]
