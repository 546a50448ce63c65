"""People and organisations: staff, departments, positions, client organisations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin
from simple_history.models import HistoricalRecords

from onestop.accounts import rules as r
from onestop.core.chain import history_models
from onestop.core.fields import TEXT_NOTE, BoundedTextField
from onestop.core.models import (
    AppendOnly,
    AppendOnlyQuerySet,
    BusinessModel,
    ClientScopedQuerySet,
    InternalQuerySet,
)
from onestop.core.predicates import user_roles
from onestop.core.roles import Role, role_label

#: The longest password a form or the API takes: far above any real one, and it keeps the
#: (deliberately slow) password hashing from being fed megabytes.
PASSWORD_MAX_LENGTH = 128


class Department(BusinessModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    description = BoundedTextField(_("description"), max_length=TEXT_NOTE, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "name"]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_organisation,
            "change": r.can_manage_organisation,
            "delete": r.can_manage_organisation,
        }

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # A department cannot sit below itself or below one of its own sub-departments.
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": _("A department cannot be placed under itself.")})
            seen.add(node.pk)
            node = node.parent

    @property
    def path(self) -> str:
        names, node, guard = [], self, 0
        while node is not None and guard < 20:
            names.append(node.name)
            node, guard = node.parent, guard + 1
        return " / ".join(reversed(names))

    path.fget.short_description = _("full path")


class Position(BusinessModel):
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    description = BoundedTextField(_("duties"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unique_position_per_department"),
        ]
        rules_permissions = {
            "view": r.is_internal,
            "add": r.can_manage_organisation,
            "change": r.can_manage_organisation,
            "delete": r.can_manage_organisation,
        }

    def __str__(self) -> str:
        return self.name


class ClientOrganizationQuerySet(ClientScopedQuerySet):
    client_field = "pk"


class ClientOrganization(BusinessModel):
    reason_fields = ("name", "tax_id")  # a plain edit of these says why

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        GOVERNMENT = "government", _("Government agency")
        INSTITUTION = "institution", _("Public institution")
        UNIVERSITY = "university", _("University / research institute")
        OTHER = "other", _("Other")

    code = models.CharField(_("client code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    tax_id = models.CharField(_("unified social credit code"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_clients",
        limit_choices_to={"client_organization__isnull": True, "is_active": True},
    )
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = ClientOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("client organisation")
        verbose_name_plural = _("client organisations")
        ordering = ["name"]
        rules_permissions = {
            "view": r.can_view_client_records,
            "add": r.can_manage_clients,
            "change": r.can_manage_clients,
            "delete": r.can_delete_clients,
        }

    def __str__(self) -> str:
        return self.name


class ClientContactQuerySet(ClientScopedQuerySet):
    client_field = "organization_id"


class ClientContact(BusinessModel):
    organization = models.ForeignKey(
        ClientOrganization,
        verbose_name=_("client organisation"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("full name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = BoundedTextField(_("notes"), max_length=TEXT_NOTE, blank=True)
    history = HistoricalRecords()

    objects = ClientContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ["organization__name", "-is_primary", "name"]
        rules_permissions = {
            "view": r.can_view_contact,
            "add": r.can_manage_clients,
            "change": r.can_manage_clients,
            "delete": r.can_manage_clients,
        }

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）" if self.organization_id else self.name

    def clean(self):
        if not (self.phone or self.mobile or self.email):
            raise ValidationError(_("Give at least one way to reach the contact: phone, mobile or e-mail."))


class UserQuerySet(ClientScopedQuerySet):
    client_field = "client_organization_id"

    def staff(self):
        """Active staff members (no client users)."""
        return self.filter(is_active=True, client_organization__isnull=True)

    def with_role(self, *roles):
        """Active staff members holding any of ``roles``, each once, sorted by name."""
        return (
            self.staff()
            .filter(groups__name__in=[str(role) for role in roles])
            .distinct()
            .order_by("full_name", "username")
        )

    def of_client(self, organization_id):
        """The active users of one client organisation."""
        return self.filter(is_active=True, client_organization_id=organization_id)


class OneStopUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(RulesModelMixin, AbstractUser, metaclass=RulesModelBase):
    """A person who logs in: a staff member, or a user of one client organisation."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holders",
    )
    client_organization = models.ForeignKey(
        ClientOrganization,
        verbose_name=_("client organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Set only for client users; they then see their own organisation's records only."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    objects = OneStopUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        rules_permissions = {
            "view": r.can_view_user,
            "add": r.can_manage_users,
            "change": r.can_change_user,
            "delete": r.can_delete_user,
        }

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_client(self) -> bool:
        return self.client_organization_id is not None

    @property
    def role_labels(self) -> list[str]:
        return [role_label(group.name) for group in self.groups.all()]

    @property
    def role_list(self) -> str:
        return "、".join(self.role_labels)

    role_list.fget.short_description = _("roles")

    def clean(self):
        super().clean()
        if self.client_organization_id and (self.department_id or self.position_id):
            raise ValidationError(
                _("A client user belongs to a client organisation, not to one of our departments.")
            )

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    def deletion_refusal(self) -> str | None:
        """Why this account may not be deleted, or None (asked by ``core.services.delete_instance``).

        Once someone has acted, the history names them; deleting the account would leave those
        entries without an author. Such accounts are deactivated (``is_active``) instead."""
        for model in history_models():
            if not any(field.name == "history_user" for field in model._meta.fields):
                continue  # the history of a many-to-many field: its entry is in the parent's history
            if model.objects.filter(history_user_id=self.pk).exists():
                return _(
                    "%(user)s has acted in OneStop and the history names them: deactivate the account "
                    "(untick “active”) instead of deleting it."
                ) % {"user": self.display_name}
        return None

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"accounts:user_{action}"

    def has_role(self, role: Role | str) -> bool:
        return str(role) in user_roles(self)


class UserSession(models.Model):
    """One logged-in browser session of a user (accounts/sessions.py): Django's sessions cannot be
    listed per user, so "log out my other sessions" reads these. Written at log-in, removed at
    log-out; a row whose session has expired is removed the next time the user's list is read."""

    generic_views = False  # written by the log-in signal; shown and ended from the profile page
    history_exempt = "a technical index of live sessions; log-ins and log-outs are security events"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(_("session"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("logged in"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class ClientDataRecord(AppendOnly):
    """What was done with one client organisation's data as a whole (issue 17, "Data"): an export
    of everything about it, or the anonymisation of its people by the retention rule
    (accounts/clientdata.py) — when, by whom, how many rows of which kinds. Never the data itself.

    Append-only like a security event: never changed or deleted, and each row is a link of the
    audit chain, so removing one shows as a broken chain."""

    generic_views = False  # written by accounts/clientdata.py; read in the admin site

    class Kind(models.TextChoices):
        EXPORTED = "exported", _("Exported")
        ANONYMISED = "anonymised", _("Personal data anonymised")

    kind = models.CharField(_("what was done"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        ClientOrganization,
        verbose_name=_("client organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the command line or the periodic job did it."),
    )
    counts = models.JSONField(_("rows per kind"), default=dict)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("client data record")
        verbose_name_plural = _("client data records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization_id}"
