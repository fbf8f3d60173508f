"""Search columns of measures and plans with the text folded (æ, ø, å), and new ones for places and units.

PostgreSQL only; SQLite folds when it searches.
"""

from django.db import migrations

from bergen_rus.search_sql import add_vectors, refold_vectors

refold_forward, refold_backward = refold_vectors(
    {
        "measures_measure": [("title", "A"), ("number", "A"), ("description", "B")],
        "measures_actionplan": [("title", "A"), ("short_title", "A"), ("summary", "B")],
    }
)
add_forward, add_backward = add_vectors(
    {
        "measures_location": [("name", "A"), ("other_names", "A"), ("description", "B")],
        "measures_organisation": [("name", "A"), ("short_name", "A"), ("description", "B")],
    },
    folded=True,
)


class Migration(migrations.Migration):
    dependencies = [("measures", "0005_indicator_rules_review_sittings"), ("decisions", "0004_search_vectors_folded")]
    operations = [
        migrations.RunPython(refold_forward, refold_backward),
        migrations.RunPython(add_forward, add_backward),
    ]
