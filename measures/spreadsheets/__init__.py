"""Spreadsheets in and out: every public list as CSV and .xlsx, and measures and status updates read back in.

- `resources`: the columns of each list (django-import-export resources on tablib), headings in the reader's
  language, values typed as Excel types them.
- `exporters`: a list's selection as a whole HTTP response (CSV in UTF-8 with BOM, or .xlsx).
- `reading`: an uploaded file as rows of cells, with every way a file can be broken refused in plain words.
- `importing`: the preview of a file row by row, and applying it through measures.services in one transaction.
"""
