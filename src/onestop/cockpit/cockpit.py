"""The cockpit's own tiles (X-7, G-2): the stages that exist — intake, plan, contract,
implementation, quality, acceptance, settlement, satisfaction and complaints.

Every figure is an aggregate in the database over ``scope.engagements()`` / ``scope.records``;
each tile runs a fixed number of queries whatever the number of rows (tests/test_cockpit.py
counts them at 10 and 1,000 engagements). No figure is added up in Python over rows.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog

from onestop.acceptance.models import AcceptanceRound
from onestop.cockpit import stats
from onestop.cockpit.tiles import (
    FINANCE,
    LEAD,
    MANAGEMENT,
    QUALITY,
    SERVICE,
    Column,
    Drill,
    Tile,
    chart,
    dataset,
    days,
    drill_url,
    kpi,
    number,
    rate,
    table,
)
from onestop.contracts.models import Contract, PaymentInstalment
from onestop.contracts.states import ContractState
from onestop.engagements import ball
from onestop.engagements.models import Engagement
from onestop.engagements.path import downstream
from onestop.feedback.aspects import DETRACTOR_UP_TO, PROMOTER_FROM, SCORE_FIELDS
from onestop.feedback.models import Complaint, Survey
from onestop.notifications.models import Deadline
from onestop.plans.models import PlanVersion
from onestop.projects.models import Milestone, Project
from onestop.projects.states import ProjectState
from onestop.quality.models import ImprovementAction, Inspection, RectificationNotice
from onestop.quality.states import NOTICE_WITH_DEPARTMENT
from onestop.settlement.models import Payment, Settlement

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(0, output_field=MONEY)
IN_FORCE = (ContractState.SIGNED, ContractState.ARCHIVED)
SATISFIED_FROM = 4  # a survey whose average aspect score is 4 or 5 (of 5) counts as satisfied (CSAT)


def _month(value) -> str:
    return value.strftime("%Y-%m") if value else ""


def _months(scope) -> list[str]:
    return [_month(m) for m in scope.months()]


def _in_period(scope, name: str) -> Q:
    start, end = scope.bounds()
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _in_period_dates(scope, name: str) -> Q:
    return Q(**{f"{name}__gte": scope.start, f"{name}__lte": scope.end})


def _link(obj) -> str:
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


# --- 1. the pipeline as a funnel ----------------------------------------------------------------

ENGAGEMENT_COLUMNS = (
    Column(_("engagement number"), lambda e: e.code),
    Column(_("title"), lambda e: e.title),
    Column(_("client"), lambda e: e.client.name),
    Column(_("stage"), lambda e: e.get_stage_display()),
    Column(_("received"), lambda e: timezone.localtime(e.received_at).date()),
)


def _funnel_stages() -> list[tuple[str, str]]:
    stages = Engagement.Stage
    intake = [(s.value, str(s.label)) for s in (stages.INQUIRY, stages.ASSESSMENT, stages.CONFIRMATION)]
    closed = [(s.value, str(s.label)) for s in (stages.CLOSED, stages.OUT_OF_SCOPE, stages.WITHDRAWN)]
    return [*intake, *downstream(), *closed]


def _at_stage(rows, stage: str):
    phases = [phase for phase, _label in downstream()]
    if stage in phases:
        return ball.in_phase(rows, stage)
    return rows.filter(stage=stage)


def _received(scope):
    return scope.engagements().filter(_in_period(scope, "received_at"))


def pipeline(scope) -> dict:
    rows = []
    counts, values = [], []
    value = Coalesce(Sum(Coalesce("contract__total_fee", "agreed_proposal__fee")), ZERO)
    for stage, label in _funnel_stages():
        found = _at_stage(_received(scope), stage).aggregate(count=Count("pk"), value=value)
        counts.append(found["count"])
        values.append(found["value"])
        url = drill_url(scope, "pipeline", "stage", stage)
        rows.append({"cells": [label, found["count"], number(found["value"])], "drill": url})
    labels = [label for _stage, label in _funnel_stages()]
    total = sum(counts)  # a sum of the stages' counts (a dozen numbers), not of rows
    return {
        "kpis": [
            kpi(
                _("Engagements received"),
                total,
                drill=drill_url(scope, "pipeline", "received"),
                key="received",
            ),
            kpi(_("Contract value in the pipeline"), sum(values[3:8]), unit="money", key="value"),
        ],
        "charts": [
            chart(
                "funnel",
                _("Engagements by stage"),
                "bar",
                labels,
                [
                    dataset(_("Engagements"), counts),
                    dataset(_("Contract value"), values, axis="money"),
                ],
                horizontal=True,
            )
        ],
        "tables": [
            table("stages", _("Pipeline by stage"), [_("Stage"), _("Engagements"), _("Contract value")], rows)
        ],
    }


PIPELINE = Tile(
    "pipeline",
    _("Pipeline"),
    pipeline,
    drills={
        "stage": Drill(
            _("Engagements at this stage"),
            Engagement,
            lambda scope, value: _at_stage(_received(scope), value),
            ENGAGEMENT_COLUMNS,
            ("client",),
        ),
        "received": Drill(
            _("Engagements received"),
            Engagement,
            lambda scope, value: _received(scope),
            ENGAGEMENT_COLUMNS,
            ("client",),
        ),
    },
    dashboards=(MANAGEMENT, SERVICE),
)


# --- 2. cycle time per stage (professional and efficient) --------------------------------------


def _logged(model, state: str, pk: str):
    """When the record at ``pk`` (an OuterRef path) first reached ``state`` (django-fsm-log)."""
    return Subquery(
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef(pk), state=state
        )
        .order_by("timestamp")
        .values("timestamp")[:1]
    )


def _first(model, field: str, **lookups):
    return Subquery(model.objects.filter(**lookups).order_by(field).values(field)[:1])


def cycle_stages() -> list[tuple[str, str, object, object]]:
    """``(key, label, start, end)`` of each stage, as expressions over an engagement — the same
    spans as the engagement page's path (engagements/path.py)."""
    stages = Engagement.Stage
    approved = _first(PlanVersion, "approved_at", plan__engagement=OuterRef("pk"), approved_at__isnull=False)
    first_round = _first(
        AcceptanceRound, "created_at", project__engagement=OuterRef("pk"), milestone__isnull=True
    )
    passed = _first(
        AcceptanceRound,
        "concluded_at",
        project__engagement=OuterRef("pk"),
        milestone__isnull=True,
        state=AcceptanceRound.State.PASSED,
    )
    first_settlement = _first(Settlement, "created_at", contract__engagement=OuterRef("pk"))
    closed = Case(When(stage=stages.CLOSED, then=F("closed_at")))
    labels = dict(downstream())
    return [
        ("inquiry", str(stages.INQUIRY.label), F("received_at"), F("forwarded_at")),
        ("assessment", str(stages.ASSESSMENT.label), F("forwarded_at"), F("assessed_at")),
        ("confirmation", str(stages.CONFIRMATION.label), F("assessed_at"), F("confirmed_at")),
        ("plan", labels.get("plan", "plan"), F("plan__created_at"), approved),
        ("contract", labels.get("contract", "contract"), F("contract__created_at"), F("contract__signed_at")),
        (
            "implementation",
            labels.get("implementation", "implementation"),
            F("project__created_at"),
            _logged(Project, ProjectState.COMPLETED, "project__pk"),
        ),
        ("acceptance", labels.get("acceptance", "acceptance"), first_round, passed),
        ("settlement", labels.get("settlement", "settlement"), first_settlement, closed),
    ]


