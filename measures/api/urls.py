"""/api/v1/: the endpoints (a router), the OpenAPI description, and the human-readable page about them."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers

from . import views

app_name = "api"


class Router(routers.DefaultRouter):
    """The API root (/api/v1/) lists the endpoints; no «.json» suffixes: JSON is all there is."""

    include_format_suffixes = False


router = Router()
router.register("sources", views.SourceViewSet, basename="source")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("action-plans", views.ActionPlanViewSet, basename="actionplan")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("status-updates", views.StatusUpdateViewSet, basename="statusupdate")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("locations", views.LocationViewSet, basename="location")
router.register("units", views.UnitViewSet, basename="unit")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicatorvalue")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
