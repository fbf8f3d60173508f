"""The API's endpoints: one read-only viewset per kind of record, with the pages' filters (the FilterSets of
measures.filters, read by django-filter's REST framework backend), cursor pagination in the order of an index, and
an ETag under the data's version so that an unchanged answer costs a 304 and no query beyond the version."""

import hashlib

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, pagination, viewsets

from decisions.models import Commitment, Decision, Platform, Source, Theme

from .. import filters as page_filters
from ..caching import data_version
from ..models import (
    ActionPlan,
    Indicator,
    IndicatorValue,
    Location,
    Measure,
    MeasureDecision,
    Organisation,
    ReportingPeriod,
    StatusUpdate,
)
from . import serializers

MAX_PAGE_SIZE = 100


class CursorPagination(pagination.CursorPagination):
    """Pages in the order of the primary key (or of another index a viewset names), `page_size` up to 100."""

    ordering = "id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = _("How many records a page holds (at most 100).")


# The page filters without their sorting: a list in the API is in the order of an index (see CursorPagination).
class CommitmentFilter(page_filters.CommitmentFilter):
    sort = None


class MeasureFilter(page_filters.MeasureFilter):
    sort = None


class DecisionFilter(page_filters.DecisionFilter):
    sort = None


class ActionPlanFilter(page_filters.ActionPlanFilter):
    sort = None


# The filters that take a record's id are filter methods, whose type django-filter cannot tell drf-spectacular.
for filterset in (CommitmentFilter, MeasureFilter, DecisionFilter, ActionPlanFilter):
    for name in ("theme", "unit", "partner", "location", "period"):
        set_override(filterset.base_filters[name], "field", OpenApiTypes.INT)
    if "document" in filterset.base_filters:
        set_override(
            filterset.base_filters["document"],
            "field",
            {"type": "string", "pattern": "^(decision|platform|plan)-[0-9]+$"},
        )


