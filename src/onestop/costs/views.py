"""Pages of staff allocation, team building and project costs: thin views over services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from onestop.core.access import Kind, sees_all, team_engagements
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, RelatedTable
from onestop.costs import exports, filters, forms, rollup, services, utilization
from onestop.costs.charts import cost_charts
from onestop.costs.figures import equipment_used, project_figures
from onestop.costs.models import (
    Allocation,
    BudgetAlert,
    CostRate,
    CostRollup,
    Expense,
    Purchase,
    ReallocationRequest,
    TeamActivity,
    TeamParticipant,
    Timesheet,
)
from onestop.projects.models import Project

# --- RES-4: allocations and reallocation requests --------------------------------------------------


class AllocationViews(ObjectViews):
    model = Allocation
    filterset_class = filters.AllocationFilterSet
    form_class = forms.AllocationForm
    icon = "person-lines-fill"
    list_select_related = ("project", "user__department")
    detail_select_related = ("project", "user")
    columns = [
        Column("user", link=True, sort="user__full_name"),
        Column("project", sort="project__code"),
        Column("role"),
        Column("percent"),
        Column("start"),
        Column("end"),
        Column("source"),
    ]
    detail_fields = ["project", "user", "role", "percent", "start", "end", "source", "note"]
    default_sort = "-start"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        allocation = form.save(commit=False)
        return services.save_allocation(allocation, actor=actor)


class ReallocationRequestViews(ObjectViews):
    model = ReallocationRequest
    filterset_class = filters.ReallocationRequestFilterSet
    form_class = forms.ReallocationRequestForm
    icon = "arrow-left-right"
    allow_delete = False
    list_select_related = ("project", "user", "from_department", "requested_by")
    detail_select_related = ("project", "user", "from_department", "requested_by", "decided_by", "allocation")
    columns = [
        Column("user", link=True, sort="user__full_name"),
        Column("from_department", sort="from_department__name"),
        Column("project", sort="project__code"),
        Column("percent"),
        Column("start"),
        Column("end"),
        Column("state"),
        Column("requested_by", sort="requested_by__full_name"),
    ]
    detail_fields = [
        "project",
        "user",
        "from_department",
        "role",
        "percent",
        "start",
        "end",
        "reason",
        "state",
        "requested_by",
        "decided_by",
        "decided_at",
        "allocation",
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.request_reallocation(
                actor=actor,
                project=data["project"],
                user=data["user"],
                role=data["role"],
                percent=data["percent"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
            )
        return services.edit_reallocation(form.save(commit=False), actor=actor)


# --- RES-5: team building ------------------------------------------------------------------------------


class TeamActivityViews(ObjectViews):
    model = TeamActivity
    filterset_class = filters.TeamActivityFilterSet
    form_class = forms.TeamActivityForm
    icon = "people"
    list_select_related = ("department",)
    detail_select_related = ("department", "organizer")
    columns = [
        Column("title", link=True),
        Column("kind"),
        Column("department", sort="department__name"),
        Column("held_on"),
        Column("location"),
        Column("cost"),
    ]
    detail_fields = [
        "kind",
        "title",
        "department",
        "held_on",
        "location",
        "cost",
        "description",
        "organizer",
        "feedback_summary",
    ]
    related_tables = [
        RelatedTable(
            "participants",
            [Column("user", link=True), Column("attended"), Column("rating"), Column("feedback")],
            add_url_param="activity",
        )
    ]
    default_sort = "-held_on"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.save_activity(form.save(commit=False), actor=actor)


class TeamParticipantViews(ObjectViews):
    model = TeamParticipant
    filterset_class = filters.TeamParticipantFilterSet
    form_class = forms.TeamParticipantForm
    icon = "person-check"
    list_select_related = ("activity", "user")
    detail_select_related = ("activity", "user")
    columns = [
        Column("user", link=True, sort="user__full_name"),
        Column("activity", sort="activity__held_on"),
        Column("attended"),
        Column("rating"),
        Column("feedback", sort=False),
    ]
    detail_fields = ["activity", "user", "attended", "rating", "feedback"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.save_participant(form.save(commit=False), actor=actor)


# --- RES-6: rates and cost entries ----------------------------------------------------------------


class CostRateViews(ObjectViews):
    model = CostRate
    filterset_class = filters.CostRateFilterSet
    form_class = forms.CostRateForm
    icon = "currency-exchange"
    list_select_related = ("position",)
    detail_select_related = ("position",)
    columns = [
        Column("position", link=True, sort="position__name"),
        Column("hourly_rate"),
        Column("effective_from"),
        Column("note"),
    ]
    detail_fields = ["position", "hourly_rate", "effective_from", "note"]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.save_rate(form.save(commit=False), actor=actor)


class TimesheetViews(ObjectViews):
    model = Timesheet
    filterset_class = filters.TimesheetFilterSet
    form_class = forms.TimesheetForm
    icon = "clock-history"
    list_select_related = ("user", "project", "task")
    detail_select_related = ("user", "project", "task")
    columns = [
        Column("day", link=True),
        Column("user", sort="user__full_name"),
        Column("project", sort="project__code"),
        Column("task", sort=False),
        Column("hours"),
        Column("description", sort=False),
        Column("cost"),
    ]
    detail_fields = ["user", "project", "task", "day", "hours", "description", "rate", "cost"]
    default_sort = "-day"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        timesheet = form.save(commit=False)
        if obj is None:
            data = form.cleaned_data
            return services.log_time(
                actor=actor,
                project=data["project"],
                day=data["day"],
                hours=data["hours"],
                task=data.get("task"),
                description=data.get("description", ""),
            )
        return services.edit_time(timesheet, actor=actor)


class ExpenseViews(ObjectViews):
    model = Expense
    filterset_class = filters.ExpenseFilterSet
    form_class = forms.ExpenseForm
    icon = "receipt"
    list_select_related = ("project", "claimant")
    detail_select_related = ("project", "claimant", "decided_by")
    columns = [
        Column("spent_on", link=True),
        Column("description", link=True),
        Column("project", sort="project__code"),
        Column("category"),
        Column("amount"),
        Column("claimant", sort="claimant__full_name"),
        Column("state"),
    ]
    detail_fields = [
        "project",
        "category",
        "description",
        "amount",
        "spent_on",
        "claimant",
        "state",
        "submitted_at",
        "decided_by",
        "decided_at",
    ]
    default_sort = "-spent_on"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            return services.claim_expense(
                actor=actor,
                project=data["project"],
                category=data["category"],
                description=data["description"],
                amount=data["amount"],
                spent_on=data["spent_on"],
                receipt=data.get("receipt"),
            )
        return services.edit_expense(form.save(commit=False), actor=actor)


class PurchaseViews(ObjectViews):
    model = Purchase
    filterset_class = filters.PurchaseFilterSet
    form_class = forms.PurchaseForm
    icon = "cart"
    list_select_related = ("project",)
    detail_select_related = ("project", "recorded_by")
    columns = [
        Column("purchased_on", link=True),
        Column("item", link=True),
        Column("project", sort="project__code"),
        Column("category"),
        Column("supplier"),
        Column("amount"),
    ]
    detail_fields = [
        "project",
        "category",
        "item",
        "supplier",
        "amount",
        "purchased_on",
        "recorded_by",
        "note",
    ]
    default_sort = "-purchased_on"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        return services.record_purchase(form.save(commit=False), actor=actor)


# --- the capacity heat map ------------------------------------------------------------------------


def _heatmap_data(request, paginate: bool):
    if not request.user.has_perm("costs.heatmap_allocation"):
        raise PermissionDenied
    form = forms.HeatmapForm(
        request.GET or None, initial={"start": utilization.default_start(), "weeks": utilization.WEEKS}
    )
    start = weeks = department = None
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start")
        weeks = form.cleaned_data.get("weeks")
        department = form.cleaned_data.get("department")
    page_holder = {}

    def page_people(rows):
        paginator = Paginator(rows, utilization.PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page_holder["page"] = page
        return page.object_list

    data = utilization.heatmap(
        request.user,
        start=start,
        weeks=weeks or utilization.WEEKS,
        department=department,
        page_people=page_people if paginate else None,
    )
    data["page"] = page_holder.get("page")
    return form, data


@login_required
def heatmap(request):
    form, data = _heatmap_data(request, paginate=request.GET.get("export") != "xlsx")
    if request.GET.get("export") == "xlsx":
        return exports.heatmap_xlsx(data)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        **data,
        "form": bootstrapify(form),
        "querystring": query.urlencode(),
        "this_week": utilization.monday(timezone.localdate()),
        "can_allocate": request.user.has_perm("costs.add_allocation"),
    }
    return render(request, "costs/heatmap.html", context)


# --- the cost page of a project --------------------------------------------------------------------


def money_projects(user):
    """The projects whose money ``user`` may see: finance and management all, the team theirs
    (core/access.py, kind "money"); clients none."""
    if not user.is_authenticated or not user.is_active or user.client_organization_id is not None:
        return Project.objects.none()
    if user.is_superuser or sees_all(user, Kind.MONEY):
        return Project.objects.all()
    return Project.objects.filter(engagement__in=team_engagements(user))


def cost_project(request, pk):
    if not str(pk).isdigit():  # the API's path takes any text; a project's id is a number
        raise Http404
    return get_object_or_404(
        money_projects(request.user).select_related("engagement__client", "project_lead", "plan_version"),
        pk=pk,
    )


def open_alerts(alerts) -> list:
    """The open alerts to show, the stronger one only where a category has both."""
    stopped = {a.category for a in alerts if a.cleared_at is None and a.level == BudgetAlert.Level.APPROVAL}
    return [
        a
        for a in alerts
        if a.cleared_at is None and (a.level == BudgetAlert.Level.APPROVAL or a.category not in stopped)
    ]


@login_required
def project_costs(request, pk):
    project = cost_project(request, pk)
    figures = project_figures(project)
    alerts = list(BudgetAlert.objects.filter(project=project).order_by("-crossed_at")[:20])
    if request.GET.get("export") == "xlsx":
        return exports.project_costs_xlsx(figures, alerts)
    recent_expenses = list(
        Expense.objects.filter(project=project).select_related("claimant").order_by("-spent_on", "-pk")[:10]
    )
    recent_purchases = list(Purchase.objects.filter(project=project).order_by("-purchased_on", "-pk")[:10])
    context = {
        "project": project,
        "figures": figures,
        "alerts": alerts,
        "open_alerts": open_alerts(alerts),
        "charts": cost_charts(figures),
        "expenses": recent_expenses,
        "purchases": recent_purchases,
        "equipment_used": equipment_used(project, until=figures.as_of),
        "allocations": list(
            Allocation.objects.filter(project=project).select_related("user").order_by("user__full_name")
        ),
        "can_allocate_team": request.user.has_perm("costs.change_allocation", Allocation(project=project)),
    }
    return render(request, "costs/project_costs.html", context)


@login_required
def allocate_team(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    try:
        created = services.allocate_team(project, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if created:
            messages.success(request, _("%(count)s team members were allocated.") % {"count": len(created)})
        else:
            messages.info(request, _("Every team member is already allocated."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("costs:project_costs", args=[project.pk])
    return HttpResponseRedirect(target)


# --- the cost roll-up --------------------------------------------------------------------------------


def _rollup_data(request):
    if not request.user.has_perm("costs.view_costrollup"):
        raise PermissionDenied
    month = None
    bound = forms.RollupForm(request.GET or None)
    if bound.is_bound and bound.is_valid():
        month = bound.cleaned_data.get("month")
    visible = CostRollup.objects.visible_to(request.user)
    if month is None:
        month = visible.order_by("-period").values_list("period", flat=True).first() or timezone.localdate()
    month = rollup.month_of(month)
    form = bound if bound.is_bound and not bound.is_valid() else forms.RollupForm(initial={"month": month})
    rows = list(
        visible.filter(period=month)
        .select_related("project", "department")
        .order_by("-total", "project__code")
    )
    before = dict(
        visible.filter(
            period=rollup.previous_month(month), project_id__in=[row.project_id for row in rows]
        ).values_list("project_id", "total")
    )
    for row in rows:
        row.previous = before.get(row.project_id)
        row.change = row.total - row.previous if row.previous is not None else None
    departments = rollup.department_totals(visible.filter(period=month))
    return form, month, rows, departments


@login_required
def rollup_page(request):
    form, month, rows, departments = _rollup_data(request)
    if request.GET.get("export") == "xlsx":
        return exports.rollup_xlsx(month, rows, departments)
    context = {
        "form": bootstrapify(form),
        "month": month,
        "rows": rows,
        "departments": departments,
        "categories": rollup.CATEGORY_FIELDS,
        "can_run": request.user.has_perm("costs.view_costrollup"),
        "weak_count": sum(1 for row in rows if row.weak_points),
    }
    return render(request, "costs/rollup.html", context)


@login_required
def rollup_run(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("costs.view_costrollup"):
        raise PermissionDenied
    form = forms.RollupForm(request.POST)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    rows = rollup.roll_up(month)
    messages.success(request, _("The costs of %(count)s projects were rolled up.") % {"count": len(rows)})
    target = reverse("costs:rollup")
    if month:
        target += f"?month={month:%Y-%m}"
    return HttpResponseRedirect(target)