def stage_spans(scope, key: str):
    """The scope's engagements that completed stage ``key`` within the period, with
    ``_start``, ``_end``, ``_duration`` and ``_month`` (of the end)."""
    for stage, _label, start, end in cycle_stages():
        if stage == key:
            start_, end_ = scope.bounds()
            return (
                scope.engagements()
                .annotate(_start=start, _end=end)
                .filter(_start__isnull=False, _end__gte=start_, _end__lt=end_)
                .annotate(
                    _duration=ExpressionWrapper(F("_end") - F("_start"), output_field=DurationField()),
                    _month=TruncMonth("_end"),
                )
            )
    raise KeyError(key)


def cycle_times(scope) -> dict:
    months = _months(scope)
    rows, medians, p90s, trend = [], [], [], []
    for key, label, _start, _end in cycle_stages():
        spans = stage_spans(scope, key)
        overall = stats.percentiles(spans, "_duration").get(None) or {}
        by_month = stats.percentiles(spans, "_duration", group="_month")
        median, p90 = days(overall.get("median")), days(overall.get("p90"))
        medians.append(median)
        p90s.append(p90)
        per_month = {_month(m): days(v.get("median")) for m, v in by_month.items()}
        trend.append(dataset(label, [per_month.get(m) for m in months], kind="line"))
        rows.append(
            {
                "cells": [label, overall.get("count") or 0, median, p90],
                "drill": drill_url(scope, "cycle", "stage", key),
            }
        )
    labels = [label for _key, label, _s, _e in cycle_stages()]
    return {
        "charts": [
            chart(
                "cycle",
                _("Days per stage (median and 90th percentile)"),
                "bar",
                labels,
                [dataset(_("Median (days)"), medians), dataset(_("90th percentile (days)"), p90s)],
            ),
            chart("cycle_trend", _("Median days per stage, by month of completion"), "line", months, trend),
        ],
        "tables": [
            table(
                "cycle",
                _("Cycle time per stage"),
                [_("Stage"), _("Completed in the period"), _("Median (days)"), _("90th percentile (days)")],
                rows,
            )
        ],
    }


CYCLE = Tile(
    "cycle",
    _("Cycle time per stage"),
    cycle_times,
    drills={
        "stage": Drill(
            _("Engagements that completed the stage in the period"),
            Engagement,
            lambda scope, value: stage_spans(scope, value).order_by("-_duration"),
            (
                *ENGAGEMENT_COLUMNS[:3],
                Column(_("Started"), lambda e: timezone.localtime(e._start).date()),
                Column(_("Completed"), lambda e: timezone.localtime(e._end).date()),
                Column(_("Days"), lambda e: days(e._duration)),
            ),
            ("client",),
        )
    },
    dashboards=(MANAGEMENT,),
    principle=_("Professional and efficient"),
)


# --- 3. on time: milestones and hand-offs -----------------------------------------------------


def due_milestones(scope):
    """The scope's project milestones planned within the period, up to today."""
    last = min(scope.end, scope.today)
    return scope.records(Milestone).filter(planned_date__gte=scope.start, planned_date__lte=last)


ON_TIME_MILESTONE = Q(completed_on__isnull=False, completed_on__lte=F("planned_date"))


def handoff_targets() -> list:
    """The kinds of record that carry hand-off deadlines (one query: the deadlines' target
    types), those hanging on an engagement (``engagement_lookup``; surveys and complaints by
    their engagement)."""
    found = []
    for type_id in Deadline.objects.order_by().values_list("target_type", flat=True).distinct():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None and (hasattr(model, "engagement_lookup") or model in (Survey, Complaint)):
            found.append((type_id, model))
    return found


def due_handoffs(scope):
    if getattr(scope, "_handoffs", None) is None:
        scope._handoffs = _due_handoffs(scope)
    return scope._handoffs.all()


def _due_handoffs(scope):
    """The deadlines of the hand-offs (forwarding, review requests, answers, signatures…) of the
    scope's records, due within the period up to now. A deadline is seen with its record: the
    record visible to the user (``visible_to``) and in the scope."""
    targets = Q(pk__in=[])
    for type_id, model in handoff_targets():
        records = scope.records(model).values("pk")
        if scope.mine:  # a person's own records: a short list, read once (the planner does badly otherwise)
            records = list(records.values_list("pk", flat=True))
        targets |= Q(target_type_id=type_id, target_id__in=records)
    start, end = scope.bounds()
    return Deadline.objects.filter(targets, due_at__gte=start, due_at__lt=min(end, timezone.now()))


ON_TIME_HANDOFF = Q(closed_at__isnull=False, closed_at__lte=F("due_at"))


