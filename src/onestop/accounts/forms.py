from django import forms
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from onestop.accounts import grants
from onestop.accounts.models import (
    PASSWORD_MAX_LENGTH,
    ClientContact,
    ClientOrganization,
    Department,
    Position,
    User,
)
from onestop.core.forms import ModelForm
from onestop.core.roles import Role, role_label


class DepartmentForm(ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "parent", "head", "sort_order", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = User.objects.staff()
        if self.instance.pk:
            self.fields["parent"].queryset = Department.objects.exclude(pk=self.instance.pk)


class PositionForm(ModelForm):
    class Meta:
        model = Position
        fields = ["name", "department", "description"]


class ClientOrganizationForm(ModelForm):
    class Meta:
        model = ClientOrganization
        fields = [
            "code",
            "name",
            "kind",
            "industry",
            "tax_id",
            "city",
            "address",
            "phone",
            "email",
            "website",
            "account_manager",
            "is_active",
            "notes",
        ]


class ClientContactForm(ModelForm):
    class Meta:
        model = ClientContact
        fields = ["organization", "name", "title", "phone", "mobile", "email", "is_primary", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["organization"].queryset = ClientOrganization.objects.visible_to(self.user)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return role_label(obj.name)


class UserForm(ModelForm):
    """Staff and client accounts, managed by HR and system administrators."""

    roles = RoleChoiceField(
        queryset=Group.objects.filter(name__in=list(Role.values)).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Roles"),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Required for a new account. Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "phone",
            "employee_no",
            "department",
            "position",
            "client_organization",
            "language",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles this user may grant are offered (accounts/grants.py); the service
        # checks again, so a forged POST is refused too.
        grantable = grants.grantable_roles(self.user) if self.user is not None else grants.ALL_ROLES
        self.fields["roles"].queryset = self.fields["roles"].queryset.filter(name__in=grantable)
        if self.instance.pk:
            self.fields["roles"].initial = list(self.instance.groups.all())

    def clean(self):
        cleaned = super().clean()
        roles = {group.name for group in cleaned.get("roles") or []}
        client = cleaned.get("client_organization")
        if client is not None and roles - {Role.CLIENT}:
            self.add_error("roles", _("A client user can only have the client role."))
        if client is None and Role.CLIENT in roles:
            self.add_error(
                "client_organization", _("Choose the client organisation this client user belongs to.")
            )
        if not self.instance.pk and not cleaned.get("password"):
            self.add_error("password", _("Set an initial password for the new account."))
        if cleaned.get("password"):
            try:
                validate_password(cleaned["password"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    def service_arguments(self) -> dict:
        """The form's data as ``accounts.services.create_user/update_user`` take it."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        return {
            "password": self.cleaned_data.get("password") or None,
            "roles": [group.name for group in self.cleaned_data.get("roles") or []],
            **fields,
        }


class ProfileForm(ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "language"]


class TwoFactorCodeForm(forms.Form):
    """The six-digit code of the authenticator app (or, at log-in, a backup code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
    )
