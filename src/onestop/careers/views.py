"""Pages of incentives and careers (HR-9, HR-10): thin views over careers.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from onestop.accounts.models import User
from onestop.careers import filters, forms, rules, services
from onestop.careers.access import may_see_career
from onestop.careers.models import (
    PERIOD,
    CareerLevel,
    CareerPath,
    DevelopmentPlan,
    DevelopmentReview,
    Incentive,
    IncentiveKind,
    Nomination,
    PositionMove,
    Recognition,
    Selection,
    Vote,
)
from onestop.careers.readiness import promotion_readiness
from onestop.core.views import Column, ObjectViews, RelatedTable


class ServiceSaved(ObjectViews):
    """Creating and editing go through the app's service (``save_service``)."""

    save_service = None

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        record = form.save(commit=False)
        reason = form.cleaned_data.get("change_reason", "") if hasattr(form, "cleaned_data") else ""
        saved = cls.save_service(record, actor=actor, reason=reason)
        form.instance = saved
        form.save_m2m()
        return saved


class PersonLink:
    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"career_url": reverse("careers:person", args=[obj.employee_id])}


# --- HR-9 ---------------------------------------------------------------------------------------


class RecognitionViews(PersonLink, ServiceSaved):
    model = Recognition
    filterset_class = filters.RecognitionFilterSet
    form_class = forms.RecognitionForm
    save_service = staticmethod(services.save_recognition)
    icon = "award"
    allow_delete = False
    list_select_related = ("employee", "selection")
    detail_select_related = (
        "employee__position",
        "employee__department",
        "selection",
        "proposed_by",
        "decided_by",
    )
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("kind"),
        Column("title"),
        Column("awarded_on"),
        Column("selection", sort="selection__title"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "kind",
        "title",
        "reason",
        "awarded_on",
        "selection",
        "state",
        "proposed_by",
        "decided_by",
        "decided_at",
    ]
    default_sort = "-awarded_on"
    detail_template = "careers/person_record_detail.html"


class IncentiveViews(PersonLink, ServiceSaved):
    model = Incentive
    filterset_class = filters.IncentiveFilterSet
    form_class = forms.IncentiveForm
    save_service = staticmethod(services.save_incentive)
    icon = "cash-coin"
    allow_delete = False
    list_select_related = ("employee__department",)
    detail_select_related = (
        "employee",
        "appraisal__cycle",
        "appraisal__employee",
        "project",
        "proposed_by",
        "first_approved_by",
        "decided_by",
    )
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("period"),
        Column("kind"),
        Column("amount"),
        Column("currency"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "kind",
        "amount",
        "currency",
        "period",
        "reason",
        "appraisal",
        "project",
        "state",
        "proposed_by",
        "first_approved_by",
        "first_approved_at",
        "decided_by",
        "decided_at",
    ]
    default_sort = "-period"
    detail_template = "careers/person_record_detail.html"


@login_required
def payroll(request):
    """The month's approved incentives added up per person and kind, with the link to the list's
    Excel export of the same rows (the payroll export — a list for payroll, not a payroll system)."""
    if not request.user.has_perm("careers.export_incentive"):
        raise PermissionDenied
    period = request.GET.get("period", "")
    rows = Incentive.objects.visible_to(request.user).filter(state=Incentive.State.APPROVED)
    error = ""
    if period:
        try:
            PERIOD(period)
        except ValidationError:
            error, period = str(PERIOD.message), ""
    periods = list(rows.order_by("-period").values_list("period", flat=True).distinct()[:24])
    if not period and periods and not error:
        period = periods[0]
    month = rows.filter(period=period) if period else rows.none()
    people = services.payroll_by_person(month)
    context = {
        "period": period,
        "periods": periods,
        "error": error,
        "people": [{**row, "kind_label": IncentiveKind(row["kind"]).label} for row in people],
        "totals": services.payroll_totals(month),
        "export_url": f"{reverse('careers:incentive_list')}?payroll=true&period={period}&export=xlsx",
    }
    return render(request, "careers/payroll.html", context)


