"""Free-text search: ranked full-text search with Norwegian stemming on PostgreSQL, a simpler search on SQLite.

What a search finds, on both databases:
- Letters are folded on both sides («sproyterom», «sproeyterom» and «sprøyterom» are the same word; see `fold`).
- A record matches if it has any of the words searched for; records with more of the words rank higher, then
  records with the words in the title (PostgreSQL: by ts_rank, title weighted above the body).
- A word also finds its synonyms from `synonyms.txt` («nalokson» finds «nesespray»); a group may be several words.
- Measures are also found by the names of their place and their units («Strax» finds the measures at Strax-huset).

On PostgreSQL each searchable table has a stored `search_vector` column (generated from the folded text with the
`norwegian` text-search configuration and indexed with GIN; see the `search_vectors` migrations and
bergen_rus.search_sql), so «sprøyterom» also finds «sprøyterommet», and a word typed halfway matches as a prefix.
The column is read through `StoredVector`, a Django expression that resolves to the query's own alias, so every
filtered queryset can be used inside a subquery (where Django renames the table U0, U1, …).
On SQLite a word matches if its stem (the commonest Norwegian inflection endings cut) occurs in one of the fields;
the folding is done by a function registered on each SQLite connection (`register_sqlite_functions`).
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Col
from django.db.models.lookups import Contains, Exact, Regex

from bergen_rus.search_sql import FOLD_CHARS, FOLD_PAIRS, fold_sql

# The fields searched per model (the title first: hits in it rank higher on SQLite). On PostgreSQL the same fields
# make up the stored search_vector column.
SEARCH_FIELDS = {
    "decisions.commitment": ("title", "summary"),
    "decisions.decision": ("title", "summary", "case_number"),
    "measures.measure": ("title", "description", "number"),
    "measures.actionplan": ("title", "short_title", "summary"),
    "measures.location": ("name", "other_names", "description"),
    "measures.organisation": ("name", "short_name", "description"),
}
# Relations whose records' text also finds a record: a measure is found by its place and its units.
SEARCH_RELATED = {"measures.measure": ("responsible_unit", "partners", "locations")}

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
CONFIG = "norwegian"
MAX_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# Longest first: definite and plural endings of Norwegian nouns, enough for «rommet», «rommene», «sentrene».
_ENDINGS = ("ene", "ane", "er", "et", "en", "a", "e")
# Words too common to search for on their own (PostgreSQL's `norwegian` configuration drops more), folded.
STOP_WORDS = frozenset(
    {"og", "i", "pa", "av", "for", "til", "med", "en", "et", "ett", "ei", "som", "det", "den", "de", "er", "a", "om"}
    | {"at", "vi", "har", "fra", "ved", "eller", "sin", "seg", "skal", "kan", "men", "ikke", "sa", "var", "ble", "blir"}
)
_FOLD_TABLE = str.maketrans(*FOLD_CHARS)


def fold(text):
    """`text` lower-cased with æ, ø, å (and accents) folded, as the stored columns hold it: «Sprøyte» → «sproyte»."""
    if text is None:
        return None
    text = text.lower().translate(_FOLD_TABLE)
    for pair, single in FOLD_PAIRS:
        text = text.replace(pair, single)
    return text


def words(text):
    """The search words in `text`, folded, at most MAX_WORDS of them."""
    return _WORD.findall(fold(text or ""))[:MAX_WORDS]


def _stem(word):
    for ending in _ENDINGS:
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _stems(phrase):
    return tuple(_stem(word) for word in phrase)


@functools.cache
def synonym_groups():
    """{stems of a phrase: every phrase of its group}, read once from synonyms.txt (phrases are tuples of words)."""
    groups = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        phrases = tuple(tuple(words(phrase)) for phrase in line.split(",") if words(phrase))
        for phrase in phrases:
            groups[_stems(phrase)] = phrases
    return groups


@dataclass(frozen=True)
class Term:
    """One thing searched for: what was typed (a word or a synonym phrase) and the phrases that mean the same."""

    typed: tuple
    synonyms: tuple = ()

    @property
    def phrases(self):
        return (self.typed, *(phrase for phrase in self.synonyms if phrase != self.typed))


def terms(text):
    """The terms searched for in `text`: synonym phrases found as a whole, then single words without stop words."""
    typed = words(text)
    groups = synonym_groups()
    longest = max((len(stems) for stems in groups), default=1)
    found, i = [], 0
    while i < len(typed):
        for size in range(min(longest, len(typed) - i), 0, -1):
            phrase = tuple(typed[i : i + size])
            group = groups.get(_stems(phrase))
            if group:
                found.append(Term(phrase, group))
                i += size
                break
        else:
            found.append(Term((typed[i],)))
            i += 1
    found = list(dict.fromkeys(found))  # a word typed twice counts once
    content = [term for term in found if term.synonyms or term.typed[0] not in STOP_WORDS]
    # A search of nothing but stop words searches for them as they are.
    return content or found


class StoredVector(Expression):
    """The stored `search_vector` column of the query's own table (PostgreSQL), under whatever alias it has there."""

    output_field = SearchVectorField()

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        field = _vector_field(query.model)
        # A Col follows the query when Django relabels its tables (U0, U1, …) for a subquery.
        return Col(query.get_initial_alias(), field, output_field=field)


@functools.cache
def _vector_field(model):
    """A field (not on the model, so not in its migrations) standing for the model's generated column."""
    field = SearchVectorField()
    field.column = field.attname = field.name = "search_vector"
    field.model = model
    return field


