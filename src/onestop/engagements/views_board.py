"""The engagement board (engagements/board.py) and the move a card's drop or its "Move to…" menu
asks for: the form of the engagement page's action, prefilled, on a page of its own (or in the
board's dialog), run through the same service as on the engagement page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import HiddenInput
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.core.actions import visible_record
from onestop.core.exceptions import DomainError
from onestop.core.filtering import bounded
from onestop.core.forms import bootstrapify
from onestop.core.views_workflow import safe_next
from onestop.engagements import board
from onestop.engagements.filters import EngagementFilterSet, path_stages
from onestop.engagements.models import Engagement
from onestop.engagements.views import EngagementViews


def _actions() -> dict:
    return {action.key: action for action in EngagementViews.actions}


@require_http_methods(["GET"])
def engagement_board(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("engagements.view_engagement"):
        raise PermissionDenied
    queryset = Engagement.objects.visible_to(request.user)
    # The list's own filters, the same filterset; the columns are the stages, so no stage filter.
    filterset = bounded(EngagementFilterSet(request.GET or None, queryset=queryset, request=request))
    filterset.filters.pop("stage", None)
    filterset.form.fields.pop("stage", None)
    bootstrapify(filterset.form)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    columns, closed = board.build(queryset, request.user, _actions())
    query = request.GET.copy()
    query.pop("stage", None)
    return render(
        request,
        "engagements/board.html",
        {
            "columns": columns,
            "closed": closed,
            "filterset": filterset,
            "filtered": any(request.GET.get(name) for name in filterset.form.fields),
            "list_url": reverse("engagements:engagement_list"),
            "querystring": query.urlencode(),
            "board_url": request.get_full_path(),
            "cap": board.CAP,
        },
    )


def _stage_label(stage: str) -> str:
    return str(dict(path_stages()).get(stage, stage))


def _refuse(request, engagement, target: str, message: str, status: int):
    return render(
        request,
        "engagements/board_move.html",
        {
            "object": engagement,
            "target_label": _stage_label(target),
            "refusal": message,
            "back": _back(request),
        },
        status=status,
    )


def _back(request) -> str:
    return safe_next(
        request, request.GET.get("next") or request.POST.get("next"), reverse("engagements:engagement_board")
    )


def _move_form(move, action, engagement, user, data=None):
    if data is not None:
        data = data.copy()
        for name, value in move.fixed.items():
            data[name] = value  # the column dropped on decides these, not the form
    form = action.make_form(engagement, user, data=data)
    for name, value in move.fixed.items():
        if name in form.fields:
            form.fields[name].widget = HiddenInput()
            form.fields[name].initial = value
    return bootstrapify(form)


@require_http_methods(["GET", "POST"])
def engagement_move(request, pk: int, to: str):
    """GET: the form of the move of engagement ``pk`` to the column ``to``; POST: make it. A move
    the board does not offer is refused with the reason (400, or 403 without the right), never
    half done."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    engagement = visible_record(request, Engagement, pk)
    stages = dict(path_stages())
    if to not in stages:
        return _refuse(request, engagement, to, _("There is no such stage on the board."), 400)
    move = board.MOVES.get(engagement.stage)
    if move is None or move.target != to:
        reason = (
            board.why_not_movable(engagement)
            if move is None
            else _("A card moves only to the next column, by the step that leads there.")
        )
        message = _("%(code)s cannot move from “%(source)s” to “%(target)s”.") % {
            "code": engagement.code,
            "source": engagement.path_stage,
            "target": stages[to],
        }
        return _refuse(request, engagement, to, f"{message} {reason}".strip(), 400)
    action = _actions()[move.action]
    if board.move_for(engagement, request.user, action) is None:
        return _refuse(
            request,
            engagement,
            to,
            _("You may not move %(code)s to “%(target)s”.") % {"code": engagement.code, "target": stages[to]},
            403,
        )
    context = {
        "object": engagement,
        "move": move,
        "target_label": stages[to],
        "back": _back(request),
        "partial": request.GET.get("partial") == "1",
    }
    if request.method == "GET":
        context["form"] = _move_form(move, action, engagement, request.user)
        template = (
            "engagements/_board_move_form.html" if context["partial"] else "engagements/board_move.html"
        )
        return render(request, template, context)
    form = _move_form(move, action, engagement, request.user, data=request.POST)
    if not form.is_valid():
        return render(request, "engagements/board_move.html", {**context, "form": form}, status=400)
    try:
        result = action.run(engagement, request, {**form.cleaned_data})
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        context.update(form=form, refusal=error.message)
        return render(request, "engagements/board_move.html", context, status=error.status_code)
    message = action.success(engagement, result) if callable(action.success) else action.success
    messages.success(request, f"{engagement.code}: {message}")
    return HttpResponseRedirect(context["back"])
