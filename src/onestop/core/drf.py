"""DRF pieces named in settings: permission, pagination and the error format.

- ``RulesPermission``: the same `rules` permissions as the UI; objects outside the
  user's reach are already missing from ``visible_to`` and so answer 404.
- ``exception_handler``: one error format, ``{"detail", "code", "errors"}``.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, parsers, permissions, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from onestop.core.exceptions import DomainError
from onestop.core.filtering import bounded
from onestop.core.pagination import CappedPaginator

ACTION_PERMS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
    "history": "view",
}


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class RulesPermission(permissions.BasePermission):
    """Maps each API action to the model's view/add/change/delete rule.

    A view or custom action may set ``required_action`` to name another rule.
    """

    def _action(self, request, view) -> str | None:
        explicit = getattr(view, "required_action", None)
        if explicit:
            return explicit
        return ACTION_PERMS.get(
            getattr(view, "action", None) or "",
            "view" if request.method in permissions.SAFE_METHODS else None,
        )

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated
        model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "model", None)
        if model is None:
            return True  # views without a model (e.g. /api/me/) check for themselves
        action = self._action(request, view)
        return action is not None and request.user.has_perm(perm_name(model, action))

    def has_object_permission(self, request, view, obj) -> bool:
        action = self._action(request, view)
        if not request.user.has_perm(perm_name(type(obj), "view"), obj):
            raise Http404
        return action is not None and request.user.has_perm(perm_name(type(obj), action), obj)


class KeysetPagination(CursorPagination):
    """Keyset ("cursor") pages in the list's own order: each page continues after the last row of
    the one before instead of skipping N rows, so a deep page costs what the first does and rows
    added meanwhile neither repeat nor drop out (issue 16 §4)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        ordering = [str(term) for term in (queryset.query.order_by or queryset.model._meta.ordering)]
        terms = tuple({"pk": "id", "-pk": "-id"}.get(term, term) for term in ordering)
        try:
            first = queryset.model._meta.get_field(terms[0].lstrip("-")) if terms else None
        except FieldDoesNotExist:  # a path through a related record ("client__name"), or an expression
            first = None
        if first is None or first.is_relation:
            # The cursor holds the first sort column's value; a related record has none to hold.
            raise exceptions.ValidationError(
                {"paging": [_("This list cannot be paged by cursor in this order.")]}
            )
        return terms


class CappedPageNumberPagination(PageNumberPagination):
    """Page numbers with a capped count (lists/pagination.py), or keyset pages on request:
    ``?paging=keyset`` starts them and each answer's ``next`` link carries the ``cursor``."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
    keyset: KeysetPagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        asked = request.query_params.get("paging") == "keyset" or "cursor" in request.query_params
        # Rows computed in Python (a report's groups) have no sort key in the database to seek on.
        if asked and isinstance(queryset, QuerySet):
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count if not paginator.is_capped else paginator.limit,
                "count_is_capped": paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_capped"] = {"type": "boolean"}
        response["required"] = ["results"]  # keyset pages have no count
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "paging",
                "required": False,
                "in": "query",
                "description": "keyset: pages that continue after the last row (no count); follow `next`.",
                "schema": {"type": "string", "enum": ["keyset"]},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "The position of a keyset page, from the `next` or `previous` link.",
                "schema": {"type": "string"},
            },
        ]


def django_errors_to_dict(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        result = {}
        for field, errors in error.message_dict.items():
            key = "non_field_errors" if field == NON_FIELD_ERRORS else field
            result[key] = list(errors)
        return result
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc, context):
    """Every API error has the same shape: detail, code, and per-field errors."""
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else {}
        return Response({"detail": exc.message, "code": exc.code, "errors": errors}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors_to_dict(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415 — DRF imports this module (its DEFAULT_PERMISSION_CLASSES) while rest_framework.views is still loading

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": _("The data sent is not valid; see the errors per field."),
            "code": "invalid",
            "errors": data,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = getattr(exc, "detail", "")
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
            "errors": {},
        }
    return response


# --- bounded request bodies ---------------------------------------------------------------------


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = _("The request body is too large.")


_STRINGS = re.compile(rb'"(?:\\.|[^"\\])*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text ``raw`` (strings skipped)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the limits Django applies to forms: at most
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (413 beyond) and ``MAX_JSON_DEPTH`` levels of nesting
    (400 beyond), checked before the body is parsed — a deeply nested body must not reach
    Python's recursion limit (a 500)."""

    MAX_JSON_DEPTH = 32

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if (stream is not None and limit) else (stream.read() if stream else b"")
        if limit and len(raw) > limit:
            raise RequestTooLarge(
                _("The request body is larger than %(limit)s KB.") % {"limit": limit // 1024}
            )
        if json_depth(raw) > self.MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("The JSON body nests deeper than %(depth)s levels.") % {"depth": self.MAX_JSON_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)


# --- query parameters: an unknown one is an error, not "every row" ------------------------------

# Parameters every list understands besides its filters.
COMMON_QUERY_PARAMS = frozenset({"page", "page_size", "paging", "cursor", "ordering", "format", "search"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, answering 400 for a query parameter the list does not know.

    Without it a misspelt filter (``?engagment=5``) is silently ignored and the client gets every
    row it may see, believing they are the filtered ones. A view that reads further parameters
    itself names them in ``extra_query_params``.
    """

    def filter_queryset(self, request, queryset, view):
        known = set(COMMON_QUERY_PARAMS) | set(getattr(view, "extra_query_params", ()))
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            for name, field in filterset.form.fields.items():
                known.add(name)
                widget = field.widget
                for suffix in getattr(widget, "suffixes", ()):
                    known.add(f"{name}_{suffix}" if suffix else name)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        _("Unknown query parameter. Known: %(known)s.")
                        % {"known": ", ".join(sorted(known - COMMON_QUERY_PARAMS)) or "—"}
                    ]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        return bounded(filterset) if filterset is not None else None
