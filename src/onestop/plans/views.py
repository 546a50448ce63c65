"""Plan pages: the list, opening a plan, and the plan page with its versions, differences,
review scoring, outcome and approval. Each action is a ``RecordAction`` that calls the service
the API calls too; the actions on a version are shown on its plan's page."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from onestop.core.actions import RecordAction, calls, record_action
from onestop.core.forms import bootstrapify
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews
from onestop.plans import forms, services
from onestop.plans.diff import since_reviewed_by, versions_with_changes
from onestop.plans.filters import PlanFilterSet
from onestop.plans.models import Plan, PlanVersion, ReviewCriteriaSet
from onestop.plans.states import OPEN, PlanVersionState


def _latest(plan):
    return plan.versions.order_by("-number").first()


def _may_start_version(plan, user) -> bool:
    latest = _latest(plan)
    return latest is not None and latest.state not in OPEN and user.has_perm("plans.draft_plan", plan)


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
    detail_template = "plans/plan_detail.html"

    actions = [
        RecordAction(
            "new-version",
            calls(services.new_version),
            route="versions/new/",
            form=forms.NewVersionForm,
            when=_may_start_version,
            success=lambda plan, version: (
                _("Version %(number)s was started from the previous one.") % {"number": version.number}
            ),
        ),
    ]

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

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        user = request.user
        versions = versions_with_changes(obj)
        latest = versions[0]["version"] if versions else None
        submitted_by = services.submitters([item["version"] for item in versions])
        for item in versions:
            version = item["version"]
            item["submitted_by"] = submitted_by.get(version.pk)
            reviews = list(version.reviews.all())
            item["reviews"] = reviews
            item["decision"] = services.decision_for(version, reviews) if version.decided_at else None
            item["criteria"] = version.criteria_set.criterion_list() if version.criteria_set_id else []
            item["needed_approvals"] = services.approval_levels(version)
            item["my_review"] = next((r for r in reviews if r.reviewer_id == user.pk), None)
            item["can_decide"] = approve_version.available(version, user, ())
            if version.state == PlanVersionState.IN_REVIEW and any(
                r.pk == user.pk for r in version.reviewers.all()
            ):
                item["since_reviewed"] = since_reviewed_by(version, user)
            # Only one version is open at a time, so a refused review is that version's.
            if review_version.available(version, user, ()):
                item["review_form"] = bootstrapify(
                    bound_forms.get("review") or review_version.make_form(version, user)
                )
        context = {
            "versions": versions,
            "latest": latest,
            "budget": services.budget_against_fee(latest) if latest is not None else None,
            "can_edit": latest is not None and edit_version.available(latest, user, ()),
            "active_criteria": ReviewCriteriaSet.active(),
            "State": PlanVersionState,
            # A reviewer may raise a risk from their comment (RSK-1) when the risk app is installed.
            "raise_risk_route": "risks:planreview_raise_risk" if apps.is_installed("onestop.risks") else "",
            "panels": panels("plan", obj, user),
        }
        if latest is not None and submit_version.available(latest, user, ()):
            context["submit_form"] = bootstrapify(
                bound_forms.get("submit") or submit_version.make_form(latest, user)
            )
        return context


# --- the actions on a version, shown on its plan's page ------------------------------------------


def _on_the_plan(version):
    return version.plan


def _review(version, request, data):
    return services.submit_review(
        version,
        actor=request.user,
        scores={
            name.removeprefix("score_"): value for name, value in data.items() if name.startswith("score_")
        },
        recommendation=data["recommendation"],
        comments=data["comments"],
    )


def _approved(version, result):
    if PlanVersion.objects.filter(pk=version.pk, state=PlanVersionState.APPROVED).exists():
        return _("Version %(number)s was approved and is now the effective plan.") % {
            "number": version.number
        }
    return _("Your approval was recorded; a second member of management must approve too.")


def _update(version, request, data):
    parts = data.pop("parts")
    return services.update_version(
        version,
        actor=request.user,
        milestones=parts["milestones"],
        staffing=parts["staffing"],
        budget_lines=parts["budget"],
        **data,
    )


def _frozen(version, user) -> str:
    """A version already submitted: back to the plan with why (for whoever could edit drafts)."""
    if version.is_editable or not user.has_perm("plans.change_planversion", version):
        return ""
    return _(
        "Version %(number)s is “%(state)s” and can no longer be changed; make a new version instead."
    ) % {"number": version.number, "state": version.state_label()}


edit_version = RecordAction(
    "edit",
    _update,
    model=PlanVersion,
    form=forms.VersionEditForm,
    form_kwargs=lambda version, user: {"instance": version, "user": user, "auto_id": "id_%s"},
    when=lambda version, user: version.is_editable and user.has_perm("plans.change_planversion", version),
    template="plans/version_form.html",
    unavailable=_frozen,
    context=lambda version, user: {
        "object": version.plan,
        "version": version,
        "budget": services.budget_against_fee(version),
        "opts": Plan._meta,
        "model_name": Plan._meta.verbose_name,
        "icon": "journal-text",
    },
    page=_on_the_plan,
    success=lambda version, result: _("Version %(number)s was saved.") % {"number": version.number},
)
submit_version = record_action(
    PlanVersion,
    "submit",
    calls(services.submit_version),
    form=forms.SubmitForm,
    form_kwargs=lambda version, user: {"version": version},
    when=lambda version, user: (
        version.state == PlanVersionState.DRAFT and user.has_perm("plans.draft_plan", version.plan)
    ),
    page=_on_the_plan,
    success=lambda version, result: (
        _("Version %(number)s was sent to the review panel.") % {"number": version.number}
    ),
)
review_version = record_action(
    PlanVersion,
    "review",
    _review,
    form=forms.ReviewForm,
    form_kwargs=lambda version, user: {"criteria_set": version.criteria_set or ReviewCriteriaSet.active()},
    when=lambda version, user: (
        version.state == PlanVersionState.IN_REVIEW
        and not version.reviews.filter(reviewer=user).exists()
        and user.has_perm("plans.review_planversion", version)
    ),
    page=_on_the_plan,
    redirect=lambda version, review: version.get_absolute_url(),
    success=_("Your review was recorded."),
)
approve_version = record_action(
    PlanVersion,
    "approve",
    calls(services.approve_version),
    form=forms.DecisionForm,
    when=lambda version, user: (
        version.state == PlanVersionState.PASSED and user.has_perm("plans.approve_planversion", version)
    ),
    page=_on_the_plan,
    success=_approved,
)
reject_version = record_action(
    PlanVersion,
    "reject",
    calls(services.reject_version),
    form=forms.DecisionForm,
    page=_on_the_plan,
    success=lambda version, result: _("Version %(number)s was rejected.") % {"number": version.number},
)
VERSION_ACTIONS = (edit_version, submit_version, review_version, approve_version, reject_version)
