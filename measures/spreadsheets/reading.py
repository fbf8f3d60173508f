"""An uploaded file as a heading row and rows of cells, read as a stream (a row at a time), or a plain refusal.

Reads .xlsx (openpyxl in read-only mode, after the zip's declared sizes are checked, so a zip bomb is refused before
anything is unpacked) and CSV in UTF-8 (with or without the byte-order mark) or Windows-1252, separated by «,», «;»
or tab. A cell holding a formula is refused: the import takes values, not calculations.
"""

import csv
import datetime
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .exporters import unescape_formula

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
SEPARATORS = ";,\t"


class SheetError(Exception):
    """The file as a whole cannot be read; the message says why in the reader's language."""


class Formula(str):
    """A cell that holds a formula, not a value: the importer refuses it at its row and column."""


def check_size(size):
    if size == 0:
        raise SheetError(_("The file is empty."))
    limit = settings.SPREADSHEET_MAX_BYTES
    if size > limit:
        raise SheetError(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split it into smaller files.")
            % {"size": f"{size / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:.0f}"}
        )


def open_sheet(content):
    """(headings, rows) of the file's bytes: headings a list of texts, rows an iterator of (row number, cells).

    Raises SheetError for a file that is empty, too large, not a spreadsheet, or a zip bomb.
    """
    check_size(len(content))
    if content.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(content)
    elif content.startswith(OLE_MAGIC):
        raise SheetError(
            _("This is the old Excel format (.xls). Save it as .xlsx (Excel workbook) or CSV and try again.")
        )
    elif b"\x00" in content[:4096]:
        raise SheetError(_("The file is not a spreadsheet. Upload an .xlsx or a CSV file."))
    else:
        rows = _csv_rows(content)
    for _number, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            headings = [str(cell).strip() if cell is not None else "" for cell in cells]
            while headings and not headings[-1]:
                headings.pop()
            return headings, rows
    raise SheetError(_("The file has no rows."))


def _check_zip(content):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise SheetError(_("The file is not a spreadsheet. Upload an .xlsx or a CSV file.")) from None
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise SheetError(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
        unpacked = sum(member.file_size for member in members)
        if len(members) > 1000 or unpacked > settings.SPREADSHEET_MAX_UNPACKED_BYTES:
            raise SheetError(
                _(
                    "The workbook would unpack to %(size)s MB, more than the %(limit)s MB a sheet may take. "
                    "It cannot be read."
                )
                % {
                    "size": f"{unpacked / 1_000_000:.0f}",
                    "limit": f"{settings.SPREADSHEET_MAX_UNPACKED_BYTES / 1_000_000:.0f}",
                }
            )


def _xlsx_rows(content):
    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows()
        first = next(rows, None)
    except Exception:  # openpyxl raises many kinds of error for a damaged workbook
        raise SheetError(_("The workbook could not be read. Open it in Excel, save it again and retry.")) from None
    return _xlsx_cells(workbook, first, rows)


def _xlsx_cells(workbook, first, rows):
    """The rows as (number, cells); a workbook that breaks further down (cut off in transfer, damaged XML) is refused
    as a whole, as one that breaks at its first row is, with the row the reading got to."""
    number = 0
    try:
        for row in [first] if first is not None else []:
            number += 1
            yield number, [_xlsx_value(cell) for cell in row]
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # openpyxl and the XML parser raise many kinds of error for a damaged sheet
                raise SheetError(
                    _("The workbook could not be read after row %(row)d. Open it in Excel, save it again and retry.")
                    % {"row": number}
                ) from None
            number += 1
            yield number, [_xlsx_value(cell) for cell in row]
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Formula(value)
    if isinstance(value, str):
        return unescape_formula(value.strip())
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def decode(content):
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 as old Excel writes it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise SheetError(_("The file's characters could not be read. Save it as CSV UTF-8 and retry.")) from None


def _csv_rows(content):
    text = decode(content)
    first_line = text.split("\n", 1)[0]
    try:
        separator = csv.Sniffer().sniff(first_line, delimiters=SEPARATORS).delimiter
    except csv.Error:
        separator = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    return _csv_cells(reader)


def _csv_cells(reader):
    try:
        for number, row in enumerate(reader, start=1):
            cells = []
            for cell in row:
                cell = cell.strip()
                cells.append(Formula(cell) if cell.startswith("=") else unescape_formula(cell))
            yield number, cells
    except csv.Error:
        raise SheetError(_("The CSV file is malformed (a quotation mark is not closed).")) from None
