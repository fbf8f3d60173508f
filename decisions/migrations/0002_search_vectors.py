"""Full-text search columns for commitments and decisions (PostgreSQL only; SQLite searches without them)."""

from django.db import migrations

from bergen_rus.search_sql import add_vectors

forward, backward = add_vectors(
    {
        "decisions_commitment": [("title", "A"), ("summary", "B")],
        "decisions_decision": [("title", "A"), ("case_number", "A"), ("summary", "B")],
    }
)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
