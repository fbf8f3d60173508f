"""Status counts as rows and bar-chart geometry, drawn as SVG by the templates (pages and PDF reports alike).

The geometry is computed here and handed to the template as ready strings, so the SVG never depends on the
number format of the active language (a decimal comma would break it).
"""

from dataclasses import dataclass
from datetime import date

from bergen_rus.formats import number_text
from decisions.status import CommitmentStatus

from .status import NOT_REPORTED, shown_statuses

CHART_WIDTH = 640
# On the web pages a narrower drawing: scaled to a phone's width, its 15-unit text still reads at about 12 px.
PAGE_CHART_WIDTH = 440
LABEL_WIDTH = 190
COUNT_WIDTH = 60
ROW_HEIGHT = 30
BAR_HEIGHT = 20


@dataclass
class StatusRow:
    value: str  # the status value, NOT_REPORTED.value for measures nobody has reported on
    label: str
    colour: str
    description: str
    count: int


def commitment_rows(counts):
    """One row per commitment status, in the defined order, from {status value: count}."""
    return [
        StatusRow(status.value, str(status.label), status.colour, str(status.description), counts.get(status, 0))
        for status in CommitmentStatus.ordered()
    ]


def measure_rows(counts):
    """One row per status a measure is shown with («not reported» first: the None key), from {status value or None:
    count} as Measure.objects.status_counts() gives it."""
    return [
        StatusRow(
            status.value,
            str(status.label),
            status.colour,
            str(status.description),
            counts.get(None if status is NOT_REPORTED else status, 0),
        )
        for status in shown_statuses()
    ]


def status_bars(rows, *, width=CHART_WIDTH):
    """A horizontal bar chart of `rows`: one bar per status, its length proportional to its count."""
    total = sum(row.count for row in rows)
    largest = max((row.count for row in rows), default=0) or 1
    bar_space = width - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT
        length = bar_space * row.count / largest
        bars.append(
            {
                "row": row,
                "y": f"{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:.1f}",
                "text_y": f"{y + ROW_HEIGHT / 2 + 5:.1f}",
                "width": f"{max(length, 1.0 if row.count else 0.0):.1f}",
                "count_x": f"{LABEL_WIDTH + length + 6:.1f}",
            }
        )
    return {
        "rows": rows,
        "bars": bars,
        "total": total,
        "width": str(width),
        "height": str(len(rows) * ROW_HEIGHT),
        "label_x": str(LABEL_WIDTH - 8),
        "bar_x": str(LABEL_WIDTH),
        "bar_height": str(BAR_HEIGHT),
        "summary": "; ".join(f"{row.label}: {row.count}" for row in rows),
    }


@dataclass
class StatusSpell:
    """A stretch of consecutive history rows with the same status: from the first to the last of them."""

    status: object  # a MeasureStatus or a CommitmentStatus
    first: date | None
    last: date | None
    reports: int


def status_timeline(history, enum):
    """The status timeline of one record, newest first, from its (status value, date) rows oldest first: one
    StatusSpell per change of status (`enum` is MeasureStatus or CommitmentStatus), with the number of rows that
    kept it. A date is None where the history gives none (a status a document states without a date)."""
    spells = []
    for status, when in history:
        if spells and spells[-1].status == status:
            spells[-1].last = when
            spells[-1].reports += 1
        else:
            spells.append(StatusSpell(enum(status), when, when, 1))
    return list(reversed(spells))


INDICATOR_WIDTH = 640
INDICATOR_HEIGHT = 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 16, 36


def indicator_chart(indicator, values):
    """Bars of an indicator's yearly values with its target as a line; None when there is no value yet."""
    if not values:
        return None
    numbers = [float(v.value) for v in values]
    target = float(indicator.target_value) if indicator.target_value is not None else None
    top = max([*numbers, target or 0.0]) or 1.0
    plot_w = INDICATOR_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = INDICATOR_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / len(values)
    bar_w = min(48.0, slot * 0.6)

    def y_of(number):
        return MARGIN_TOP + plot_h - plot_h * number / top

    bars = []
    for index, (value, number) in enumerate(zip(values, numbers, strict=True)):
        x = MARGIN_LEFT + index * slot + (slot - bar_w) / 2
        y = y_of(number)
        bars.append(
            {
                "x": f"{x:.1f}",
                "y": f"{y:.1f}",
                "width": f"{bar_w:.1f}",
                "height": f"{MARGIN_TOP + plot_h - y:.1f}",
                "label_x": f"{x + bar_w / 2:.1f}",
                "label_y": f"{min(y - 4, MARGIN_TOP + plot_h - 4):.1f}",
                "year_y": f"{INDICATOR_HEIGHT - 12:.1f}",
                "year": str(value.year),
                "value": number_text(number),
            }
        )
    return {
        "width": str(INDICATOR_WIDTH),
        "height": str(INDICATOR_HEIGHT),
        "bars": bars,
        "axis_x1": str(MARGIN_LEFT),
        "axis_x2": str(INDICATOR_WIDTH - MARGIN_RIGHT),
        "axis_y": f"{MARGIN_TOP + plot_h:.1f}",
        "top_label": number_text(top),
        "top_y": f"{MARGIN_TOP + 4:.1f}",
        # A target of 0 lies on the axis; drawn just above it, so it can be seen.
        "target_y": f"{min(y_of(target), MARGIN_TOP + plot_h - 2):.1f}" if target is not None else None,
        "target_label": number_text(target) if target is not None else None,
        "summary": "; ".join(f"{bar['year']}: {bar['value']}" for bar in bars),
    }
