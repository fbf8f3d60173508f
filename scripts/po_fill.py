"""Fill translations into a .po file from a JSON map {msgid: msgstr}, clearing their fuzzy flags.

Used when a few strings are added: `python scripts/po_fill.py locale/nb/LC_MESSAGES/django.po translations.json`.
Only entries whose msgid (unwrapped) is in the map are touched; plural entries take a list [singular, plural].
"""

import json
import re
import sys
from pathlib import Path


def unquote(lines):
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def quote(text):
    return json.dumps(text, ensure_ascii=False)


def _without_fuzzy(match):
    return "#, " + ", ".join(flag for flag in match.group(1).split(", ") if flag != "fuzzy")


def fill(po_path, translations):
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    done = set()
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        msgid_at = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
        if msgid_at is None:
            continue
        end = msgid_at + 1
        while end < len(lines) and lines[end].startswith('"'):
            end += 1
        msgid = unquote(lines[msgid_at:end])
        if msgid not in translations or not msgid:
            continue
        value = translations[msgid]
        head = [line for line in lines[:msgid_at] if not line.startswith("#|")]
        head = [re.sub(r"^#, (.*)", _without_fuzzy, line) for line in head]
        head = [line for line in head if line.strip() != "#,"]
        rest = lines[msgid_at:]
        # keep msgid and msgid_plural lines (with continuations), rebuild msgstr
        keep, in_msgstr = [], False
        for line in rest:
            if line.startswith("msgstr"):
                in_msgstr = True
            elif not line.startswith('"'):
                in_msgstr = False
            if not in_msgstr:
                keep.append(line)
        if isinstance(value, list):
            keep += [f"msgstr[{n}] {quote(text)}" for n, text in enumerate(value)]
        else:
            keep.append(f"msgstr {quote(value)}")
        blocks[index] = "\n".join(head + keep)
        done.add(msgid)
    Path(po_path).write_text("\n\n".join(blocks), encoding="utf-8")
    return set(translations) - done


if __name__ == "__main__":
    missing = fill(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    if missing:
        print("not found:", *sorted(missing), sep="\n  ")
