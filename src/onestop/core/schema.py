"""The API schema: every operation documents the errors it may answer, in their one shape.

``AutoSchema`` (named in ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) adds to each operation
the error responses of ``core.drf.exception_handler`` it can answer (``AutoSchema.error_codes``:
400 invalid input or refused by a business rule, 401, 403, 404 missing or not visible, 409
someone else acted first, 413/415 for a body, 429 rate limit), all as ``ErrorResponse``, whose
``code`` is the enum of ``core.exceptions.ErrorCode``. tests/test_api_fuzz.py checks with
schemathesis that the answers keep to what is documented.
"""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onestop.core.drf import StrictFilterBackend
from onestop.core.exceptions import ErrorCode

# The messages per input field. A nested input has its messages nested the same way: a list's
# per position (an object keyed by index, or a list with one entry per item), an object's per
# field. Recursive, hence a component of its own (registered by AutoSchema).
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per input field (non_field_errors for the whole body); a nested "
    "input's messages are nested the same way, per position or per field.",
    "additionalProperties": {
        "anyOf": [
            {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/FieldErrors"}]},
            },
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    },
}


@extend_schema_field({"$ref": "#/components/schemas/FieldErrors"})
class FieldErrorsField(serializers.DictField):
    pass


class ErrorResponseSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.ChoiceField(
        choices=ErrorCode.choices, help_text="A stable code for programs; see the enum's values."
    )
    errors = FieldErrorsField(help_text="Messages per input field (non_field_errors for the whole body).")

    class Meta:
        ref_name = "ErrorResponse"


ERROR_DESCRIPTIONS = {
    "400": "The input is not valid — a field of the body, a filter's value or an unknown query "
    "parameter — or a business rule refused the action (see `code`).",
    "401": "Not logged in.",
    "403": "Logged in, but not allowed to do this.",
    "404": "No such record, or one the user may not see (for a list: a page past the last).",
    "409": "The record changed meanwhile (`stale_state`) or its state no longer allows the action "
    "(`not_possible_now`), e.g. someone else acted first; nothing was saved.",
    "413": "The request body is larger than the upload limit (`too_large`).",
    "415": "The body's content type is not one the operation accepts (`unsupported_media_type`).",
    "429": "Too many requests from this user or address (`throttled`); wait and try again.",
}

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def error_responses() -> dict:
    """The error part of ``extend_schema(responses=...)`` for an operation written by hand."""
    return {int(code): ErrorResponseSerializer for code in ERROR_DESCRIPTIONS}


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema with the project's error answers on every operation and the
    blank value of an optional choice documented."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self.registry.register_on_missing(
            ResolvedComponent(
                "FieldErrors", ResolvedComponent.SCHEMA, schema=FIELD_ERRORS, object="FieldErrors"
            )
        )
        for code in self.error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorResponseSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer, each in the ``ErrorResponse`` shape.

        401/403/429 anywhere (log-in, rules, rate limits); 400 for a write (invalid or refused)
        and for an operation that reads query parameters (core.drf.StrictFilterBackend refuses an
        unknown one and a filter's invalid value); 404 for a path naming a record and for a
        paginated list (a page past the last); 409 for a write (someone else acted first); 413
        and 415 for an operation that reads a body."""
        codes = ["401", "403", "429"]
        reads_body = self.method in ("POST", "PUT", "PATCH")
        if self.method in WRITES or self._reads_query():
            codes.append("400")
        if self._is_detail_like() or self._is_paginated_list():
            codes.append("404")
        if self.method in WRITES:
            codes.append("409")
        if reads_body:
            codes += ["413", "415"]
        return sorted(codes)

    # Only a GET lists a page of filtered rows. A write that answers the rows it made
    # (inspections/generate, contracts/{id}/distribute) answers them as a plain array.
    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None

    def get_filter_backends(self):
        return super().get_filter_backends() if self.method == "GET" else []

    def _reads_query(self) -> bool:
        # The strict backend refuses unknown parameters wherever the view filters, a record's
        # detail included (get_object filters too), not only on the lists it documents them for.
        if any(issubclass(b, StrictFilterBackend) for b in getattr(self.view, "filter_backends", None) or ()):
            return True
        return any(parameter["in"] == "query" for parameter in self._get_parameters())

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _is_detail_like(self) -> bool:
        return "{" in self.path

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        blank = getattr(field, "allow_blank", False) or _model_field_is_blank(field)
        if isinstance(field, serializers.ChoiceField) and blank and not field.allow_blank:
            # DRF drops allow_blank from a read-only model field, yet "" is answered while the
            # optional choice is not made: document it (drf-spectacular's BlankEnum).
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        blank = getattr(field, "allow_blank", False) or _model_field_is_blank(field)
        if isinstance(field, serializers.CharField) and blank and "format" in schema:
            # An optional e-mail address or URL is "" when not given: a string of that format or "".
            schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]


def _model_field_is_blank(field) -> bool:
    """Whether the model field behind a serializer field may hold "" (``blank=True``)."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source:
        return False
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return False
    return bool(getattr(model_field, "blank", False)) and not model_field.is_relation
