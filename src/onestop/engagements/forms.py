from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ClientContact, ClientOrganization
from onestop.core.fields import TEXT_COMMENT, TEXT_LONG, TEXT_NOTE
from onestop.core.forms import DateInput, ModelForm
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement, Proposal


def technicians():
    return get_user_model().objects.with_role(Role.TECHNICIAN)


class InquiryEntryForm(forms.Form):
    """Quick entry of an inquiry by customer service (phone, e-mail, chat) or a client (portal)."""

    client = forms.ModelChoiceField(
        queryset=ClientOrganization.objects.none(), label=_("Client organisation")
    )
    contact = forms.ModelChoiceField(
        queryset=ClientContact.objects.none(), required=False, label=_("Contact")
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE, label=_("Channel"))
    received_at = forms.DateTimeField(
        required=False,
        label=_("Received at"),
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contact_name = forms.CharField(required=False, max_length=100, label=_("Caller's name"))
    contact_phone = forms.CharField(required=False, max_length=40, label=_("Caller's phone"))
    contact_email = forms.EmailField(required=False, label=_("Caller's e-mail"))
    subject = forms.CharField(max_length=200, label=_("Subject"))
    need = forms.CharField(
        max_length=TEXT_LONG,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("The client's need, in detail"),
    )
    technician = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Forward to technician"),
        help_text=_("Optional: forward at once."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["client"].queryset = ClientOrganization.objects.visible_to(user).filter(is_active=True)
        self.fields["contact"].queryset = ClientContact.objects.visible_to(user).select_related(
            "organization"
        )
        self.fields["technician"].queryset = technicians()
        if user is not None and user.client_organization_id is not None:
            # The portal: the client's own organisation, the portal channel, no internal routing.
            del self.fields["client"]  # the portal files for the user's own organisation (see clean)
            for name in ("channel", "technician", "received_at", "contact"):
                del self.fields[name]
            self.fields["contact_name"].initial = user.display_name
            self.fields["contact_email"].initial = user.email
            self.fields["contact_phone"].initial = user.phone

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and self.user.client_organization_id is not None:
            cleaned["client"] = self.user.client_organization
            cleaned["channel"] = Channel.PORTAL
        client, contact = cleaned.get("client"), cleaned.get("contact")
        if client and contact and contact.organization_id != client.pk:
            self.add_error("contact", _("The contact belongs to another client organisation."))
        return cleaned


class EngagementForm(ModelForm):
    class Meta:
        model = Engagement
        fields = ["title", "client", "contact", "technician"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()
        self.fields["client"].queryset = ClientOrganization.objects.visible_to(self.user)
        if self.instance.pk and self.instance.stage != Engagement.Stage.INQUIRY:
            # After forwarding the client and technician are part of the record's history.
            for name in ("client", "technician"):
                self.fields[name].disabled = True
        # Only the engagement's client's contacts are offered (the model refuses any other); a
        # client changed in the same submission brings its own contacts.
        client_id = self.instance.client_id
        posted = self.data.get(self.add_prefix("client")) if self.is_bound else None
        if not self.fields["client"].disabled and posted and str(posted).isdigit():
            client_id = int(posted)
        contacts = ClientContact.objects.visible_to(self.user).select_related("organization")
        self.fields["contact"].queryset = (
            contacts.filter(organization_id=client_id) if client_id else contacts
        )


class ForwardForm(forms.Form):
    technician = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Technician"))
    comment = forms.CharField(
        max_length=TEXT_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Note for the technician"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians()


class AssessmentForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("in_scope", _("Within our one-stop service scope")), ("out_of_scope", _("Out of scope"))],
        widget=forms.RadioSelect,
        label=_("Assessment"),
    )
    service_goals = forms.CharField(
        max_length=TEXT_LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Service goals"),
    )
    technical_requirements = forms.CharField(
        max_length=TEXT_LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Technical requirements"),
    )
    requested_deadline = forms.DateField(required=False, widget=DateInput(), label=_("Client's deadline"))
    reason = forms.CharField(
        max_length=TEXT_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Why it is out of scope"),
    )
    suggestions = forms.CharField(
        max_length=TEXT_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Suggestions or alternatives for the client"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "in_scope":
            for name in ("service_goals", "technical_requirements"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("Required when the request is in scope."))
        elif cleaned.get("decision") == "out_of_scope":
            for name in ("reason", "suggestions"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("The client must be told why, with suggestions or alternatives."))
        return cleaned


class ProposalForm(ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "service_content",
            "technical_requirements",
            "period_start",
            "period_end",
            "fee",
            "currency",
            "note",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        max_length=2000,
        error_messages={"required": _("Give a reason for withdrawing.")},
    )
