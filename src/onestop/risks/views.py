"""Pages of the risk register, warnings and emergency response (RSK-1..5, EXT-1): thin views
over risks.services; the heat map and the matrix editor have pages of their own."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from onestop.core.actions import RecordAction, calls, record_action, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews
from onestop.plans.models import PlanReview
from onestop.projects.models import Project
from onestop.risks import filters, forms, heatmap, services
from onestop.risks.matrix import Level, Strategy
from onestop.risks.models import (
    WARNING_COLOURS,
    EmergencyActivation,
    EmergencyPlan,
    IdentificationMethod,
    IdentificationSession,
    Indicator,
    QuestionnaireAnswer,
    ResponseAction,
    Risk,
    RiskCategory,
    RiskMatrix,
    Warning,
)
from onestop.risks.states import RISK_OPEN, RiskState


def _can(perm):
    return lambda obj, user: user.has_perm(perm, obj)


# --- the register ------------------------------------------------------------------------------


class RiskViews(ObjectViews):
    model = Risk
    filterset_class = filters.RiskFilterSet
    form_class = forms.RiskForm
    icon = "exclamation-triangle"
    allow_delete = False
    detail_template = "risks/risk_detail.html"
    list_select_related = ("category", "engagement", "owner", "matrix", "department")
    detail_select_related = (
        "category",
        "engagement",
        "project",
        "department",
        "owner",
        "matrix",
        "session",
        "identified_by",
        "accepted_by",
        "closed_by",
        "transfer_contract",
    )
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("scope_label", sort="engagement__code"),
        Column("category", sort="category__name"),
        Column("level"),
        Column("likelihood"),
        Column("impact"),
        Column("strategy"),
        Column("owner", sort="owner__full_name"),
        Column("next_review"),
        Column("state"),
    ]
    detail_fields = [
        "code",
        "scope_label",
        "category",
        "department",
        "owner",
        "method",
        "session",
        "identified_by",
        "identified_at",
        "cause",
        "event",
        "consequence",
        "state",
    ]
    default_sort = "-identified_at"

    actions = [
        RecordAction(
            "assess",
            calls(services.assess),
            form=forms.AssessForm,
            form_kwargs=lambda risk, user: {"matrix": risk.matrix or services.current_matrix()},
            initial=lambda risk, user: {"likelihood": risk.likelihood, "impact": risk.impact},
            transition="assess",
            success=_("The assessment was recorded."),
        ),
        RecordAction(
            "respond",
            calls(services.choose_response),
            form=forms.RespondForm,
            form_kwargs=lambda risk, user: {"risk": risk},
            initial=lambda risk, user: {"strategy": risk.suggested_strategy, "action_owner": risk.owner_id},
            transition="respond",
            success=_("The response was recorded."),
        ),
        RecordAction(
            "sign-off",
            calls(services.sign_off_acceptance),
            form=forms.DecisionCommentForm,
            transition="sign_off",
            success=_("The acceptance was signed off; the risk is watched until it expires."),
        ),
        RecordAction(
            "refuse",
            calls(services.refuse_acceptance),
            form=forms.DecisionCommentForm,
            transition="refuse_acceptance",
            success=_("The acceptance was refused; the owner chooses again."),
        ),
        RecordAction(
            "review",
            calls(services.review),
            form=forms.ReviewForm,
            form_kwargs=lambda risk, user: {"matrix": risk.matrix},
            initial=lambda risk, user: {"likelihood": risk.likelihood, "impact": risk.impact},
            when=lambda risk, user: (
                risk.matrix_id is not None
                and risk.state in (RiskState.ASSESSED, RiskState.ACCEPTANCE_PENDING, RiskState.MONITORED)
                and user.has_perm("risks.review_risk", risk)
            ),
            success=_("The review was recorded."),
        ),
        RecordAction(
            "add-action",
            calls(services.add_action),
            form=forms.ActionForm,
            when=lambda risk, user: (
                risk.state in RISK_OPEN
                and risk.state != RiskState.IDENTIFIED
                and (user.has_perm("risks.respond_risk", risk) or user.has_perm("risks.review_risk", risk))
            ),
            success=_("The response action was added."),
            anchor="#actions",
        ),
        RecordAction(
            "close",
            calls(services.close_risk),
            form=forms.CloseRiskForm,
            transition="close",
            success=_("The risk was closed."),
        ),
        RecordAction(
            "activate",
            lambda risk, request, data: services.activate(
                data["plan"], actor=request.user, situation=data["situation"], risk=risk
            ),
            form=forms.ActivateForm,
            initial=lambda risk, user: {
                "plan": EmergencyPlan.objects.filter(category=risk.category, active=True).first()
            },
            when=lambda risk, user: user.has_perm("risks.activate_emergencyplan"),
            success=_("The emergency plan was activated."),
            redirect=lambda risk, activation: activation.get_absolute_url(),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        reviews = list(obj.reviews.select_related("reviewed_by").order_by("reviewed_at", "pk"))
        return {
            "is_workflow": False,
            "reviews": reviews,
            "risk_actions": list(obj.actions.select_related("owner").order_by("due_date", "pk")),
            "activations": list(obj.activations.select_related("plan")),
            "matrix_grid": heatmap.matrix_cells(obj.matrix) if obj.matrix_id else None,
            "Strategy": Strategy,
            "State": RiskState,
            "suggested_label": Strategy(obj.suggested_strategy).label if obj.suggested_strategy else "",
            "impact_labels": list(enumerate(obj.matrix.impact_labels, start=1)) if obj.matrix_id else [],
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = dict(form.cleaned_data)
        if obj is None:
            source = request.GET.get("review") or request.POST.get("source_review")
            review = None
            if source:
                review = PlanReview.objects.visible_to(actor).filter(pk=source).first()
            return services.identify(actor=actor, source_review=review, **data)
        return services.update_risk(obj, actor=actor, reason=data.pop("change_reason", ""), **data)


class ResponseActionViews(ObjectViews):
    model = ResponseAction
    filterset_class = filters.ResponseActionFilterSet
    form_class = forms.ResponseActionForm
    icon = "list-check"
    allow_delete = False
    list_select_related = ("risk", "owner")
    detail_select_related = ("risk", "owner")
    columns = [
        Column("title", link=True),
        Column("risk", sort="risk__code"),
        Column("owner", sort="owner__full_name"),
        Column("due_date"),
        Column("state"),
    ]
    detail_fields = ["risk", "title", "description", "owner", "due_date", "state", "done_at"]
    default_sort = "due_date"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.add_action(
                data["risk"],
                actor=actor,
                title=data["title"],
                owner=data["owner"],
                due_date=data["due_date"],
                description=data.get("description", ""),
            )
        return super().save(form, actor=actor, request=request, obj=obj)


# --- identification sessions -----------------------------------------------------------------


def _record_answer(session, request, data):
    return services.record_answer(
        session,
        actor=request.user,
        respondent=data["respondent"],
        question=data["question"],
        answer=data["answer"],
    )


class IdentificationSessionViews(ObjectViews):
    model = IdentificationSession
    filterset_class = filters.SessionFilterSet
    form_class = forms.SessionForm
    icon = "people"
    detail_template = "risks/session_detail.html"
    list_select_related = ("engagement", "facilitator")
    detail_select_related = ("engagement", "facilitator")
    columns = [
        Column("title", link=True),
        Column("method"),
        Column("held_on"),
        Column("engagement", sort="engagement__code"),
        Column("facilitator", sort="facilitator__full_name"),
    ]
    detail_fields = ["method", "title", "held_on", "engagement", "facilitator", "minutes"]
    default_sort = "-held_on"

    actions = [
        RecordAction(
            "answer",
            _record_answer,
            form=forms.AnswerForm,
            form_kwargs=lambda session, user: {"session": session},
            when=lambda session, user: (
                session.method == IdentificationMethod.QUESTIONNAIRE
                and bool(session.question_list)
                and user.has_perm("risks.change_identificationsession", session)
            ),
            success=_("The answer was recorded."),
            anchor="#answers",
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        answers = list(obj.answers.select_related("respondent", "risk"))
        for answer in answers:  # one form per answer, with ids unique on the page
            answer.to_risk_form = bootstrapify(forms.AnswerToRiskForm(auto_id=f"id_torisk{answer.pk}_%s"))
        return {
            "participants": list(obj.participants.order_by("full_name")),
            "cases": list(obj.cases.all()),
            "answers": answers,
            "session_risks": list(obj.risks.visible_to(request.user).select_related("owner")),
            "may_edit": request.user.has_perm("risks.change_identificationsession", obj),
        }


answer_to_risk = record_action(
    QuestionnaireAnswer,
    "to-risk",
    lambda answer, request, data: services.answer_to_risk(answer, actor=request.user, **data),
    form=forms.AnswerToRiskForm,
    page=lambda answer: answer.session,
    success=_("The answer became a risk of the register."),
    redirect=lambda answer, risk: risk.get_absolute_url(),
)


# --- settings: categories, indicators, emergency plans ----------------------------------------


class RiskCategoryViews(ObjectViews):
    model = RiskCategory
    filterset_class = filters.CategoryFilterSet
    form_class = forms.CategoryForm
    icon = "tags"
    columns = [Column("code"), Column("name", link=True), Column("position"), Column("active")]
    detail_fields = ["code", "name", "description", "position", "active"]
    default_sort = "position"


class IndicatorViews(ObjectViews):
    model = Indicator
    filterset_class = filters.IndicatorFilterSet
    form_class = forms.IndicatorForm
    icon = "speedometer2"
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("blue"),
        Column("yellow"),
        Column("orange"),
        Column("red"),
        Column("roles_display", sort=False),
        Column("active"),
    ]
    detail_fields = [
        "kind",
        "name",
        "lower_is_worse",
        "blue",
        "yellow",
        "orange",
        "red",
        "period_days",
        "roles_display",
        "escalate_after_hours",
        "active",
    ]
    default_sort = "kind"


class EmergencyPlanViews(ObjectViews):
    model = EmergencyPlan
    filterset_class = filters.EmergencyPlanFilterSet
    form_class = forms.EmergencyPlanForm
    icon = "life-preserver"
    list_select_related = ("category",)
    detail_select_related = ("category",)
    columns = [
        Column("title", link=True),
        Column("category", sort="category__name"),
        Column("indicator_kind"),
        Column("active"),
    ]
    detail_fields = ["title", "category", "indicator_kind", "steps", "roles", "contacts", "active"]
    default_sort = "title"


# --- warnings and emergency response ---------------------------------------------------------


class WarningViews(ObjectViews):
    model = Warning
    filterset_class = filters.WarningFilterSet
    icon = "bell"
    allow_add = False
    allow_delete = False
    detail_template = "risks/warning_detail.html"
    list_select_related = ("indicator", "project")
    detail_select_related = (
        "indicator",
        "project",
        "engagement",
        "acknowledged_by",
        "handled_by",
        "closed_by",
    )
    columns = [
        Column("code", link=True),
        Column("indicator", sort="indicator__name"),
        Column("subject", link=True),
        Column("level"),
        Column("value"),
        Column("state"),
        Column("raised_at"),
    ]
    detail_fields = [
        "code",
        "indicator",
        "subject",
        "level",
        "raised_level",
        "value",
        "state",
        "raised_at",
        "measured_at",
        "escalations",
        "acknowledged_by",
        "acknowledged_at",
        "handling",
        "handled_by",
        "closed_by",
        "closed_at",
    ]
    default_sort = "-raised_at"

    actions = [
        RecordAction(
            "activate",
            lambda warning, request, data: services.activate(
                data["plan"], actor=request.user, situation=data["situation"], warning=warning
            ),
            form=forms.ActivateForm,
            initial=lambda warning, user: {
                "plan": EmergencyPlan.objects.filter(
                    indicator_kind=warning.indicator.kind, active=True
                ).first()
            },
            when=lambda warning, user: user.has_perm("risks.activate_emergencyplan"),
            success=_("The emergency plan was activated."),
            redirect=lambda warning, activation: activation.get_absolute_url(),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"activations": list(obj.activations.select_related("plan"))}


class EmergencyActivationViews(ObjectViews):
    model = EmergencyActivation
    filterset_class = filters.ActivationFilterSet
    icon = "broadcast"
    allow_add = False
    allow_delete = False
    detail_template = "risks/activation_detail.html"
    list_select_related = ("plan", "activated_by")
    detail_select_related = ("plan", "warning", "risk", "activated_by", "reviewed_by")
    columns = [
        Column("code", link=True),
        Column("plan", sort="plan__title"),
        Column("activated_by", sort="activated_by__full_name"),
        Column("activated_at"),
        Column("state"),
    ]
    detail_fields = [
        "code",
        "plan",
        "warning",
        "risk",
        "situation",
        "activated_by",
        "activated_at",
        "state",
        "review",
        "lessons",
        "reviewed_by",
        "reviewed_at",
    ]
    default_sort = "-activated_at"

    actions = [
        RecordAction(
            "record-action",
            calls(services.record_emergency_action),
            form=forms.EmergencyActionForm,
            when=lambda activation, user: (
                activation.state == EmergencyActivation.State.ACTIVE
                and user.has_perm("risks.run_emergencyactivation", activation)
            ),
            success=_("The action was recorded."),
            anchor="#actions",
        ),
        RecordAction(
            "close",
            calls(services.close_activation),
            form=forms.CloseActivationForm,
            transition="close_with_review",
            success=_("The emergency response was closed with its review."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"is_workflow": False, "actions_taken": list(obj.actions.select_related("taken_by"))}


# --- a reviewer raises a risk from their plan review (RSK-1) ---------------------------------


raise_from_review = record_action(
    PlanReview,
    "raise-risk",
    lambda review, request, data: services.raise_from_review(review, actor=request.user, **data),
    form=forms.RaiseFromReviewForm,
    template="risks/raise_from_review.html",
    context=lambda review, user: {"review": review},
    when=lambda review, user: review.reviewer_id == user.pk or user.has_perm("risks.add_riskcategory"),
    page=lambda review: review.version,
    success=_("The risk was entered in the register; its owner will assess it."),
    redirect=lambda review, risk: risk.get_absolute_url(),
)


# --- the heat map, the matrix, a project's risks ---------------------------------------------


@login_required
def heatmap_page(request):
    if not request.user.has_perm("risks.view_risk"):
        raise PermissionDenied
    scope = heatmap.Scope.from_request(request)
    context = heatmap.page_context(request.user, scope)
    return render(request, "risks/heatmap.html", context)


@login_required
def project_risks(request, pk):
    project = visible_record(request, Project, pk)
    if not request.user.has_perm("risks.view_risk"):
        raise PermissionDenied
    scope = heatmap.Scope(kind="project", project=project)
    context = heatmap.page_context(request.user, scope)
    context.update(heatmap.project_context(project, request.user))
    return render(request, "risks/project_risks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def matrix_page(request):
    if not request.user.has_perm("risks.view_riskmatrix"):
        raise PermissionDenied
    current = services.current_matrix()
    may_edit = request.user.has_perm("risks.add_riskmatrix")
    status = 200
    error = ""
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        levels = [
            [request.POST.get(f"level_{li}_{im}", "") for im in range(1, current.columns + 1)]
            for li in range(1, current.rows + 1)
        ]
        strategies = [
            [request.POST.get(f"strategy_{li}_{im}", "") for im in range(1, current.columns + 1)]
            for li in range(1, current.rows + 1)
        ]
        try:
            effective = datetime.strptime(request.POST.get("effective_from", ""), "%Y-%m-%d").date()
        except ValueError:
            error = str(_("Give the date the new version takes effect."))
        else:
            try:
                colours = {
                    level: _safe_colour(request.POST.get(f"colour_{level}") or current.colour(level))
                    for level in Level.values
                }
                matrix = services.publish_matrix(
                    actor=request.user,
                    effective_from=effective,
                    levels=levels,
                    strategies=strategies,
                    colours=colours,
                    note=request.POST.get("note", "")[:5000],
                )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Matrix version %(v)s saved; risks assessed before keep their version.")
                    % {"v": matrix.version},
                )
                return HttpResponseRedirect(reverse("risks:matrix"))
        status = 400
        messages.error(request, error)
    context = {
        "matrix": current,
        "cells": heatmap.matrix_cells(current),
        "impact_labels": list(enumerate(current.impact_labels, start=1)),
        "versions": list(RiskMatrix.objects.select_related("created_by").order_by("-version")[:20]),
        "may_edit": may_edit,
        "Level": Level,
        "Strategy": Strategy,
        "today": timezone.localdate(),
        "colours": [(level, _safe_colour(current.colour(level))) for level in Level.values],
    }
    return render(request, "risks/matrix.html", context, status=status)


@login_required
def levels_css(request):
    """The level and warning colours as CSS classes (the CSP allows no inline style)."""
    matrix = services.current_matrix()
    lines = []
    for level in Level.values:
        colour = matrix.colour(level)
        text = "#212529" if level == Level.MEDIUM else "#ffffff"
        lines.append(
            f".risk-level-{level}{{background-color:{_safe_colour(colour)}!important;color:{text}!important}}"
        )
    for level, colour in WARNING_COLOURS.items():
        text = "#212529" if level == "yellow" else "#ffffff"
        lines.append(f".risk-warning-{level}{{background-color:{colour}!important;color:{text}!important}}")
    response = HttpResponse("\n".join(lines), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _safe_colour(value: str) -> str:
    """Only #rgb / #rrggbb reach the style sheet."""
    value = str(value or "")
    if len(value) in (4, 7) and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:]):
        return value
    return "#6c757d"
