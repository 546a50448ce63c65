"""Errors a service raises when a request cannot be honoured; views turn them into messages.

Each error carries a stable ``code`` that API clients can rely on (the message is for people
and follows their language). The codes are listed once, here, in ``ErrorCode``; the API schema
documents them as the enum of the error body's ``code``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    # Refusals by a business rule (400)
    REFUSED = "refused", _("A business rule refused the action; the message says which.")
    INVALID = "invalid", _("The data sent is not valid; see the errors per field.")
    GATE_NOT_MET = (
        "gate_not_met",
        _("The previous stage is not done (e.g. no plan before a signed confirmation)."),
    )
    NOT_EDITABLE = "not_editable", _("The record can no longer be changed in its current state.")
    CONDITION_UNMET = "condition_unmet", _("Something the action needs is missing.")
    AMOUNT_EXCEEDS_CONTRACT = "amount_exceeds_contract", _("An amount goes beyond the contract's value.")
    AUTHORITY_EXCEEDED = "authority_exceeded", _("The signer's authority does not cover this amount or date.")
    ALREADY_DONE = "already_done", _("The action was done already (e.g. a form signed twice).")
    IN_USE = "in_use", _("The record is referred to by other records and cannot be deleted.")
    REAUTH_REQUIRED = (
        "reauth_required",
        _("Signing needs the signer's password (or one-time code) in field password (or otp)."),
    )
    REAUTH_FAILED = "reauth_failed", _("The password or one-time code given to sign is not correct.")
    # Conflicts (409): the record's current state stands against the request. Whoever loses a
    # race meets one of these, whether the request arrived while the winner was writing
    # (stale_state) or just after (not_possible_now), never a 400.
    NOT_POSSIBLE_NOW = "not_possible_now", _("The action is not possible in the record's current state.")
    STALE_STATE = "stale_state", _("Someone else changed the record meanwhile; reload and check.")
    # Errors outside the services, named here so the API schema lists every code it may return
    NOT_AUTHENTICATED = "not_authenticated", _("Log in first.")
    PERMISSION_DENIED = "permission_denied", _("You may not do this.")
    NOT_FOUND = "not_found", _("No such record, or not one you may see.")
    METHOD_NOT_ALLOWED = "method_not_allowed", _("This method is not allowed here.")
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", _("The body's content type is not accepted.")
    PARSE_ERROR = "parse_error", _("The body could not be read.")
    TOO_LARGE = "too_large", _("The request body is too large.")
    THROTTLED = "throttled", _("Too many requests; wait and try again.")
    UNAVAILABLE = "unavailable", _("The service is briefly unavailable (e.g. the database); retry later.")


# Codes that answer 409 whichever error class raises them (HTTP: "a conflict with the current
# state of the target resource"): a request refused because the record has moved on.
CONFLICT_CODES = frozenset({ErrorCode.NOT_POSSIBLE_NOW, ErrorCode.STALE_STATE})


class DomainError(Exception):
    """A business rule refused the action. The message is shown to the user as is.

    ``field`` names the input the refusal is about (the page shows it next to that field, the
    API lists it under ``errors``); ``code`` is one of ``ErrorCode``.
    """

    status_code = 400
    code = ErrorCode.REFUSED

    def __init__(self, message, *, field: str | None = None, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = ErrorCode(code)
        if self.code in CONFLICT_CODES:
            self.status_code = 409


class ConflictError(DomainError):
    """The record changed under the user (for example someone else acted first)."""

    status_code = 409
    code = ErrorCode.STALE_STATE


class NotPermittedError(DomainError):
    """The user may do this kind of action, but not with these values (e.g. grant this role)."""

    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
