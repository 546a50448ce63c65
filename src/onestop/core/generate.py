"""A seeded volume of realistic records for benchmarks (`onestop generate`, issue 16 §7).

The records go in with ``bulk_create`` in batches, not through the services: a service call
per row (history, audit entry, notifications, deadlines) would take hours at 100,000
engagements. Every row is still one the models and the visibility rule accept: codes in the
house format (``OS-2026-00001``) and unique, states consistent along the path (a project only
from a signed contract of an approved plan of a confirmed engagement), the numbering
sequences moved past the generated codes so later real records do not collide.

What it does not produce (docs/performance.md): history rows, audit entries (the audit chain
is left as it is), signatures (they are links of the chain), notifications and deadlines,
attachments and comments, plan reviews and approvals, quality plans and checkpoints (the
inspections stand alone), inspection items, acceptance rounds, settlements (the payments
recorded are advances without one), and engagements closed as completed (they need those).

Skew like real data: a few clients hold most engagements (Zipf-like weights), one project
lead leads about 20 % of the projects, and a few projects carry thousands of progress rows.
The same seed gives the same records and codes.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from onestop.accounts.demo import DEMO_PASSWORD
from onestop.accounts.models import ClientContact, ClientOrganization, User
from onestop.contracts.models import Contract, ContractTemplate, PaymentInstalment
from onestop.contracts.states import ContractState
from onestop.core.models import NumberSequence
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement, Inquiry, Proposal
from onestop.engagements.search_index import text_of
from onestop.engagements.states import EngagementStage as Stage
from onestop.engagements.states import ProposalStatus
from onestop.plans import models as plan_models
from onestop.plans.states import PlanVersionState
from onestop.projects import models as project_models
from onestop.projects.states import ProgressReportState, ProjectState
from onestop.quality.models import Inspection
from onestop.quality.states import InspectionState
from onestop.settlement.models import Payment, PaymentMethod
from onestop.settlement.states import PaymentDirection

BATCH = 1000  # rows per INSERT; Django lowers it further where SQLite's parameter limit needs
CHUNK = 5000  # engagements built, written and forgotten at a time: memory stays flat

CONFIRMED_SHARE = 0.10
# The other engagements, by stage: closed ones dominate an older database.
INTAKE_WEIGHTS = {
    Stage.INQUIRY: 12,
    Stage.ASSESSMENT: 14,
    Stage.CONFIRMATION: 14,
    Stage.OUT_OF_SCOPE: 30,
    Stage.WITHDRAWN: 30,
}
TOP_LEAD_SHARE = 0.20
TASKS_PER_PROJECT = 8
HEAVY_PROJECTS_PER = 1000  # one project in this many is "heavy": ~60 tasks, a year of weekly tables
HEAVY_TASKS = 60
HEAVY_WEEKS = 52
DAYS_BACK = 3 * 365  # engagements arrive over the last three years

SUBJECTS = [
    "數據採集平台",
    "監控系統升級",
    "安全評估",
    "調度系統",
    "追溯系統",
    "性能壓測",
    "預測模型",
    "接口開發",
]
SUBJECTS += ["數據治理", "雲遷移", "運維外包", "可視化看板", "AI 質檢", "物聯網網關", "等保測評", "災備建設"]
INDUSTRIES = ["智能製造", "能源電力", "政務數據", "高等教育", "現代物流", "醫療器械", "金融", "文化旅遊"]
CITIES = ["上海", "蘇州", "杭州", "南京", "武漢", "深圳", "廈門", "成都", "北京", "廣州"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾周邱廖賴徐何"
GIVEN = ["建華", "曉雯", "振宇", "敏", "志偉", "佳慧", "海峰", "麗君", "文傑", "國棟", "詩涵", "志豪"]
TASK_NAMES = ["需求調研", "方案設計", "環境準備", "開發實施", "系統集成", "測試", "培訓", "上線支持"]


@dataclass
class Report:
    """What the generator made: counts per kind and seconds."""

    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [f"  {label:<28} {count:>10,}" for label, count in self.counts.items()]


class RealDataError(Exception):
    pass


def has_real_data() -> bool:
    """Engagements already there: generating on top would mix benchmark rows into real ones."""
    return Engagement.objects.exists()


@contextlib.contextmanager
def own_timestamps(*model_classes):
    """Let the generator set ``created_at``/``updated_at`` itself (spread over the years, as
    lists sort by them) instead of every row getting the moment of the run. It flips the fields'
    flags for the process, so it belongs in a command run on its own, never in a server."""
    flipped = []
    for model in model_classes:
        for name in ("created_at", "updated_at"):
            f = model._meta.get_field(name)
            flipped.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in flipped:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Codes:
    """House codes (``PREFIX-YEAR-00001``) per prefix and year, continuing each sequence."""

    def __init__(self):
        self.last = {(s.prefix, s.year): s.value for s in NumberSequence.objects.all()}

    def next(self, prefix: str, year: int) -> str:
        value = self.last.get((prefix, year), 0) + 1
        self.last[(prefix, year)] = value
        return f"{prefix}-{year}-{value:05d}"

    def save(self) -> None:
        for (prefix, year), value in self.last.items():
            NumberSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"value": value})


def _weighted_picker(rng: random.Random, items: list, weights: list[float]):
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(items, cum_weights=cumulative)[0]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


class Generator:
    def __init__(self, engagements: int, seed: int = 1, now: datetime | None = None, log=None):
        self.total = engagements
        self.rng = random.Random(seed)
        self.now = (now or timezone.now()).replace(second=0, microsecond=0)
        self.today = timezone.localdate(self.now)
        self.report = Report()
        self.log = log or (lambda message: None)

    # --- helpers -----------------------------------------------------------------------------
    def insert(self, model, rows: list, label: str | None = None) -> list:
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.report.counts[label or str(model._meta.verbose_name_plural)] += len(rows)
        return rows

    def stamp(self, obj, at: datetime):
        obj.created_at = obj.updated_at = at
        return obj

    # --- people -----------------------------------------------------------------------------
    def make_people(self) -> None:
        rng, n = self.rng, self.total
        password = make_password(DEMO_PASSWORD)  # one hash for all: hashing per user would take minutes
        groups = {role: Group.objects.get_or_create(name=str(role))[0] for role in Role}
        prefix = f"gen{self._run_tag()}"
        pools = {
            Role.PROJECT_LEAD: ("pm", max(5, n // 2000)),
            Role.TECHNICIAN: ("tech", max(8, n // 1000)),
            Role.CUSTOMER_SERVICE: ("cs", max(3, n // 5000)),
            Role.LEGAL: ("legal", 2),
            Role.MANAGEMENT: ("mgmt", 2),
            Role.QUALITY: ("qa", max(2, n // 20000)),
            Role.FINANCE: ("fin", 2),
        }
        staff, roles = [], []
        for role, (short, count) in pools.items():
            for i in range(1, count + 1):
                user = User(
                    username=f"{prefix}.{short}{i:03d}",
                    full_name=_person(rng),
                    email=f"{prefix}.{short}{i:03d}@onestop.example",
                    password=password,
                    date_joined=self.now - timedelta(days=DAYS_BACK + 30),
                )
                staff.append(user)
                roles.append(role)
        self.insert(User, staff, "staff users")
        self.insert(
            User.groups.through,
            [
                User.groups.through(user_id=u.pk, group_id=groups[r].pk)
                for u, r in zip(staff, roles, strict=True)
            ],
            "role grants",
        )
        by_role = {role: [u for u, r in zip(staff, roles, strict=True) if r == role] for role in pools}
        self.leads, self.techs = by_role[Role.PROJECT_LEAD], by_role[Role.TECHNICIAN]
        self.cs, self.legal, self.mgmt = (
            by_role[Role.CUSTOMER_SERVICE],
            by_role[Role.LEGAL],
            by_role[Role.MANAGEMENT],
        )
        self.quality, self.finance = by_role[Role.QUALITY], by_role[Role.FINANCE]
        # One lead holds about 20 % of the projects; the others share the rest, unevenly.
        rest = [1 / (i + 2) for i in range(len(self.leads) - 1)]
        scale = (1 - TOP_LEAD_SHARE) / sum(rest)
        self.pick_lead = _weighted_picker(rng, self.leads, [TOP_LEAD_SHARE] + [w * scale for w in rest])

        # Clients: about one per 50 engagements; a few of them hold most (Zipf-like weights).
        count = max(2, n // 50)
        organizations = []
        for i in range(1, count + 1):
            organizations.append(
                self.stamp(
                    ClientOrganization(
                        code=f"G{self._run_tag()}{i:05d}",
                        name=f"{rng.choice(CITIES)}{rng.choice(INDUSTRIES)}客戶{self._run_tag()}{i:05d}有限公司",
                        kind=rng.choice(ClientOrganization.Kind.values),
                        industry=rng.choice(INDUSTRIES),
                        city=rng.choice(CITIES),
                        phone=f"021-{rng.randrange(5000, 9999)} {rng.randrange(1000, 9999)}",
                        account_manager=rng.choice(self.cs),
                    ),
                    self.now - timedelta(days=DAYS_BACK + 10),
                )
            )
        with own_timestamps(ClientOrganization):
            self.insert(ClientOrganization, organizations, "client organisations")
        self.clients = organizations
        self.pick_client = _weighted_picker(rng, organizations, [1 / (i + 1) ** 1.1 for i in range(count)])

        contacts, self.contacts = [], {}
        for org in organizations:
            for k in range(rng.randint(1, 3)):
                name = _person(rng)
                contacts.append(
                    ClientContact(
                        organization=org,
                        name=name,
                        title=rng.choice(["信息化部經理", "技術總監", "採購專員", "項目負責人"]),
                        mobile=f"13{rng.randrange(0, 9)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
                        email=f"c{k}@{org.code.lower()}.example",
                        is_primary=k == 0,
                    )
                )
        self.insert(ClientContact, contacts, "client contacts")
        for contact in contacts:
            if contact.is_primary:
                self.contacts[contact.organization_id] = contact

        # One portal user per client organisation, to look at the data as a client.
        client_users = [
            User(
                username=f"{prefix}.client{i:05d}",
                full_name=self.contacts[org.pk].name,
                email=f"portal@{org.code.lower()}.example",
                password=password,
                client_organization=org,
                date_joined=self.now - timedelta(days=DAYS_BACK),
            )
            for i, org in enumerate(organizations, start=1)
        ]
        self.insert(User, client_users, "client users")
        self.insert(
            User.groups.through,
            [User.groups.through(user_id=u.pk, group_id=groups[Role.CLIENT].pk) for u in client_users],
            "role grants",
        )

    def _run_tag(self) -> str:
        """Distinguishes the usernames and client codes of a second (``--force``) run."""
        if not hasattr(self, "_tag"):
            runs = User.objects.filter(username__regex=r"^gen[0-9]*\.mgmt001$").count()
            self._tag = "" if runs == 0 else str(runs + 1)
        return self._tag

    # --- engagements ---------------------------------------------------------------------------
    def plan_engagements(self) -> list[tuple]:
        """(received_at, client, stage) for every engagement, sorted by arrival: the codes are
        numbered per year in that order, as the real numbering would have given them."""
        rng = self.rng
        stages = list(INTAKE_WEIGHTS)
        pick_stage = _weighted_picker(rng, stages, list(INTAKE_WEIGHTS.values()))
        specs = []
        for _i in range(self.total):
            received = self.now - timedelta(minutes=rng.randrange(60, DAYS_BACK * 24 * 60))
            stage = Stage.CONFIRMED if rng.random() < CONFIRMED_SHARE else pick_stage()
            # A confirmed engagement needs time behind it for its plan, contract and project.
            if stage == Stage.CONFIRMED and received > self.now - timedelta(days=120):
                received -= timedelta(days=120)
            specs.append((received, self.pick_client(), stage))
        specs.sort(key=lambda spec: spec[0])
        return specs

    def run(self) -> Report:
        started = time.monotonic()
        self.codes = Codes()
        self.template = _template()
        self.make_people()
        specs = self.plan_engagements()
        self.heavy_left = max(1, self.total // (HEAVY_PROJECTS_PER * 10))
        for start in range(0, len(specs), CHUNK):
            self.write_chunk(specs[start : start + CHUNK])
            self.log(f"  {min(start + CHUNK, len(specs)):,} / {len(specs):,} engagements")
        self.codes.save()
        self.report.seconds = time.monotonic() - started
        return self.report

    def write_chunk(self, specs: list[tuple]) -> None:
        rng = self.rng
        engagements, inquiries = [], []
        for received, client, stage in specs:
            subject = f"{client.city}{rng.choice(SUBJECTS)}"
            manager = client.account_manager
            e = Engagement(
                code=self.codes.next("OS", received.year),
                title=subject,
                client=client,
                contact=self.contacts[client.pk],
                channel=rng.choice(Channel.values),
                stage=stage,
                stage_since=received,
                holder=manager,
                holder_since=received,
                recorded_by=manager,
                received_at=received,
            )
            if stage != Stage.INQUIRY:
                e.technician = rng.choice(self.techs)
                e.forwarded_at = received + timedelta(hours=rng.randint(1, 30))
                e.hand_to(e.technician, since=e.forwarded_at)
                e.stage_since = e.forwarded_at
            if stage in (Stage.CONFIRMATION, Stage.CONFIRMED):
                e.service_goals = f"{subject}：交付可運行的系統並完成培訓。"
                e.technical_requirements = "可用性 ≥ 99.9%；響應時間 ≤ 1 秒。"
                e.requested_deadline = (received + timedelta(days=180)).date()
                e.assessed_at = e.stage_since = e.forwarded_at + timedelta(days=rng.randint(1, 5))
            if stage == Stage.OUT_OF_SCOPE:
                e.out_of_scope_reason = "單純的硬件代購不屬於一站式技術服務範疇。"
                e.suggestions = "建議通過政府採購平台向廠商直接採購。"
                e.assessed_at = e.reply_sent_at = e.closed_at = e.forwarded_at + timedelta(
                    days=rng.randint(1, 5)
                )
                e.stage_since, e.holder, e.holder_since = e.closed_at, None, e.closed_at
            if stage == Stage.WITHDRAWN:
                e.closed_at = received + timedelta(days=rng.randint(1, 20))
                e.stage_since, e.holder, e.holder_since = e.closed_at, None, e.closed_at
            if stage == Stage.CONFIRMED:
                e.confirmed_at = e.stage_since = e.assessed_at + timedelta(days=rng.randint(3, 20))
                e.holder, e.holder_since = None, e.confirmed_at
            last = max(t for t in (received, e.forwarded_at, e.assessed_at, e.closed_at, e.confirmed_at) if t)
            self.stamp(e, received).updated_at = min(last, self.now)
            need = f"{subject}：希望在半年內完成建設，預算待定。"
            # Written as the receivers would (engagements/search_index.py): bulk inserts send no signal.
            e.search_text = text_of(e, [need])
            engagements.append(e)
            inquiries.append(
                self.stamp(
                    Inquiry(
                        engagement=e,
                        channel=e.channel,
                        received_at=received,
                        contact_name=e.contact.name,
                        contact_phone=e.contact.mobile,
                        contact_email=e.contact.email,
                        subject=subject,
                        need=need,
                        recorded_by=manager,
                    ),
                    received,
                )
            )
        with own_timestamps(Engagement, Inquiry):
            self.insert(Engagement, engagements, "engagements")
            self.insert(Inquiry, inquiries, "inquiries")
        for e in engagements:
            self.report.counts[f"  · {e.stage}"] += 1

        # INT-3: the confirmation's round — open while in confirmation, agreed once confirmed.
        proposals = []
        for e in engagements:
            if (e.stage == Stage.CONFIRMATION and rng.random() < 0.5) or e.stage == Stage.CONFIRMED:
                start = (e.assessed_at + timedelta(days=30)).date()
                p = Proposal(
                    engagement=e,
                    round=1,
                    party=Proposal.Party.COMPANY,
                    author=e.technician,
                    service_content=e.service_goals,
                    technical_requirements=e.technical_requirements,
                    period_start=start,
                    period_end=start + timedelta(days=30 * rng.randint(3, 12)),
                    fee=Decimal(rng.randrange(50, 3000) * 1000),
                    currency="CNY",
                )
                if e.stage == Stage.CONFIRMED:
                    p.status, p.answered_at = ProposalStatus.ACCEPTED, e.confirmed_at - timedelta(days=1)
                    e.agreed_proposal = p
                proposals.append(self.stamp(p, e.assessed_at))
        with own_timestamps(Proposal):
            self.insert(Proposal, proposals, "negotiation rounds")
        confirmed = [e for e in engagements if e.stage == Stage.CONFIRMED]
        Engagement.objects.bulk_update(confirmed, ["agreed_proposal"], batch_size=BATCH)
        if confirmed:
            self.write_downstream(confirmed)

    # --- plan, contract, project ---------------------------------------------------------------
    def write_downstream(self, engagements: list) -> None:
        rng = self.rng
        plans, versions = [], []
        for e in engagements:
            terms = e.agreed_proposal
            at = e.confirmed_at + timedelta(days=1)
            lead = self.pick_lead()
            plan = self.stamp(
                plan_models.Plan(
                    code=self.codes.next("PLN", at.year),
                    engagement=e,
                    title=e.title,
                    project_lead=lead,
                    created_by=lead,
                ),
                at,
            )
            approved = at + timedelta(days=rng.randint(5, 20))
            version = self.stamp(
                plan_models.PlanVersion(
                    plan=plan,
                    number=1,
                    state=PlanVersionState.APPROVED,
                    service_content=terms.service_content,
                    technical_route="微服務架構；容器化部署。",
                    implementation_steps="調研、設計、實施、測試、上線。",
                    quality_measures="每週進度表；里程碑評審。",
                    period_start=terms.period_start,
                    period_end=terms.period_end,
                    fee=terms.fee,
                    currency=terms.currency,
                    author=lead,
                    submitted_at=at + timedelta(days=2),
                    decided_at=approved - timedelta(days=1),
                    weighted_mean=Decimal("4.20"),
                    approved_at=approved,
                ),
                at,
            )
            version.updated_at = approved
            plans.append(plan)
            versions.append(version)
        with own_timestamps(plan_models.Plan, plan_models.PlanVersion):
            self.insert(plan_models.Plan, plans, "service plans")
            self.insert(plan_models.PlanVersion, versions, "plan versions (approved)")
        for plan, version in zip(plans, versions, strict=True):
            plan.effective_version = version
        plan_models.Plan.objects.bulk_update(plans, ["effective_version"], batch_size=BATCH)

        plan_milestones = []
        for version in versions:
            span = (version.period_end - version.period_start).days
            for k, name in enumerate(["需求確認", "系統上線", "項目驗收"], start=1):
                plan_milestones.append(
                    plan_models.Milestone(
                        version=version,
                        name=name,
                        due_date=version.period_start + timedelta(days=span * k // 3),
                        deliverables=f"{name}報告",
                    )
                )
        self.insert(plan_models.Milestone, plan_milestones, "plan milestones")

        contracts, instalments = [], []
        for e, version in zip(engagements, versions, strict=True):
            at = version.approved_at + timedelta(days=1)
            signed = at + timedelta(days=rng.randint(5, 25))
            contract = self.stamp(
                Contract(
                    code=self.codes.next("CT", at.year),
                    engagement=e,
                    plan_version=version,
                    template=self.template,
                    state=ContractState.SIGNED,
                    drafter=rng.choice(self.legal),
                    total_fee=version.fee,
                    currency=version.currency,
                    period_start=version.period_start,
                    period_end=version.period_end,
                    scope_items=version.service_content,
                    quality_standard="符合合同約定的技術要求。",
                    acceptance_method="雙方按驗收標準逐項驗收。",
                    submitted_at=at + timedelta(days=1),
                    legal_passed_by=rng.choice(self.legal),
                    legal_passed_at=at + timedelta(days=2),
                    business_passed_by=rng.choice(self.mgmt),
                    business_passed_at=at + timedelta(days=3),
                    approved_at=at + timedelta(days=4),
                    signed_at=signed,
                ),
                at,
            )
            contract.updated_at = signed
            contracts.append(contract)
            half = (version.fee / 2).quantize(Decimal("0.01"))
            instalments += [
                PaymentInstalment(
                    contract=contract, number=1, amount=half, due_date=signed.date() + timedelta(days=15)
                ),
                PaymentInstalment(
                    contract=contract, number=2, amount=version.fee - half, milestone="項目驗收"
                ),
            ]
        with own_timestamps(Contract):
            self.insert(Contract, contracts, "contracts (signed)")
        self.insert(PaymentInstalment, instalments, "payment instalments")

        # The first instalment (the advance) received once it fell due; no settlement behind it.
        due = {id(i): i.due_date or self.today for i in instalments}  # every generated instalment has a date
        payments = [
            self.stamp(
                Payment(
                    contract=i.contract,
                    direction=PaymentDirection.RECEIVED,
                    paid_on=due[id(i)] + timedelta(days=rng.randint(-5, 10)),
                    amount=i.amount,
                    method=rng.choice(PaymentMethod.values),
                    reference=f"BK{rng.randrange(10**9, 10**10)}",
                    recorded_by=rng.choice(self.finance),
                ),
                _at(due[id(i)] + timedelta(days=10)),
            )
            for i in instalments
            if i.number == 1 and due[id(i)] + timedelta(days=10) < self.today
        ]
        with own_timestamps(Payment):
            self.insert(Payment, payments, "payments")

        self.write_projects(engagements, versions, contracts, plan_milestones)

    def write_projects(self, engagements, versions, contracts, plan_milestones) -> None:
        rng = self.rng
        P = project_models
        projects = []
        for e, version, contract in zip(engagements, versions, contracts, strict=True):
            at = contract.signed_at + timedelta(days=1)
            started = (at + timedelta(days=rng.randint(3, 14))).date()
            state = ProjectState.OPENED
            if started < self.today - timedelta(days=7):
                state = ProjectState.COMPLETED if rng.random() < 0.1 else ProjectState.IN_PROGRESS
            project = self.stamp(
                P.Project(
                    code=self.codes.next("PJ", at.year),
                    engagement=e,
                    contract=contract,
                    plan_version=version,
                    name=e.title,
                    project_lead=version.author,
                    state=state,
                    planned_start=version.period_start,
                    planned_end=version.period_end,
                    actual_start=started if state != ProjectState.OPENED else None,
                    actual_end=self.today if state == ProjectState.COMPLETED else None,
                    opened_by=rng.choice(self.mgmt),
                ),
                at,
            )
            projects.append(project)
        with own_timestamps(P.Project):
            self.insert(P.Project, projects, "projects")

        by_version: dict[int, list] = {}
        for m in plan_milestones:
            by_version.setdefault(m.version_id, []).append(m)
        milestones, members, kickoffs = [], [], []
        for project in projects:
            for source in by_version[project.plan_version_id]:
                milestones.append(
                    P.Milestone(
                        project=project,
                        source=source,
                        name=source.name,
                        planned_date=source.due_date,
                        deliverables=source.deliverables,
                    )
                )
            team = [project.project_lead, *rng.sample(self.techs, 2)]
            for user, role in zip(team, ["項目經理", "工程師", "工程師"], strict=True):
                members.append(P.ProjectMember(project=project, user=user, role=role, allocation=50))
            if project.state != ProjectState.OPENED:
                kickoffs.append(
                    P.KickoffMeeting(
                        project=project,
                        held_on=project.actual_start,
                        location="客戶現場會議室",
                        goals="按計劃交付。",
                        tasks_communicated="見實施計劃。",
                        recorded_by=project.project_lead,
                    )
                )
        self.insert(P.Milestone, milestones, "project milestones")
        self.insert(P.ProjectMember, members, "project members")
        self.insert(P.KickoffMeeting, kickoffs, "kickoff meetings")

        milestones_of: dict[int, list] = {}
        members_of: dict[int, list] = {}
        for m in milestones:
            milestones_of.setdefault(m.project_id, []).append(m)
        for m in members:
            members_of.setdefault(m.project_id, []).append(m)
        tasks, heavy = [], set()
        for project in projects:
            count = TASKS_PER_PROJECT + rng.randint(-3, 3)
            if self.heavy_left and project.state == ProjectState.IN_PROGRESS and rng.random() < 0.05:
                heavy.add(project.pk)
                self.heavy_left -= 1
                count = HEAVY_TASKS
            span = max((project.planned_end - project.planned_start).days, 1)
            for k in range(count):
                start = project.planned_start + timedelta(days=span * k // count)
                tasks.append(
                    P.Task(
                        project=project,
                        milestone=milestones_of[project.pk][min(k * 3 // count, 2)],
                        name=f"{TASK_NAMES[k % len(TASK_NAMES)]} {k + 1}",
                        assignee=rng.choice(members_of[project.pk]),
                        planned_start=start,
                        planned_end=start + timedelta(days=max(span // count, 1)),
                        percent_complete=rng.choice([0, 20, 50, 80, 100]),
                    )
                )
        self.insert(P.Task, tasks, "tasks")

        # Quality: about a third of the running projects were inspected once to three times.
        inspections = []
        for project in projects:
            if project.state == ProjectState.OPENED or rng.random() > 0.33:
                continue
            for _k in range(rng.randint(1, 3)):
                day = project.actual_start + timedelta(days=rng.randint(7, 120))
                inspector = rng.choice(self.quality)
                if day >= self.today - timedelta(days=3):
                    fields: dict[str, object] = {
                        "state": InspectionState.PLANNED,
                        "code": self.codes.next("QI", self.today.year),
                    }
                else:
                    done = _at(day)
                    fields = {
                        "state": InspectionState.COMPLETED,  # a protected state is set only on creation
                        "code": self.codes.next("QI", day.year),
                        "passed": rng.random() < 0.85,
                        "started_at": done - timedelta(hours=3),
                        "completed_at": done,
                        "completed_by": inspector,
                        "summary": "按檢查表逐項檢查。",
                    }
                inspection = Inspection(
                    project=project,
                    kind=rng.choice(Inspection.Kind.values),
                    planned_date=day,
                    inspector=inspector,
                    **fields,
                )
                inspections.append(self.stamp(inspection, _at(project.actual_start)))
        with own_timestamps(Inspection):
            self.insert(Inspection, inspections, "inspections")
        self.report.counts["heavy projects"] += len(heavy)

        tasks_of: dict[int, list] = {}
        for t in tasks:
            tasks_of.setdefault(t.project_id, []).append(t)
        pending = []
        # Progress tables: weekly (Monday to Sunday) from the start; the past ones reviewed,
        # the current one being filled in. Most projects keep a few; heavy ones a year's worth.
        for project in projects:
            if project.state == ProjectState.OPENED:
                continue
            monday = project.actual_start - timedelta(days=project.actual_start.weekday())
            weeks = max((self.today - monday).days // 7, 1)
            keep = min(weeks, HEAVY_WEEKS if project.pk in heavy else rng.randint(1, 6))
            reports = []
            for w in range(weeks - keep, weeks):
                period_start = monday + timedelta(days=7 * w)
                current = w == weeks - 1 and project.state == ProjectState.IN_PROGRESS
                at = _at(period_start + timedelta(days=6))
                reports.append(
                    P.ProgressReport(
                        project=project,
                        period_start=period_start,
                        period_end=period_start + timedelta(days=6),
                        state=ProgressReportState.DRAFT if current else ProgressReportState.REVIEWED,
                        submitted_by=None if current else project.project_lead,
                        submitted_at=None if current else at,
                        reviewed_by=None if current else project.project_lead,
                        reviewed_at=None if current else at + timedelta(days=1),
                    )
                )
            pending.append((project, reports))
        self.write_progress(pending, milestones_of, tasks_of)

    def write_progress(self, pending, milestones_of, tasks_of) -> None:
        """The progress tables and their rows: one row per milestone and task of the project."""
        P = project_models
        reports = [r for _project, rs in pending for r in rs]
        self.insert(P.ProgressReport, reports, "progress tables")
        rows = []
        for project, rs in pending:
            items = [(m, None) for m in milestones_of[project.pk]] + [(None, t) for t in tasks_of[project.pk]]
            for report in rs:
                for position, (milestone, task) in enumerate(items):
                    source = milestone or task
                    rows.append(
                        P.ProgressRow(
                            report=report,
                            position=position,
                            milestone=milestone,
                            task=task,
                            item=source.name,
                            planned_start=task.planned_start if task else None,
                            planned_end=task.planned_end if task else milestone.planned_date,
                            planned_percent=source.percent_complete,
                            percent_complete=source.percent_complete,
                            work_done="按計劃推進。" if task else "",
                            filled_by=project.project_lead,
                        )
                    )
                if len(rows) >= 20 * BATCH:
                    self.insert(P.ProgressRow, rows, "progress rows")
                    rows = []
        self.insert(P.ProgressRow, rows, "progress rows")


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=17))


def _template() -> ContractTemplate:
    """The active contract template the contracts are drafted on; the demo's if none exists."""
    template = ContractTemplate.objects.filter(is_active=True).order_by("-pk").first()
    if template is None:
        from onestop.contracts import services  # noqa: PLC0415 — only when no template exists; contracts.services is heavy
        from onestop.contracts.demo import CLAUSES  # noqa: PLC0415 — the demo's clauses, only then

        template = services.save_template(
            ContractTemplate(code="tech-service", name="技術服務合同（標準版）", is_active=True, **CLAUSES),
            actor=None,
        )
    return template


def generate(engagements: int, *, seed: int = 1, force: bool = False, log=None) -> Report:
    if has_real_data() and not force:
        raise RealDataError(
            "The database already has engagements; generating would mix benchmark rows into them. "
            "Use an empty database, or --force."
        )
    with transaction.atomic():
        return Generator(engagements, seed=seed, log=log).run()
