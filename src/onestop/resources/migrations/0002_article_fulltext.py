"""The full-text index of knowledge articles (core/fulltext.py): FTS5 on SQLite, GIN on
PostgreSQL; each operation runs only on its own database."""

from django.db import migrations

from onestop.core.fulltext import index_operations


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = index_operations("resources_article")
