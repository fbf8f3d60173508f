"""The measures app's models, by topic; every name is importable from `measures.models` as before.

- tracking: organisations, places, action plans, measures, their decision links and status updates;
- periods: the reporting periods and their states;
- review: the advisory council's comments and visits;
- indicators: indicators and their yearly values;
- bookkeeping: the data's version stamp and the reminders sent.
"""

from .bookkeeping import (
    ChangeStamp,
    ReminderKind,
    ReminderSent,
)
from .indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorValue,
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
    "ReminderKind",
    "ReminderSent",
    "ReportingPeriod",
    "ReportingPeriodQuerySet",
    "ReviewVisit",
    "StatusUpdate",
    "public_name",
    "validate_links",
]
