"""Creates one group per role of the policy (see core/roles.py)."""

from django.db import migrations

ROLE_CODES = [
    "customer_service", "technician", "project_lead", "reviewer", "management", "legal",
    "archive", "quality", "finance", "hr", "system_admin", "client",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLE_CODES:
        Group.objects.get_or_create(name=code)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
