"""Actions on accounts; each writes its history entry itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from onestop.core import services as core_services
from onestop.core.roles import Role


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
def regenerate_api_token(*, actor) -> Token:
    Token.objects.filter(user=actor).delete()
    return Token.objects.create(user=actor)


@transaction.atomic
def create_user(*, actor, password: str | None, roles=(), **fields):
    """Create an account with its roles; used by the API, the demo data and commands."""
    from onestop.accounts.models import User

    user = User(**fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = user.client_organization_id is None and Role.SYSTEM_ADMIN in set(roles)
    core_services.save(user, actor=actor, exclude=["password"])
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    return user


@transaction.atomic
def update_user(user, *, actor, password: str | None = None, roles=None, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    if roles is not None:
        user.is_staff = user.client_organization_id is None and Role.SYSTEM_ADMIN in set(roles)
    core_services.save(user, actor=actor, exclude=["password"])
    if roles is not None:
        user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    return user
