"""Pages of the shell: home ("My work"), login and password pages, API docs, errors."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView

from onestop.core.forms import bootstrapify
from onestop.core.navigation import menu_for
from onestop.core.tasks import send_email
from onestop.core.work import work_for


@login_required
def home(request):
    user = request.user
    context = {
        "work_items": work_for(user),
        "areas": [chapter for chapter in menu_for(user) if chapter["key"] != "system"],
        "organization": user.client_organization if user.is_client else None,
    }
    return render(request, "core/home.html", context)


class BootstrapFormMixin:
    def get_form(self, form_class=None):
        return bootstrapify(super().get_form(form_class))


class LoginView(BootstrapFormMixin, auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The saved language preference follows the user to any browser.
        from onestop.accounts.services import remember_language

        return remember_language(response, form.get_user().language)


class PasswordChangeView(BootstrapFormMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = "/profile/"

    def form_valid(self, form):
        from django.contrib import messages
        from django.utils.translation import gettext as _

        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


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
    template_name = "registration/reset_form.html"
    email_template_name = "registration/reset_email.txt"
    subject_template_name = "registration/reset_subject.txt"
    form_class = QueuedPasswordResetForm


class PasswordResetConfirmView(BootstrapFormMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/reset_confirm.html"


@method_decorator(login_required, name="dispatch")
# Swagger UI sets inline styles; a hash in the site-wide style-src would make browsers ignore
# 'unsafe-inline', so this page replaces style-src instead of extending it.
@method_decorator(
    csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"]}), name="dispatch"
)
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from local static files (drf-spectacular-sidecar), script served separately for CSP."""


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
