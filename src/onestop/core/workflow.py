"""States and transitions for records with a life cycle (plans, contracts, acceptance rounds…).

A model with state declares it with django-fsm-2::

    class Plan(WorkflowModel, BusinessModel):
        class State(models.TextChoices):
            DRAFT = "draft", _("Draft")
            SUBMITTED = "submitted", _("Submitted")

        state = StateField(_("state"), choices=State.choices, default=State.DRAFT, protected=True)

        class Meta:
            rules_permissions = {"view": ..., "submit": can_submit_plan, ...}

        @transition(
            field=state, source=State.DRAFT, target=State.SUBMITTED,
            permission="plans.submit_plan",              # a `rules` permission, checked per object
            conditions=[has_content],                    # see ``condition`` below for the message
            custom={"label": _("Submit"), "icon": "send"},
        )
        def submit(self):
            ...                                          # field changes that go with the step

and every caller goes through ``perform_transition(obj, "submit", actor=user, comment=…)``
(from the app's service function, the HTML view and the API action alike), which

1. refuses without the transition's permission (``PermissionDenied`` → 403),
2. refuses from a state the transition does not start from (``DomainError`` with code
   ``not_possible_now`` → 409: the record has moved on, often because someone else acted
   first), or when a condition is not met (``condition_unmet`` → 400), with a clear message,
3. runs the transition and saves in one transaction, with the state the caller read in
   the UPDATE's WHERE clause (``ConcurrentTransitionMixin``): when someone else moved
   the record first, nothing is written and ``ConflictError`` (409) says so — this holds on
   SQLite (IMMEDIATE transactions serialise the writers) and PostgreSQL (the second UPDATE
   waits for the first and then matches no row),
4. writes the transition log (django-fsm-log ``StateLog``: who, when, from, to, the
   transition and the comment) and the simple-history row attributed to the actor, with the
   transition and comment as the change reason.

``transition_options`` (``custom=``) understood by the UI and API:
``label``, ``icon`` (bootstrap-icons name), ``style`` (Bootstrap button colour),
``comment_required`` (a reason must be given, e.g. for a rejection) and ``confirm`` (text).
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, ConcurrentTransitionMixin, FSMFieldMixin
from django_fsm_log.helpers import FSMLogDescriptor
from django_fsm_log.models import StateLog

from onestop.core import events
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.fields import TEXT_LONG, check_changed_texts, check_length

__all__ = [
    "AllowedActions",
    "AvailableTransition",
    "WorkflowModel",
    "allowed_actions",
    "available_transitions",
    "condition",
    "perform_transition",
    "transition_log",
]


_RELOAD_LOCK = threading.RLock()  # reentrant: a reload may load a deferred field of its own


class WorkflowModel(ConcurrentTransitionMixin, models.Model):
    """Mixin for models with one FSM state field (named by ``state_field_name``)."""

    state_field_name = "state"

    class Meta:
        abstract = True

    def refresh_from_db(self, *args, **kwargs):
        # django-fsm's FSMModelMixin reloads a protected state by switching the protection off on
        # the field itself (shared by every thread of the process) and on again afterwards; two
        # requests reloading at once made one of them fail with "Direct state modification is
        # not allowed" (a 500, issue 10). Reloads take turns; a reload is one short query.
        with _RELOAD_LOCK:
            super().refresh_from_db(*args, **kwargs)

    @classmethod
    def state_field(cls) -> FSMFieldMixin:
        return cast(FSMFieldMixin, cls._meta.get_field(cls.state_field_name))

    @property
    def current_state(self) -> str:
        return getattr(self, self.state_field_name)

    def state_label(self, state: str | None = None) -> str:
        state = self.current_state if state is None else state
        return str(dict(self.state_field().flatchoices).get(state, state))

    @classmethod
    def transition_names(cls) -> list[str]:
        """Every transition declared on the state field, in declaration order."""
        field = cls.state_field()
        names: list[str] = []
        for transition in field.get_all_transitions(cls):
            if transition.name not in names:
                names.append(transition.name)
        return names

    @classmethod
    def generic_transition_names(cls) -> list[str]:
        """Transitions the generic buttons, transition page and API actions may run.

        A transition declared with ``custom={"service_only": True}`` takes input or has side
        effects (notifications, deadlines, e-mail) that only its app's service performs, so
        it is never offered or accepted generically; the app exposes its own action.
        """
        service_only = {
            t.name for t in cls.state_field().get_all_transitions(cls) if t.custom.get("service_only")
        }
        return [name for name in cls.transition_names() if name not in service_only]

    @classmethod
    def transition_graph(cls) -> dict[str, tuple[set[Any], Any]]:
        """``{name: ({source states}, target)}`` for every declared transition."""
        graph: dict[str, tuple[set[Any], Any]] = {}
        for transition in cls.state_field().get_all_transitions(cls):
            sources, _target = graph.get(transition.name, (set(), transition.target))
            sources.add(transition.source)
            graph[transition.name] = (sources, transition.target)
        return graph


def condition(message):
    """Give a transition condition the message shown when it is not met.

    ::

        @condition(_("Add at least one work item before submitting."))
        def has_items(plan):
            return plan.items.exists()
    """

    def decorate(func):
        func.message = message
        return func

    return decorate


@dataclass
class AvailableTransition:
    """A transition a user may press now (or may press once ``blocked_reason`` is resolved)."""

    name: str
    label: str
    target: str
    target_label: str
    icon: str = "arrow-right-circle"
    style: str = "primary"
    comment_required: bool = False
    confirm: str = ""
    blocked_reason: str = ""

    @property
    def enabled(self) -> bool:
        return not self.blocked_reason


def _method(obj, name: str):
    method = getattr(type(obj), name, None) if name and not name.startswith("_") else None
    meta = getattr(method, "_django_fsm", None)
    if meta is None or name not in type(obj).transition_names():
        raise DomainError(
            _("“%(action)s” is not an action of %(model)s.")
            % {"action": name, "model": obj._meta.verbose_name}
        )
    return getattr(obj, name), meta


def _any_transition(meta, state):
    """The Transition for ``state``, or any of the method's transitions (for permission checks)."""
    return meta.get_transition(state) or next(iter(meta.transitions.values()))


