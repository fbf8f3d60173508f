"""Each report as a document and as PDF bytes: the data (data/) through its template (templates/reports/) and
WeasyPrint (pdf.py). The command line and the download views both come through here."""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from bergen_rus.converters import parse_id
from decisions.models import Body

from .. import charts
from ..models import Comment, Indicator, IndicatorValue, PeriodKind
from ..progress import progress
from ..review import threads
from . import attachments, data, pdf

LIST_TITLES = {
    "commitment": lambda: _("Commitments"),
    "measure": lambda: _("Measures"),
    "decision": lambda: _("Decisions"),
    "plan": lambda: _("Action plans"),
}

_NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def file_name(*parts):
    """A safe, readable file name from `parts`: «Oppfølging av vedtak 2024/12» -> «oppfolging-av-vedtak-2024-12.pdf»."""
    text = " ".join(str(part) for part in parts if part not in (None, "")).translate(_NORWEGIAN_LETTERS)
    return f"{slugify(text.replace('/', '-'))[:90].strip('-') or 'rapport'}.pdf"


RUNNING_TITLE_LENGTH = 95


def status_report_title(period):
    """«Statusrapport 2. tertial 2026», and for the year «Statusrapport for 2026» (not «… Årsrapport 2026»)."""
    if period.kind == PeriodKind.YEAR:
        return _("Status report for %(year)s") % {"year": period.year}
    return _("Status report %(period)s") % {"period": period}


def status_report_document(*, period, params=None, today=None):
    """The status report for `period` and the filter `params` (see data.status_report), as a pdf.Document.

    A report of a selection says which in its title, its running header and its subject, so a printed page or a
    file in the archive is never taken for the whole; its indicators are those that measure its commitments or
    share its themes. It carries the report's data as CSV and JSON (measures.reports.attachments), which the
    archive variant embeds.
    """
    report = data.status_report(period=period, params=params, today=today)
    title = status_report_title(period)
    subject = _("Status of the measures and commitments of the drug policy in Bergen, %(period)s") % {"period": period}
    indicators = indicator_charts()
    if report.filtered:
        selection = "; ".join(f"{chip['field']}: {chip['value']}" for chip in report.selection)
        title = _("%(title)s – selection: %(selection)s") % {"title": title, "selection": selection}
        subject = f"{subject}. " + _("Selection: %(selection)s") % {"selection": selection}
        commitment_ids = [section.commitment.pk for group in report.groups for section in group.sections]
        commitment_ids += [commitment.pk for commitment in report.not_followed_up]
        themes = (parse_id(pk) for pk in data.status_report_params(params or {}).getlist("theme"))
        theme_ids = [pk for pk in themes if pk is not None]
        indicators = indicator_charts(commitment_ids=commitment_ids, theme_ids=theme_ids)
    document = pdf.render_document(
        template="reports/status_report.html",
        context={"report": report, "indicators": indicators},
        title=title,
        running_title=Truncator(title).chars(RUNNING_TITLE_LENGTH),
        subject=subject,
    )
    document.attachments = attachments.report_files(report)
    return document


def status_report_name(*, period, params=None):
    return file_name(_("status report"), period, _("selection") if data.status_report_params(params or {}) else "")


def decision_document(*, decision_id):
    """The follow-up of a decision (data.decision_followup) as a pdf.Document."""
    followup = data.decision_followup(decision_id=decision_id)
    decision = followup.decision
    heading = (
        _("Follow-up of the city council's decision")
        if decision.body == Body.COUNCIL
        else _("Follow-up of the decision")
    )
    return pdf.render_document(
        template="reports/decision_followup.html",
        context={"followup": followup, "heading": heading},
        title=f"{heading}: {decision.title}",
        running_title=Truncator(
            _("%(heading)s, case %(case)s") % {"heading": heading, "case": decision.case_number}
            if decision.case_number
            else f"{heading}: {decision.title}"
        ).chars(RUNNING_TITLE_LENGTH),
        subject=_("What has been done about each point of the decision, and its status"),
    )


def decision_name(*, decision):
    return file_name(_("follow-up of decision"), decision.case_number or decision.pk)


def measure_document(*, measure_id):
    """The one-page summary of a measure (data.measure_summary) as a pdf.Document."""
    summary = data.measure_summary(measure_id=measure_id)
    measure = summary.measure
    return pdf.render_document(
        template="reports/measure_summary.html",
        context={"summary": summary},
        title=_("Measure: %(measure)s") % {"measure": measure},
        running_title=_("Summary of a measure"),
        subject=_("Status, history and latest report of a measure"),
    )


def measure_name(*, measure):
    return file_name(_("measure"), measure.number, measure.title[:50])


def list_document(*, kind, params):
    """What a public list shows for `params` (data.list_report), every page of it, as a pdf.Document."""
    report = data.list_report(kind=kind, params=params)
    title = str(LIST_TITLES[kind]())
    return pdf.render_document(
        template="reports/list_report.html",
        context={"report": report},
        title=_("%(records)s – extract from the list") % {"records": title},
        running_title=title,
        subject=_("An extract from the list of %(records)s in the drug-policy tracker of Bergen kommune")
        % {"records": title.lower()},
    )


def list_name(*, kind):
    return file_name(LIST_TITLES[kind](), timezone.localdate().isoformat())


def indicator_charts(*, commitment_ids=None, theme_ids=None):
    """[(indicator, chart or None)] for the reports' indicator section (two queries): every indicator, or, given
    commitments or themes, those that measure one of the commitments or share one of the themes."""
    indicators = Indicator.objects.select_related("source").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("year"))
    )
    if commitment_ids is not None or theme_ids is not None:
        linked = Indicator.objects.filter(
            Q(commitments__in=commitment_ids or []) | Q(themes__in=theme_ids or [])
        ).values("pk")
        indicators = indicators.filter(pk__in=linked)
    return [(indicator, charts.indicator_chart(indicator, list(indicator.values.all()))) for indicator in indicators]


def progress_document(*, period):
    """The advisory council's progress report for `period` (measures.progress) with the indicators, as a document."""
    title = _("Progress report %(period)s") % {"period": period}
    return pdf.render_document(
        template="reports/progress_report.html",
        context={
            "progress": progress(period),
            "indicators": indicator_charts(),
            # The advisory council's comments and the answers, as the period's page shows them.
            "comment_threads": threads(
                list(Comment.objects.filter(period=period).select_related("author").order_by("created_at", "id"))
            ),
        },
        title=title,
        running_title=title,
        subject=_("What moved in the drug policy of Bergen in %(period)s, compared with the period before")
        % {"period": period},
    )


def progress_name(*, period):
    return file_name(_("progress report"), period)
