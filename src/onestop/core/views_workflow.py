"""Record-bound HTML views shared by every app: run a transition on any workflow record.

The buttons come from ``{% transition_buttons object %}`` (core/templatetags/workflow.py),
which renders core/_transitions.html: one form with a comment field whose buttons post to
``core:transition`` for the model, record and transition.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onestop.core.actions import form_errors_text, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.views import viewset_for
from onestop.core.workflow import perform_transition, workflow_model


class TransitionForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)
    expected_state = forms.CharField(required=False, max_length=50)
    next = forms.CharField(required=False, max_length=500)


def safe_next(request, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def refused(request, obj, message: str, status: int, back: str | None = None):
    """A refused transition: the record's page again with the reason; nothing changed."""
    messages.error(request, message)
    obj = type(obj)._default_manager.get(pk=obj.pk)
    viewset = viewset_for(type(obj))
    if viewset is None:
        return HttpResponseRedirect(obj.get_absolute_url())
    return viewset.detail_response(request, obj, status=status)


@require_POST
def transition(request, model: str, pk: int, name: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    model_class = workflow_model(model)
    if model_class is None or name not in model_class.generic_transition_names():
        raise Http404
    obj = visible_record(request, model_class, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return refused(request, obj, form_errors_text(form), 400)
    back = safe_next(request, form.cleaned_data["next"], obj.get_absolute_url())
    previous = obj.state_label()
    try:
        perform_transition(
            obj,
            name,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            expected_state=form.cleaned_data["expected_state"] or None,
        )
    except DomainError as exc:
        return refused(request, obj, exc.message, exc.status_code)
    messages.success(
        request,
        _("“%(obj)s”: %(old)s → %(new)s.") % {"obj": obj, "old": previous, "new": obj.state_label()},
    )
    return HttpResponseRedirect(back)