class TooManyRequests(exceptions.Throttled):
    """429, said in the reader's language (REST framework's own Norwegian message is half English)."""

    default_detail = _("Too many requests from your address.")
    extra_detail_singular = _("Try again in {wait} second.")
    extra_detail_plural = _("Try again in {wait} seconds.")


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail, answering conditional GET: the ETag is made of the data version, the day, the
    address and the Accept header, so any change to any record (or a new day) gives every answer a new one."""

    pagination_class = CursorPagination
    filter_backends = [filters.DjangoFilterBackend]

    def throttled(self, request, wait):
        raise TooManyRequests(wait)

    def etag(self, request):
        parts = (
            data_version(),
            timezone.localdate().isoformat(),  # what is late depends on the day
            request.get_full_path(),
            request.headers.get("Accept", ""),
        )
        return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'

    def _conditional(self, request, answer):
        etag = self.etag(request)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        response = answer()
        if response.status_code == 200:
            response["ETag"] = etag
        return response

    def list(self, request, *args, **kwargs):
        return self._conditional(request, lambda: super(PublicViewSet, self).list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return self._conditional(request, lambda: super(PublicViewSet, self).retrieve(request, *args, **kwargs))


THEMES = Prefetch("themes", queryset=Theme.objects.only("pk"))


@extend_schema_view(
    list=extend_schema(summary="Source documents", description="The public documents the records are taken from."),
    retrieve=extend_schema(summary="A source document"),
)
class SourceViewSet(PublicViewSet):
    queryset = Source.objects.all()
    serializer_class = serializers.SourceSerializer


@extend_schema_view(list=extend_schema(summary="Themes"), retrieve=extend_schema(summary="A theme"))
class ThemeViewSet(PublicViewSet):
    queryset = Theme.objects.all()
    serializer_class = serializers.ThemeSerializer


@extend_schema_view(
    list=extend_schema(summary="Decisions", description="With the filters of the page «Vedtak»."),
    retrieve=extend_schema(summary="A decision"),
)
class DecisionViewSet(PublicViewSet):
    queryset = Decision.objects.prefetch_related(
        THEMES, Prefetch("points", queryset=Commitment.objects.only("pk", "decision_id"))
    )
    serializer_class = serializers.DecisionSerializer
    filterset_class = DecisionFilter


@extend_schema_view(list=extend_schema(summary="Platforms"), retrieve=extend_schema(summary="A platform"))
class PlatformViewSet(PublicViewSet):
    queryset = Platform.objects.prefetch_related(
        Prefetch("pledges", queryset=Commitment.objects.only("pk", "platform_id"))
    )
    serializer_class = serializers.PlatformSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Commitments",
        description="Decision points and platform pledges, with the filters of the page «Forpliktelser».",
    ),
    retrieve=extend_schema(summary="A commitment"),
)
class CommitmentViewSet(PublicViewSet):
    queryset = Commitment.objects.prefetch_related(THEMES, Prefetch("measures", queryset=Measure.objects.only("pk")))
    serializer_class = serializers.CommitmentSerializer
    filterset_class = CommitmentFilter


@extend_schema_view(
    list=extend_schema(summary="Action plans", description="With the filters of the page «Handlingsplaner»."),
    retrieve=extend_schema(summary="An action plan"),
)
class ActionPlanViewSet(PublicViewSet):
    queryset = ActionPlan.objects.prefetch_related(THEMES)
    serializer_class = serializers.ActionPlanSerializer
    filterset_class = ActionPlanFilter


@extend_schema_view(
    list=extend_schema(summary="Measures", description="With the filters of the page «Tiltak»."),
    retrieve=extend_schema(summary="A measure"),
)
class MeasureViewSet(PublicViewSet):
    queryset = Measure.objects.prefetch_related(
        Prefetch("partners", queryset=Organisation.objects.only("pk")),
        Prefetch("locations", queryset=Location.objects.only("pk")),
        THEMES,
        Prefetch("commitments", queryset=Commitment.objects.only("pk")),
        Prefetch("measuredecision_set", queryset=MeasureDecision.objects.order_by("pk")),
    )
    serializer_class = serializers.MeasureSerializer
    filterset_class = MeasureFilter


class StatusUpdateFilter(filters.FilterSet):
    measure = filters.ModelChoiceFilter(label=_("Measure"), queryset=Measure.objects.all())
    period = filters.ModelChoiceFilter(label=_("Reporting period"), queryset=ReportingPeriod.objects.all())

    class Meta:
        model = StatusUpdate
        fields = ["measure", "period"]


class NewestFirst(CursorPagination):
    # statusupdate_recent_idx (-recorded_at, -id) serves the whole list; statusupdate_timeline_idx one measure's.
    ordering = ("-recorded_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Status updates",
        description="Every report on a measure, newest first; signed with the reporter's name as on the pages.",
    ),
    retrieve=extend_schema(summary="A status update"),
)
class StatusUpdateViewSet(PublicViewSet):
    queryset = StatusUpdate.objects.select_related("author", "source")
    serializer_class = serializers.StatusUpdateSerializer
    filterset_class = StatusUpdateFilter
    pagination_class = NewestFirst


@extend_schema_view(list=extend_schema(summary="Reporting periods"), retrieve=extend_schema(summary="A period"))
class PeriodViewSet(PublicViewSet):
    queryset = ReportingPeriod.objects.all()
    serializer_class = serializers.PeriodSerializer


@extend_schema_view(list=extend_schema(summary="Locations"), retrieve=extend_schema(summary="A location"))
class LocationViewSet(PublicViewSet):
    queryset = Location.objects.all()
    serializer_class = serializers.LocationSerializer


@extend_schema_view(
    list=extend_schema(summary="Units", description="Responsible units and partners."),
    retrieve=extend_schema(summary="A unit"),
)
class UnitViewSet(PublicViewSet):
    queryset = Organisation.objects.all()
    serializer_class = serializers.UnitSerializer


@extend_schema_view(list=extend_schema(summary="Indicators"), retrieve=extend_schema(summary="An indicator"))
class IndicatorViewSet(PublicViewSet):
    queryset = Indicator.objects.prefetch_related(
        THEMES,
        Prefetch("commitments", queryset=Commitment.objects.only("pk")),
        Prefetch("values", queryset=IndicatorValue.objects.only("pk", "indicator_id")),
    )
    serializer_class = serializers.IndicatorSerializer


class IndicatorValueFilter(filters.FilterSet):
    indicator = filters.ModelChoiceFilter(label=_("Indicator"), queryset=Indicator.objects.all())

    class Meta:
        model = IndicatorValue
        fields = ["indicator"]


@extend_schema_view(
    list=extend_schema(summary="Indicator values", description="One value per indicator and year."),
    retrieve=extend_schema(summary="An indicator value"),
)
class IndicatorValueViewSet(PublicViewSet):
    queryset = IndicatorValue.objects.all()
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
