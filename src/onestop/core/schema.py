"""The API schema: every operation documents the errors it may answer, in their one shape.

``AutoSchema`` (named in ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) adds to each operation
the error responses of ``core.drf.exception_handler`` — 400 (invalid or refused by a business
rule), 401, 403, 404 (missing or not visible) and 409 (someone else acted first) — all as
``ErrorResponse``, whose ``code`` is the enum of ``core.exceptions.ErrorCode``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

from onestop.core.exceptions import ErrorCode


class ErrorResponseSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.ChoiceField(
        choices=ErrorCode.choices, help_text="A stable code for programs; see the enum's values."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (non_field_errors for the whole body).",
    )

    class Meta:
        ref_name = "ErrorResponse"


ERROR_DESCRIPTIONS = {
    "400": "The input is not valid, or a business rule refused the action (see `code`).",
    "401": "Not logged in.",
    "403": "Logged in, but not allowed to do this.",
    "404": "No such record, or one the user may not see.",
    "409": "The record changed meanwhile (`stale_state`); nothing was saved.",
}


def error_responses() -> dict:
    """The error part of ``extend_schema(responses=...)`` for an operation written by hand."""
    return {int(code): ErrorResponseSerializer for code in ERROR_DESCRIPTIONS}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("400")
        if self._is_detail_like():
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorResponseSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _is_detail_like(self) -> bool:
        return "{" in self.path
