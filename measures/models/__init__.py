"""The measures app's models, by topic; every name is importable from `measures.models` as before.

- tracking: organisations, places, action plans, measures, their decision links and status updates;
- periods: the reporting periods and their states;
- review: the advisory council's comments and visits;
- indicators: indicators and their yearly values;
- bookkeeping: the data's version stamp, the reminders sent and the spreadsheets waiting to be imported;
- corrections: the corrections made to the records taken from the sources («Rettelser»).
- people: the history of what was changed about a person (the people page).
"""

from .bookkeeping import (
    ChangeStamp,
    ReminderKind,
    ReminderSent,
    SpreadsheetUpload,
    UploadState,
)
from .corrections import Correction
from .indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorValue,
)
from .people import (
    PersonChange,
    PersonChangeKind,
)
from .periods import (
    PeriodKind,
    PeriodState,
    ReportingPeriod,
    ReportingPeriodQuerySet,
)
from .review import (
    Comment,
    ReviewVisit,
)
from .tracking import (
    MAX_LINKS,
    ActionPlan,
    DecisionRole,
    Location,
    LocationKind,
    Measure,
    MeasureDecision,
    MeasureQuerySet,
    Organisation,
    OrganisationKind,
    StatusUpdate,
    public_name,
    validate_links,
)

__all__ = [
    "MAX_LINKS",
    "ActionPlan",
    "ChangeStamp",
    "Comment",
    "Correction",
    "DecisionRole",
    "Indicator",
    "IndicatorDirection",
    "IndicatorValue",
    "Location",
    "LocationKind",
    "Measure",
    "MeasureDecision",
    "MeasureQuerySet",
    "Organisation",
    "OrganisationKind",
    "PeriodKind",
    "PeriodState",
    "PersonChange",
    "PersonChangeKind",
    "ReminderKind",
    "ReminderSent",
    "ReportingPeriod",
    "ReportingPeriodQuerySet",
    "ReviewVisit",
    "SpreadsheetUpload",
    "StatusUpdate",
    "UploadState",
    "public_name",
    "validate_links",
]
