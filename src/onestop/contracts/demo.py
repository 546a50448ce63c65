"""Demo data of the contract stage: who may sign, the contract template, and a contract drafted
from the approved plan whose consistency check found a fee difference (CON-1..3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from onestop.accounts.models import User
from onestop.contracts import services
from onestop.contracts.models import ContractTemplate, SigningAuthorization
from onestop.core import services as core_services
from onestop.engagements.models import Engagement

CLAUSES = {
    "preamble": "甲方（委託方）：{{ client }}\n乙方（服務方）：{{ company }}\n合同編號：{{ contract_code }}（案件編號 {{ engagement_code }}）",
    "service_content_clause": "乙方為甲方提供以下技術服務：\n{% for item in scope_items %}{{ forloop.counter }}. {{ item }}\n{% endfor %}",
    "term_clause": "服務期限自 {{ period_start|date:'Y年n月j日' }} 起至 {{ period_end|date:'Y年n月j日' }} 止。"
    "{% if milestones %}\n里程碑：{% for m in milestones %}{{ m.name }}（{{ m.due_date|date:'Y-m-d' }}）{% if not forloop.last %}；{% endif %}{% endfor %}。{% endif %}",
    "fee_clause": "合同總價為 {{ currency }} {{ total_fee }}（含稅），按以下付款計劃支付：\n"
    "{% for p in payment_schedule %}第{{ forloop.counter }}期：{{ currency }} {{ p.amount }}，"
    "{% if p.due_date %}於 {{ p.due_date|date:'Y-m-d' }} 前{% else %}於「{{ p.milestone }}」完成後{% endif %}支付；{{ p.condition }}\n{% endfor %}",
    "quality_clause": "乙方的服務應符合以下質量標準：{{ quality_standard }}",
    "acceptance_clause": "驗收方式：{{ acceptance_method }}",
    "liability_clause": "任何一方違反本合同約定，應向守約方承擔違約責任；逾期交付或逾期付款的，"
    "每逾期一日按合同總價的萬分之五支付違約金，累計不超過合同總價的百分之十。",
    "rights_clause": "甲方應按約定提供必要的現場條件、資料並按時付款；乙方應按約定的內容、期限和質量標準提供服務，"
    "並對在服務中知悉的甲方商業秘密承擔保密義務。",
    "other_clause": "本合同一式四份，雙方各執兩份，自雙方簽字蓋章之日起生效。",
}


def load(actor=None) -> None:
    legal = User.objects.get(username="legal.zheng")
    chen, wang = User.objects.get(username="mgmt.chen"), User.objects.get(username="mgmt.wang")
    # CON-3: the legal representative without a limit; the deputy up to 1,000,000 this year.
    for fields in (
        {
            "representative": chen,
            "is_legal_representative": True,
            "amount_limit": None,
            "valid_to": None,
            "granted_by": "公司章程",
            "note": "法定代表人",
        },
        {
            "representative": wang,
            "amount_limit": Decimal("1000000.00"),
            "valid_to": date(2027, 12, 31),
            "granted_by": "法定代表人授權委託書 2026-01",
            "note": "授權代表",
        },
    ):
        authorization = SigningAuthorization(currency="CNY", valid_from=date(2026, 1, 1), **fields)
        authorization._history_user = legal
        authorization.save()
    # CON-1: the template (Chinese clauses), version 1, active.
    template = services.save_template(
        ContractTemplate(code="tech-service", name="技術服務合同（標準版）", is_active=True, **CLAUSES),
        actor=legal,
    )
    # A contract drafted from the approved plan; the drafter typed a wrong fee, which the
    # consistency check flags until it is corrected.
    engagement = (
        Engagement.objects.filter(stage=Engagement.Stage.CONFIRMED, plan__effective_version__isnull=False)
        .order_by("received_at")
        .first()
    )
    if engagement is None:
        return
    contract = services.draft_contract(engagement, actor=legal, template=template)
    contract.total_fee = contract.total_fee + Decimal("20000.00")
    contract.special_terms = "甲方須於項目啟動前提供設備清單。"
    core_services.save(contract, actor=legal, reason="起草：錄入合同金額")
