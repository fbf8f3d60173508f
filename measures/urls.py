from django.urls import path

from .views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("forpliktelser/", public.commitment_list, name="commitment_list"),
    path("forpliktelser/<int:pk>/", public.commitment_detail, name="commitment_detail"),
    path("vedtak/", public.decision_list, name="decision_list"),
    path("vedtak/<int:pk>/", public.decision_detail, name="decision_detail"),
    path("plattformer/", public.platform_list, name="platform_list"),
    path("plattformer/<int:pk>/", public.platform_detail, name="platform_detail"),
    path("tiltak/", public.measure_list, name="measure_list"),
    path("tiltak/<int:pk>/", public.measure_detail, name="measure_detail"),
    path("handlingsplaner/", public.plan_list, name="plan_list"),
    path("handlingsplaner/<int:pk>/", public.plan_detail, name="plan_detail"),
    path("steder/", public.location_list, name="location_list"),
    path("steder/<int:pk>/", public.location_detail, name="location_detail"),
    path("enheter/", public.organisation_list, name="organisation_list"),
    path("enheter/<int:pk>/", public.organisation_detail, name="organisation_detail"),
    path("kilder/<int:pk>/", public.source_detail, name="source_detail"),
    path("sok/", public.search, name="search"),
    path("statuser/", public.status_legend, name="status_legend"),
    path("statusfarger.css", public.status_css, name="status_css"),
]
