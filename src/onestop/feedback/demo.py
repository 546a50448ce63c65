"""Demo data of the feedback stage (EXT-2): answered satisfaction surveys, one invitation still
open, and complaints in several states (one overdue, one closed by the client's confirmation).

Runs last and builds on what the earlier stages created. Surveys go only to engagements whose
project passed acceptance (as the policy has it); complaints may concern any engagement.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from onestop.acceptance.selectors import passed_round
from onestop.accounts.models import ClientOrganization, User
from onestop.core.roles import Role
from onestop.engagements.models import Engagement
from onestop.feedback import services
from onestop.feedback.aspects import ASPECTS
from onestop.feedback.models import Complaint, Survey
from onestop.notifications.models import Deadline

# scores per aspect (in ASPECTS order), would recommend, comment
ANSWERS = [
    ((5, 4, 5, 5, 4), 9, "項目經理溝通及時，報告質量高；希望下次現場調研的時間安排能更早通知。"),
    ((4, 3, 4, 5, 3), 7, "技術能力沒有問題，但中期報告晚了一週。"),
    ((5, 5, 5, 5, 5), 10, "非常滿意，已推薦給集團內的兄弟單位。"),
]


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _engagements():
    with_project = list(Engagement.objects.filter(project__isnull=False).order_by("code"))
    with_contract = list(
        Engagement.objects.filter(contract__isnull=False, project__isnull=True).order_by("code")
    )
    others = list(
        Engagement.objects.filter(stage__in=[Engagement.Stage.CONFIRMED, Engagement.Stage.CLOSED])
        .exclude(pk__in=[e.pk for e in with_project + with_contract])
        .order_by("code")
    )
    return [
        e for e in with_project + with_contract + others if not Survey.objects.filter(engagement=e).exists()
    ]


def _client_user(client_id):
    return User.objects.filter(client_organization_id=client_id, is_active=True).order_by("username").first()


def load(actor=None) -> None:
    cs = _user("cs.he") or User.objects.with_role(Role.CUSTOMER_SERVICE).first()
    if cs is None:
        return
    # --- surveys: after a passed acceptance only; the last one waits on the client's My work --
    accepted = [e for e in _engagements() if hasattr(e, "project") and passed_round(e.project)]
    for index, engagement in enumerate(accepted):
        survey = services.invite(engagement, actor=cs)
        if index >= len(ANSWERS) or index == len(accepted) - 1:
            continue  # the last stays open: the client's "My work" shows it
        values, recommend, comment = ANSWERS[index]
        answerer = _client_user(engagement.client_id)
        services.answer(
            survey,
            scores={aspect.code: value for aspect, value in zip(ASPECTS, values, strict=True)},
            would_recommend=recommend,
            comment=comment,
            actor=answerer,
            via_link=answerer is None,
        )

    # --- complaints ---------------------------------------------------------------------------
    handler = _user("tech.zhang") or cs
    second_handler = _user("pm.zhou") or handler
    clients = [
        organization
        for organization in ClientOrganization.objects.order_by("code")
        if _client_user(organization.pk) is not None
    ]
    if not clients:
        return

    def client_of(index):
        return clients[index % len(clients)]

    def engagement_of(organization):
        return organization.engagements.order_by("code").first()

    # 1. Closed: the client confirmed the response.
    first = client_of(0)
    closed = services.file_complaint(
        actor=_client_user(first.pk),
        engagement=engagement_of(first),
        subject="現場調研人員未按約定時間到場",
        description="約定 9:00 到場，實際 10:30 才到，且未提前通知。",
    )
    services.assign(closed, actor=cs, handler=second_handler, comment="請項目經理親自回覆客戶。")
    services.respond(
        closed,
        actor=second_handler,
        response="非常抱歉。原因是交通管制導致延誤，我們已調整出發時間並要求人員提前一天確認行程。",
    )
    services.confirm(closed, actor=_client_user(first.pk), comment="感謝回覆，接受。")

    # 2. Overdue: recorded from a phone call, assigned, not answered in time.
    second = client_of(1)
    overdue = services.file_complaint(
        actor=cs,
        client=second,
        engagement=engagement_of(second),
        channel=Complaint.Channel.PHONE,
        subject="測試報告中的設備型號有誤",
        description="客戶來電：報告第 4 節列出的 PLC 型號與現場不符，要求更正並重新蓋章。",
    )
    services.assign(overdue, actor=cs, handler=handler)
    past = timezone.now() - timedelta(days=2)
    Complaint.objects.filter(pk=overdue.pk).update(due_at=past, assigned_at=past - timedelta(days=7))

    Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(Complaint), target_id=overdue.pk, closed_at__isnull=True
    ).update(due_at=past)

    # 3. Responded, waiting for the client's confirmation.
    third = client_of(2)
    responded = services.file_complaint(
        actor=_client_user(third.pk),
        subject="發票抬頭錯誤",
        description="第二期款的發票抬頭寫成了舊公司名稱。",
    )
    services.assign(responded, actor=cs, handler=cs)
    services.respond(responded, actor=cs, response="已聯繫財務重新開具，新發票將於三個工作日內寄出。")

    # 4. Just filed in the portal, waiting for a handler.
    fourth = client_of(3)
    services.file_complaint(
        actor=_client_user(fourth.pk),
        engagement=engagement_of(fourth),
        subject="客服電話多次無人接聽",
        description="上週三下午連續撥打三次客服熱線均無人接聽。",
    )
