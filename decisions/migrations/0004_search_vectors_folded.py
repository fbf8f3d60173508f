"""Search columns of commitments and decisions with the text folded (æ, ø, å), so words typed without them match.

PostgreSQL only; SQLite folds when it searches.
"""

from django.db import migrations

from bergen_rus.search_sql import refold_vectors

forward, backward = refold_vectors(
    {
        "decisions_commitment": [("title", "A"), ("summary", "B")],
        "decisions_decision": [("title", "A"), ("case_number", "A"), ("summary", "B")],
    }
)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_commitment_document_order")]
    operations = [migrations.RunPython(forward, backward)]
