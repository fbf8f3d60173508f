"""Council-ready PDF reports: the data they show (data.py), how they are rendered (pdf.py), the HTTP layer that
returns them (exporters.py) and their pages (views.py)."""
