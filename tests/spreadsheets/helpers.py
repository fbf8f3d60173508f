"""Reading and writing the sheets in tests, as a person's Excel would."""

import csv
import html
import io
import re

import openpyxl
from django.urls import reverse


def download(client, url_name, fmt="xlsx", **params):
    response = client.get(reverse(url_name, kwargs={"fmt": fmt}), params)
    assert response.status_code == 200, response.content[:500]
    return response


def xlsx_rows(content):
    """Every row of the first sheet as lists of values (headings first)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def csv_rows(content, delimiter=";"):
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def edit_xlsx(content, edits):
    """The workbook with `edits` applied: {(row index from 0 = headings, heading): value}."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    for (row, heading), value in edits.items():
        sheet.cell(row=row + 1, column=headings.index(heading) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_csv(rows, delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def page_text(response):
    """The page as a person reads it: without tags, entities written out, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    return re.sub(r"\s+", " ", text)
