"""Loads the demo data set, app by app, in the order the stages build on each other."""

from __future__ import annotations

from django.db import transaction

from onestop.accounts import demo as accounts_demo
from onestop.contracts import demo as contracts_demo
from onestop.core.stages import stage_modules
from onestop.engagements import demo as engagements_demo
from onestop.plans import demo as plans_demo

LOADERS = [accounts_demo.load, engagements_demo.load, plans_demo.load, contracts_demo.load]
# The later stages each keep a demo.py with load(); they run in the order the stages build on
# each other, after the contracts they start from (core/stages.py).


@transaction.atomic
def load_demo_data() -> None:
    for loader in [*LOADERS, *(module.load for module in stage_modules("demo"))]:
        loader()