class EqualsAny(Func):
    """`value = ANY(array)` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


class Fold(Func):
    """SQL folding a text expression like `fold` does (a registered function on SQLite, translate() on PostgreSQL)."""

    function = "bergen_fold"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=fold_sql("%(expressions)s"), **extra_context)


def register_sqlite_functions(sender, connection, **kwargs):
    """Give each new SQLite connection the fold function (connected to connection_created in MeasuresConfig)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("bergen_fold", 1, fold, deterministic=True)


def _uses_vector():
    return connection.vendor == "postgresql"


def _tsquery_phrase(phrase, *, typed):
    # What was typed matches as a prefix; a synonym only when it is long enough not to match every other word.
    return " <-> ".join(f"{word}:*" if typed or len(word) >= 4 else word for word in phrase)


def _tsquery(term):
    alternatives = [_tsquery_phrase(term.typed, typed=True)]
    alternatives += [_tsquery_phrase(phrase, typed=False) for phrase in term.phrases[1:]]
    return " | ".join(f"({alternative})" for alternative in alternatives)


def _search_query(found):
    return SearchQuery(" | ".join(f"({_tsquery(term)})" for term in found), config=CONFIG, search_type="raw")


def _vector_match(query):
    return Q(SearchVectorExact(StoredVector(), query))


def _word_in(word, field, *, whole):
    if not whole:
        return Q(Contains(Fold(F(field)), _stem(word)))
    boundary = r"\y" if connection.vendor == "postgresql" else r"\b"
    return Q(Regex(Fold(F(field)), f"{boundary}{re.escape(word)}{boundary}"))


def _phrase_in(phrase, fields, *, whole=False):
    """Every word of `phrase` occurs in one of `fields`, folded: its stem anywhere, or the `whole` word."""
    condition = Q()
    for word in phrase:
        in_a_field = Q()
        for field in fields:
            in_a_field |= _word_in(word, field, whole=whole)
        condition &= in_a_field
    return condition


def _term_in(term, fields, *, whole=False):
    condition = Q()
    for phrase in term.phrases:
        condition |= _phrase_in(phrase, fields, whole=whole)
    return condition


def _text_match(found, fields):
    """Any of the terms occurs in one of `fields`; a search of only stop words matches them as whole words."""
    whole = all(not term.synonyms and term.typed[0] in STOP_WORDS for term in found)
    condition = Q()
    for term in found:
        condition |= _term_in(term, fields, whole=whole)
    return condition


def _own_match(found, fields):
    """Rows whose own text has any of the terms."""
    if not _uses_vector():
        return _text_match(found, fields)
    query = _search_query(found)
    # PostgreSQL drops stop words («og», «ett», «for») from a query; a search of nothing but stop words would find
    # nothing at all, so it matches the words as text instead, as on SQLite. numnode() of the constant query is
    # worked out when the query is planned, so the GIN index still serves the usual case.
    # (The fallback searches the title only: it is for searches like «og» or «ett», and every field costs.)
    only_stop_words = Q(Exact(Func(query, function="numnode", output_field=IntegerField()), 0))
    return _vector_match(query) | (only_stop_words & _text_match(found, fields[:1]))


def _match(model, found):
    """The condition for rows of `model` matching any of the terms, in their own text or their related records'."""
    label = model._meta.label_lower
    condition = _own_match(found, SEARCH_FIELDS[label])
    for path in SEARCH_RELATED.get(label, ()):
        related = model._meta.get_field(path).related_model
        matching = related.objects.filter(_match(related, found)).values("pk")
        ids = model.objects.filter(**{f"{path}__in": matching}).order_by().values("pk")
        if _uses_vector():
            # `id = ANY(ARRAY(…))` rather than `id IN (…)`: PostgreSQL works the ids out first and can then combine
            # an index scan of them with the GIN index scan of the own text (a bitmap OR); IN would scan every row.
            condition |= Q(EqualsAny(F("pk"), ArraySubquery(ids)))
        else:
            condition |= Q(pk__in=ids)
    return condition


def text_filter(queryset, text):
    """Keep the rows of `queryset` that have any word of `text` (or a synonym), in their text or related records'."""
    found = terms(text)
    if not found:
        # Nothing to search for: no text means no filter, but text without a word (only signs) finds nothing.
        return queryset if not (text or "").strip() else queryset.none()
    return queryset.filter(_match(queryset.model, found))


def ranked(queryset, text):
    """Matching rows of `queryset` annotated with `matched` (terms found), `as_typed` and `rank`, best first."""
    found = terms(text)
    queryset = text_filter(queryset, text)
    if not found:
        return queryset.annotate(matched=Value(0), as_typed=Value(0), rank=Value(0.0, output_field=FloatField()))
    fields = SEARCH_FIELDS[queryset.model._meta.label_lower]
    as_typed = [Term(term.typed) for term in found]
    if _uses_vector():
        has_term = [_vector_match(_search_query([term])) for term in found]
        has_typed = [_vector_match(_search_query([term])) for term in as_typed]
        rank = SearchRank(StoredVector(), _search_query(found))
    else:
        has_term = [_term_in(term, fields) for term in found]
        has_typed = [_term_in(term, fields) for term in as_typed]
        rank = _count([_term_in(term, fields[:1]) for term in found])
    # Most terms found first, then most found as typed rather than as a synonym, then the best rank (title hits).
    queryset = queryset.annotate(matched=_count(has_term), as_typed=_count(has_typed), rank=rank)
    return queryset.order_by("-matched", "-as_typed", "-rank", "pk")


def _count(conditions):
    """How many of `conditions` hold for a row."""
    number = IntegerField()
    one_each = (Case(When(condition, then=Value(1)), default=Value(0), output_field=number) for condition in conditions)
    return sum(one_each, start=Value(0, output_field=number))
