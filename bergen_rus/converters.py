"""URL converters: a record id is a positive number that fits the database's 64-bit key.

A longer number can name no record; matching it here makes such an address an ordinary 404 instead of an overflow
in the database driver.
"""

import re


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class SheetFormatConverter:
    """The spreadsheet formats a list is downloaded in (measures.views.spreadsheets)."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def parse_id(text):
    """`text` as a record id (ASCII digits only, as the URL converter takes them), or None.

    str.isdigit() is not enough: it accepts «²» and «٣», which int() refuses or reads as another number.
    """
    text = (text or "").strip()
    return int(text) if re.fullmatch(IdConverter.regex, text) else None
