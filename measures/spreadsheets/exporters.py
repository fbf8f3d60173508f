"""A list's rows as a spreadsheet download: the whole HTTP response, content type and file name included.

- .xlsx is written by openpyxl in write-only mode (rows go to the file as they are read, in chunks): dates and
  numbers are typed cells with Norwegian display formats, the heading row is frozen.
- CSV is UTF-8 with a byte-order mark, so Excel opens æøå intact. With the Norwegian interface it is separated by
  «;» with a decimal comma, as Norwegian Excel reads a CSV it opens; with the English one by «,» with a point.
- A text that starts with «=», «+», «-», «@», a tab or a carriage return is written behind an apostrophe, so no
  spreadsheet runs it as a formula (the import removes that apostrophe again).

A download is cached under the data's version, like the PDFs: the same list of unchanged data is written once.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..caching import cached_render

CACHE_KIND = "spreadsheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
WIDEST_COLUMN = 60


def _needs_escape(text):
    return text.startswith(FORMULA_STARTS) or (
        text.startswith(ESCAPE) and text[1:].startswith((*FORMULA_STARTS, ESCAPE))
    )


def escape_formula(text):
    """`text` as a spreadsheet shows it but never runs it: behind an apostrophe when it could start a formula (or
    when it already starts with the apostrophe that unescape_formula would remove)."""
    return ESCAPE + text if _needs_escape(text) else text


def unescape_formula(text):
    """The text escape_formula was given."""
    return text[1:] if text.startswith(ESCAPE) and _needs_escape(text[1:]) else text


def csv_dialect():
    """(separator, decimal mark) for the reader's language: «;» and «,» in Norwegian, «,» and «.» in English."""
    return (";", ",") if (get_language() or "nb").startswith("nb") else (",", ".")


def _csv_cell(value, decimal_mark):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return format(value, "f").replace(".", decimal_mark)
    if isinstance(value, int):
        return str(value)
    return escape_formula(str(value))


def write_csv(headers, rows):
    separator, decimal_mark = csv_dialect()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(value, decimal_mark) for value in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", escape_formula(value)) if value else None
    if isinstance(value, datetime.datetime | datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
        return cell
    return value


def write_xlsx(headers, rows, *, sheet_name):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31] or "data")
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header) + 4, 12), WIDEST_COLUMN)
    bold = Font(bold=True)
    heading = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(resource, queryset, fmt):
    """The bytes of the sheet of `resource` over `queryset` in `fmt` («csv» or «xlsx»), headings in the active
    language."""
    headers = resource.headers()
    rows = resource.rows(queryset)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, sheet_name=resource.sheet_name)


def file_name(resource, fmt):
    return f"{resource.sheet_name}-{timezone.localdate().isoformat()}.{fmt}"


def spreadsheet_response(content, *, fmt, filename, cache_hit=None):
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    if cache_hit is not None:
        response["X-Report-Cache"] = "hit" if cache_hit else "miss"
    return response


def sheet(*, resource, queryset, fmt, key):
    """The list of `resource` over `queryset` as a download in `fmt`. `key` names the list and its filters written
    one way (the cache key besides the data version, the language and the day)."""
    content, hit = cached_render(
        CACHE_KIND,
        (*key, fmt, get_language(), timezone.localdate().isoformat()),
        lambda: write(resource, queryset, fmt),
        alias="reports",
    )
    return spreadsheet_response(content, fmt=fmt, filename=file_name(resource, fmt), cache_hit=hit)
