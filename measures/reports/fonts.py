"""Fallback fonts for the PDF reports, so that any text a user can type prints: Cyrillic, Greek, Arabic, Chinese,
emoji and the like, which Inter (the reports' font, Latin only) has no glyph for.

The fonts are Noto's, vendored from the @fontsource packages into static/vendor/noto/ as slices of the regular
weight, each listed with its unicode-range in static/reports/fallback-fonts.css (written by scripts/vendor-assets.sh).
WeasyPrint reads and registers every @font-face a stylesheet names before it lays out a page, so the report gets only
the rules of the slices whose characters its text holds and Inter lacks: an ordinary report reads no extra font at
all, and one with a few Chinese words reads one or two slices of some 35 kB; WeasyPrint embeds only the glyphs used.
"""

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FALLBACK_CSS = STATIC_DIR / "reports" / "fallback-fonts.css"
INTER = STATIC_DIR / "vendor" / "inter" / "inter-latin-400-normal.woff"
MARGIN_BOXES = ("top-left", "top-right", "bottom-left", "bottom-right")  # where report.css writes text on the page

_RANGE = re.compile(r"U\+([0-9a-fA-F]+)(?:-([0-9a-fA-F]+))?")
_FAMILY = re.compile(r'font-family: ("[^"]+");')


@lru_cache(maxsize=1)
def _inter_characters():
    return frozenset(TTFont(str(INTER)).getBestCmap())


@lru_cache(maxsize=1)
def _rules():
    """[(the @font-face rule, its family, [(first, last) code point, …]), …] in the order of the file."""
    rules = []
    for line in FALLBACK_CSS.read_text(encoding="utf-8").splitlines():
        if line.startswith("@font-face"):
            ranges = line.split("unicode-range:", 1)[1]
            spans = [(int(a, 16), int(b or a, 16)) for a, b in _RANGE.findall(ranges)]
            rules.append((line, _FAMILY.search(line).group(1), spans))
    return rules


def fallback_css(text):
    """The @font-face rules of the fallback slices that `text` needs, and the font lists that name them after Inter
    (empty when Inter has every character)."""
    inter = _inter_characters()
    missing = {code for code in map(ord, set(text)) if code > 0x7F and code not in inter}
    if not missing:
        return ""
    chosen = [
        (rule, family)
        for rule, family, spans in _rules()
        if any(first <= code <= last for code in missing for first, last in spans)
    ]
    if not chosen:
        return ""
    families = ", ".join(['"Inter"'] + [family for _rule, family in chosen])
    boxes = " ".join(f"@{box} {{ font-family: {families}; }}" for box in MARGIN_BOXES)
    return "\n".join(
        [rule for rule, _family in chosen] + [f"html {{ font-family: {families}; }}", f"@page {{ {boxes} }}"]
    )
