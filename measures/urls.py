from django.urls import include, path, register_converter
from django.views.decorators.http import require_safe

from bergen_rus.converters import IdConverter, SheetFormatConverter

from . import feeds
from .caching import cached_for_the_public as public_page
from .views import editing, people, public, reporting, review, spreadsheets

register_converter(IdConverter, "id")
register_converter(SheetFormatConverter, "sheet")


def feed(feed_class):
    """A feed, answering GET and HEAD, cached for the public like the pages."""
    return public_page(require_safe(feed_class()))


urlpatterns = [
    path("", public_page(public.home), name="home"),
    path("forpliktelser/", public_page(public.commitment_list), name="commitment_list"),
    path("forpliktelser/<id:pk>/", public_page(public.commitment_detail), name="commitment_detail"),
    path("vedtak/", public_page(public.decision_list), name="decision_list"),
    path("vedtak/<id:pk>/", public_page(public.decision_detail), name="decision_detail"),
    path("plattformer/", public_page(public.platform_list), name="platform_list"),
    path("plattformer/<id:pk>/", public_page(public.platform_detail), name="platform_detail"),
    path("tiltak/", public_page(public.measure_list), name="measure_list"),
    path("tiltak/<id:pk>/", public_page(public.measure_detail), name="measure_detail"),
    path("handlingsplaner/", public_page(public.plan_list), name="plan_list"),
    path("handlingsplaner/<id:pk>/", public_page(public.plan_detail), name="plan_detail"),
    path("steder/", public_page(public.location_list), name="location_list"),
    path("steder/<id:pk>/", public_page(public.location_detail), name="location_detail"),
    path("enheter/", public_page(public.organisation_list), name="organisation_list"),
    path("enheter/<id:pk>/", public_page(public.organisation_detail), name="organisation_detail"),
    path("kilder/", public_page(public.source_list), name="source_list"),
    path("kilder/<id:pk>/", public_page(public.source_detail), name="source_detail"),
    path("rettelser/", public_page(public.correction_list), name="correction_list"),
    path("sok/", public_page(public.search), name="search"),
    path("statuser/", public_page(public.status_legend), name="status_legend"),
    path("statusfarger.css", public.status_css, name="status_css"),
    # Reporting (caseworkers) and completeness (coordinators)
    path("tiltak/<id:pk>/rapporter/", reporting.report_status, name="report_status"),
    path("mine-tiltak/", reporting.my_measures, name="my_measures"),
    path("perioder/fullstendighet/", reporting.period_completeness, name="period_completeness_current"),
    path("perioder/<id:pk>/fullstendighet/", reporting.period_completeness, name="period_completeness"),
    # Editing (coordinators)
    path("tiltak/nytt/", editing.edit_measure, name="add_measure"),
    path("tiltak/<id:pk>/rediger/", editing.edit_measure, name="edit_measure"),
    path("forpliktelser/ny/", editing.edit_commitment, name="add_commitment"),
    path("forpliktelser/<id:pk>/rediger/", editing.edit_commitment, name="edit_commitment"),
    path("vedtak/nytt/", editing.edit_decision, name="add_decision"),
    path("vedtak/<id:pk>/rediger/", editing.edit_decision, name="edit_decision"),
    path("perioder/", editing.period_list, name="period_list"),
    path("perioder/ny/", editing.edit_period, name="add_period"),
    path("perioder/<id:pk>/rediger/", editing.edit_period, name="edit_period"),
    path("perioder/<id:pk>/framdrift/", public_page(review.progress_report), name="progress_report"),
    path("perioder/<id:pk>/<slug:action>/", editing.change_period_state, name="change_period_state"),
    # People (coordinators): roles, units, onboarding
    path("personer/", people.person_list, name="person_list"),
    path("personer/ny/", people.add_person, name="add_person"),
    path("personer/<id:pk>/", people.person_detail, name="person_detail"),
    path("personer/<id:pk>/<slug:action>/", people.change_person_state, name="change_person_state"),
    # The advisory council: comments, what is new, indicators
    path("fagrad/", review.review, name="review"),
    path("kommentarer/<slug:kind>/<id:pk>/", review.add_comment, name="add_comment"),
    path("indikatorer/", public_page(review.indicator_list), name="indicator_list"),
    path("indikatorer/ny/", review.edit_indicator, name="add_indicator"),
    path("indikatorer/<id:pk>/", public_page(review.indicator_detail), name="indicator_detail"),
    path("indikatorer/<id:pk>/rediger/", review.edit_indicator, name="edit_indicator"),
    path("indikatorer/<id:pk>/ny-verdi/", review.add_indicator_value, name="add_indicator_value"),
    # Spreadsheets: every list as CSV or .xlsx (what the list selects), and the import of measures and statuses
    path("tiltak/eksport.<sheet:fmt>", spreadsheets.measure_export, name="measure_export"),
    path("tiltak/status.<sheet:fmt>", spreadsheets.status_export, name="status_export"),
    path("tiltak/statusoppdateringer.<sheet:fmt>", spreadsheets.status_history_export, name="status_history_export"),
    path("forpliktelser/eksport.<sheet:fmt>", spreadsheets.commitment_export, name="commitment_export"),
    path("vedtak/eksport.<sheet:fmt>", spreadsheets.decision_export, name="decision_export"),
    path("handlingsplaner/eksport.<sheet:fmt>", spreadsheets.plan_export, name="plan_export"),
    path("steder/eksport.<sheet:fmt>", spreadsheets.location_export, name="location_export"),
    path("enheter/eksport.<sheet:fmt>", spreadsheets.organisation_export, name="organisation_export"),
    path("indikatorer/eksport.<sheet:fmt>", spreadsheets.indicator_export, name="indicator_export"),
    path("import/", spreadsheets.import_upload, name="import_upload"),
    path("import/<slug:token>/", spreadsheets.import_preview, name="import_preview"),
    # Reports: the status report, the follow-up of a decision, a measure on one page, every list as PDF
    path("", include("measures.reports.urls")),
    # Feeds to follow: everything, one record, a theme, a unit, a filtered list
    path("feed/", feed(feeds.ChangesFeed), name="feed"),
    path("forpliktelser/feed/", feed(feeds.CommitmentListFeed), name="commitment_list_feed"),
    path("forpliktelser/<id:pk>/feed/", feed(feeds.CommitmentFeed), name="commitment_feed"),
    path("tiltak/feed/", feed(feeds.MeasureListFeed), name="measure_list_feed"),
    path("tiltak/<id:pk>/feed/", feed(feeds.MeasureFeed), name="measure_feed"),
    path("vedtak/feed/", feed(feeds.DecisionListFeed), name="decision_list_feed"),
    path("handlingsplaner/feed/", feed(feeds.PlanListFeed), name="plan_list_feed"),
    path("tema/<slug:slug>/feed/", feed(feeds.ThemeFeed), name="theme_feed"),
    path("enheter/<id:pk>/feed/", feed(feeds.UnitFeed), name="unit_feed"),
    # Open data: the archive, its DCAT-AP-NO description, the API's page; the feeds
    path("", include("measures.opendata.urls")),
]
