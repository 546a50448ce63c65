"""Rendering contract clauses (CON-1): the Django template language over a contract's terms.

A clause is plain text with placeholders such as ``{{ client }}`` or ``{{ total_fee }}`` and
loops over the payment schedule; it is rendered without HTML escaping (the page or PDF that
shows it escapes it) by an engine that loads no other template, so a clause can neither
include files nor reach anything but the context it is given.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.defaulttags import DebugNode
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils.translation import gettext as _

from onestop.contracts.models import CLAUSES

ENGINE = Engine(autoescape=False, loaders=[], libraries={}, builtins=["django.template.defaultfilters"])

# The placeholders a clause may use (shown to the template's editor).
PLACEHOLDERS = (
    "company",
    "client",
    "contract_code",
    "engagement_code",
    "service_content",
    "scope_items",
    "period_start",
    "period_end",
    "total_fee",
    "currency",
    "payment_schedule",
    "milestones",
    "quality_standard",
    "acceptance_method",
)


def compile_clause(text: str):
    try:
        template = ENGINE.from_string(text or "")
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise ValidationError(
            _("The placeholders of this clause are not valid: %(error)s") % {"error": exc}
        ) from None
    for kind in (IncludeNode, ExtendsNode, DebugNode):
        if template.nodelist.get_nodes_by_type(kind):
            raise ValidationError(_("A clause may use placeholders, conditions and loops only."))
    return template


def render_clause(text: str, context: dict) -> str:
    return compile_clause(text).render(Context(context, autoescape=False)).strip()


def render_clauses(template, context: dict) -> dict[str, str]:
    """``{clause field name: rendered text}`` for every clause of ``template``."""
    return {name: render_clause(getattr(template, name), context) for name in CLAUSES}


def sample_context() -> dict:
    """Example terms for previewing a template."""
    return {
        "company": "一站式技術服務有限公司",
        "client": "示例客戶有限公司",
        "contract_code": "CT-2026-00001",
        "engagement_code": "OS-2026-00001",
        "service_content": "工業控制系統安全評估及整改建議",
        "scope_items": ["現場調研", "安全評估", "整改方案"],
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 6, 30),
        "total_fee": Decimal("300000.00"),
        "currency": "CNY",
        "payment_schedule": [
            {
                "amount": Decimal("90000.00"),
                "due_date": date(2026, 1, 15),
                "milestone": "",
                "condition": "合同簽訂後",
            },
            {
                "amount": Decimal("210000.00"),
                "due_date": None,
                "milestone": "最終驗收",
                "condition": "驗收合格後",
            },
        ],
        "milestones": [
            {"name": "現場調研完成", "due_date": date(2026, 2, 28), "deliverables": "調研報告"},
            {"name": "最終驗收", "due_date": date(2026, 6, 30), "deliverables": "評估報告"},
        ],
        "quality_standard": "符合 GB/T 22239-2019 要求",
        "acceptance_method": "雙方共同驗收並簽署驗收報告",
    }
