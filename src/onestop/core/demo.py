"""Loads the demo data set, app by app, in the order the stages build on each other."""

from __future__ import annotations

from django.db import transaction

from onestop.accounts import demo as accounts_demo
from onestop.contracts import demo as contracts_demo
from onestop.core.models import Letterhead
from onestop.core.stages import app_modules
from onestop.engagements import demo as engagements_demo
from onestop.plans import demo as plans_demo


def load_letterhead() -> None:
    """The demo company's letterhead on every printed form (System › Letterhead changes it)."""
    Letterhead.objects.update_or_create(
        pk=Letterhead.SINGLETON_PK,
        defaults={
            "company_name": "卓越一站式技術服務有限公司",
            "address": "上海市浦東新區張江高科技園區碧波路 690 號 5 樓",
            "phone": "021-5080 8800",
            "tax_id": "91310115MA1H7XQ23K",
            "seal_caption": "公司蓋章（合同專用章）",
            "footer_note": "開戶行：中國工商銀行上海張江支行　賬號：1001 2345 6789 0123 456",
        },
    )


LOADERS = [load_letterhead, accounts_demo.load, engagements_demo.load, plans_demo.load, contracts_demo.load]
# The later stages each keep a demo.py with load(); they run in the order the stages build on
# each other, after the contracts they start from (core/stages.py).


@transaction.atomic
def load_demo_data() -> None:
    for loader in [*LOADERS, *(module.load for module in app_modules("demo"))]:
        loader()
