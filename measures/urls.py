from django.urls import path

from .views import editing, public, reporting

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
    # Reporting (caseworkers) and completeness (coordinators)
    path("tiltak/<int:pk>/rapporter/", reporting.report_status, name="report_status"),
    path("mine-tiltak/", reporting.my_measures, name="my_measures"),
    path("perioder/fullstendighet/", reporting.period_completeness, name="period_completeness_current"),
    path("perioder/<int:pk>/fullstendighet/", reporting.period_completeness, name="period_completeness"),
    # Editing (coordinators)
    path("tiltak/nytt/", editing.edit_measure, name="add_measure"),
    path("tiltak/<int:pk>/rediger/", editing.edit_measure, name="edit_measure"),
    path("forpliktelser/ny/", editing.edit_commitment, name="add_commitment"),
    path("forpliktelser/<int:pk>/rediger/", editing.edit_commitment, name="edit_commitment"),
    path("vedtak/nytt/", editing.edit_decision, name="add_decision"),
    path("vedtak/<int:pk>/rediger/", editing.edit_decision, name="edit_decision"),
    path("perioder/", editing.period_list, name="period_list"),
    path("perioder/ny/", editing.edit_period, name="add_period"),
    path("perioder/<int:pk>/rediger/", editing.edit_period, name="edit_period"),
    path("perioder/<int:pk>/<slug:action>/", editing.change_period_state, name="change_period_state"),
]
