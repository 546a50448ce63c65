"""Model fields that recur in every app."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django_fsm import FSMField

from onestop.core.exceptions import DomainError, ErrorCode


def actor_field(verbose_name, *, null: bool = True, related_name: str = "+", editable: bool = False):
    """The person who did a step (drafted, passed, archived, verified…): set by the service, not by
    a form, kept when the person leaves (PROTECT: staff who acted are deactivated, not deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name=related_name,
        editable=editable,
    )


class StateField(FSMField):
    """A record's workflow state: django-fsm's field, written to migrations as the plain
    ``CharField`` it is in the database.

    Why: every ``FSMField`` connects a ``class_prepared`` receiver when it joins a model class,
    and migrations render thousands of historical model classes. With ``FSMField`` in the
    migrations those receivers piled up and ``migrate`` (so every test database) spent minutes
    in signal dispatch. Transitions belong to the live models only; the migrations need the
    column, not the state machine.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs


# --- bounded text (issue 10 item 3: every input bounded) -----------------------------------------
# Every free text has a ceiling, chosen by what it holds, so that a pasted book (or a script
# posting megabytes) is refused with a message instead of filling the database, the history
# tables, the audit log, the PDFs and every page that shows it. The ceilings are generous: a
# person writing by hand never meets them.

#: A comment given with a step (submit, forward, return…): the transition log keeps it.
TEXT_COMMENT = 2_000
#: A note, reason, comment or short answer: a few paragraphs.
TEXT_NOTE = 5_000
#: A need, a description, a requirement, a clause, a technical route: several pages.
TEXT_LONG = 20_000
#: Meeting minutes, an e-mail body: a long document.
TEXT_REPORT = 50_000
#: What the system writes itself from bounded parts (the content a signature covers, an
#: outgoing e-mail): bounded so a fault cannot grow it without end, far above any real one.
TEXT_GENERATED = 1_000_000


class BoundedTextField(models.TextField):
    """A ``TextField`` that must be given ``max_length`` and enforces it in model validation.

    Why: Django passes a ``TextField``'s ``max_length`` to the form field only; ``full_clean``
    (which every service runs, and the API through it) would accept any length. The validator
    makes the model refuse what the form refuses, with Django's own translated message.
    Migrations see the plain ``TextField`` it is in the database.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


def check_length(value: str, limit: int, *, field: str) -> None:
    """Refuse (``DomainError`` naming ``field``) a text longer than ``limit``, with Django's
    translated message. For the writes that do not pass through ``full_clean``."""
    try:
        MaxLengthValidator(limit)(value or "")
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field=field, code=ErrorCode.INVALID) from None


def check_changed_texts(obj) -> None:
    """``check_length`` for each bounded text of ``obj`` that differs from the stored row.

    A transition saves what its service and method wrote (a comment, a response, a
    verification) without ``full_clean``. Texts not written now are left alone, so that a
    record stored before the ceilings existed can still move on.
    """
    fields = [f for f in obj._meta.concrete_fields if isinstance(f, BoundedTextField)]
    if not fields:
        return
    names = [f.attname for f in fields]
    stored = type(obj)._base_manager.filter(pk=obj.pk).values(*names).first() or {}
    for field in fields:
        value = getattr(obj, field.attname)
        if value != stored.get(field.attname) and field.max_length is not None:
            check_length(value, field.max_length, field=field.name)
