"""Demo data of supervision (EXT-3): a run of the compliance checks over the demo engagements,
its findings followed up to different points (being handled, resolved, verified and closed,
dismissed), an audit sample with two results, a reward approved and a penalty proposed.

Runs after the stages and the other company apps (core/stages.py COMPANY_APPS), so the records it
checks exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from onestop.accounts.models import User
from onestop.core.roles import Role
from onestop.core.workflow import perform_transition
from onestop.engagements.models import Engagement
from onestop.supervision import services
from onestop.supervision.models import AuditSample, Finding, Sanction
from onestop.supervision.states import AuditResult, FindingKind, FindingState, Trigger

SEED = 20261204


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _step(finding: Finding, name: str, actor, comment: str = "") -> None:
    perform_transition(finding, name, actor=actor, comment=comment)


def load(actor=None) -> None:
    management = _user("mgmt.chen") or User.objects.with_role(Role.MANAGEMENT).first()
    quality = _user("qa.gao") or User.objects.with_role(Role.QUALITY).first()
    deputy = _user("mgmt.wang") or management
    if management is None or quality is None or not Engagement.objects.exists():
        return
    services.run_checks(actor=None, trigger=Trigger.PERIODIC)
    services.run_checks(actor=quality, note="季度例行稽核：開會前再跑一次")

    # A finding raised by hand from a site visit, so that every state has one even if the demo
    # path breaks no rule today.
    engagement = Engagement.objects.order_by("pk").first()
    services.raise_by_hand(
        Finding(
            kind=FindingKind.AUDIT,
            engagement=engagement,
            description="現場走訪發現項目會議紀錄未上傳系統，無法追溯決策過程。",
            assignee=_user("pm.zhou") or quality,
        ),
        actor=quality,
    )
    findings = list(Finding.objects.filter(state=FindingState.OPEN).select_related("assignee").order_by("pk"))
    worker = {finding.pk: finding.assignee or quality for finding in findings}
    if len(findings) >= 1:
        _step(findings[0], "start", worker[findings[0].pk])
    if len(findings) >= 2:
        _step(findings[1], "resolve", worker[findings[1].pk], "已補齊紀錄並於系統中上傳，請查核。")
    if len(findings) >= 3:
        _step(findings[2], "resolve", worker[findings[2].pk], "已與相關人員確認並完成補正。")
        _step(findings[2], "verify", quality, "抽查補正記錄，屬實。")
    if len(findings) >= 4:
        _step(findings[3], "dismiss", quality, "經查屬客戶要求延後，已有書面記錄，不屬違規。")

    # An audit sample of the confirmed and closed engagements, two of them audited.
    stage = "closed" if Engagement.objects.filter(stage="closed").count() >= 3 else ""
    size = min(5, Engagement.objects.filter(**({"stage": stage} if stage else {})).count())
    sample = services.draw_sample(
        AuditSample(size=size, seed=SEED, stage=stage, note="年度過程稽核抽樣"), actor=quality
    )
    items = list(sample.items.order_by("position")[:2])
    if items:
        services.record_result(
            items[0], actor=quality, result=AuditResult.COMPLIANT, note="記錄完整，簽核齊全。"
        )
    if len(items) > 1:
        services.record_result(
            items[1],
            actor=quality,
            result=AuditResult.FINDING,
            note="結算單附件缺發票影本。",
            assignee=_user("fin.song") or quality,
        )

    # A reward approved and a penalty proposed (獎懲).
    person = _user("pm.zhou") or quality
    reward = services.propose_sanction(
        Sanction(
            kind=Sanction.Kind.REWARD,
            person=person,
            reason="主動補正稽核發現並建立會議紀錄範本，供各項目使用。",
            amount=Decimal("2000.00"),
            effective_on=timezone.localdate(),
        ),
        actor=quality,
    )
    perform_transition(reward, "approve", actor=management, comment="同意嘉獎。")
    offender = _user("tech.li") or _user("pm.sun") or quality
    services.propose_sanction(
        Sanction(
            kind=Sanction.Kind.WARNING,
            person=offender,
            reason="整改通知逾期未回覆兩次。",
            finding=Finding.objects.filter(kind=FindingKind.OVERDUE).first(),
            effective_on=timezone.localdate(),
        ),
        actor=deputy if deputy != management else quality,
    )
