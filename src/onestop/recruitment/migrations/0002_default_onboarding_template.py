"""The onboarding template of the policy (recruitment/template.py): its five parts."""

from django.db import migrations

from onestop.recruitment.template import default_parts


def create(apps, schema_editor):
    part = apps.get_model("recruitment", "OnboardingPart")
    if not part.objects.exists():
        part.objects.bulk_create(default_parts(part))


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
