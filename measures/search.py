"""Free-text search: ranked full-text search with Norwegian stemming on PostgreSQL, a simpler search on SQLite.

On PostgreSQL each searchable table has a stored `search_vector` column (title weighted above the body text, built
with the `norwegian` text-search configuration and indexed with GIN; see the `search_vectors` migrations), so
«sprøyterom» also finds «sprøyterommet» and «sprøyterommene», and a word typed halfway matches as a prefix.
On SQLite every word must occur in one of the fields, after cutting the commonest Norwegian inflection endings, and
hits in the title rank first; PostgreSQL does the same for a search of nothing but stop words.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Case, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

# Tables with a stored search_vector column on PostgreSQL (created by the search_vectors migrations).
SEARCH_TABLES = {"decisions_commitment", "decisions_decision", "measures_measure", "measures_actionplan"}

_WORD = re.compile(r"\w+", re.UNICODE)
# Longest first: definite and plural endings of Norwegian nouns, enough for «rommet», «rommene», «sentrene».
_ENDINGS = ("ene", "ane", "er", "et", "en", "a", "e")
MAX_WORDS = 8


def words(text):
    """The search words in `text`, lower-cased, at most MAX_WORDS of them."""
    return [word.lower() for word in _WORD.findall(text or "")][:MAX_WORDS]


def _uses_vector(model):
    return connection.vendor == "postgresql" and model._meta.db_table in SEARCH_TABLES


def _tsquery(terms):
    """A to_tsquery string: every word, stemmed by PostgreSQL, also as a prefix."""
    return " & ".join(f"{term}:*" for term in terms)


def _stem(word):
    for ending in _ENDINGS:
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def text_filter(queryset, text, fields):
    """Keep the rows of `queryset` that match every word of `text` in one of `fields`."""
    terms = words(text)
    if not terms:
        # Nothing to search for: no text means no filter, but text without a word (only signs) finds nothing.
        return queryset if not (text or "").strip() else queryset.none()
    model = queryset.model
    if _uses_vector(model):
        column = f'"{model._meta.db_table}"."search_vector"'
        query = _tsquery(terms)
        match = RawSQL(  # noqa: S611 (the table name is ours; the words are a parameter)
            f"{column} @@ to_tsquery('norwegian', %s)", (query,), output_field=BooleanField()
        )
        # PostgreSQL drops stop words («og», «ett», «for») from a query; a search of nothing but stop words would
        # find nothing at all, so it matches the words as text instead, as on SQLite.
        only_stop_words = RawSQL("numnode(to_tsquery('norwegian', %s)) = 0", (query,), output_field=BooleanField())
        return queryset.filter(Q(match) | (Q(only_stop_words) & _words_in_fields(terms, fields)))
    return queryset.filter(_words_in_fields(terms, fields))


def _words_in_fields(terms, fields):
    """Every word (its stem) occurs in one of `fields`."""
    condition = Q()
    for term in terms:
        stem = _stem(term)
        in_a_field = Q()
        for field in fields:
            in_a_field |= Q(**{f"{field}__icontains": stem})
        condition &= in_a_field
    return condition


def ranked(queryset, text, fields):
    """Matching rows of `queryset` annotated with `rank` (higher is better) and ordered by it."""
    terms = words(text)
    queryset = text_filter(queryset, text, fields)
    if not terms:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    model = queryset.model
    if _uses_vector(model):
        column = f'"{model._meta.db_table}"."search_vector"'
        rank = RawSQL(  # noqa: S611 (the table name is ours; the words are a parameter)
            f"ts_rank({column}, to_tsquery('norwegian', %s))", (_tsquery(terms),), output_field=FloatField()
        )
        return queryset.annotate(rank=rank).order_by("-rank", "pk")
    title = fields[0]
    in_title = [When(**{f"{title}__icontains": _stem(term)}, then=Value(1)) for term in terms]
    score = sum(
        (Case(when, default=Value(0), output_field=IntegerField()) for when in in_title),
        start=Value(0),
    )
    return queryset.annotate(rank=score).order_by("-rank", "pk")
