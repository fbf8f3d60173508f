"""Vendor the fallback fonts of the PDF reports from the @fontsource packages (run by scripts/vendor-assets.sh).

Copies the regular-weight WOFF2 slices of each package into static/vendor/noto/ and writes
static/reports/fallback-fonts.css: one @font-face per slice, with a family name of its own («Noto Sans SC n17») and the
characters the slice really has (its cmap, within the range the package states; some slices state more than they
have). Own names, because WeasyPrint takes fonts of the same family, style and weight for one font and would embed
one slice for the glyphs of all; real ranges, because a slice that claims a character it lacks prints a blank.
measures/reports/fonts.py picks the slices a report's text needs.

    python scripts/fallback_fonts.py frontend/node_modules
"""

import re
import shutil
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

PACKAGES = ["noto-sans", "noto-sans-sc", "noto-emoji", "noto-sans-arabic"]  # the order a report tries them in
ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "static" / "vendor" / "noto"
CSS = ROOT / "static" / "reports" / "fallback-fonts.css"
RULE = re.compile(r"@font-face\s*{([^}]*)}")
RANGE = re.compile(r"U\+([0-9a-fA-F]+)(?:-([0-9a-fA-F]+))?")


def spans(codes):
    """Sorted code points as (first, last) runs."""
    runs = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return runs


def main(node_modules):
    FONTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "/* Written by scripts/fallback_fonts.py from the @fontsource packages: fallback fonts for the PDF reports. */"
    ]
    for name in PACKAGES:
        package = Path(node_modules) / "@fontsource" / name
        shutil.copyfile(package / "LICENSE", FONTS / f"LICENSE-{name}")
        for number, body in enumerate(RULE.findall((package / "index.css").read_text(encoding="utf-8"))):
            file = re.search(r"url\(\./files/([^)]+\.woff2)\)", body).group(1)
            family = re.search(r"font-family:\s*'([^']+)'", body).group(1)
            stated = set()
            for first, last in RANGE.findall(re.search(r"unicode-range:\s*([^;]+);", body).group(1)):
                stated.update(range(int(first, 16), int(last or first, 16) + 1))
            shutil.copyfile(package / "files" / file, FONTS / file)
            has = set(TTFont(str(FONTS / file)).getBestCmap()) & stated
            if not has:
                (FONTS / file).unlink()
                continue
            ranges = ",".join(f"U+{a:x}" if a == b else f"U+{a:x}-{b:x}" for a, b in spans(has))
            lines.append(
                f'@font-face {{ font-family: "{family} n{number}"; font-style: normal; font-weight: 400; '
                f'src: url("../vendor/noto/{file}") format("woff2"); unicode-range: {ranges}; }}'
            )
    CSS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} fallback font slices in {FONTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1])
