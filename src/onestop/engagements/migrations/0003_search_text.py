"""The engagement's search text and its full-text index (issue 16 §3): the column, filled for the
engagements already there, then FTS5 on SQLite and GIN on PostgreSQL (each only on its own)."""

from django.db import migrations, models

from onestop.core.fulltext import index_operations
from onestop.engagements.search_index import refresh


def fill(apps, schema_editor):
    Engagement = apps.get_model("engagements", "Engagement")
    refresh(Engagement.objects.all(), models=(Engagement, apps.get_model("engagements", "Inquiry")))


class Migration(migrations.Migration):
    dependencies = [("engagements", "0002_list_order_indexes")]

    operations = [
        migrations.AddField(
            model_name="engagement",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, max_length=1000000),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        *index_operations("engagements_engagement"),
    ]
