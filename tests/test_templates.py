"""The templates themselves: nothing in them that Django would print as text instead of reading."""

from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_comment_spans_two_lines():
    # Django's {# … #} comment ends at the end of its line; one that goes on is printed on the page as it stands.
    broken = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert not broken, f"use {{% comment %}} for a comment over several lines: {broken}"
