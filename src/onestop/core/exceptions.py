"""Errors a service raises when a request cannot be honoured; views turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action. The message is shown to the user as is."""

    status_code = 400
    code = "refused"

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """The record changed under the user (for example someone else acted first)."""

    status_code = 409
    code = "conflict"
