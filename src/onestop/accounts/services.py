"""Actions on accounts; each writes its history entry itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from onestop.accounts import grants
from onestop.accounts.models import User
from onestop.core import security
from onestop.core import services as core_services
from onestop.core.exceptions import NotPermittedError
from onestop.core.roles import Role, role_label
from onestop.notifications.services import notify


def update_profile(form, *, actor):
    return core_services.save_form(form, actor=actor, reason="profile")


@transaction.atomic
def set_language(user, language: str, *, actor):
    if user.language != language:
        user.language = language
        user._history_user = actor
        user.save(update_fields=["language"])


def remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
    )
    return response


@transaction.atomic
def regenerate_api_token(*, actor, request=None) -> Token:
    """A new token for ``actor``; the old one stops working. A security event records it
    (``request`` gives the address it came from)."""
    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    security.record(security.Kind.TOKEN_REGENERATED, user=actor, request=request)
    return token


def _check_grant(actor, before: frozenset[str], after: frozenset[str]) -> None:
    refused = grants.refused_roles(actor, before, after)
    if refused:
        raise NotPermittedError(
            _("You may not grant or remove these roles: %(roles)s.")
            % {"roles": "、".join(role_label(code) for code in sorted(refused))},
            field="roles",
        )


def _announce_roles(user, *, actor, before: frozenset[str], after: frozenset[str]) -> None:
    """Tell the person and the system administrators what changed (after commit, by mail too)."""
    if before == after:
        return

    added = "、".join(role_label(code) for code in sorted(after - before)) or "—"
    removed = "、".join(role_label(code) for code in sorted(before - after)) or "—"
    body = _("Granted: %(added)s. Removed: %(removed)s. Changed by %(actor)s.") % {
        "added": added,
        "removed": removed,
        "actor": actor.display_name if actor else _("the system"),
    }
    notify(
        [user], title=_("Your roles in OneStop changed"), body=body, url=user.get_absolute_url(), target=user
    )
    admins = User.objects.with_role(Role.SYSTEM_ADMIN).exclude(pk=user.pk)
    notify(
        admins,
        title=_("Roles of %(user)s changed") % {"user": user.display_name},
        body=body,
        url=user.get_absolute_url(),
        target=user,
    )


def _set_roles(user, roles) -> None:
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    user._onestop_roles = frozenset(str(r) for r in roles)


@transaction.atomic
def create_user(*, actor, password: str | None, roles=(), **fields):
    """Create an account with its roles; used by the pages, the API, the demo data and commands.

    ``actor`` None is the system itself (demo data, commands run by the operator)."""
    after = frozenset(str(r) for r in roles)
    if actor is not None:
        _check_grant(actor, frozenset(), after)
    user = User(**fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = user.client_organization_id is None and Role.SYSTEM_ADMIN in after
    core_services.save(user, actor=actor, exclude=["password"])
    _set_roles(user, after)
    if actor is not None:
        _announce_roles(user, actor=actor, before=frozenset(), after=after)
    return user


@transaction.atomic
def update_user(user, *, actor, password: str | None = None, roles=None, **fields):
    """Change an account; its roles only as far as the actor may grant them (accounts/grants.py)."""
    # Lock the account: two administrators changing roles at once each see the other's result.
    User.objects.select_for_update().filter(pk=user.pk).first()
    before = frozenset(user.groups.values_list("name", flat=True))
    if actor is not None and not grants.may_manage_account(actor, user):
        raise NotPermittedError(
            _("This account holds a role you may not grant; only a system administrator may change it.")
        )
    after = before if roles is None else frozenset(str(r) for r in roles)
    if actor is not None:
        _check_grant(actor, before, after)
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    user.is_staff = user.client_organization_id is None and Role.SYSTEM_ADMIN in after
    core_services.save(user, actor=actor, reason="password" if password else "", exclude=["password"])
    if password:
        security.record(security.Kind.PASSWORD_SET, user=user, actor=actor)
    if after != before:
        _set_roles(user, after)
        _announce_roles(user, actor=actor, before=before, after=after)
    return user
