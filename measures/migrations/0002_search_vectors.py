"""Full-text search columns for measures and action plans (PostgreSQL only; SQLite searches without them)."""

from django.db import migrations

from bergen_rus.search_sql import add_vectors

forward, backward = add_vectors(
    {
        "measures_measure": [("title", "A"), ("number", "A"), ("description", "B")],
        "measures_actionplan": [("title", "A"), ("short_title", "A"), ("summary", "B")],
    }
)


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial"), ("decisions", "0002_search_vectors")]
    operations = [migrations.RunPython(forward, backward)]
