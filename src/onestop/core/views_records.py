"""Files and the communication log on any record: add, list, download (checked)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onestop.core import attachments, comments
from onestop.core.actions import form_errors_text, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.exports import EXCEL_CONTENT_TYPE
from onestop.core.models import Comment, PreparedExport, Visibility
from onestop.core.views_workflow import refused, safe_next


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=300)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
        required=False,
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Text"), max_length=10000, widget=forms.Textarea)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=Comment.Channel.choices,
        initial=Comment.Channel.NOTE,
        required=False,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
        required=False,
    )


def record(request, model: str, pk: int):
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError):
        raise Http404 from None
    return visible_record(request, model_class, pk)


@login_required
@require_POST
def attachment_add(request, model: str, pk: int):
    obj = record(request, model, pk)
    back = safe_next(request, request.POST.get("next"), obj.get_absolute_url())
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, obj, form_errors_text(form), 400)
    try:
        attachment = attachments.add_attachment(
            obj,
            form.cleaned_data["file"],
            actor=request.user,
            description=form.cleaned_data["description"],
            visibility=form.cleaned_data["visibility"] or None,
        )
    except DomainError as exc:
        return refused(request, obj, exc.message, exc.status_code)
    messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.original_name})
    return HttpResponseRedirect(back)


@login_required
@require_GET
def attachment_download(request, pk: int):
    try:
        attachment = attachments.downloadable(request.user, pk)
    except PermissionDenied:
        raise Http404 from None  # a file one may not see is "not there"
    try:
        handle = attachment.file.open("rb")
        handle.file.file  # noqa: B018  a bucket's object is fetched now, before any byte is sent
    except FileNotFoundError:
        raise Http404 from None
    except attachments.STORAGE_ERRORS as error:  # the upload folder or bucket is away
        attachments.logger.error("download of attachment %s failed: %s", attachment.pk, error)
        message = _("The service is briefly unavailable; try again in a moment.")
        if request.path.startswith("/api/"):
            raise attachments.StorageUnavailable(message) from None
        return refused(request, attachment.record, message, 503)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def comment_add(request, model: str, pk: int):
    obj = record(request, model, pk)
    back = safe_next(request, request.POST.get("next"), obj.get_absolute_url())
    form = CommentForm(request.POST)
    if not form.is_valid():
        return refused(request, obj, form_errors_text(form), 400)
    try:
        comments.add_comment(
            obj,
            actor=request.user,
            body=form.cleaned_data["body"],
            channel=form.cleaned_data["channel"] or Comment.Channel.NOTE,
            visibility=form.cleaned_data["visibility"] or Visibility.INTERNAL,
        )
    except DomainError as exc:
        return refused(request, obj, exc.message, exc.status_code)
    messages.success(request, _("The entry was added to the communication log."))
    return HttpResponseRedirect(back)


@login_required
@require_GET
def prepared_export(request, pk: int):
    """A long list's Excel file written by the job worker (core.list_export): its owner downloads
    it when it is ready; otherwise they are sent back to the list, told where it stands."""
    prepared = PreparedExport.objects.visible_to(request.user).filter(pk=pk).first()
    if prepared is None:
        raise Http404
    State = PreparedExport.State
    if prepared.state == State.READY:
        try:
            handle = prepared.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=prepared.name, content_type=EXCEL_CONTENT_TYPE
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if prepared.state == State.QUEUED:
        messages.info(
            request, _("The file is still being prepared; the link will be in your inbox when it is ready.")
        )
    elif prepared.state == State.FAILED:
        messages.error(request, _("The file could not be prepared: %(error)s") % {"error": prepared.error})
    else:
        messages.warning(
            request,
            _("The file was removed after %(days)s days; export the list again.")
            % {"days": settings.ONESTOP_EXPORT_KEEP_DAYS},
        )
    return HttpResponseRedirect(safe_next(request, prepared.path, "/"))
