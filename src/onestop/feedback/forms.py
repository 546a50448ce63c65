from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ClientOrganization, User
from onestop.core.forms import DateInput, ModelForm
from onestop.engagements.models import Engagement
from onestop.feedback.aspects import ASPECTS, RECOMMEND_MAX, RECOMMEND_MIN, SCORE_MAX, SCORE_MIN
from onestop.feedback.models import Complaint, Survey


def _engagements(user):
    return Engagement.objects.visible_to(user).select_related("client").order_by("-received_at")


class SurveyInviteForm(ModelForm):
    class Meta:
        model = Survey
        fields = ["engagement", "respond_by"]
        widgets = {"respond_by": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = _engagements(self.user).filter(surveys__isnull=True)
        self.fields["engagement"].help_text = _(
            "Engagements whose client has not been invited yet. A passed whole-project acceptance "
            "invites the client automatically."
        )
        self.fields["respond_by"].required = False
        self.fields["respond_by"].help_text = _("Empty: two weeks from today.")


class SurveyForm(ModelForm):
    class Meta:
        model = Survey
        fields = ["respond_by"]
        widgets = {"respond_by": DateInput()}


class SurveyAnswerForm(forms.Form):
    """The client's answer: 1–5 per aspect, 0–10 would recommend, a comment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scores = [(value, str(value)) for value in range(SCORE_MIN, SCORE_MAX + 1)]
        for aspect in ASPECTS:
            self.fields[aspect.field] = forms.TypedChoiceField(
                label=aspect.label,
                choices=scores,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": _("Rate “%(aspect)s” from 1 to 5.") % {"aspect": aspect.label},
                    "invalid_choice": _("“%(aspect)s” takes a whole number from 1 to 5.")
                    % {"aspect": aspect.label},
                },
            )
        self.fields["would_recommend"] = forms.TypedChoiceField(
            label=_("How likely are you to recommend us to a colleague? (0 = not at all, 10 = certainly)"),
            choices=[(value, str(value)) for value in range(RECOMMEND_MIN, RECOMMEND_MAX + 1)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            error_messages={
                "required": _("Say how likely you are to recommend us, from 0 to 10."),
                "invalid_choice": _("“Would recommend” takes a whole number from 0 to 10."),
            },
        )
        self.fields["comment"] = forms.CharField(
            label=_("What should we keep doing, or do better?"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def aspect_fields(self):
        return [self[aspect.field] for aspect in ASPECTS]

    def scores(self) -> dict:
        return {aspect.code: self.cleaned_data[aspect.field] for aspect in ASPECTS}


class ComplaintForm(ModelForm):
    """Filing: a client in the portal (its own engagements), or staff recording a call or an e-mail."""

    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("A photo, a document or an e-mail (optional).")
    )

    class Meta:
        model = Complaint
        fields = ["client", "engagement", "channel", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["engagement"].queryset = _engagements(self.user)
        self.fields["engagement"].label_from_instance = lambda e: f"{e.code} {e.title}"
        if self.user is not None and self.user.client_organization_id is not None:
            del self.fields["client"], self.fields["channel"]
            self.instance.client_id = self.user.client_organization_id
            self.instance.channel = Complaint.Channel.PORTAL
        else:
            self.fields["client"].queryset = ClientOrganization.objects.visible_to(self.user)
            self.fields["channel"].choices = [
                (value, label)
                for value, label in Complaint.Channel.choices
                if value != Complaint.Channel.PORTAL
            ]


class ComplaintEditForm(ModelForm):
    class Meta:
        model = Complaint
        fields = ["engagement", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = _engagements(self.user).filter(client_id=self.instance.client_id)


def _handlers():
    return User.objects.staff().order_by("full_name", "username")


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label=_("Handler"),
        queryset=_handlers(),
        error_messages={
            "required": _("Choose the handler."),
            "invalid_choice": _("Choose an active staff member."),
        },
    )
    comment = forms.CharField(label=_("Note for the handler"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = _handlers()


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("Response to the client"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the response to the client.")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the complaint not resolved?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the response does not resolve the complaint.")},
    )


class ConfirmForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000)


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a note on why the complaint is closed without the client.")},
    )
