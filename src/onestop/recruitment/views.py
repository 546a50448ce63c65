"""Pages of recruitment and onboarding (HR-1..HR-3): thin views over recruitment.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop.core.actions import RecordAction, calls, record_action
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.core.workflow import allowed_actions
from onestop.recruitment import filters, forms, services, states
from onestop.recruitment.models import (
    Candidate,
    HiringNeed,
    Interview,
    Onboarding,
    OnboardingPart,
    OnboardingTask,
    Posting,
)

# --- hiring needs --------------------------------------------------------------------------------


class HiringNeedViews(ObjectViews):
    model = HiringNeed
    filterset_class = filters.HiringNeedFilterSet
    form_class = forms.HiringNeedForm
    icon = "person-plus"
    allow_delete = False
    detail_template = "recruitment/hiringneed_detail.html"
    form_template = "recruitment/hiringneed_form.html"
    list_select_related = ("position", "department", "hiring_manager")
    detail_select_related = (
        "position",
        "department",
        "hiring_manager",
        "project",
        "replaces",
        "requested_by",
        "decided_by",
    )
    columns = [
        Column("code", link=True),
        Column("position", sort="position__name"),
        Column("department", sort="department__name"),
        Column("headcount"),
        Column("reason"),
        Column("target_date"),
        Column("hiring_manager", sort="hiring_manager__full_name"),
        Column("state"),
    ]
    detail_fields = [
        "code",
        "state",
        "position",
        "department",
        "headcount",
        "education",
        "years_experience",
        "certificates",
        "reason",
        "project",
        "replaces",
        "justification",
        "target_date",
        "hiring_manager",
        "requested_by",
        "decided_by",
        "decided_at",
    ]
    related_tables = [
        RelatedTable(
            "postings",
            [
                Column("title", link=True),
                Column("channel"),
                Column("where"),
                Column("published_on"),
                Column("closes_on"),
            ],
            add_url_param="need",
        ),
    ]
    default_sort = "-created_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.record_need(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        candidates = (
            Candidate.objects.visible_to(request.user).filter(need=obj).order_by("-applied_on", "-pk")
        )
        order = {stage.value: index for index, stage in enumerate((*states.PIPELINE, *states.CLOSED_STAGES))}
        rows = sorted(candidates[:200], key=lambda c: order.get(c.stage, 99))
        counts: dict[str, int] = {}
        for candidate in rows:
            counts[candidate.stage] = counts.get(candidate.stage, 0) + 1
        sees_all = request.user.has_perm("recruitment.add_candidate")
        return {
            "candidates": rows,
            "stage_counts": [(stage, stage.label, counts.get(stage.value, 0)) for stage in states.PIPELINE],
            "closed_counts": [
                (stage, stage.label, counts.get(stage.value, 0)) for stage in states.CLOSED_STAGES
            ],
            "figures": services.figures(obj) if sees_all else None,
            "hired": counts.get(states.Stage.HIRED.value, 0),
            "can_add_candidate": sees_all and obj.state in states.NEED_OPEN,
        }


class PostingViews(ObjectViews):
    model = Posting
    filterset_class = filters.PostingFilterSet
    form_class = forms.PostingForm
    icon = "megaphone"
    list_select_related = ("need__position",)
    detail_select_related = ("need__position",)
    columns = [
        Column("title", link=True),
        Column("need", sort="need__code"),
        Column("channel"),
        Column("where"),
        Column("published_on"),
        Column("closes_on"),
    ]
    detail_fields = ["need", "channel", "title", "where", "url", "published_on", "closes_on", "notes"]
    default_sort = "-published_on"


# --- candidates ----------------------------------------------------------------------------------


def _suggest_username(candidate, user) -> dict:
    local = (candidate.email or "").split("@")[0].lower()
    return {"username": local or f"new.{candidate.code.lower()}"}


class CandidateViews(ObjectViews):
    model = Candidate
    filterset_class = filters.CandidateFilterSet
    form_class = forms.CandidateEditForm
    add_form_class = forms.CandidateForm
    icon = "person-vcard"
    allow_delete = False
    detail_template = "recruitment/candidate_detail.html"
    list_template = "recruitment/candidate_list.html"
    list_select_related = ("need__position",)
    detail_select_related = (
        "need__position",
        "need__department",
        "posting",
        "referrer",
        "offer_superior",
        "offer_approved_by",
        "hired_user",
    )
    columns = [
        Column("code", link=True),
        Column("full_name", link=True),
        Column("need", sort="need__code"),
        Column("source"),
        Column("applied_on"),
        Column("stage"),
        Column("days_in_stage", sort="stage_since"),
    ]
    detail_fields = [
        "code",
        "need",
        "stage",
        "days_in_stage",
        "phone",
        "email",
        "education",
        "school",
        "years_experience",
        "current_employer",
        "source",
        "posting",
        "referrer",
        "applied_on",
    ]
    default_sort = "-applied_on"

    actions = [
        RecordAction(
            "record-test",
            calls(services.record_test),
            form=forms.RecordTestForm,
            transition="record_test",
            success=_("The written test was recorded; the background check is next."),
        ),
        RecordAction(
            "propose-offer",
            calls(services.propose_offer),
            form=forms.ProposeOfferForm,
            form_kwargs=lambda candidate, user: {"user": user},
            initial=lambda candidate, user: {
                "superior": candidate.need.hiring_manager_id,
                "start_date": candidate.need.target_date,
            },
            transition="propose_offer",
            success=_("The offer was put to management for approval."),
        ),
        RecordAction(
            "hire",
            calls(services.hire),
            form=forms.HireForm,
            initial=_suggest_username,
            transition="hire",
            success=_("The staff account was created and the onboarding programme assigned."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.add_candidate(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        interviews = list(
            Interview.objects.visible_to(request.user)
            .filter(candidate=obj)
            .select_related("interviewer")
            .order_by("round", "scheduled_at", "pk")
        )
        return {
            "interviews": interviews,
            "criteria": obj.need.criteria_items,
            "can_schedule": request.user.has_perm("recruitment.add_interview")
            and obj.stage in (states.Stage.SCREENING, states.Stage.INTERVIEW),
            "pipeline": [(stage, stage.label) for stage in states.PIPELINE],
            "onboarding": Onboarding.objects.visible_to(request.user).filter(candidate=obj).first()
            if obj.hired_user_id
            else None,
        }


class InterviewViews(ObjectViews):
    model = Interview
    filterset_class = filters.InterviewFilterSet
    form_class = forms.InterviewForm
    icon = "chat-square-text"
    detail_template = "recruitment/interview_detail.html"
    list_select_related = ("candidate__need__position", "interviewer")
    detail_select_related = ("candidate__need__position", "interviewer")
    columns = [
        Column("candidate", link=True, sort="candidate__full_name"),
        Column("round"),
        Column("interviewer", sort="interviewer__full_name"),
        Column("scheduled_at"),
        Column("average"),
        Column("recommendation"),
        Column("status_label", sort="scored_at"),
    ]
    detail_fields = [
        "candidate",
        "round",
        "interviewer",
        "scheduled_at",
        "place",
        "status_label",
        "average",
        "recommendation",
        "summary",
        "scored_at",
    ]
    default_sort = "-scheduled_at"

    actions = [
        RecordAction(
            "score",
            lambda interview, request, data: services.score_interview(
                interview,
                actor=request.user,
                scores=data["scores"],
                recommendation=data["recommendation"],
                summary=data.get("summary", ""),
            ),
            form=forms.ScoreForm,
            form_kwargs=forms.score_form_kwargs,
            when=lambda interview, user: (
                interview.scored_at is None
                and interview.candidate.stage == states.Stage.INTERVIEW
                and user.has_perm("recruitment.score_interview", interview)
            ),
            success=_("Your scores were recorded. Thank you."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            return services.schedule_interview(form.save(commit=False), actor=actor)
        return super().save(form, actor=actor, request=request, obj=obj)


# --- onboarding ----------------------------------------------------------------------------------


class OnboardingPartViews(ObjectViews):
    model = OnboardingPart
    filterset_class = filters.OnboardingPartFilterSet
    form_class = forms.OnboardingPartForm
    icon = "journal-bookmark"
    columns = [
        Column("order"),
        Column("topic"),
        Column("title", link=True),
        Column("due_days"),
        Column("has_test"),
        Column("pass_score"),
        Column("is_active"),
    ]
    detail_fields = ["topic", "title", "content", "order", "due_days", "has_test", "pass_score", "is_active"]
    default_sort = "order"


class OnboardingViews(ObjectViews):
    model = Onboarding
    filterset_class = filters.OnboardingFilterSet
    form_class = forms.OnboardingEditForm
    add_form_class = forms.OnboardingForm
    icon = "signpost-split"
    allow_delete = False
    detail_template = "recruitment/onboarding_detail.html"
    list_select_related = ("user__department", "superior")
    detail_select_related = ("user__department", "user__position", "superior", "candidate", "assigned_by")
    columns = [
        Column("user", link=True, sort="user__full_name"),
        Column("superior", sort="superior__full_name"),
        Column("start_date"),
        Column("status_label", sort="completed_at"),
    ]
    detail_fields = [
        "user",
        "superior",
        "start_date",
        "candidate",
        "assigned_by",
        "status_label",
        "completed_at",
    ]
    default_sort = "-start_date"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.assign_onboarding(
                user=data["user"], superior=data["superior"], start_date=data["start_date"], actor=actor
            )
        return super().save(form, actor=actor, request=request, obj=obj)

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        user = request.user
        tasks = list(obj.tasks.select_related("acknowledged_by").order_by("order", "pk"))
        rows = []
        for task in tasks:
            task.onboarding = obj
            row = {"task": task, "forms": {}}
            allowed = allowed_actions(task, user)
            for action in TASK_ACTIONS:
                if action.available(task, user, allowed):
                    bound = bound_forms.get(f"{action.key}-{task.pk}")
                    row["forms"][action.key] = bootstrapify(bound or action.make_form(task, user))
            rows.append(row)
        done = sum(1 for task in tasks if task.state == OnboardingTask.State.ACKNOWLEDGED)
        return {"rows": rows, "done": done, "total": len(tasks)}


complete_task = record_action(
    OnboardingTask,
    "complete",
    calls(services.complete_task),
    form=forms.CompleteTaskForm,
    transition="complete",
    page=lambda task: task.onboarding,
    success=_("The part is marked completed; HR or your superior will acknowledge it."),
)
acknowledge_task = record_action(
    OnboardingTask,
    "acknowledge",
    calls(services.acknowledge_task),
    form=forms.AcknowledgeForm,
    transition="acknowledge",
    page=lambda task: task.onboarding,
    success=_("The part was acknowledged."),
)
redo_task = record_action(
    OnboardingTask,
    "redo",
    calls(services.redo_task),
    form=forms.ReasonForm,
    transition="redo",
    page=lambda task: task.onboarding,
    success=_("The new colleague was asked to redo the part."),
)
TASK_ACTIONS = (complete_task, acknowledge_task, redo_task)
