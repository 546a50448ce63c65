"""Forms of a record: print as PDF, sign, verify a signature (SPEC X-4, X-5)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onestop.core import chain, pdf
from onestop.core import signatures as sig
from onestop.core.actions import visible_record
from onestop.core.exceptions import DomainError
from onestop.core.models import Signature
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


@login_required
@require_POST
def sign_document(request, model: str, pk: int, code: str):
    obj, document = record_and_document(request, model, pk, code)
    back = safe_next(request, request.POST.get("next"), obj.get_absolute_url())
    try:
        signature = sig.sign(
            document,
            obj,
            actor=request.user,
            role=request.POST.get("role", ""),
            ip_address=sig.client_ip(request),
        )
    except DomainError as exc:
        return refused(request, obj, exc.message, exc.status_code)
    messages.success(
        request,
        _("You signed “%(title)s” version %(version)s as %(role)s.")
        % {"title": signature.title, "version": signature.version, "role": document.roles[signature.role]},
    )
    return HttpResponseRedirect(back)


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
