"""Render a report to a PDF file, for the secretariat to attach to a case or send to the archive.

    python manage.py render_report status --period 2026-year --theme skadereduksjon -o rapport.pdf
    python manage.py render_report decision 3 -o vedtak.pdf
    python manage.py render_report measure 12 -o tiltak.pdf --pdfa
    python manage.py render_report list measure --query "theme=2&late=yes" -o tiltak.pdf

The report is the same as the download on the site (in Norwegian unless --language says otherwise); --pdfa writes
the archive variant (PDF/A-3a, also PDF/UA-1). --html also saves the HTML the PDF is rendered from.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import translation

from decisions.models import Decision, Theme

from ...filters import MeasureFilter
from ...models import Measure
from ...periods import default_period, find_period, ordered_periods, period_key
from ...reports import data, pdf, render

KINDS = ("status", "decision", "measure", "list")


class Command(BaseCommand):
    help = "Render a report (status, decision, measure or list) to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Which report.")
        parser.add_argument(
            "record", nargs="?", help="The decision's or measure's id; for «list», the list (commitment, measure, …)."
        )
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write.")
        parser.add_argument("--pdfa", action="store_true", help="The archive variant: PDF/A-3a (and PDF/UA-1).")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="nb (default) or en.")
        parser.add_argument("--html", help="Also save the HTML the PDF is rendered from to this file.")
        status = parser.add_argument_group("status report")
        status.add_argument(
            "--period", help="The reporting period, e.g. 2026-t1, 2026-t2, 2026-year (default: latest)."
        )
        status.add_argument("--theme", action="append", default=[], help="A theme's slug or id (may repeat).")
        status.add_argument("--plan", type=int, help="An action plan's id.")
        status.add_argument("--document", help="A source document: decision-3, platform-1 or plan-2.")
        status.add_argument("--unit", type=int, help="The responsible unit's id.")
        status.add_argument("--location", type=int, help="A location's id.")
        parser.add_argument("--query", default="", help="For «list»: the list page's query string, as in its URL.")

    def handle(self, *args, kind, record, output, pdfa, language, html, **options):
        if language not in dict(settings.LANGUAGES):
            raise CommandError(f"--language must be one of {', '.join(dict(settings.LANGUAGES))}.")
        with translation.override(language):
            started = time.perf_counter()
            document = self._document(kind, record, options)
            if html:
                with open(html, "w", encoding="utf-8") as file:
                    file.write(document.html)
            pdf.write_pdf(document, archive=pdfa, target=output)
        variant = "PDF/A-3a" if pdfa else "PDF/UA-1"
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{document.title}: {output} ({variant}) in {elapsed:.1f} s"))

    def _document(self, kind, record, options):
        if kind == "status":
            return render.status_report_document(period=self._period(options["period"]), params=self._filters(options))
        if kind == "list":
            if record not in data.LISTS:
                raise CommandError(f"Name the list: one of {', '.join(data.LISTS)}.")
            return render.list_document(kind=record, params=QueryDict(options["query"]))
        if not (record or "").isdigit():
            raise CommandError(f"Give the {kind}'s id, e.g. render_report {kind} 3 -o report.pdf")
        try:
            if kind == "decision":
                return render.decision_document(decision_id=int(record))
            return render.measure_document(measure_id=int(record))
        except (Decision.DoesNotExist, Measure.DoesNotExist):
            raise CommandError(f"There is no {kind} with id {record}.") from None

    @staticmethod
    def _period(key):
        period = find_period(key) if key else default_period()
        if period is None:
            known = ", ".join(period_key(p) for p in ordered_periods()) or "none"
            raise CommandError(f"No reporting period «{key or ''}». Known periods: {known}.")
        return period

    @staticmethod
    def _filters(options):
        params = QueryDict(mutable=True)
        themes = []
        for value in options["theme"]:
            theme = Theme.objects.filter(slug=value).first() or (
                Theme.objects.filter(pk=int(value)).first() if value.isdigit() else None
            )
            if theme is None:
                raise CommandError(
                    f"No theme «{value}». Themes: {', '.join(Theme.objects.values_list('slug', flat=True))}."
                )
            themes.append(str(theme.pk))
        if themes:
            params.setlist("theme", themes)
        if options["plan"] and options["document"]:
            raise CommandError("Give --plan or --document, not both: a report has one source document.")
        document = f"plan-{options['plan']}" if options["plan"] else options["document"]
        for name, value in [("document", document), ("unit", options["unit"]), ("location", options["location"])]:
            if value:
                params[name] = str(value)
        filterset = MeasureFilter(params or None)
        if params and not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise CommandError(f"The filter is not valid: {problems}")
        return params
