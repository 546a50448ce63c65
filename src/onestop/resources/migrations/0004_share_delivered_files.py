"""The files of versions already delivered become shared with the client (as ``deliver`` now
does), so the client's acceptance team can download them (ACC-2). Nothing else changes."""

from django.db import migrations


def share_delivered_files(apps, schema_editor):
    TechnicalDocument = apps.get_model("resources", "TechnicalDocument")
    Attachment = apps.get_model("core", "Attachment")
    files = TechnicalDocument.objects.filter(delivered_version__file__isnull=False).values(
        "delivered_version__file_id"
    )
    Attachment.objects.filter(pk__in=files).exclude(visibility="shared").update(visibility="shared")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("resources", "0003_document_checks"),
    ]

    operations = [migrations.RunPython(share_delivered_files, migrations.RunPython.noop)]
