from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The reports, as an app of their own for the records of their background jobs (ReportJob)."""

    name = "measures.reports"
    label = "reports"
    verbose_name = _("Reports")
