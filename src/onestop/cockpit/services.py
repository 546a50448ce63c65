"""Policy settings (EXT-4): proposing a new version and approving it. Every write takes
``actor=``, runs in one transaction and stamps the history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cockpit.models import PolicyVersion
from onestop.core import policy
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.services import save


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The settings' values as stored (JSON): known keys only, each checked against its minimum."""
    stored: dict[str, Any] = {}
    for key, setting in policy.SETTINGS.items():
        raw = values.get(key)
        if raw is None or raw == "":
            if not setting.optional:
                raise DomainError(_("Every setting needs a value."), field=key)
            stored[key] = None
            continue
        value = setting.coerce(raw)
        if setting.minimum is not None and value < setting.minimum:
            raise DomainError(
                _("The value is below its minimum (%(min)s).") % {"min": setting.minimum}, field=key
            )
        stored[key] = str(value) if isinstance(value, Decimal) else value
    for key, message in policy.check(stored).items():
        raise DomainError(message, field=key)
    return stored


def _check_date(effective_from: date) -> None:
    # A day that has begun keeps its rules: a change takes effect tomorrow at the earliest.
    if effective_from <= timezone.localdate():
        raise DomainError(
            _("A change takes effect tomorrow at the earliest."),
            field="effective_from",
            code=ErrorCode.INVALID,
        )


@transaction.atomic
def propose(
    *, actor, effective_from: date, reason: str, values: dict[str, Any], version=None
) -> PolicyVersion:
    """A new version (or a change to one not yet approved) of the settings."""
    _require(
        actor, "cockpit.add_policyversion" if version is None else "cockpit.change_policyversion", version
    )
    _check_date(effective_from)
    if version is None:
        number = (PolicyVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        version = PolicyVersion(number=number, proposed_by=actor)
    version.effective_from = effective_from
    version.reason = reason
    version.values = clean_values(values)
    return save(version, actor=actor)


@transaction.atomic
def approve(version: PolicyVersion, *, actor) -> PolicyVersion:
    """Another manager approves the version: it is in force from its effective date."""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.approved_at is not None:
        raise ConflictError(_("This version is already approved."), code=ErrorCode.ALREADY_DONE)
    _require(actor, "cockpit.approve_policyversion", version)
    _check_date(version.effective_from)
    version.approved_by = actor
    version.approved_at = timezone.now()
    return save(version, actor=actor)


def differences(version: PolicyVersion) -> list[dict]:
    """Each setting of ``version`` beside the approved version before it (by effective date)."""
    previous = (
        PolicyVersion.objects.approved()
        .exclude(pk=version.pk)
        .filter(effective_from__lte=version.effective_from)
        .order_by("-effective_from", "-number")
        .first()
    )
    before = previous.settings() if previous else {k: s.default_value() for k, s in policy.SETTINGS.items()}
    after = version.settings()
    return [
        {
            "key": key,
            "group": str(setting.group),
            "label": str(setting.label),
            "before": before[key],
            "after": after[key],
            "changed": before[key] != after[key],
        }
        for key, setting in policy.SETTINGS.items()
    ]
