"""The one way a record is written: validated, attributed, in one transaction.

- ``save(obj, actor=)``: every service saves through it. It runs the model's own validation
  (``full_clean``, which neither ``Model.save`` nor DRF runs) and turns a refusal into a
  ``DomainError`` naming the field, then saves with the actor stamped on the history row.
- ``ensure_editable(obj)``: the explicit "may this record still be edited by hand?" guard of
  the edit paths (the generic edit page and API, and each app's edit services). A model says
  which states allow editing with ``editable_states``; the stored state decides, so an edit
  raced by a transition is refused too.
- ``save_form`` / ``delete_instance``: the generic pages' and API's writes.

Every write records who did it in the history table itself (``_history_user``) rather than
relying on the request middleware, so management commands, jobs and the API are audited the
same way as the web pages.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.workflow import conflict

CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


def change_reason(reason: str) -> str:
    """The history's one-line reason, shortened to its column; full texts live on the record."""
    reason = " ".join(str(reason).split())
    return reason if len(reason) <= CHANGE_REASON_LENGTH else reason[: CHANGE_REASON_LENGTH - 1] + "…"


def reason_needed(model, changed) -> list[str]:
    """The names of the ``changed`` fields that ``model`` edits only with a reason, as the
    user reads them (``BusinessModel.reason_fields``)."""
    fields = getattr(model, "reason_fields", ())
    return [str(model._meta.get_field(name).verbose_name) for name in fields if name in changed]


def reason_refusal(names) -> str:
    return _("Say why you change %(fields)s.") % {"fields": "、".join(names)}


def _stamp(obj, actor, reason: str = ""):
    obj._history_user = actor
    # The reason the user gave on the edit page or in the API's update (``change_reason``)
    # wins over the service's own wording.
    reason = getattr(obj, "_edit_reason", "") or reason
    if reason:
        obj._change_reason = change_reason(reason)
    return obj


def ensure_editable(obj) -> None:
    """Refuse (``not_editable``) when the stored state of ``obj`` is not one of its model's
    ``editable_states``. Records without ``editable_states`` are always editable."""
    states = getattr(type(obj), "editable_states", None)
    if states is None or obj.pk is None:
        return
    field = obj.state_field_name
    stored = type(obj)._base_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
    if stored not in states:
        raise DomainError(
            _("The %(model)s is “%(state)s” and can no longer be edited.")
            % {"model": obj._meta.verbose_name, "state": obj.state_label(stored)},
            code=ErrorCode.NOT_EDITABLE,
        )


@transaction.atomic
def save_form(form, *, actor, reason: str = ""):
    """Save a validated ModelForm (the generic edit page) as one transaction by ``actor``."""
    obj = form.save(commit=False)
    ensure_editable(obj)
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


def domain_error(error: ValidationError) -> DomainError:
    """A model's ``ValidationError`` as the ``DomainError`` a page or the API shows.

    The first field's messages become the message; the field is named when there is one.
    """
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return DomainError(
            " ".join(messages), field=None if field == NON_FIELD_ERRORS else field, code=ErrorCode.INVALID
        )
    return DomainError(" ".join(error.messages), code=ErrorCode.INVALID)


@transaction.atomic
def save(obj, *, actor, reason: str = "", exclude=()):
    """Validate ``obj`` with its model's rules and save it, attributed to ``actor``.

    A refused value raises ``DomainError`` (code ``invalid``, with the field) and writes nothing.
    """
    try:
        validate(obj, exclude)
    except ValidationError as exc:
        raise domain_error(exc) from None
    _stamp(obj, actor, reason)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable after a refusal
            obj.save()
    except ConcurrentTransition:
        # A record with a state, saved from a copy read before someone else moved it on: the
        # guarded UPDATE wrote nothing. A lost race, told as such (409), never a 500.
        raise conflict(obj) from None
    return obj


save_instance = save  # transitional name, until every app calls ``save``


def edit(obj, *, actor, reason: str = ""):
    """A hand edit (the generic API's update): only while the record is editable, then ``save``."""
    ensure_editable(obj)
    return save(obj, actor=actor, reason=reason)


def delete_instance(obj, *, actor, reason: str = ""):
    """Delete a record; a record still referenced elsewhere is refused with a clear message.

    A model may refuse for its own reason with ``deletion_refusal()`` (a message, or None)."""
    refusal = getattr(obj, "deletion_refusal", None)
    message = refusal() if refusal is not None else None
    if message:
        raise DomainError(message, code=ErrorCode.IN_USE)
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
