"""Plan pages: the list, opening a plan, and the plan page with its versions, differences,
review scoring, outcome and approval. Each action parses input, then calls the service the
API calls too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, action_done, action_refused
from onestop.plans import forms, services
from onestop.plans.diff import since_reviewed_by, versions_with_changes
from onestop.plans.filters import PlanFilterSet
from onestop.plans.models import Plan, PlanVersion, ReviewCriteriaSet


class PlanViews(ObjectViews):
    model = Plan
    filterset_class = PlanFilterSet
    form_class = forms.PlanForm
    icon = "journal-text"
    allow_delete = False  # a plan is the record of its stage; versions are superseded, never deleted
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("engagement", sort="engagement__code"),
        Column("project_lead", sort="project_lead__full_name"),
        Column("effective_version", sort=False),
        Column("created_at"),
    ]
    list_select_related = ("engagement", "project_lead", "effective_version__plan")
    detail_select_related = ("engagement__client", "project_lead", "effective_version")
    default_sort = "-created_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is not None:
            return services.assign_lead(
                obj, actor=actor, project_lead=data["project_lead"], title=data["title"]
            )
        return services.create_plan(
            data["engagement"], actor=actor, project_lead=data["project_lead"], title=data["title"]
        )


def _plan(request, pk):
    plan = get_object_or_404(
        Plan.objects.visible_to(request.user).select_related(*PlanViews.detail_select_related), pk=pk
    )
    if not request.user.has_perm("plans.view_plan", plan):
        raise PermissionDenied
    return plan


def _version(request, pk, number):
    plan = _plan(request, pk)
    return get_object_or_404(
        plan.versions.select_related("plan__project_lead", "criteria_set"), number=number
    )


def detail_context(request, plan, **override):
    user = request.user
    versions = versions_with_changes(plan)
    latest = versions[0]["version"] if versions else None
    for item in versions:
        version = item["version"]
        reviews = list(version.reviews.all())
        item["reviews"] = reviews
        item["decision"] = services.decision_for(version, reviews) if version.decided_at else None
        item["criteria"] = version.criteria_set.criterion_list() if version.criteria_set_id else []
        item["needed_approvals"] = services.approval_levels(version)
        item["my_review"] = next((r for r in reviews if r.reviewer_id == user.pk), None)
        item["can_review"] = (
            version.state == PlanVersion.State.IN_REVIEW
            and item["my_review"] is None
            and user.has_perm("plans.review_planversion", version)
        )
        item["can_decide"] = version.state == PlanVersion.State.PASSED and user.has_perm(
            "plans.approve_planversion", version
        )
        if version.state == PlanVersion.State.IN_REVIEW and any(
            r.pk == user.pk for r in version.reviewers.all()
        ):
            item["since_reviewed"] = since_reviewed_by(version, user)
        if item["can_review"]:
            form = override.get("review_form") if override.get("review_version") == version.number else None
            item["review_form"] = bootstrapify(form or forms.ReviewForm(criteria_set=version.criteria_set))
    may_draft = user.has_perm("plans.draft_plan", plan)
    context = {
        "object": plan,
        "opts": Plan._meta,
        "model_name": Plan._meta.verbose_name,
        "model_name_plural": Plan._meta.verbose_name_plural,
        "list_url": reverse("plans:plan_list"),
        "icon": "journal-text",
        "tab": "detail",
        "versions": versions,
        "latest": latest,
        "can_change": user.has_perm("plans.change_plan", plan),
        "can_delete": False,
        "can_edit": latest is not None and latest.is_editable and may_draft,
        "can_submit": latest is not None and latest.state == PlanVersion.State.DRAFT and may_draft,
        "can_new_version": latest is not None and latest.state not in PlanVersion.OPEN_STATES and may_draft,
        "active_criteria": ReviewCriteriaSet.active(),
    }
    if context["can_submit"]:
        context["submit_form"] = bootstrapify(override.get("submit_form") or forms.SubmitForm(version=latest))
    if context["can_new_version"]:
        context["new_version_form"] = bootstrapify(forms.NewVersionForm())
    return context


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    return render(request, "plans/plan_detail.html", detail_context(request, plan))


def _invalid(request, plan, **override):
    return render(request, "plans/plan_detail.html", detail_context(request, plan, **override), status=400)


@login_required
def version_edit(request, pk, number):
    """Edit a draft version: its content, milestones, staffing and cost budget."""
    version = _version(request, pk, number)
    plan = version.plan
    if not request.user.has_perm("plans.change_planversion", version):
        raise PermissionDenied
    if not version.is_editable:
        return action_refused(
            request,
            plan,
            DomainError(
                _(
                    "Version %(number)s is “%(state)s” and can no longer be changed; make a new version instead."
                )
                % {"number": version.number, "state": version.state_label()}
            ),
        )
    if request.method == "POST":
        form = forms.VersionForm(request.POST, instance=version, user=request.user)
        parts = forms.part_formsets(request.POST, instance=version)
        if form.is_valid() and all(p.is_valid() for p in parts.values()):
            try:
                with transaction.atomic():
                    services.update_version(
                        version,
                        actor=request.user,
                        milestones=_rows(parts["milestones"]),
                        staffing=_rows(parts["staffing"]),
                        budget_lines=_rows(parts["budget"]),
                        **{name: form.cleaned_data[name] for name in form.fields},
                    )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return action_done(
                    request, plan, _("Version %(number)s was saved.") % {"number": version.number}
                )
        status = 400
    else:
        form = forms.VersionForm(instance=version, user=request.user)
        parts = forms.part_formsets(instance=version)
        status = 200
    bootstrapify(form)
    for formset in parts.values():
        for sub in formset.forms:
            bootstrapify(sub)
    context = {
        "object": plan,
        "version": version,
        "form": form,
        "parts": parts,
        "opts": Plan._meta,
        "model_name": Plan._meta.verbose_name,
        "icon": "journal-text",
    }
    return render(request, "plans/version_form.html", context, status=status)


def _rows(formset) -> list[dict]:
    rows = []
    for sub in formset.forms:
        data = getattr(sub, "cleaned_data", None)
        if not data or data.get("DELETE") or (not sub.has_changed() and not sub.instance.pk):
            continue
        rows.append({name: value for name, value in data.items() if name not in ("id", "version", "DELETE")})
    return rows


@login_required
@require_POST
def new_version(request, pk):
    plan = _plan(request, pk)
    form = forms.NewVersionForm(request.POST)
    form.is_valid()
    try:
        version = services.new_version(
            plan, actor=request.user, change_note=form.cleaned_data.get("change_note", "")
        )
    except DomainError as error:
        return action_refused(request, plan, error)
    return action_done(
        request, plan, _("Version %(number)s was started from the previous one.") % {"number": version.number}
    )


@login_required
@require_POST
def submit(request, pk, number):
    version = _version(request, pk, number)
    form = forms.SubmitForm(request.POST, version=version)
    if not form.is_valid():
        return _invalid(request, version.plan, submit_form=form)
    try:
        services.submit_version(
            version,
            actor=request.user,
            reviewers=form.cleaned_data["reviewers"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        return action_refused(request, version.plan, error)
    return action_done(
        request, version.plan, _("Version %(number)s was sent to the review panel.") % {"number": number}
    )


@login_required
@require_POST
def review(request, pk, number):
    version = _version(request, pk, number)
    if not request.user.has_perm("plans.review_planversion", version):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST, criteria_set=version.criteria_set or ReviewCriteriaSet.active())
    if not form.is_valid():
        return _invalid(request, version.plan, review_form=form, review_version=number)
    try:
        services.submit_review(
            version,
            actor=request.user,
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            comments=form.cleaned_data["comments"],
        )
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _invalid(request, version.plan, review_form=form, review_version=number)
        return action_refused(request, version.plan, error)
    return action_done(request, version.plan, _("Your review was recorded."), f"#version-{number}")


@login_required
@require_POST
def approve(request, pk, number):
    version = _version(request, pk, number)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    try:
        services.approve_version(version, actor=request.user, comment=form.cleaned_data.get("comment", ""))
    except DomainError as error:
        return action_refused(request, version.plan, error)
    version.refresh_from_db()
    if version.state == PlanVersion.State.APPROVED:
        message = _("Version %(number)s was approved and is now the effective plan.") % {"number": number}
    else:
        message = _("Your approval was recorded; a second member of management must approve too.")
    return action_done(request, version.plan, message)


@login_required
@require_POST
def reject(request, pk, number):
    version = _version(request, pk, number)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    try:
        services.reject_version(version, actor=request.user, comment=form.cleaned_data.get("comment", ""))
    except DomainError as error:
        return action_refused(request, version.plan, error)
    return action_done(request, version.plan, _("Version %(number)s was rejected.") % {"number": number})
