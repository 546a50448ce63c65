"""Forms of a record: print as PDF, sign, verify a signature (SPEC X-4, X-5)."""

from __future__ import annotations

import re

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import chain, pdf, reauth
from onestop.core import signatures as sig
from onestop.core.actions import form_errors_text, visible_record
from onestop.core.exceptions import DomainError, ErrorCode
from onestop.core.forms import SignerConfirmationForm, bootstrapify
from onestop.core.models import Signature
from onestop.core.templatetags.workflow import model_label
from onestop.core.views_workflow import refused, safe_next


def record_and_document(request, model: str, pk: int, code: str):
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError):
        raise Http404 from None
    document = sig.get_document(code)
    if document is None or document.model is not model_class:
        raise Http404
    return visible_record(request, model_class, pk), document


@login_required
@require_GET
def document_pdf(request, model: str, pk: int, code: str):
    obj, document = record_and_document(request, model, pk, code)
    return pdf_response(document, obj, request.GET.get("version"))


def pdf_response(document, obj, version: str | None):
    """The form of ``obj`` (a visible record) as a PDF download: the current text, or the
    signed text of ``version``; a version that is not a number or not there is missing (404).
    The page and the API answer with this one function."""
    if version is not None and not version.isdigit():
        raise Http404
    data = pdf.render_pdf(document, obj, int(version) if version else None)
    if not data:
        raise Http404
    name = f"{slugify(document.code)}-{obj.pk}-v{version or document.version(obj)}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@login_required
@require_http_methods(["GET", "POST"])
def sign_document(request, model: str, pk: int, code: str):
    """The signing page of one form in one role (issue 11 §5, signing means intent): the exact
    text that will be signed and its SHA-256 (or the PDF in a new tab), the signer's password
    (or one-time code), and one button whose words say what is signed. A refusal keeps the
    signer on this page with the message."""
    obj, document = record_and_document(request, model, pk, code)
    role = request.POST.get("role") or request.GET.get("role", "")
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"), obj.get_absolute_url())
    if role not in document.roles:
        if request.method == "POST":
            return refused(
                request, obj, _("“%(role)s” is not a party that signs this form.") % {"role": role}, 400
            )
        raise Http404
    methods = reauth.methods_for(request.user)
    form = SignerConfirmationForm(request.POST or None, methods=methods)
    status = 200
    if request.method == "POST":
        shown = request.POST.get("sha256", "")
        try:
            if not form.is_valid():
                raise DomainError(form_errors_text(form), code=ErrorCode.INVALID)
            signature = sig.sign(
                document,
                obj,
                actor=request.user,
                role=role,
                password=form.cleaned_data.get("password", ""),
                otp=form.cleaned_data.get("otp", ""),
                expected_sha256=shown if SHA256_PATTERN.match(shown) else "",
                request=request,
            )
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
            status = exc.status_code
        else:
            messages.success(
                request,
                _("You signed “%(title)s” version %(version)s as %(role)s.")
                % {
                    "title": signature.title,
                    "version": signature.version,
                    "role": document.roles[signature.role],
                },
            )
            return HttpResponseRedirect(back)
    # Shown as it renders now: after a refusal because it changed, the signer reads the new text.
    content = document.render(obj)
    label = model_label(obj)
    may_sign = role not in sig.signed_roles(document, obj) and document.may_sign(request.user, obj, role)
    return render(
        request,
        "core/sign_document.html",
        {
            "object": obj,
            "document": document,
            "role": role,
            "role_label": document.roles[role],
            "version": document.version(obj),
            "content": content,
            "sha256": sig.sha256(content),
            "may_sign": may_sign,
            "methods": methods,
            "form": bootstrapify(form),
            "button": document.sign_label(role),
            "pdf_url": reverse("core:document_pdf", args=[label, obj.pk, document.code]),
            "next_url": back,
        },
        status=status,
    )


@login_required
@require_GET
def signature_verify(request, pk: int):
    signature = get_object_or_404(Signature.objects.visible_to(request.user).select_related("signer"), pk=pk)
    record = signature.record
    if record is None or not request.user.has_perm(
        f"{record._meta.app_label}.view_{record._meta.model_name}", record
    ):
        raise Http404
    result = sig.verify(signature)
    document = sig.get_document(signature.document)
    return render(
        request,
        "core/signature_verify.html",
        {
            "signature": signature,
            "result": result,
            "record": record,
            "role_label": document.roles.get(signature.role, signature.role) if document else signature.role,
        },
    )


@login_required
@require_GET
def audit_chain(request):
    """The audit chain's state for administrators: intact, or the first link that broke."""
    if not request.user.has_perm("core.verify_audit_chain"):
        raise Http404
    return render(request, "core/audit_chain.html", {"report": chain.verify()})
