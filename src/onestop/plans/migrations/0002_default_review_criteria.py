"""The policy's review criteria (PLN-2) as the first, active criteria set: 合理性, 可行性, 創新性,
風險可控性, equal weights, scale 1–5, pass at a weighted mean of 3.5 with no criterion below 2.5."""

from decimal import Decimal

from django.db import migrations

CRITERIA = [
    {"code": code, "weight": "1"}
    for code in ("rationality", "feasibility", "innovation", "risk_controllability")
]


def create(apps, schema_editor):
    ReviewCriteriaSet = apps.get_model("plans", "ReviewCriteriaSet")
    if not ReviewCriteriaSet.objects.exists():
        ReviewCriteriaSet.objects.create(
            name="方案評審標準",
            version=1,
            is_active=True,
            criteria=CRITERIA,
            scale_min=1,
            scale_max=5,
            pass_mean=Decimal("3.5"),
            min_criterion_mean=Decimal("2.5"),
            reject_forces_revise=True,
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