def on_time(scope) -> dict:
    months = _months(scope)
    counts = {"due": Count("pk"), "on_time": Count("pk", filter=ON_TIME_MILESTONE)}
    milestones = due_milestones(scope).aggregate(**counts)
    monthly = {
        _month(row["month"]): rate(row["on_time"], row["due"])
        for row in due_milestones(scope)
        .annotate(month=TruncMonth("planned_date"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    }
    handoff_counts = {"due": Count("pk"), "on_time": Count("pk", filter=ON_TIME_HANDOFF)}
    handoffs = due_handoffs(scope).aggregate(**handoff_counts)
    handoff_monthly = {
        _month(row["month"]): rate(row["on_time"], row["due"])
        for row in due_handoffs(scope)
        .annotate(month=TruncMonth("due_at"))
        .values("month")
        .annotate(**handoff_counts)
        .order_by("month")
    }
    return {
        "kpis": [
            kpi(
                _("Milestones on time"),
                rate(milestones["on_time"], milestones["due"]),
                unit="%",
                drill=drill_url(scope, "on_time", "milestones"),
                key="milestones",
            ),
            kpi(
                _("Milestones late"),
                milestones["due"] - milestones["on_time"],
                drill=drill_url(scope, "on_time", "milestones", "late"),
                key="milestones_late",
                tone="danger",
            ),
            kpi(
                _("Hand-offs on time"),
                rate(handoffs["on_time"], handoffs["due"]),
                unit="%",
                drill=drill_url(scope, "on_time", "handoffs"),
                key="handoffs",
            ),
            kpi(
                _("Hand-offs late"),
                handoffs["due"] - handoffs["on_time"],
                drill=drill_url(scope, "on_time", "handoffs", "late"),
                key="handoffs_late",
                tone="danger",
            ),
        ],
        "charts": [
            chart(
                "on_time",
                _("On-time rate by month (%)"),
                "line",
                months,
                [
                    dataset(_("Milestones"), [monthly.get(m) for m in months], kind="line"),
                    dataset(_("Hand-offs"), [handoff_monthly.get(m) for m in months], kind="line"),
                ],
                percent=True,
            )
        ],
        "tables": [
            table(
                "on_time",
                _("On-time rate"),
                [_("Kind"), _("Due"), _("On time"), _("On-time rate (%)")],
                [
                    {
                        "cells": [
                            str(_("Milestones")),
                            milestones["due"],
                            milestones["on_time"],
                            rate(milestones["on_time"], milestones["due"]),
                        ],
                        "drill": drill_url(scope, "on_time", "milestones"),
                    },
                    {
                        "cells": [
                            str(_("Hand-offs")),
                            handoffs["due"],
                            handoffs["on_time"],
                            rate(handoffs["on_time"], handoffs["due"]),
                        ],
                        "drill": drill_url(scope, "on_time", "handoffs"),
                    },
                ],
            )
        ],
    }


def _late_or_all(rows, on_time_q, value):
    if value == "late":
        return rows.exclude(on_time_q)
    if value == "on_time":
        return rows.filter(on_time_q)
    return rows


ON_TIME = Tile(
    "on_time",
    _("On time"),
    on_time,
    drills={
        "milestones": Drill(
            _("Milestones due in the period"),
            Milestone,
            lambda scope, value: _late_or_all(due_milestones(scope), ON_TIME_MILESTONE, value).order_by(
                "planned_date", "pk"
            ),
            (
                Column(_("Project"), lambda m: str(m.project)),
                Column(_("Milestone"), lambda m: m.name),
                Column(_("planned date"), lambda m: m.planned_date),
                Column(_("completed on"), lambda m: m.completed_on),
            ),
            ("project",),
        ),
        "handoffs": Drill(
            _("Hand-offs due in the period"),
            Deadline,
            lambda scope, value: _late_or_all(due_handoffs(scope), ON_TIME_HANDOFF, value).order_by(
                "due_at", "pk"
            ),
            (
                Column(_("title"), lambda d: d.title),
                Column(_("responsible"), lambda d: str(d.responsible)),
                Column(_("due"), lambda d: timezone.localtime(d.due_at)),
                Column(_("closed at"), lambda d: d.closed_at and timezone.localtime(d.closed_at)),
            ),
            ("responsible",),
        ),
    },
    dashboards=(MANAGEMENT, LEAD),
    principle=_("Professional and efficient"),
)


# --- 4. revenue and receivables ---------------------------------------------------------------

BUCKETS = (
    ("current", _("Not yet due")),
    ("1_30", _("1–30 days")),
    ("31_60", _("31–60 days")),
    ("61_90", _("61–90 days")),
    ("over_90", _("Over 90 days")),
)


def signed_contracts(scope):
    return scope.records(Contract).filter(state__in=IN_FORCE).filter(_in_period(scope, "signed_at"))


def approved_settlements(scope):
    return (
        scope.records(Settlement).filter(approved_at__isnull=False).filter(_in_period(scope, "approved_at"))
    )


def received_payments(scope):
    return (
        scope.records(Payment)
        .filter(direction=Payment.Direction.RECEIVED)
        .filter(_in_period_dates(scope, "paid_on"))
    )


def outstanding_instalments(scope):
    """The scope's instalments of contracts in force (not written off) with what is left to
    collect: the net money received pays the instalments in the order of the schedule (as the
    finance ageing page, settlement/selectors.py), all in the database. ``_left``, ``_due``,
    ``_bucket`` (days past due as of today)."""
    net = (
        Payment.objects.filter(contract=OuterRef("contract"))
        .values("contract")
        .annotate(
            total=Sum(
                Case(
                    When(direction=Payment.Direction.RECEIVED, then=F("amount")),
                    default=-F("amount"),
                    output_field=MONEY,
                )
            )
        )
        .values("total")
    )
    before = (
        PaymentInstalment.objects.filter(contract=OuterRef("contract"), number__lt=OuterRef("number"))
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    milestone_date = Milestone.objects.filter(
        project__contract=OuterRef("contract"), name=OuterRef("milestone")
    ).values("planned_date")[:1]
    today = scope.today
    paid_here = Greatest(
        Coalesce(Subquery(net, output_field=MONEY), ZERO)
        - Coalesce(Subquery(before, output_field=MONEY), ZERO),
        ZERO,
    )
    return (
        scope.records(PaymentInstalment)
        .filter(contract__state__in=IN_FORCE, contract__write_off__isnull=True)
        .annotate(
            _left=ExpressionWrapper(F("amount") - Least(paid_here, F("amount")), output_field=MONEY),
            _due=Coalesce("due_date", Subquery(milestone_date)),
        )
        .annotate(
            _bucket=Case(
                When(_due__isnull=True, then=Value("current")),
                When(_due__gte=today, then=Value("current")),
                When(_due__gte=today - timedelta(days=30), then=Value("1_30")),
                When(_due__gte=today - timedelta(days=60), then=Value("31_60")),
                When(_due__gte=today - timedelta(days=90), then=Value("61_90")),
                default=Value("over_90"),
                output_field=CharField(),
            )
        )
        .filter(_left__gt=0)
    )


def revenue(scope) -> dict:
    money = {"total": Coalesce(Sum("total_fee"), ZERO), "count": Count("pk")}
    contracted = signed_contracts(scope).aggregate(**money)
    accepted = approved_settlements(scope).aggregate(
        total=Coalesce(Sum("approved_amount"), ZERO), count=Count("pk")
    )
    received = received_payments(scope).aggregate(total=Coalesce(Sum("amount"), ZERO), count=Count("pk"))
    ageing = {
        row["_bucket"]: row["total"]
        for row in outstanding_instalments(scope).values("_bucket").annotate(total=Sum("_left")).order_by()
    }
    months = _months(scope)
    series = {}
    for name, rows, field, date_field in (
        ("contracted", signed_contracts(scope), "total_fee", "signed_at"),
        ("accepted", approved_settlements(scope), "approved_amount", "approved_at"),
        ("received", received_payments(scope), "amount", "paid_on"),
    ):
        series[name] = {
            _month(row["month"]): row["total"]
            for row in rows.annotate(month=TruncMonth(date_field))
            .values("month")
            .annotate(total=Sum(field))
            .order_by("month")
        }
    bucket_rows = [
        {
            "cells": [str(label), number(ageing.get(key, 0))],
            "drill": drill_url(scope, "revenue", "ageing", key),
        }
        for key, label in BUCKETS
    ]
    return {
        "kpis": [
            kpi(
                _("Contracted"),
                contracted["total"],
                unit="money",
                drill=drill_url(scope, "revenue", "contracted"),
                key="contracted",
            ),
            kpi(
                _("Accepted and billed"),
                accepted["total"],
                unit="money",
                drill=drill_url(scope, "revenue", "accepted"),
                key="accepted",
            ),
            kpi(
                _("Received"),
                received["total"],
                unit="money",
                drill=drill_url(scope, "revenue", "received"),
                key="received",
            ),
            kpi(
                _("Overdue receivables"),
                sum((ageing.get(key, 0) for key, _label in BUCKETS[1:]), 0),
                unit="money",
                drill=drill_url(scope, "revenue", "ageing", "overdue"),
                key="overdue",
                tone="danger",
            ),
        ],
        "charts": [
            chart(
                "revenue",
                _("Revenue by month"),
                "bar",
                months,
                [
                    dataset(_("Contracted"), [series["contracted"].get(m) for m in months]),
                    dataset(_("Accepted and billed"), [series["accepted"].get(m) for m in months]),
                    dataset(_("Received"), [series["received"].get(m) for m in months]),
                ],
            ),
            chart(
                "ageing",
                _("Receivables by days past due"),
                "bar",
                [label for _key, label in BUCKETS],
                [dataset(_("Outstanding"), [ageing.get(key, 0) for key, _label in BUCKETS])],
            ),
        ],
        "tables": [
            table("ageing", _("Receivables ageing"), [_("Days past due"), _("Outstanding")], bucket_rows),
        ],
    }


def _ageing_rows(scope, value):
    rows = outstanding_instalments(scope)
    if value == "overdue":
        return rows.exclude(_bucket="current")
    return rows.filter(_bucket=value) if value else rows


REVENUE = Tile(
    "revenue",
    _("Revenue and receivables"),
    revenue,
    drills={
        "contracted": Drill(
            _("Contracts signed in the period"),
            Contract,
            lambda scope, value: signed_contracts(scope).order_by("signed_at", "pk"),
            (
                Column(_("contract number"), lambda c: c.code),
                Column(_("client"), lambda c: c.engagement.client.name),
                Column(_("signed"), lambda c: timezone.localtime(c.signed_at).date()),
                Column(_("total fee"), lambda c: c.total_fee),
            ),
            ("engagement__client",),
        ),
        "accepted": Drill(
            _("Settlements approved in the period"),
            Settlement,
            lambda scope, value: approved_settlements(scope).order_by("approved_at", "pk"),
            (
                Column(_("settlement number"), lambda s: s.code),
                Column(_("contract number"), lambda s: s.contract.code),
                Column(_("approved"), lambda s: timezone.localtime(s.approved_at).date()),
                Column(_("approved amount"), lambda s: s.approved_amount),
            ),
            ("contract",),
        ),
        "received": Drill(
            _("Payments received in the period"),
            Payment,
            lambda scope, value: received_payments(scope).order_by("paid_on", "pk"),
            (
                Column(_("contract number"), lambda p: p.contract.code),
                Column(_("date"), lambda p: p.paid_on),
                Column(_("amount"), lambda p: p.amount),
            ),
            ("contract",),
        ),
        "ageing": Drill(
            _("Instalments outstanding"),
            PaymentInstalment,
            lambda scope, value: _ageing_rows(scope, value).order_by("_due", "pk"),
            (
                Column(_("contract number"), lambda i: i.contract.code),
                Column(_("instalment"), lambda i: i.number),
                Column(_("due date"), lambda i: i._due),
                Column(_("amount"), lambda i: i.amount),
                Column(_("Outstanding"), lambda i: i._left),
            ),
            ("contract",),
        ),
    },
    dashboards=(MANAGEMENT, FINANCE),
)


# --- 5. quality -------------------------------------------------------------------------------


def completed_inspections(scope):
    return (
        scope.records(Inspection)
        .filter(state=Inspection.State.COMPLETED)
        .filter(_in_period(scope, "completed_at"))
    )


def open_notices(scope):
    return scope.records(RectificationNotice).exclude(state=RectificationNotice.State.CLOSED)


def overdue_notices(scope):
    return scope.records(RectificationNotice).filter(
        state__in=NOTICE_WITH_DEPARTMENT, deadline__lt=scope.today
    )


def quality(scope) -> dict:
    months = _months(scope)
    counts = {"total": Count("pk"), "passed": Count("pk", filter=Q(passed=True))}
    totals = completed_inspections(scope).aggregate(**counts)
    trend = {
        _month(row["month"]): row
        for row in completed_inspections(scope)
        .annotate(month=TruncMonth("completed_at"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    }
    open_count = open_notices(scope).count()
    overdue_count = overdue_notices(scope).count()
    return {
        "kpis": [
            kpi(
                _("Inspections completed"),
                totals["total"],
                drill=drill_url(scope, "quality", "inspections"),
                key="inspections",
            ),
            kpi(
                _("Pass rate"),
                rate(totals["passed"], totals["total"]),
                unit="%",
                key="pass_rate",
                drill=drill_url(scope, "quality", "inspections", "failed"),
            ),
            kpi(
                _("Open rectifications"),
                open_count,
                drill=drill_url(scope, "quality", "notices"),
                key="open_notices",
            ),
            kpi(
                _("Overdue rectifications"),
                overdue_count,
                drill=drill_url(scope, "quality", "notices", "overdue"),
                key="overdue_notices",
                tone="danger",
            ),
        ],
        "charts": [
            chart(
                "quality",
                _("Inspections and pass rate by month"),
                "bar",
                months,
                [
                    dataset(_("Inspections"), [trend.get(m, {}).get("total", 0) for m in months]),
                    dataset(
                        _("Pass rate (%)"),
                        [rate(trend[m]["passed"], trend[m]["total"]) if m in trend else None for m in months],
                        kind="line",
                        axis="percent",
                    ),
                ],
            )
        ],
    }


QUALITY_TILE = Tile(
    "quality",
    _("Quality"),
    quality,
    drills={
        "inspections": Drill(
            _("Inspections completed in the period"),
            Inspection,
            lambda scope, value: (
                completed_inspections(scope).filter(passed=False)
                if value == "failed"
                else completed_inspections(scope)
            ).order_by("completed_at", "pk"),
            (
                Column(_("Inspection"), lambda i: str(i)),
                Column(_("Project"), lambda i: str(i.project)),
                Column(_("completed at"), lambda i: timezone.localtime(i.completed_at).date()),
                Column(_("passed"), lambda i: _("Yes") if i.passed else _("No")),
            ),
            ("project",),
        ),
        "notices": Drill(
            _("Rectification notices"),
            RectificationNotice,
            lambda scope, value: (
                overdue_notices(scope) if value == "overdue" else open_notices(scope)
            ).order_by("deadline", "pk"),
            (
                Column(_("Notice number"), lambda n: n.code),
                Column(_("Project"), lambda n: str(n.project)),
                Column(_("Responsible department"), lambda n: str(n.department)),
                Column(_("deadline"), lambda n: n.deadline),
                Column(_("state"), lambda n: n.get_state_display()),
            ),
            ("project", "department"),
        ),
    },
    dashboards=(MANAGEMENT, QUALITY, LEAD),
)


# --- 6. satisfaction: CSAT and NPS (customer orientation) -------------------------------------


def answered_surveys(scope):
    return scope.records(Survey).filter(answered_at__isnull=False).filter(_in_period(scope, "answered_at"))


def survey_average():
    """A survey's average aspect score (the aspects it rated), in the database."""
    total = sum((Coalesce(F(name), 0) for name in SCORE_FIELDS[1:]), Coalesce(F(SCORE_FIELDS[0]), 0))
    rated = sum(
        (Case(When(**{f"{name}__isnull": False}, then=1), default=0) for name in SCORE_FIELDS[1:]),
        Case(When(**{f"{SCORE_FIELDS[0]}__isnull": False}, then=1), default=0),
    )
    return Case(
        When(
            Q(**{f"{SCORE_FIELDS[0]}__isnull": True}) & Q(**{f"{n}__isnull": True for n in SCORE_FIELDS[1:]}),
            then=None,
        ),
        default=ExpressionWrapper(
            Cast(total, FloatField()) / Cast(rated, FloatField()), output_field=FloatField()
        ),
        output_field=FloatField(),
    )


SATISFACTION_COUNTS = {
    "answered": Count("pk"),
    "satisfied": Count("pk", filter=Q(_average__gte=SATISFIED_FROM)),
    "scored": Count("_average"),
    "promoters": Count("pk", filter=Q(would_recommend__gte=PROMOTER_FROM)),
    "detractors": Count("pk", filter=Q(would_recommend__lte=DETRACTOR_UP_TO)),
    "rated": Count("would_recommend"),
}


def csat(row) -> float | None:
    return rate(row["satisfied"], row["scored"])


def nps(row) -> float | None:
    return round(100 * (row["promoters"] - row["detractors"]) / row["rated"], 1) if row["rated"] else None


def satisfaction_by(scope, group: tuple[str, ...]):
    return (
        answered_surveys(scope)
        .annotate(_average=survey_average())
        .values(*group)
        .annotate(**SATISFACTION_COUNTS)
        .order_by(*group)
    )


def satisfaction(scope) -> dict:
    totals = answered_surveys(scope).annotate(_average=survey_average()).aggregate(**SATISFACTION_COUNTS)
    groupings = (
        ("department", _("By department"), ("department_id", "department__name"), _("Department")),
        ("lead", _("By project lead"), ("project_lead_id", "project_lead__full_name"), _("Project lead")),
        ("engagement", _("By engagement"), ("engagement_id", "engagement__code"), _("Engagement")),
    )
    tables = []
    for key, title, group, heading in groupings:
        rows = [
            {
                "cells": [row[group[1]] or "—", row["answered"], csat(row), nps(row)],
                "drill": drill_url(scope, "satisfaction", f"by_{key}", row[group[0]]),
            }
            for row in satisfaction_by(scope, group)
        ]
        tables.append(table(key, title, [heading, _("Answers"), _("CSAT (%)"), _("NPS")], rows))
    by_department = satisfaction_by(scope, ("department__name",))
    return {
        "kpis": [
            kpi(
                _("Surveys answered"),
                totals["answered"],
                drill=drill_url(scope, "satisfaction", "answered"),
                key="answered",
            ),
            kpi(
                _("CSAT"),
                csat(totals),
                unit="%",
                key="csat",
                drill=drill_url(scope, "satisfaction", "answered"),
            ),
            kpi(_("NPS"), nps(totals), key="nps", drill=drill_url(scope, "satisfaction", "detractors")),
            kpi(
                _("Detractors"),
                totals["detractors"],
                drill=drill_url(scope, "satisfaction", "detractors"),
                key="detractors",
                tone="danger",
            ),
        ],
        "charts": [
            chart(
                "satisfaction",
                _("CSAT and NPS by department"),
                "bar",
                [row["department__name"] or "—" for row in by_department],
                [
                    dataset(_("CSAT (%)"), [csat(row) for row in by_department]),
                    dataset(_("NPS"), [nps(row) for row in by_department]),
                ],
            )
        ],
        "tables": tables,
    }


SURVEY_COLUMNS = (
    Column(_("Engagement"), lambda s: s.engagement.code),
    Column(_("client"), lambda s: s.client.name),
    Column(_("answered"), lambda s: timezone.localtime(s.answered_at).date()),
    Column(_("Average score"), lambda s: s.average_score),
    Column(_("would recommend us (0–10)"), lambda s: s.would_recommend),
)


def _surveys(scope, filter_: dict):
    return answered_surveys(scope).filter(**filter_).order_by("answered_at", "pk")


SATISFACTION = Tile(
    "satisfaction",
    _("Client satisfaction"),
    satisfaction,
    drills={
        "answered": Drill(
            _("Surveys answered"),
            Survey,
            lambda scope, value: _surveys(scope, {}),
            SURVEY_COLUMNS,
            ("engagement", "client"),
        ),
        "detractors": Drill(
            _("Detractors (0–6)"),
            Survey,
            lambda scope, value: _surveys(scope, {"would_recommend__lte": DETRACTOR_UP_TO}),
            SURVEY_COLUMNS,
            ("engagement", "client"),
        ),
        "by_department": Drill(
            _("Surveys of the department"),
            Survey,
            lambda scope, value: _surveys(scope, {"department_id": value or None}),
            SURVEY_COLUMNS,
            ("engagement", "client"),
        ),
        "by_lead": Drill(
            _("Surveys of the project lead"),
            Survey,
            lambda scope, value: _surveys(scope, {"project_lead_id": value or None}),
            SURVEY_COLUMNS,
            ("engagement", "client"),
        ),
        "by_engagement": Drill(
            _("Surveys of the engagement"),
            Survey,
            lambda scope, value: _surveys(scope, {"engagement_id": value or None}),
            SURVEY_COLUMNS,
            ("engagement", "client"),
        ),
    },
    dashboards=(MANAGEMENT, SERVICE, LEAD),
    principle=_("Customer orientation"),
)


# --- 7. complaints ----------------------------------------------------------------------------


def filed_complaints(scope):
    return scope.records(Complaint).filter(_in_period(scope, "filed_at"))


def open_complaints(scope):
    return scope.records(Complaint).exclude(state=Complaint.State.CLOSED)


def complaints(scope) -> dict:
    filed = filed_complaints(scope)
    states = dict(Complaint.State.choices)
    by_state = list(filed.values("state").annotate(count=Count("pk")).order_by("state"))
    answer = (
        stats.percentiles(
            filed.annotate(
                _answer=ExpressionWrapper(F("responded_at") - F("filed_at"), output_field=DurationField())
            ),
            "_answer",
        ).get(None)
        or {}
    )
    open_count = open_complaints(scope).count()
    overdue = open_complaints(scope).filter(responded_at__isnull=True, due_at__lt=timezone.now()).count()
    return {
        "kpis": [
            kpi(
                _("Complaints filed"),
                filed.count(),
                drill=drill_url(scope, "complaints", "filed"),
                key="filed",
            ),
            kpi(_("Open complaints"), open_count, drill=drill_url(scope, "complaints", "open"), key="open"),
            kpi(
                _("Overdue answers"),
                overdue,
                drill=drill_url(scope, "complaints", "overdue"),
                key="overdue",
                tone="danger",
            ),
            kpi(_("Median days to answer"), days(answer.get("median")), key="answer_median"),
        ],
        "tables": [
            table(
                "by_state",
                _("Complaints filed by state"),
                [_("state"), _("Complaints")],
                [
                    {
                        "cells": [str(states.get(row["state"], row["state"])), row["count"]],
                        "drill": drill_url(scope, "complaints", "filed", row["state"]),
                    }
                    for row in by_state
                ],
            )
        ],
    }


COMPLAINT_COLUMNS = (
    Column(_("Complaint"), lambda c: str(c)),
    Column(_("client"), lambda c: c.client.name),
    Column(_("filed"), lambda c: timezone.localtime(c.filed_at).date()),
    Column(_("state"), lambda c: c.get_state_display()),
)


def _complaint_rows(scope, name, value):
    if name == "filed":
        rows = filed_complaints(scope)
        rows = rows.filter(state=value) if value else rows
    elif name == "open":
        rows = open_complaints(scope)
    else:
        rows = open_complaints(scope).filter(responded_at__isnull=True, due_at__lt=timezone.now())
    return rows.order_by("filed_at", "pk")


COMPLAINTS = Tile(
    "complaints",
    _("Complaints"),
    complaints,
    drills={
        name: Drill(
            title,
            Complaint,
            lambda scope, value, name=name: _complaint_rows(scope, name, value),
            COMPLAINT_COLUMNS,
            ("client",),
        )
        for name, title in (
            ("filed", _("Complaints filed in the period")),
            ("open", _("Open complaints")),
            ("overdue", _("Complaints with an overdue answer")),
        )
    },
    dashboards=(MANAGEMENT, SERVICE),
    principle=_("Customer orientation"),
)


# --- 8. teamwork: hand-offs between departments (G-2) ------------------------------------------

WAIT = ExpressionWrapper(F("_until") - F("created_at"), output_field=DurationField())


def handoffs_with_wait(scope):
    """The scope's hand-offs due in the period with ``_wait``: from the hand-off (the deadline
    set) to its completion, or to now while it still waits."""
    return (
        due_handoffs(scope).annotate(_until=Coalesce("closed_at", Value(timezone.now()))).annotate(_wait=WAIT)
    )


def teamwork(scope) -> dict:
    group = "responsible__department__name"
    rows = handoffs_with_wait(scope)
    counts = {
        row[group]: row
        for row in rows.values(group)
        .annotate(count=Count("pk"), on_time=Count("pk", filter=ON_TIME_HANDOFF))
        .order_by(group)
    }
    waits = stats.percentiles(rows, "_wait", group=group)
    ids = dict(rows.values_list(group, "responsible__department_id").distinct().order_by())
    table_rows = [
        {
            "cells": [
                name or "—",
                row["count"],
                rate(row["on_time"], row["count"]),
                days(waits.get(name, {}).get("median")),
                days(waits.get(name, {}).get("p90")),
            ],
            "drill": drill_url(scope, "teamwork", "department", ids.get(name) or "none"),
        }
        for name, row in counts.items()
    ]
    labels = [name or "—" for name in counts]
    return {
        "charts": [
            chart(
                "waiting",
                _("Waiting time per department (days)"),
                "bar",
                labels,
                [
                    dataset(_("Median (days)"), [days(waits.get(n, {}).get("median")) for n in counts]),
                    dataset(_("90th percentile (days)"), [days(waits.get(n, {}).get("p90")) for n in counts]),
                ],
                horizontal=True,
            )
        ],
        "tables": [
            table(
                "departments",
                _("Hand-offs by receiving department"),
                [
                    _("Department"),
                    _("Hand-offs"),
                    _("On-time rate (%)"),
                    _("Median wait (days)"),
                    _("90th percentile (days)"),
                ],
                table_rows,
            )
        ],
    }


def _department_handoffs(scope, value):
    rows = handoffs_with_wait(scope)
    if value == "none":
        return rows.filter(responsible__department__isnull=True)
    return rows.filter(responsible__department_id=value) if value and value.isdigit() else rows.none()


TEAMWORK = Tile(
    "teamwork",
    _("Teamwork: hand-offs between departments"),
    teamwork,
    drills={
        "department": Drill(
            _("Hand-offs to the department"),
            Deadline,
            lambda scope, value: _department_handoffs(scope, value).order_by("-_wait", "pk"),
            (
                Column(_("title"), lambda d: d.title),
                Column(_("responsible"), lambda d: str(d.responsible)),
                Column(_("created"), lambda d: timezone.localtime(d.created_at)),
                Column(_("due"), lambda d: timezone.localtime(d.due_at)),
                Column(_("closed at"), lambda d: d.closed_at and timezone.localtime(d.closed_at)),
                Column(_("Waiting (days)"), lambda d: days(d._wait)),
            ),
            ("responsible",),
        )
    },
    principle=_("Teamwork"),
)


# --- 9. continuous improvement (G-2) ------------------------------------------------------------


def improvement_actions(scope):
    rows = ImprovementAction.objects.visible_to(scope.user).filter(_in_period(scope, "created_at"))
    if scope.narrowed:
        rows = rows.filter(source_notice__project__engagement__in=scope.engagement_ids())
    return rows


def improvement(scope) -> dict:
    states = ImprovementAction.State
    found = improvement_actions(scope).aggregate(
        opened=Count("pk"),
        checked=Count("pk", filter=Q(state__in=(states.EFFECTIVE, states.NOT_EFFECTIVE))),
        effective=Count("pk", filter=Q(state=states.EFFECTIVE)),
        overdue=Count("pk", filter=Q(state=states.OPEN, due_date__lt=scope.today)),
    )
    closed = (
        filed_complaints(scope)
        .filter(state=Complaint.State.CLOSED)
        .aggregate(closed=Count("pk"), first_time=Count("pk", filter=Q(reopen_count=0)))
    )
    return {
        "kpis": [
            kpi(
                _("Improvement actions"),
                found["opened"],
                drill=drill_url(scope, "improvement", "actions"),
                key="actions",
            ),
            kpi(
                _("Found effective"),
                rate(found["effective"], found["checked"]),
                unit="%",
                drill=drill_url(scope, "improvement", "actions", "checked"),
                key="effective",
            ),
            kpi(
                _("Actions overdue"),
                found["overdue"],
                drill=drill_url(scope, "improvement", "actions", "overdue"),
                key="overdue",
                tone="danger",
            ),
            kpi(
                _("Complaints settled at the first answer"),
                rate(closed["first_time"], closed["closed"]),
                unit="%",
                drill=drill_url(scope, "complaints", "filed", Complaint.State.CLOSED),
                key="first_time",
            ),
        ],
    }


def _actions(scope, value):
    states = ImprovementAction.State
    rows = improvement_actions(scope)
    if value == "checked":
        rows = rows.filter(state__in=(states.EFFECTIVE, states.NOT_EFFECTIVE))
    elif value == "overdue":
        rows = rows.filter(state=states.OPEN, due_date__lt=scope.today)
    return rows.order_by("due_date", "pk")


IMPROVEMENT = Tile(
    "improvement",
    _("Continuous improvement"),
    improvement,
    drills={
        "actions": Drill(
            _("Improvement actions"),
            ImprovementAction,
            _actions,
            (
                Column(_("title"), lambda a: a.title),
                Column(_("owner"), lambda a: str(a.owner)),
                Column(_("due date"), lambda a: a.due_date),
                Column(_("state"), lambda a: a.get_state_display()),
            ),
            ("owner",),
        )
    },
    dashboards=(MANAGEMENT, QUALITY),
    principle=_("Continuous improvement"),
)


# --- 10. customer service: the intake queue, time to forward, time to answer -------------------


def intake_queue(scope):
    return scope.engagements().filter(stage__in=Engagement.OPEN_STAGES)


def forwarded(scope):
    return (
        scope.engagements()
        .filter(_in_period(scope, "forwarded_at"))
        .annotate(_wait=ExpressionWrapper(F("forwarded_at") - F("received_at"), output_field=DurationField()))
    )


def answered_complaints(scope):
    return (
        scope.records(Complaint)
        .filter(_in_period(scope, "responded_at"))
        .annotate(_wait=ExpressionWrapper(F("responded_at") - F("filed_at"), output_field=DurationField()))
    )


def intake(scope) -> dict:
    queue = intake_queue(scope).aggregate(count=Count("pk"), oldest=Min("received_at"))
    forward = stats.percentiles(forwarded(scope), "_wait").get(None) or {}
    answer = stats.percentiles(answered_complaints(scope), "_wait").get(None) or {}
    oldest = days(timezone.now() - queue["oldest"]) if queue["oldest"] else None
    return {
        "kpis": [
            kpi(_("Intake queue"), queue["count"], drill=drill_url(scope, "intake", "queue"), key="queue"),
            kpi(_("Oldest waiting (days)"), oldest, key="oldest", tone="danger" if (oldest or 0) > 2 else ""),
            kpi(
                _("Median time to forward (days)"),
                days(forward.get("median")),
                drill=drill_url(scope, "intake", "forwarded"),
                key="forward",
            ),
            kpi(
                _("Median time to answer a complaint (days)"),
                days(answer.get("median")),
                drill=drill_url(scope, "intake", "answered"),
                key="answer",
            ),
        ],
        "tables": [
            table(
                "times",
                _("Response times"),
                [_("Step"), _("Done in the period"), _("Median (days)"), _("90th percentile (days)")],
                [
                    {
                        "cells": [
                            str(_("Forward to a technician")),
                            forward.get("count") or 0,
                            days(forward.get("median")),
                            days(forward.get("p90")),
                        ],
                        "drill": drill_url(scope, "intake", "forwarded"),
                    },
                    {
                        "cells": [
                            str(_("Answer a complaint")),
                            answer.get("count") or 0,
                            days(answer.get("median")),
                            days(answer.get("p90")),
                        ],
                        "drill": drill_url(scope, "intake", "answered"),
                    },
                ],
            )
        ],
    }


INTAKE = Tile(
    "intake",
    _("Intake and answers"),
    intake,
    drills={
        "queue": Drill(
            _("Engagements in intake"),
            Engagement,
            lambda scope, value: intake_queue(scope).order_by("received_at", "pk"),
            ENGAGEMENT_COLUMNS,
            ("client",),
        ),
        "forwarded": Drill(
            _("Engagements forwarded in the period"),
            Engagement,
            lambda scope, value: forwarded(scope).order_by("-_wait", "pk"),
            (*ENGAGEMENT_COLUMNS[:3], Column(_("Days"), lambda e: days(e._wait))),
            ("client",),
        ),
        "answered": Drill(
            _("Complaints answered in the period"),
            Complaint,
            lambda scope, value: answered_complaints(scope).order_by("-_wait", "pk"),
            (*COMPLAINT_COLUMNS, Column(_("Days"), lambda c: days(c._wait))),
            ("client",),
        ),
    },
    dashboards=(SERVICE, MANAGEMENT),
    principle=_("Customer orientation"),
)


# --- 11. the project lead's projects ---------------------------------------------------------


def project_health(scope):
    """The scope's open projects with their health, each figure a subquery of the same query."""
    today = scope.today
    late = (
        Milestone.objects.filter(project=OuterRef("pk"), planned_date__lt=today)
        .exclude(ON_TIME_MILESTONE)
        .filter(completed_on__isnull=True)
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    notices = (
        RectificationNotice.objects.filter(project=OuterRef("pk"))
        .exclude(state=RectificationNotice.State.CLOSED)
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    received = (
        Payment.objects.filter(contract=OuterRef("contract"), direction=Payment.Direction.RECEIVED)
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    next_milestone = (
        Milestone.objects.filter(project=OuterRef("pk"), completed_on__isnull=True)
        .order_by("planned_date")
        .values("planned_date")[:1]
    )
    return (
        scope.records(Project)
        .exclude(state=ProjectState.ACCEPTED)
        .annotate(
            _late=Coalesce(Subquery(late), 0),
            _notices=Coalesce(Subquery(notices), 0),
            _received=Coalesce(Subquery(received, output_field=MONEY), ZERO),
            _next=Subquery(next_milestone),
        )
        .select_related("contract", "project_lead")
        .order_by("planned_end", "pk")
    )


HEALTH_LIMIT = 50  # the first 50 projects by planned end; the drill-down lists them all


def projects(scope) -> dict:
    rows = [
        {
            "cells": [
                f"{p.code} {p.name}",
                p.get_state_display(),
                p.planned_end,
                p._late,
                p._notices,
                number(p.contract.total_fee),
                number(p._received),
                p._next,
            ],
            "drill": p.get_absolute_url(),
        }
        for p in project_health(scope)[:HEALTH_LIMIT]
    ]
    return {
        "kpis": [
            kpi(
                _("Open projects"),
                project_health(scope).count(),
                drill=drill_url(scope, "projects", "open"),
                key="open",
            ),
        ],
        "tables": [
            table(
                "health",
                _("Health of the projects"),
                [
                    _("Project"),
                    _("state"),
                    _("planned end"),
                    _("Milestones late"),
                    _("Open rectifications"),
                    _("Contract value"),
                    _("Received"),
                    _("Next milestone"),
                ],
                rows,
            )
        ],
    }


PROJECTS = Tile(
    "projects",
    _("Projects"),
    projects,
    drills={
        "open": Drill(
            _("Open projects"),
            Project,
            lambda scope, value: project_health(scope),
            (
                Column(_("Project"), lambda p: f"{p.code} {p.name}"),
                Column(_("project lead"), lambda p: str(p.project_lead)),
                Column(_("Milestones late"), lambda p: p._late),
                Column(_("Open rectifications"), lambda p: p._notices),
                Column(_("Next milestone"), lambda p: p._next),
            ),
        )
    },
    dashboards=(LEAD, MANAGEMENT),
)


TILES = [
    PIPELINE,
    CYCLE,
    ON_TIME,
    PROJECTS,
    REVENUE,
    QUALITY_TILE,
    SATISFACTION,
    COMPLAINTS,
    INTAKE,
    TEAMWORK,
    IMPROVEMENT,
]
