"""One path for every action on a record, for the pages and the API alike.

An action is a verb of a service run on one record (submit a contract, review it, sign it).
Whichever way a user comes, the same steps run in the same order:

1. logged in (page: sent to log in; API: 401), POST only;
2. the record loaded through the one visibility rule (``visible_to`` and the view rule): a
   record the user may not see answers **404**, exactly like a missing one;
3. the input validated by the action's form (page) or serializer (API); too long is an
   error, never silently shortened;
4. the service called with the acting user; it checks the permission (403) and the business
   rules, and raises ``DomainError`` when it refuses;
5. a refusal: the page is shown again with the message, the field marked and what the user
   typed kept (400, or 409 when someone else acted first); the API answers 400/409 with the
   stable ``code`` and the field (``core.drf.exception_handler``);
6. success: the page says what happened and goes back to the record; the API answers the
   record as it is now.

Pages declare their actions on their ``ObjectViews``::

    class ContractViews(ObjectViews):
        actions = [
            RecordAction(
                "legal-review",
                form=forms.LegalReviewForm,
                transition="approve",
                run=lambda contract, request, data: services.legal_review(
                    contract, actor=request.user, **data
                ),
                success=_("The legal review was recorded."),
            ),
        ]

and the API twin is one line in the viewset::

    legal_review = service_action(
        calls(services.legal_review), serializer=ContractLegalReviewSerializer, url_path="legal-review"
    )

``calls(service)`` is the usual ``run``: ``service(record, actor=request.user, **data)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from onestop.core.exceptions import DomainError
from onestop.core.forms import DecisionButtons, bootstrapify
from onestop.core.workflow import AllowedActions, WorkflowModel, allowed_actions

Run = Callable[[Any, Any, dict], Any]  # run(record, request, data) -> result


def calls(service, **fixed):
    """``run`` for the common case: ``service(record, actor=request.user, **data, **fixed)``."""

    def run(obj, request, data):
        return service(obj, actor=request.user, **data, **fixed)

    run.__doc__ = service.__doc__
    run.__name__ = getattr(service, "__name__", "run")
    return run


def visible_record(request, model, pk, queryset=None):
    """The record ``pk`` of ``model`` if the user may view it; 404 otherwise (even if it exists)."""
    rows = queryset if queryset is not None else model._default_manager.visible_to(request.user)
    obj = get_object_or_404(rows, pk=pk)
    opts = model._meta
    if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}", obj):
        raise Http404
    return obj


def form_errors_text(form) -> str:
    """Every error of a bound form in one line, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}：{text}" if label else text)
    return "；".join(parts)


