"""Counting helpers shared by the apps' QuerySet methods."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset, outer_field):
    """The number of rows of `queryset` whose `outer_field` is the outer row, as a subquery annotation.

    Unlike annotate(Count(...)) it needs no GROUP BY over the whole list: it is computed only for the rows of the
    page shown, and the paginator's count stays a plain count. The ordering of `queryset` is cleared, so it never
    enters the grouping.
    """
    counted = queryset.filter(**{outer_field: OuterRef("pk")}).order_by().values(outer_field)
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")[:1]), 0)
