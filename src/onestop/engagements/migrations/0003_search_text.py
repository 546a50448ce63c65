"""The engagement's search text and its full-text index (issue 16 §3): the column, filled for the
engagements already there, then FTS5 on SQLite and GIN on PostgreSQL (each only on its own)."""

from collections import defaultdict

from django.db import migrations, models

from onestop.core.fulltext import index_operations
from onestop.engagements.search_index import text_of


def fill(apps, schema_editor):
    Engagement = apps.get_model("engagements", "Engagement")
    Inquiry = apps.get_model("engagements", "Inquiry")
    ids = list(Engagement.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        needs = defaultdict(list)
        for engagement_id, need in Inquiry.objects.filter(engagement_id__in=chunk).order_by("pk").values_list(
            "engagement_id", "need"
        ):
            needs[engagement_id].append(need)
        rows = list(Engagement.objects.filter(pk__in=chunk).select_related("client", "contact"))
        for row in rows:
            row.search_text = text_of(row, needs[row.pk])
        Engagement.objects.bulk_update(rows, ["search_text"])


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
