"""The candidate board (recruitment/board.py) and the move a card's drop or its "Move to…" menu
asks for: the step's form (the candidate page's action form, or a comment for a plain step) on a
page of its own or in the board's dialog, run through the same service or transition."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.core.actions import visible_record
from onestop.core.exceptions import DomainError
from onestop.core.filtering import bounded
from onestop.core.forms import CommentForm, bootstrapify
from onestop.core.views_workflow import safe_next
from onestop.core.workflow import perform_transition
from onestop.recruitment import board
from onestop.recruitment.filters import CandidateFilterSet
from onestop.recruitment.models import Candidate
from onestop.recruitment.views import CandidateViews


def _actions() -> dict:
    return {action.key: action for action in CandidateViews.actions}


@require_http_methods(["GET"])
def candidate_board(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("recruitment.view_candidate"):
        raise PermissionDenied
    queryset = Candidate.objects.visible_to(request.user)
    filterset = bounded(CandidateFilterSet(request.GET or None, queryset=queryset, request=request))
    filterset.filters.pop("stage", None)
    filterset.form.fields.pop("stage", None)
    bootstrapify(filterset.form)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    columns, closed = board.build(queryset, request.user)
    query = request.GET.copy()
    query.pop("stage", None)
    return render(
        request,
        "recruitment/board.html",
        {
            "columns": columns,
            "closed": closed,
            "filterset": filterset,
            "filtered": any(request.GET.get(name) for name in filterset.form.fields),
            "list_url": reverse("recruitment:candidate_list"),
            "querystring": query.urlencode(),
            "board_url": request.get_full_path(),
        },
    )


def _back(request) -> str:
    return safe_next(
        request, request.GET.get("next") or request.POST.get("next"), reverse("recruitment:candidate_board")
    )


def _refuse(request, candidate, label, message, status):
    return render(
        request,
        "recruitment/board_move.html",
        {"object": candidate, "target_label": label, "refusal": message, "back": _back(request)},
        status=status,
    )


def _form(move, candidate, user, data=None):
    if move.action is None:
        return bootstrapify(CommentForm(data=data) if data is not None else CommentForm())
    action = _actions()[move.action]
    return bootstrapify(action.make_form(candidate, user, data=data))


@require_http_methods(["GET", "POST"])
def candidate_move(request, pk: int, to: str):
    """GET: the form of the move of candidate ``pk`` to the column ``to``; POST: make it. A move
    the board does not offer is refused with the reason (400, or 403 without the right)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    candidate = visible_record(request, Candidate, pk)
    labels = dict(Candidate.Stage.choices)
    if to not in labels:
        return _refuse(request, candidate, to, _("There is no such stage on the board."), 400)
    move = board.MOVES.get(candidate.stage)
    if move is None or move.target != to:
        message = _(
            "%(name)s cannot move from “%(source)s” to “%(target)s”: a card moves only to the next column."
        ) % {
            "name": candidate.full_name,
            "source": candidate.get_stage_display(),
            "target": labels[to],
        }
        return _refuse(request, candidate, labels[to], message, 400)
    if board.move_for(candidate, request.user) is None:
        return _refuse(request, candidate, labels[to], board.why_not(candidate, request.user), 403)
    context = {
        "object": candidate,
        "move": move,
        "target_label": labels[to],
        "back": _back(request),
        "partial": request.GET.get("partial") == "1",
    }
    if request.method == "GET":
        context["form"] = _form(move, candidate, request.user)
        template = (
            "recruitment/_board_move_form.html" if context["partial"] else "recruitment/board_move.html"
        )
        return render(request, template, context)
    form = _form(move, candidate, request.user, data=request.POST)
    if not form.is_valid():
        return render(request, "recruitment/board_move.html", {**context, "form": form}, status=400)
    try:
        if move.action is None:
            perform_transition(
                candidate,
                move.transition,
                actor=request.user,
                comment=form.cleaned_data.get("comment", ""),
                expected_state=move.source,
            )
        else:
            _actions()[move.action].run(candidate, request, {**form.cleaned_data})
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        context.update(form=form, refusal=error.message)
        return render(request, "recruitment/board_move.html", context, status=error.status_code)
    messages.success(
        request,
        _("%(name)s moved to “%(target)s”.") % {"name": candidate.full_name, "target": labels[to]},
    )
    return HttpResponseRedirect(context["back"])