def _has_perm(transition, obj, user) -> bool:
    """The transition's permission for this object only.

    django-fsm's own check falls back to the model-level permission, which for `rules`
    predicates that answer True without an object (``same_organization``) would let a user
    act on records of another organisation; here a permission is always asked per object.
    """
    permission = transition.permission
    if not permission:
        return True
    if callable(permission):
        return bool(permission(obj, user))
    return bool(user.has_perm(permission, obj))


def _label(transition) -> str:
    label = transition.custom.get("label")
    return capfirst(str(label)) if label else capfirst(transition.name.replace("_", " "))


def _unmet_condition(obj, transition) -> str:
    for check in transition.conditions or ():
        if not check(obj):
            message = getattr(check, "message", None)
            return (
                str(message)
                if message
                else _("The conditions for “%(action)s” are not met.") % {"action": _label(transition)}
            )
    return ""


def check_transition(obj, name: str, *, actor, comment: str = "") -> None:
    """Raise PermissionDenied / DomainError when ``actor`` may not run ``name`` on ``obj`` now."""
    _bound, meta = _method(obj, name)
    state = obj.current_state
    refused = PermissionDenied(
        _("You may not do “%(action)s” here.") % {"action": _label(_any_transition(meta, state))}
    )
    if not type(obj)._default_manager.visible_to(actor).filter(pk=obj.pk).exists():
        raise refused
    # The state before the permission: many permission rules ask the state too, so a request
    # that arrives just after someone else moved the record on would otherwise read "you may
    # not" (403) where the truth is "not any more" (409, issue 10).
    transition = meta.get_transition(state)
    if transition is None or not meta.has_transition(state):
        label = _label(_any_transition(meta, state))
        raise DomainError(
            _("“%(action)s” is not possible while the %(model)s is “%(state)s”.")
            % {"action": label, "model": obj._meta.verbose_name, "state": obj.state_label()},
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    if not _has_perm(transition, obj, actor):
        raise refused
    unmet = _unmet_condition(obj, transition)
    if unmet:
        raise DomainError(unmet, code=ErrorCode.CONDITION_UNMET)
    if transition.custom.get("comment_required") and not (comment or "").strip():
        raise DomainError(
            _("Give a reason for “%(action)s”.") % {"action": _label(transition)}, field="comment"
        )
    # The transition log keeps the comment whole; no form takes a longer one.
    check_length(comment, TEXT_LONG, field="comment")


def perform_transition(obj, name: str, *, actor, comment: str = "", expected_state=None, **kwargs):
    """Run transition ``name`` on ``obj`` for ``actor``; see the module docstring.

    ``expected_state`` is the state the user saw (the UI and API send it back): when the
    record has moved on since, the answer is a conflict rather than "not possible".
    Extra keyword arguments go to the transition method. Returns the method's result.
    """
    comment = (comment or "").strip()
    if expected_state not in (None, "") and expected_state != obj.current_state:
        raise conflict(obj)
    check_transition(obj, name, actor=actor, comment=comment)
    bound, meta = _method(obj, name)
    source = obj.current_state
    transition = meta.get_transition(source)
    # A transition method may ask for the acting user and the comment by naming them.
    accepted = inspect.signature(transition.method).parameters
    for key, value in (("actor", actor), ("comment", comment)):
        if key in accepted:
            kwargs.setdefault(key, value)
    try:
        with transaction.atomic():
            with FSMLogDescriptor(obj, "by", actor), FSMLogDescriptor(obj, "description", comment or None):
                result = bound(**kwargs)
            check_changed_texts(obj)
            obj._history_user = actor
            obj._change_reason = change_reason(_label(transition), comment)
            obj.save()
            events.emit(
                events.STAGE_CHANGED,
                obj,
                actor=actor,
                source=source,
                target=obj.current_state,
                transition=name,
            )
    except ConcurrentTransition:
        obj.refresh_from_db()
        raise conflict(obj) from None
    except Exception:
        # The database rolled back; bring the object in memory back in line with it.
        if obj.pk is not None and obj.current_state != source:
            obj.refresh_from_db()
        raise
    return result


CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


def change_reason(label: str, comment: str = "") -> str:
    """The history's one-line reason; the full comment stays in the transition log."""
    reason = f"{label}：{comment}" if comment else str(label)
    return reason if len(reason) <= CHANGE_REASON_LENGTH else reason[: CHANGE_REASON_LENGTH - 1] + "…"


def conflict(obj) -> ConflictError:
    """The 409 for a lost race on ``obj``: someone else moved it on; says to what."""
    current = type(obj)._base_manager.filter(pk=obj.pk).values_list(obj.state_field_name, flat=True).first()
    return ConflictError(
        _(
            "Someone else changed this %(model)s while you were working on it; it is now “%(state)s”. "
            "Nothing was saved. Reload the page and check before trying again."
        )
        % {"model": obj._meta.verbose_name, "state": obj.state_label(current)}
    )


def available_transitions(obj, user, *, include_blocked: bool = True) -> list[AvailableTransition]:
    """The transitions ``user`` may press on ``obj`` in its current state, for buttons.

    With ``include_blocked`` a permitted transition whose condition is not yet met is listed
    with the reason (the UI shows it disabled, so people see what is missing) — unless it says
    ``custom={"hide_when_blocked": True}``: one of two alternatives, where the other one is the
    button that applies.
    """
    field = obj.state_field()
    state = obj.current_state
    result = []
    for name in obj.generic_transition_names():
        meta = getattr(type(obj), name)._django_fsm
        if not meta.has_transition(state):
            continue
        transition = meta.get_transition(state)
        if not _has_perm(transition, obj, user):
            continue
        blocked = _unmet_condition(obj, transition)
        custom = transition.custom
        # Alternatives (approve once / approve first of two) show only the one that applies.
        if blocked and (not include_blocked or custom.get("hide_when_blocked")):
            continue
        result.append(
            AvailableTransition(
                name=name,
                label=_label(transition),
                target=transition.target,
                target_label=str(dict(field.flatchoices).get(transition.target, transition.target)),
                icon=custom.get("icon", "arrow-right-circle"),
                style=custom.get("style", "primary"),
                comment_required=bool(custom.get("comment_required")),
                confirm=str(custom.get("confirm", "")),
                blocked_reason=blocked,
            )
        )
    return result


class AllowedActions(set):
    """The names of what a user may do on a record now, for its page's buttons and forms.

    ``"submit" in actions`` — offered now; ``actions.blocked["submit"]`` — offered, but a
    condition is not met yet (the button shows disabled with this reason).
    """

    def __init__(self, *args):
        super().__init__(*args)
        self.blocked: dict[str, str] = {}


def allowed_actions(obj, user) -> AllowedActions:
    """Every transition of ``obj`` (service-only ones included) that ``user`` may run from its
    current state: the state machine's source states and the transition's permission, asked
    together, so templates never restate which states allow a button. A transition whose
    condition is unmet is included, with the reason in ``blocked``."""
    state = obj.current_state
    allowed = AllowedActions()
    for name in obj.transition_names():
        meta = getattr(type(obj), name)._django_fsm
        if not meta.has_transition(state):
            continue
        transition = meta.get_transition(state)
        if not _has_perm(transition, obj, user):
            continue
        allowed.add(name)
        blocked = _unmet_condition(obj, transition)
        if blocked:
            allowed.blocked[name] = blocked
    return allowed


def transition_log(obj):
    """The record's transitions, oldest first, with the acting user loaded."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return (
        StateLog.objects.filter(content_type=content_type, object_id=obj.pk)
        .select_related("by")
        .order_by("timestamp", "pk")
    )


def workflow_model(label: str):
    """The workflow model named ``app_label.model_name`` (None when there is no such model)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, WorkflowModel) else None
