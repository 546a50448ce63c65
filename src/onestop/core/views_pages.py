"""Pages of the shell: home ("My work"), login and password pages, API docs, errors."""

from __future__ import annotations

import sys
from typing import ClassVar

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from huey.contrib.djhuey import HUEY
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from onestop.accounts import oidc, sessions, twofactor
from onestop.accounts.services import remember_language
from onestop.core import limits, security
from onestop.core.exceptions import ErrorCode
from onestop.core.forms import bootstrapify
from onestop.core.logs import database_unreachable
from onestop.core.tasks import send_email
from onestop.core.work import work_for


@login_required
def home(request):
    user = request.user
    context = {
        "work_items": work_for(user),
        "organization": user.client_organization if user.is_client else None,
    }
    return render(request, "core/home.html", context)


class BootstrapFormMixin:
    def get_form(self, form_class=None):
        return bootstrapify(super().get_form(form_class))


LOCKOUT_SECONDS = 15 * 60
RESET_PERIOD_SECONDS = 60 * 60


class LoginView(BootstrapFormMixin, auth_views.LoginView):
    """Log-in. django-axes locks one user name at one address after a few wrong passwords; this
    view also stops an address that tries many user names (``login_failed_from`` counts)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = limits.client_ip(request) or "unknown"
        if limits.reached("login-address", address, limit=settings.ONESTOP_LOGIN_FAILURES_PER_ADDRESS):
            limits.logger.warning("log-in refused: too many failures from %s", address)
            return render(request, "registration/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # "Sign in with <label>" when single sign-on is configured (accounts/oidc.py).
        context["sso_label"] = oidc.label() if oidc.enabled() else ""
        return context

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_two_factor(user):
            # The password was right; the code of the authenticator app comes next (2FA).
            twofactor.begin_login(self.request, user, self.get_success_url())
            return redirect("login_verify")
        response = super().form_valid(form)
        # The saved language preference follows the user to any browser.
        return remember_language(response, form.get_user().language)


class PasswordChangeView(BootstrapFormMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = "/profile/"

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # gives this session a new key
        sessions.rekey(old_key, self.request.session.session_key)
        security.record(security.Kind.PASSWORD_CHANGED, user=form.user, request=self.request)
        # The other sessions are already refused (their password hash no longer matches); end
        # them outright so they leave the session list too.
        sessions.end_other_sessions(form.user, keep=self.request.session.session_key, record=False)
        messages.success(self.request, _("Your password was changed."))
        return response


class QueuedPasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset mail from the job queue so a slow mail server never blocks the page."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email(subject, body, [to_email])


class PasswordResetView(BootstrapFormMixin, auth_views.PasswordResetView):
    """Password reset, limited per address (the page says so) and per account (silently, so the
    page never tells whether an address has an account; the person is not flooded with mail)."""

    template_name = "registration/reset_form.html"
    email_template_name = "registration/reset_email.txt"
    subject_template_name = "registration/reset_subject.txt"
    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        address = limits.client_ip(self.request) or "unknown"
        per_address = limits.count("reset-address", address, period=RESET_PERIOD_SECONDS)
        if per_address > settings.ONESTOP_PASSWORD_RESETS_PER_ADDRESS:
            limits.logger.warning("password reset refused: too many requests from %s", address)
            form.add_error(
                None, _("Too many password reset requests from your address; try again in an hour.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().lower()
        per_account = limits.count("reset-account", email, period=RESET_PERIOD_SECONDS)
        if per_account > settings.ONESTOP_PASSWORD_RESETS_PER_ACCOUNT:
            limits.logger.warning("password reset not sent: too many requests for one account")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(BootstrapFormMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        security.record(security.Kind.PASSWORD_RESET, user=form.user, request=self.request)

        sessions.end_other_sessions(form.user, keep=None, record=False)
        return response


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for logged-in users only, generated once per process and language.

    Generating it walks every viewset and serializer (seconds of CPU for hundreds of
    operations), and it changes only with a deploy; anonymous requests get 401, so the
    schema cannot be used to load the site.
    """

    permission_classes = [IsAuthenticated]
    _cache: ClassVar[dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        schema = self._cache.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = self._cache[key] = generator.get_schema(request=None, public=True)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


@method_decorator(login_required, name="dispatch")
# Swagger UI sets inline styles; a hash in the site-wide style-src would make browsers ignore
# 'unsafe-inline', so this page replaces style-src instead of extending it.
@method_decorator(
    csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"]}), name="dispatch"
)
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from local static files (drf-spectacular-sidecar), script served separately for CSP."""


def bad_request(request, exception=None):
    """400 for a request Django refused before any view (e.g. a body above the size limit: 413)."""
    too_large = isinstance(exception, RequestDataTooBig)
    status = 413 if too_large else 400
    message = (
        _("The request body is larger than %(limit)s KB.")
        % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}
        if too_large
        else _("The request could not be read.")
    )
    if request.path.startswith("/api/"):
        code = ErrorCode.TOO_LARGE if too_large else ErrorCode.PARSE_ERROR
        return JsonResponse({"detail": message, "code": code, "errors": {}}, status=status)
    return HttpResponse(render_to_string("errors/400.html", {"message": message}), status=status)


def not_found(request, exception=None):
    """404 for a URL no view answers; under /api/ in the API's error shape (JSON), not a page."""
    if request.path.startswith("/api/"):
        return api_error(ErrorCode.NOT_FOUND, 404)
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    if request.path.startswith("/api/"):
        return api_error(ErrorCode.PERMISSION_DENIED, 403)
    return render(request, "errors/403.html", status=403)


def api_error(code: ErrorCode, status: int) -> JsonResponse:
    """An error answered outside DRF, in its shape; the message is the code's own label."""
    return JsonResponse({"detail": str(code.label), "code": code.value, "errors": {}}, status=status)


def server_error(request):
    """The 500 page, rendered without the request's context: the context processors read the
    user and the session, and the failure may be the database itself. A database that cannot be
    reached is not a bug of ours: it answers 503 with Retry-After, JSON for the API."""
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable(request)
    return HttpResponseServerError(render_to_string("errors/500.html"))


RETRY_AFTER_SECONDS = 30


def database_unavailable(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("The service is briefly unavailable; try again in a moment."),
                "code": ErrorCode.UNAVAILABLE,
                "errors": {},
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- health checks for load balancers (no log-in, nothing secret) --------------------------------


def healthz(request):
    """The process is up and answers (nothing else is touched)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Ready for traffic: the database answers a query and the job queue can be reached."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        limits.logger.warning("readyz: database unavailable: %s", error)
        checks["database"] = "unavailable"
    try:
        HUEY.pending_count()
        checks["jobs"] = "ok"
    except Exception as error:
        limits.logger.warning("readyz: job queue unavailable: %s", error)
        checks["jobs"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