class SelectionViews(ObjectViews):
    model = Selection
    filterset_class = filters.SelectionFilterSet
    form_class = forms.SelectionForm
    icon = "trophy"
    columns = [
        Column("title", link=True),
        Column("period"),
        Column("nominations_close_on"),
        Column("voting_closes_on"),
        Column("winners"),
        Column("state"),
    ]
    detail_fields = [
        "title",
        "period",
        "description",
        "nominations_open_on",
        "nominations_close_on",
        "voting_opens_on",
        "voting_closes_on",
        "winners",
        "state",
        "announced_at",
    ]
    default_sort = "-voting_closes_on"
    detail_template = "careers/selection_detail.html"
    related_tables = [
        RelatedTable(
            "nominations",
            [Column("nominee", link=True), Column("reason"), Column("nominated_by")],
            add_url_param="selection",
        ),
        RelatedTable(
            "votes", [Column("voter"), Column("nomination"), Column("created_at")], add_url_param="selection"
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        # The counts are secret while the vote runs: HR follows them, everyone sees the announced ones.
        show = obj.state == Selection.State.ANNOUNCED or rules.sees_all_people(request.user)
        tally = list(obj.tally()) if show and obj.state != Selection.State.NOMINATING else []
        my_vote = (
            Vote.objects.filter(selection=obj, voter=request.user)
            .select_related("nomination__nominee")
            .first()
        )
        return {"tally": tally, "my_vote": my_vote, "announced": obj.state == Selection.State.ANNOUNCED}


class NominationViews(ServiceSaved):
    model = Nomination
    filterset_class = filters.NominationFilterSet
    form_class = forms.NominationForm
    save_service = staticmethod(services.save_nomination)
    icon = "person-up"
    list_select_related = ("selection", "nominee", "nominated_by")
    columns = [
        Column("nominee", link=True, sort="nominee__full_name"),
        Column("selection", sort="selection__title"),
        Column("nominated_by", sort="nominated_by__full_name"),
        Column("votes_received"),
        Column("is_winner"),
    ]
    detail_fields = ["selection", "nominee", "reason", "nominated_by", "votes_received", "is_winner"]


class VoteViews(ServiceSaved):
    model = Vote
    filterset_class = filters.VoteFilterSet
    form_class = forms.VoteForm
    save_service = staticmethod(services.save_vote)
    icon = "check2-square"
    list_select_related = ("selection", "nomination__nominee", "nomination__selection", "voter")
    columns = [
        Column("selection", link=True, sort="selection__title"),
        Column("nomination", sort="nomination__nominee__full_name"),
        Column("voter", sort="voter__full_name"),
        Column("created_at"),
    ]
    detail_fields = ["selection", "nomination", "voter", "created_at"]


# --- HR-10 --------------------------------------------------------------------------------------


class CareerPathViews(ObjectViews):
    model = CareerPath
    filterset_class = filters.CareerPathFilterSet
    form_class = forms.CareerPathForm
    icon = "signpost-split"
    columns = [Column("name", link=True), Column("description")]
    detail_fields = ["name", "description"]
    related_tables = [
        RelatedTable(
            "levels",
            [
                Column("rank"),
                Column("title", link=True),
                Column("position"),
                Column("min_years"),
                Column("required_grade"),
                Column("required_skills"),
                Column("criteria"),
            ],
            add_url_param="path",
        )
    ]
    detail_template = "careers/careerpath_detail.html"

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        return {"summary": path_summary(obj)}


def path_summary(path) -> list[dict]:
    """Per level of ``path``: how many active people hold its position and how many development
    plans in progress aim at it — counts, never names (management's summary). Two queries."""
    levels = list(path.levels.select_related("position").order_by("rank"))
    holders = dict(
        User.objects.staff()
        .filter(is_active=True, position__in=[level.position_id for level in levels])
        .order_by()
        .values_list("position")
        .annotate(n=Count("pk"))
    )
    aiming = dict(
        DevelopmentPlan._base_manager.filter(target_level__path=path, state=DevelopmentPlan.State.AGREED)
        .order_by()
        .values_list("target_level")
        .annotate(n=Count("pk"))
    )
    return [
        {"level": level, "holders": holders.get(level.position_id, 0), "aiming": aiming.get(level.pk, 0)}
        for level in levels
    ]


class CareerLevelViews(ObjectViews):
    model = CareerLevel
    filterset_class = filters.CareerLevelFilterSet
    form_class = forms.CareerLevelForm
    icon = "bar-chart-steps"
    list_select_related = ("path", "position")
    columns = [
        Column("title", link=True),
        Column("path", sort="path__name"),
        Column("rank"),
        Column("position", sort="position__name"),
        Column("min_years"),
        Column("required_grade"),
    ]
    detail_fields = [
        "path",
        "rank",
        "title",
        "position",
        "criteria",
        "min_years",
        "required_grade",
        "required_skills",
    ]
    default_sort = "path__name"


class DevelopmentPlanViews(PersonLink, ServiceSaved):
    model = DevelopmentPlan
    filterset_class = filters.DevelopmentPlanFilterSet
    form_class = forms.DevelopmentPlanForm
    save_service = staticmethod(services.save_plan)
    icon = "map"
    allow_delete = False
    list_select_related = ("employee", "superior", "target_position")
    detail_select_related = ("employee", "superior", "target_level__path", "target_position")
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("superior", sort="superior__full_name"),
        Column("target_position", sort="target_position__name"),
        Column("starts_on"),
        Column("ends_on"),
        Column("next_review_on"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "superior",
        "starts_on",
        "ends_on",
        "target_level",
        "target_position",
        "goals",
        "courses",
        "next_review_on",
        "state",
        "superior_agreed_at",
        "employee_agreed_at",
        "completed_at",
    ]
    default_sort = "-starts_on"
    detail_template = "careers/person_record_detail.html"
    related_tables = [
        RelatedTable(
            "reviews",
            [
                Column("held_on", link=True),
                Column("progress"),
                Column("notes"),
                Column("next_review_on"),
                Column("recorded_by"),
            ],
            add_url_param="plan",
        )
    ]


class DevelopmentReviewViews(ServiceSaved):
    model = DevelopmentReview
    filterset_class = filters.DevelopmentReviewFilterSet
    form_class = forms.DevelopmentReviewForm
    save_service = staticmethod(services.save_review)
    icon = "chat-square-text"
    list_select_related = ("plan__employee", "recorded_by")
    columns = [
        Column("plan", link=True, sort="plan__employee__full_name"),
        Column("held_on"),
        Column("progress"),
        Column("next_review_on"),
        Column("recorded_by", sort="recorded_by__full_name"),
    ]
    detail_fields = ["plan", "held_on", "progress", "notes", "next_review_on", "recorded_by"]
    default_sort = "-held_on"


class PositionMoveViews(PersonLink, ServiceSaved):
    model = PositionMove
    filterset_class = filters.PositionMoveFilterSet
    form_class = forms.PositionMoveForm
    save_service = staticmethod(services.save_move)
    icon = "arrow-left-right"
    allow_delete = False
    list_select_related = ("employee", "from_position", "to_position", "to_department")
    detail_select_related = (
        "employee",
        "from_position",
        "from_department",
        "to_position",
        "to_department",
        "target_level",
        "proposed_by",
        "decided_by",
    )
    columns = [
        Column("employee", link=True, sort="employee__full_name"),
        Column("kind"),
        Column("from_position", sort="from_position__name"),
        Column("to_position", sort="to_position__name"),
        Column("to_department", sort="to_department__name"),
        Column("effective_on"),
        Column("state"),
    ]
    detail_fields = [
        "employee",
        "kind",
        "from_position",
        "from_department",
        "to_position",
        "to_department",
        "target_level",
        "effective_on",
        "reason",
        "state",
        "proposed_by",
        "decided_by",
        "decided_at",
    ]
    default_sort = "-effective_on"
    detail_template = "careers/person_record_detail.html"

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        # A promotion into a career level: its criteria, met or not, beside the proposal.
        return {
            **super().detail_context(request, obj, bound_forms),
            "readiness": promotion_readiness(obj, request.user),
        }


@login_required
def my_career(request):
    return redirect("careers:person", pk=request.user.pk)


@login_required
def person(request, pk: int):
    """A person's career: where they stand, every change of position (position moves and
    appraisal result actions alike), recognitions, development plans — each through its own
    visibility rule. Someone who may not see it gets 404, like a missing person."""
    someone = get_object_or_404(User.objects.staff().select_related("position", "department"), pk=pk)
    if not may_see_career(request.user, someone):
        raise Http404
    user = request.user
    context = {
        "person": someone,
        "steps": services.career_history(someone, user),
        "recognitions": Recognition.objects.visible_to(user)
        .filter(employee=someone)
        .select_related("selection")[:50],
        "plans": DevelopmentPlan.objects.visible_to(user)
        .filter(employee=someone)
        .select_related("target_position")[:20],
        "moves": PositionMove.objects.visible_to(user)
        .filter(employee=someone)
        .exclude(state=PositionMove.State.APPROVED)
        .select_related("to_position")[:20],
        "levels": CareerLevel.objects.filter(position_id=someone.position_id).select_related("path")
        if someone.position_id
        else [],
    }
    return render(request, "careers/person.html", context)
