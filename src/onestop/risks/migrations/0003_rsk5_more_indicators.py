"""RSK-5: the indicators computed from the costs, people and resources apps — budget burn vs the
work done, staff over-allocation, certificate expiry, equipment expiry — and their defaults."""

from decimal import Decimal

from django.db import migrations, models

# kind, name, lower_is_worse, (blue, yellow, orange, red), period_days, roles, escalate_after_hours
INDICATORS = [
    (
        "budget_burn",
        "預算消耗超前於完成進度（百分點）",
        False,
        (10, 20, 30, 50),
        30,
        ["finance", "management"],
        48,
    ),
    (
        "over_allocation",
        "人員超額分配（週負荷峰值 %）",
        False,
        (101, 120, 150, 200),
        28,
        ["hr", "management"],
        72,
    ),
    ("certificate_expiry", "人員證書即將到期（剩餘天數）", True, (60, 30, 14, 0), 60, ["hr"], 72),
    (
        "equipment_expiry",
        "設備校正／保固／授權即將到期（剩餘天數）",
        True,
        (30, 14, 7, 0),
        30,
        ["archive"],
        48,
    ),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("risks", "Indicator")
    for kind, name, lower, thresholds, period, roles, hours in INDICATORS:
        blue, yellow, orange, red = (None if v is None else Decimal(str(v)) for v in thresholds)
        Indicator.objects.get_or_create(
            kind=kind,
            defaults={
                "name": name,
                "lower_is_worse": lower,
                "blue": blue,
                "yellow": yellow,
                "orange": orange,
                "red": red,
                "period_days": period,
                "roles": roles,
                "escalate_after_hours": hours,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0002_defaults"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emergencyplan",
            name="indicator_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("schedule_variance", "Schedule behind plan (percentage points)"),
                    ("overdue_rectifications", "Overdue rectification notices"),
                    ("failed_inspections", "Failed inspections in the period"),
                    ("failed_acceptance", "Failed acceptance rounds in the period"),
                    ("overdue_receivables", "Receivables past due (amount)"),
                    ("low_csat", "Satisfaction score below the threshold"),
                    ("overdue_complaints", "Open complaints past their deadline"),
                    ("critical_risks_unanswered", "Open critical risks without a response"),
                    ("budget_burn", "Budget spent ahead of the work done (percentage points)"),
                    (
                        "over_allocation",
                        "Staff allocated beyond full time in a week (peak allocation in percent)",
                    ),
                    ("certificate_expiry", "Certificates expiring (days left)"),
                    ("equipment_expiry", "Equipment calibration, warranty or licence expiring (days left)"),
                ],
                max_length=30,
                verbose_name="for warnings of",
            ),
        ),
        migrations.AlterField(
            model_name="historicalemergencyplan",
            name="indicator_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("schedule_variance", "Schedule behind plan (percentage points)"),
                    ("overdue_rectifications", "Overdue rectification notices"),
                    ("failed_inspections", "Failed inspections in the period"),
                    ("failed_acceptance", "Failed acceptance rounds in the period"),
                    ("overdue_receivables", "Receivables past due (amount)"),
                    ("low_csat", "Satisfaction score below the threshold"),
                    ("overdue_complaints", "Open complaints past their deadline"),
                    ("critical_risks_unanswered", "Open critical risks without a response"),
                    ("budget_burn", "Budget spent ahead of the work done (percentage points)"),
                    (
                        "over_allocation",
                        "Staff allocated beyond full time in a week (peak allocation in percent)",
                    ),
                    ("certificate_expiry", "Certificates expiring (days left)"),
                    ("equipment_expiry", "Equipment calibration, warranty or licence expiring (days left)"),
                ],
                max_length=30,
                verbose_name="for warnings of",
            ),
        ),
        migrations.AlterField(
            model_name="historicalindicator",
            name="kind",
            field=models.CharField(
                choices=[
                    ("schedule_variance", "Schedule behind plan (percentage points)"),
                    ("overdue_rectifications", "Overdue rectification notices"),
                    ("failed_inspections", "Failed inspections in the period"),
                    ("failed_acceptance", "Failed acceptance rounds in the period"),
                    ("overdue_receivables", "Receivables past due (amount)"),
                    ("low_csat", "Satisfaction score below the threshold"),
                    ("overdue_complaints", "Open complaints past their deadline"),
                    ("critical_risks_unanswered", "Open critical risks without a response"),
                    ("budget_burn", "Budget spent ahead of the work done (percentage points)"),
                    (
                        "over_allocation",
                        "Staff allocated beyond full time in a week (peak allocation in percent)",
                    ),
                    ("certificate_expiry", "Certificates expiring (days left)"),
                    ("equipment_expiry", "Equipment calibration, warranty or licence expiring (days left)"),
                ],
                max_length=30,
                verbose_name="measure",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="kind",
            field=models.CharField(
                choices=[
                    ("schedule_variance", "Schedule behind plan (percentage points)"),
                    ("overdue_rectifications", "Overdue rectification notices"),
                    ("failed_inspections", "Failed inspections in the period"),
                    ("failed_acceptance", "Failed acceptance rounds in the period"),
                    ("overdue_receivables", "Receivables past due (amount)"),
                    ("low_csat", "Satisfaction score below the threshold"),
                    ("overdue_complaints", "Open complaints past their deadline"),
                    ("critical_risks_unanswered", "Open critical risks without a response"),
                    ("budget_burn", "Budget spent ahead of the work done (percentage points)"),
                    (
                        "over_allocation",
                        "Staff allocated beyond full time in a week (peak allocation in percent)",
                    ),
                    ("certificate_expiry", "Certificates expiring (days left)"),
                    ("equipment_expiry", "Equipment calibration, warranty or licence expiring (days left)"),
                ],
                max_length=30,
                verbose_name="measure",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