@dataclass(frozen=True)
class RecordAction:
    """A POST on one record's page that runs a service (see the module docstring).

    - ``name``: the URL segment (``legal-review``); ``key`` (``legal_review``) names the route
      (``<model>_<key>``), the action in the page's ``actions`` and its form in ``forms``.
    - ``run(record, request, data)``: calls the service; ``data`` is the form's cleaned data
      plus the route's extra arguments.
    - ``form``: the form class (none for a plain button); ``initial(record, user)`` and
      ``form_kwargs(record, user)`` fill it for the page.
    - ``transition``: the action is offered while ``allowed_actions`` has this transition;
      ``when(record, user)``: any further condition for offering it.
    - ``success``: the message, or ``success(record, result)``; ``anchor``: where to land.
    - ``page(record)``: the record whose page shows the action (default: the record itself);
      ``redirect(record, result)``: where to go after success (default: that page).
    - ``route``: the path after ``<pk>/`` when it is not ``name/`` (e.g. ``rounds/<int:round>/accept/``).
    - ``template``: the action has a page of its own (a long form): GET shows the form in this
      template (context: ``object``, ``form``, ``action`` and ``context(record, user)``), and a
      refusal shows it again instead of the record's page.
    """

    name: str
    run: Run
    success: str | Callable = ""
    form: type | None = None
    initial: Callable | None = None
    form_kwargs: Callable | None = None
    transition: str | None = None
    when: Callable | None = None
    anchor: str = ""
    page: Callable | None = None
    redirect: Callable | None = None
    route: str | None = None
    template: str | None = None
    context: Callable | None = None
    # unavailable(record, user) -> message: opening the action's own page while it is not
    # offered goes back to the record's page with this message instead of answering 403.
    unavailable: Callable | None = None
    # blocked(record, user) -> message: the action is offered but cannot succeed now (a
    # business rule beyond the transition's conditions, e.g. unresolved differences); its
    # button shows disabled with the message beside it. ``blocks``: with a decision form
    # (``DecisionButtons``), the one choice that cannot succeed (``"pass"``); the others stay.
    blocked: Callable | None = None
    blocks: str = ""
    model: type | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")

    def reason(self, obj, user, allowed) -> str:
        """Why the offered action cannot succeed now ("" when it can): the unmet condition of
        its transition (``allowed.blocked``), else its own ``blocked`` rule."""
        if self.transition is not None and self.transition in allowed.blocked:
            return allowed.blocked[self.transition]
        return str(self.blocked(obj, user) or "") if self.blocked is not None else ""

    def mark_blocked(self, form, reason: str) -> None:
        """Show ``reason`` on ``form``: the blocked choice of its decision buttons disabled."""
        for bound in form:
            widget = bound.field.widget
            if isinstance(widget, DecisionButtons):
                choices = [value for value, _label in widget.choices if value not in ("", None)]
                for value in [self.blocks] if self.blocks else choices:
                    widget.disabled[value] = reason

    # --- on the page ----------------------------------------------------------------------
    def available(self, obj, user, allowed) -> bool:
        """Is this action offered on ``obj``'s page to ``user`` now?"""
        if self.transition is not None and self.transition not in allowed:
            return False
        return self.when is None or bool(self.when(obj, user))

    def make_form(self, obj, user, data=None, files=None):
        kwargs = dict(self.form_kwargs(obj, user)) if self.form_kwargs else {}
        if data is None and self.initial is not None:
            kwargs.setdefault("initial", self.initial(obj, user))
        prefix_id = f"id_{self.key}_%s"
        kwargs.setdefault("auto_id", prefix_id)
        if data is not None:
            return self.form(data=data, files=files, **kwargs)
        return self.form(**kwargs)

    # --- the view -------------------------------------------------------------------------
    def bind(self, model) -> RecordAction:
        return replace(self, model=model) if self.model is None else self

    def view(self, request, pk, **route_kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method == "GET" and self.template is not None:
            return self.show_page(request, visible_record(request, self.model, pk))
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"] if self.template else ["POST"])
        obj = visible_record(request, self.model, pk)
        data = dict(route_kwargs)
        form = None
        if self.form is not None:
            form = self.make_form(obj, request.user, data=request.POST, files=request.FILES)
            if not form.is_valid():
                return self.refuse(request, obj, form, form_errors_text(form), 400)
            data.update(form.cleaned_data)
        try:
            result = self.run(obj, request, data)
        except DomainError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
            return self.refuse(request, obj, form, error.message, error.status_code)
        message = self.success(obj, result) if callable(self.success) else self.success
        if message:
            messages.success(request, message)
        if self.redirect is not None:
            return HttpResponseRedirect(self.redirect(obj, result))
        target = self.page(obj) if self.page else obj
        return HttpResponseRedirect(target.get_absolute_url() + self.anchor)

    def show_page(self, request, obj, form=None, status=200):
        """The action's own page (``template``): offered only while the action is."""
        allowed = allowed_actions(obj, request.user) if isinstance(obj, WorkflowModel) else AllowedActions()
        if form is None:
            if not self.available(obj, request.user, allowed):
                message = self.unavailable(obj, request.user) if self.unavailable else ""
                if not message:
                    raise PermissionDenied
                messages.error(request, message)
                target = self.page(obj) if self.page else obj
                return HttpResponseRedirect(target.get_absolute_url())
            form = self.make_form(obj, request.user) if self.form is not None else None
        context = {"object": obj, "form": bootstrapify(form) if form is not None else None, "action": self}
        if self.context is not None:
            context.update(self.context(obj, request.user))
        return render(request, self.template, context, status=status)

    def refuse(self, request, obj, form, message: str, status: int):
        """The record's page again, with the message and the user's input; nothing changed."""
        from onestop.core.views import viewset_for  # noqa: PLC0415 — cycle: core.views imports this module at load

        messages.error(request, message or _("The action could not be done."))
        # The service may have changed the object in memory before refusing; the database
        # rolled back, so show the record as it is stored.
        obj = type(obj)._default_manager.get(pk=obj.pk)
        if self.template is not None:
            return self.show_page(request, obj, form, status=status)
        target = self.page(obj) if self.page else obj
        viewset = viewset_for(type(target))
        if viewset is None:
            return HttpResponseRedirect(target.get_absolute_url())
        bound = {self.key: form} if form is not None else {}
        return viewset.detail_response(request, target, bound_forms=bound, status=status)


def record_action(model, name: str, run: Run, **options):
    """A ``RecordAction`` of a model that has no pages of its own (e.g. a contract copy,
    shown on its contract's page): pass ``page=`` to say whose page shows it."""
    return RecordAction(name, run, model=model, **options)


# --- the API twin ---------------------------------------------------------------------------


def service_action(
    run: Run,
    *,
    serializer=None,
    url_path: str | None = None,
    response=None,
    many: bool = False,
    status: int = 200,
    detail: bool = True,
    methods=("post",),
    summary: str | None = None,
    name: str | None = None,
):
    """A DRF action that runs ``run(record, request, data)`` (see the module docstring).

    ``serializer`` validates the body (none: no body). The answer is the record as it is now,
    serialized by the viewset, unless ``response`` (a serializer class) serializes the result
    (``many`` for a list; name ``response`` too when ``status`` is not 200). ``name`` is the
    route's name (``<basename>-<name>``) and the handler's, when it is not ``url_path``. ``detail=False`` acts on the collection: ``run(None, request, data)``.
    Errors: 400 invalid or refused, 403 not allowed, 404 not visible, 409 stale — all in the
    shape of ``core.drf.exception_handler``.
    """

    def handler(self, request, pk=None):
        obj = self.get_object() if detail else None
        data: dict = {}
        if serializer is not None:
            body = serializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
        result = run(obj, request, data)
        if response is not None:
            payload = response(result, many=many, context=self.get_serializer_context()).data
        else:
            target = result if obj is None else obj
            if obj is not None:
                obj.refresh_from_db()
            payload = self.get_serializer(target).data
        return Response(payload, status=status)

    handler.__name__ = name or (url_path or "action").replace("-", "_")
    if getattr(run, "__name__", "") != "<lambda>" and run.__doc__:
        handler.__doc__ = run.__doc__
    schema_options = {"request": serializer, "summary": summary}
    if response is not None:
        schema_options["responses"] = {status: response(many=many)}
    options = {"url_name": name.replace("_", "-")} if name else {}
    decorated = action(
        detail=detail, methods=list(methods), url_path=url_path, required_action="view", **options
    )(handler)
    return extend_schema(**schema_options)(decorated)
