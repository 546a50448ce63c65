from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from onestop.accounts import clientdata, filters, forms, services, sessions, twofactor
from onestop.accounts.models import ClientContact, ClientOrganization, Department, Position, User
from onestop.core.actions import RecordAction, visible_record
from onestop.core.forms import bootstrapify
from onestop.core.models import SecurityEvent
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews, RelatedTable


class DepartmentViews(ObjectViews):
    model = Department
    filterset_class = filters.DepartmentFilterSet
    form_class = forms.DepartmentForm
    icon = "diagram-3"
    columns = [
        Column("name", link=True),
        Column("code"),
        Column("parent", sort="parent__name"),
        Column("head", sort="head__full_name"),
        Column("sort_order"),
    ]
    list_select_related = ("parent", "head")
    detail_select_related = ("parent", "head")
    default_sort = "sort_order"
    detail_fields = ["name", "code", "path", "parent", "head", "description"]
    related_tables = [
        RelatedTable(
            "children",
            [Column("name", link=True), Column("code"), Column("head", sort=False)],
            title=gettext_lazy("Sub-departments"),
        ),
        RelatedTable(
            "members",
            [
                Column("full_name", label=gettext_lazy("Name"), link=True),
                Column("position", sort=False),
                Column("email"),
                Column("phone"),
            ],
            title=gettext_lazy("Members"),
        ),
        RelatedTable(
            "positions", [Column("name", link=True), Column("description")], add_url_param="department"
        ),
    ]


class PositionViews(ObjectViews):
    model = Position
    filterset_class = filters.PositionFilterSet
    form_class = forms.PositionForm
    icon = "person-badge"
    columns = [
        Column("name", link=True),
        Column("department", sort="department__name"),
        Column("description", sort=False),
    ]
    list_select_related = ("department",)
    detail_select_related = ("department",)
    detail_fields = ["name", "department", "description"]
    related_tables = [
        RelatedTable(
            "holders",
            [Column("full_name", label=gettext_lazy("Name"), link=True), Column("email"), Column("phone")],
            title=gettext_lazy("Holders"),
        ),
    ]


class UserViews(ObjectViews):
    model = User
    filterset_class = filters.UserFilterSet
    form_class = forms.UserForm
    icon = "person-lines-fill"
    columns = [
        Column("full_name", label=gettext_lazy("Name"), link=True),
        Column("username"),
        Column("department", sort="department__sort_order"),
        Column("position", sort="position__name"),
        Column("client_organization", sort="client_organization__name"),
        Column("role_list", label=gettext_lazy("Roles"), sort=False),
        Column("is_active"),
    ]
    list_select_related = ("department", "position", "client_organization")
    list_prefetch_related = ("groups",)
    detail_select_related = ("department", "position", "client_organization")
    default_sort = "username"
    detail_fields = [
        "full_name",
        "username",
        "email",
        "phone",
        "employee_no",
        "department",
        "position",
        "client_organization",
        "role_list",
        "language",
        "is_active",
        "last_login",
        "date_joined",
    ]

    detail_template = "accounts/user_detail.html"
    actions = [
        # A lost phone: a system administrator removes the user's two-factor log-in (issue 17).
        RecordAction(
            "two-factor-reset",
            lambda user, request, data: twofactor.reset(user, actor=request.user, request=request),
            when=lambda user, actor: twofactor.may_reset(user, actor),
            success=gettext_lazy("Two-factor log-in was reset and the user's sessions were logged out."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        # The company apps' panels about this person: rewards and penalties, recognitions…
        return {
            "two_factor_enabled": twofactor.has_two_factor(obj),
            "panels": panels("person", obj, request.user),
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        # Accounts go through their service: the role-grant rule, the notices, the history.
        if obj is None:
            return services.create_user(actor=actor, **form.service_arguments())
        return services.update_user(obj, actor=actor, **form.service_arguments())


class ClientOrganizationViews(ObjectViews):
    model = ClientOrganization
    filterset_class = filters.ClientOrganizationFilterSet
    form_class = forms.ClientOrganizationForm
    icon = "building"
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("kind"),
        Column("industry"),
        Column("city"),
        Column("account_manager", sort="account_manager__full_name"),
        Column("is_active"),
    ]
    list_select_related = ("account_manager",)
    detail_select_related = ("account_manager",)
    default_sort = "name"
    detail_fields = [
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
    related_tables = [
        RelatedTable(
            "contacts",
            [
                Column("name", link=True),
                Column("title"),
                Column("phone"),
                Column("mobile"),
                Column("email"),
                Column("is_primary"),
            ],
            add_url_param="organization",
        ),
        RelatedTable(
            "users",
            [Column("full_name", label=gettext_lazy("Name"), link=True), Column("username"), Column("email")],
            title=gettext_lazy("Portal users"),
        ),
    ]
    detail_template = "accounts/clientorganization_detail.html"

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"may_export": clientdata.may_export(request.user, obj)}


@login_required
@require_POST
def export_client(request, pk):
    """Everything about one client organisation as a ZIP download (accounts/clientdata.py).

    An organisation the user may not see is missing (404); one they see but may not export is
    refused (403). The ZIP is written to a temporary file first (never held in memory whole) and
    streamed from there; without the PDFs it takes seconds even for a large client, so the page
    waits for it rather than going through the job queue."""
    organization = visible_record(request, ClientOrganization, pk)
    return clientdata.export_response(organization, actor=request.user)


class ClientContactViews(ObjectViews):
    model = ClientContact
    filterset_class = filters.ClientContactFilterSet
    form_class = forms.ClientContactForm
    icon = "person-vcard"
    columns = [
        Column("name", link=True),
        Column("organization", sort="organization__name"),
        Column("title"),
        Column("phone"),
        Column("mobile"),
        Column("email"),
        Column("is_primary"),
    ]
    list_select_related = ("organization",)
    detail_select_related = ("organization",)
    detail_fields = ["name", "organization", "title", "phone", "mobile", "email", "is_primary", "notes"]


@login_required
def profile(request):
    """The user's own details and language; the language takes effect at once."""
    form = forms.ProfileForm(request.POST or None, instance=request.user, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(form, actor=request.user)
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        services.remember_language(response, request.user.language)
        return response
    bootstrapify(form)
    token = Token.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token": token,
            "can_use_token": request.user.has_perm("accounts.use_api_token"),
            "recent_events": SecurityEvent.objects.filter(user=request.user)[:8],
            "other_sessions": len(sessions.other_sessions(request.user, keep=request.session.session_key)),
            "two_factor_enabled": twofactor.has_two_factor(request.user),
            "two_factor_required": twofactor.required_for(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def regenerate_token(request):
    if not request.user.has_perm("accounts.use_api_token"):
        raise PermissionDenied
    token = services.regenerate_api_token(actor=request.user, request=request)
    messages.success(
        request,
        _("A new API token was created: %(key)s. The old token no longer works.") % {"key": token.key},
    )
    return redirect("profile")


@require_POST
def switch_language(request):
    """Switch the interface language; saved on the profile of a logged-in user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.set_language(request.user, language, actor=request.user)
        services.remember_language(response, language)
    return response
