"""Pages of the e-mail and chat intake (INT-1): the engagement chat, starting a chat from the
portal, and the list of unmatched e-mail customer service assigns. Each view parses input
and calls engagements.chat / engagements.mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onestop.accounts.models import ClientContact, ClientOrganization
from onestop.core.actions import calls, record_action, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.engagements import chat, mail
from onestop.engagements.models import Engagement, IncomingMail
from onestop.engagements.states import IncomingMailStatus


class ChatMessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Write your message first.")},
    )


class StartChatForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A few words; we use your first line if you leave it empty."),
    )
    body = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("Write your question first.")},
    )


class AssignMailForm(forms.Form):
    client = forms.ModelChoiceField(
        label=gettext_lazy("Client"),
        queryset=ClientOrganization.objects.filter(is_active=True),
        error_messages={"required": gettext_lazy("Choose the client who sent this e-mail.")},
    )
    contact = forms.ModelChoiceField(
        label=gettext_lazy("Contact"), queryset=ClientContact.objects.all(), required=False
    )


# --- the chat on the engagement page ----------------------------------------------------------


def chat_context(request, engagement, form=None) -> dict:
    user = request.user
    return {
        "engagement": engagement,
        "chat_messages": chat.messages_for(engagement, user),
        "can_post": user.has_perm("engagements.view_engagement", engagement),
        "chat_form": form or ChatMessageForm(),
        "me": user.pk,
    }


@login_required
@require_GET
def chat_messages(request, pk):
    """The messages only, for the panel's polling (htmx, every 5 s)."""
    engagement = visible_record(request, Engagement, pk)
    return render(request, "engagements/_chat_messages.html", chat_context(request, engagement))


@login_required
@require_POST
def chat_post(request, pk):
    engagement = visible_record(request, Engagement, pk)
    form = ChatMessageForm(request.POST)
    if form.is_valid():
        try:
            chat.post_message(engagement, actor=request.user, body=form.cleaned_data["body"])
            form = None
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    if not request.htmx:
        if form is not None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(engagement.get_absolute_url() + "#chat")
    # htmx: the whole panel again (the new message, an empty form, or the error next to the field).
    return render(request, "engagements/_chat_panel.html", chat_context(request, engagement, form))


@login_required
def chat_start(request):
    """The client portal: ask a question in a chat; it opens a new request."""
    if not request.user.has_perm("engagements.start_chat_engagement"):
        raise PermissionDenied
    form = StartChatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = chat.start_chat(
                actor=request.user, body=form.cleaned_data["body"], subject=form.cleaned_data["subject"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your question was sent. Customer service will answer here."))
            return HttpResponseRedirect(engagement.get_absolute_url() + "#chat")
    bootstrapify(form)
    return render(
        request, "engagements/chat_start.html", {"form": form}, status=400 if form.is_bound else 200
    )


# --- unmatched e-mail -----------------------------------------------------------------------------


def _require_triage(request):
    if not request.user.has_perm("engagements.view_incomingmail"):
        raise PermissionDenied


@login_required
@require_GET
def incoming_mail_list(request):
    _require_triage(request)
    status = request.GET.get("status") or IncomingMail.Status.PENDING
    if status not in IncomingMail.Status.values:
        status = IncomingMail.Status.PENDING
    rows = (
        IncomingMail.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("handled_by", "inquiry__engagement")
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    form = AssignMailForm()
    bootstrapify(form)
    return render(
        request,
        "engagements/incoming_mail_list.html",
        {
            "page": page,
            "status": status,
            "statuses": IncomingMail.Status.choices,
            "clients": form.fields["client"].queryset.only("pk", "name", "code"),
            "can_triage": request.user.has_perm("engagements.change_incomingmail"),
            "Status": IncomingMailStatus,
        },
    )


def _assigned(incoming, inquiry):
    return _("The e-mail was recorded as an inquiry of %(client)s on %(code)s.") % {
        "client": inquiry.engagement.client,
        "code": inquiry.engagement.code,
    }


def _back_to_the_list(incoming, result):
    return reverse("engagements:incoming_mail_list")


# Customer service assigns an unmatched e-mail to a client (it becomes an inquiry) or ignores it;
# a refusal goes back to the list with the message.
assign_mail = record_action(
    IncomingMail,
    "assign",
    calls(mail.assign_mail),
    form=AssignMailForm,
    success=_assigned,
    redirect=lambda incoming, inquiry: inquiry.engagement.get_absolute_url(),
)
ignore_mail = record_action(
    IncomingMail,
    "ignore",
    calls(mail.ignore_mail),
    success=gettext_lazy("The e-mail was marked as ignored."),
    redirect=_back_to_the_list,
)
