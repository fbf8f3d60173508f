"""The reports' routes, included from measures.urls (which registers the «id» converter). A list's PDF sits under
the list's own address."""

from django.urls import path

from . import views

urlpatterns = [
    path("rapporter/", views.reports, name="reports"),
    path("rapporter/statusrapport/", views.status_report_pdf, name="status_report_pdf"),
    path("forpliktelser/pdf/", views.commitment_list_pdf, name="commitment_list_pdf"),
    path("tiltak/pdf/", views.measure_list_pdf, name="measure_list_pdf"),
    path("vedtak/pdf/", views.decision_list_pdf, name="decision_list_pdf"),
    path("handlingsplaner/pdf/", views.plan_list_pdf, name="plan_list_pdf"),
    path("vedtak/<id:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
    path("tiltak/<id:pk>/pdf/", views.measure_pdf, name="measure_pdf"),
    path("perioder/<id:pk>/framdrift/pdf/", views.progress_pdf, name="progress_pdf"),
]
