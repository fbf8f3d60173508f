"""What the reports show, one module per report: the status report of a period (status), the follow-up of a
decision (decision), a measure on one page (summary), every list as PDF (lists).

A measure's status at a period is read by measures.periods (see its module for the rule); statuses, «late» and the
roll-up of commitments come from measures.status; counts from the models' QuerySet methods. The builders cost a
fixed number of queries, whatever the number of measures, updates or commitments.
"""

from .decision import (
    DecisionFollowUp,
    MeasureLinks,
    decision_followup,
    links_by_measure,
)
from .lists import (
    LISTS,
    ListReport,
    canonical_params,
    list_filterset,
    list_params,
    list_report,
    list_size,
)
from .status import (
    STATUS_REPORT_FILTERS,
    CommitmentSection,
    DocumentGroup,
    MeasureEntry,
    StatusReport,
    status_report,
    status_report_params,
    status_report_size,
    touched_measures,
)
from .summary import (
    SUMMARY_CHANGES,
    SUMMARY_COMMITMENTS,
    SUMMARY_LINKS,
    SUMMARY_TEXT,
    MeasureSummary,
    measure_summary,
)

__all__ = [
    "LISTS",
    "STATUS_REPORT_FILTERS",
    "SUMMARY_CHANGES",
    "SUMMARY_COMMITMENTS",
    "SUMMARY_LINKS",
    "SUMMARY_TEXT",
    "CommitmentSection",
    "DecisionFollowUp",
    "DocumentGroup",
    "ListReport",
    "MeasureEntry",
    "MeasureLinks",
    "MeasureSummary",
    "StatusReport",
    "canonical_params",
    "decision_followup",
    "links_by_measure",
    "list_filterset",
    "list_params",
    "list_report",
    "list_size",
    "measure_summary",
    "status_report",
    "status_report_params",
    "status_report_size",
    "touched_measures",
]
