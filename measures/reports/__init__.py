"""Council-ready PDF reports: the data they show (data/, one module per report), how they are rendered (pdf.py,
render.py), the HTTP layer that returns them (exporters.py) and their pages (views.py)."""

import logging

# WeasyPrint logs each step of every render, and the parsing of its own stylesheets when it is imported, at INFO on
# «weasyprint.progress», and fontTools logs each font it unpacks: keep that out of the application's log. Warnings
# and errors still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
