"""Generic write actions for records edited through plain forms.

Every write records who did it in the history table itself (``_history_user``)
rather than relying on the request middleware, so management commands, jobs
and the API are audited the same way as the web pages.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from onestop.core.exceptions import DomainError


def _stamp(obj, actor, reason: str = ""):
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    return obj


@transaction.atomic
def save_form(form, *, actor, reason: str = ""):
    """Save a validated ModelForm as one transaction, attributing the change to ``actor``."""
    obj = form.save(commit=False)
    _stamp(obj, actor, reason)
    obj.save()
    form.save_m2m()
    return obj


def validate(obj, exclude=()):
    """``full_clean`` that leaves protected state fields alone.

    Cleaning assigns every field back to the instance, and a protected FSM field refuses
    any assignment outside a transition; states are validated by the transitions instead.
    """
    protected = [f.name for f in obj._meta.concrete_fields if getattr(f, "protected", False)]
    obj.full_clean(exclude=[*exclude, *protected])


@transaction.atomic
def save_instance(obj, *, actor, reason: str = ""):
    """Validate and save a model instance (used by the API, which bypasses ModelForm)."""
    validate(obj)
    _stamp(obj, actor, reason)
    obj.save()
    return obj


def delete_instance(obj, *, actor, reason: str = ""):
    """Delete a record; a record still referenced elsewhere is refused with a clear message."""
    _stamp(obj, actor, reason)
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        _refuse_delete(obj, exc.protected_objects)
    except RestrictedError as exc:
        _refuse_delete(obj, exc.restricted_objects)


def _refuse_delete(obj, blockers):
    kinds = sorted({str(blocker._meta.verbose_name) for blocker in blockers})
    raise DomainError(
        _("“%(obj)s” cannot be deleted while other records refer to it (%(related)s).")
        % {"obj": obj, "related": "、".join(kinds) or _("related records")}
    )
