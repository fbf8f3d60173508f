"""The rules the real records keep with their sources (issue 12), checked against the source texts themselves.

- Names: every place and organisation is called only what a source calls it.
- Own words: no title, summary, description or status text shares a run of ten words with a source, and no longer
  sentence of a summary, description or status text is a close copy of a source sentence.
- Status updates come from a passage that reports: the update quotes it in its `source_note` («…», an omission marked
  with …), every part of the quote is in the cited source, and the whole sentence it stands in prescribes, wishes or
  forecasts nothing (see PRESCRIPTIVE).
- The table at the top of fixtures/SOURCES.md counts the records per source as the fixture holds them, and its item
  lists account for every commitment and measure.
- The corrections in fixtures/corrections/ account for every difference from the fixture as sites loaded it.
"""

import difflib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from measures.corrections import REASON_MAX, plan_corrections
from measures.management.commands.load_real_records import correction_rounds

FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"
SOURCES_MD = settings.BASE_DIR / "fixtures" / "SOURCES.md"
SOURCE_DIR = Path(settings.BASE_DIR).parent / "shared" / "sources"

pytestmark = pytest.mark.skipif(not SOURCE_DIR.is_dir(), reason="the source archive ../shared/sources is not here")

ROWS = json.loads(FIXTURE.read_text(encoding="utf-8"))
FILES = {row["pk"]: row["fields"]["file_name"] for row in ROWS if row["model"] == "decisions.source"}
TEXT_FIELDS = ("title", "summary", "description", "happened", "next_step")
# A sentence with one of these words prescribes (skal, må, bør, burde, ber), wishes (ønsker, ønske), announces an
# intention (vil) or forecasts (forventes): it says what is to be, not what is. A status needs what is.
PRESCRIPTIVE = re.compile(r"\b(skal|må|bør|burde|vil|ønsker|ønske|forventes|ber)\b", re.IGNORECASE)
WORD = re.compile(r"\w+(?:-\w+)*")


def source_text(pk):
    return (SOURCE_DIR / FILES[pk]).read_text(encoding="utf-8")


def normal(text):
    """Case and runs of white space do not matter; nothing else is loosened (no fuzzy matching)."""
    return " ".join(text.split()).casefold()


def words(text):
    return [word.casefold() for word in WORD.findall(text)]


def sentences(text):
    return [part for part in re.split(r"(?<=[.!?])\s+|\n+", text) if part.strip()]


ALL_SOURCES = {pk: source_text(pk) for pk in FILES} if SOURCE_DIR.is_dir() else {}


def rows_of(*models):
    return [row for row in ROWS if row["model"] in models]


def test_every_place_and_organisation_is_named_as_a_source_names_it():
    everything = normal(" ".join(ALL_SOURCES.values()))
    for row in rows_of("measures.location", "measures.organisation"):
        fields = row["fields"]
        cited = normal(ALL_SOURCES[fields["source"]])
        assert normal(fields["name"]) in cited, f"{row['model']} {row['pk']}: «{fields['name']}» not in its source"
        for other in filter(None, (name.strip() for name in fields.get("other_names", "").split(","))):
            assert normal(other) in everything, f"{row['model']} {row['pk']}: «{other}» is in no source"
        if fields.get("short_name"):
            assert normal(fields["short_name"]) in everything, f"{row['model']} {row['pk']}: «{fields['short_name']}»"


def test_an_invented_name_would_be_caught():
    # The check is exact: a name a source does not spell so is not found, however close it comes.
    cited = normal(ALL_SOURCES[3])
    assert normal("Nesttun") in cited and normal("MO Nesttun") not in cited
    assert normal("Akuttposten") in cited and normal("Akuttposten ved Bergen legevakt") not in cited


def ngrams(items, n):
    return {tuple(items[i : i + n]) for i in range(len(items) - n + 1)}


SOURCE_RUNS = {pk: ngrams(words(text), 10) for pk, text in ALL_SOURCES.items()}
SOURCE_SENTENCES = [words(sentence) for text in ALL_SOURCES.values() for sentence in sentences(text)]


def our_texts(fields=TEXT_FIELDS):
    for row in ROWS:
        for name in fields:
            if row["fields"].get(name):
                yield f"{row['model']} {row['pk']} {name}", row["fields"][name]


def test_no_text_shares_a_run_of_ten_words_with_a_source():
    copied = []
    for label, text in our_texts():
        runs = ngrams(words(text), 10)
        for pk, source_runs in SOURCE_RUNS.items():
            for run in runs & source_runs:
                copied.append(f"{label} ↔ {FILES[pk]}: «{' '.join(run)}»")
    assert not copied, "\n".join(copied)


def test_no_longer_sentence_is_a_close_copy_of_a_source_sentence():
    # Own words also when the words are moved a little: a sentence of ten words or more of ours may not have four
    # fifths of its words, in order, in one source sentence. Titles are short labels that keep the source's own
    # modal words («Vurdere å utrede …»); they are held by the ten-word rule above.
    close = []
    for label, text in our_texts(fields=TEXT_FIELDS[1:]):
        for sentence in sentences(text):
            ours = words(sentence)
            if len(ours) < 10:
                continue
            for theirs in SOURCE_SENTENCES:
                matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
                same = sum(block.size for block in matcher.get_matching_blocks())
                if same >= 0.8 * len(ours):
                    close.append(f"{label}: {same}/{len(ours)} words of «{sentence}»")
    assert not close, "\n".join(close)


def quotes(note):
    return re.findall(r"«([^«»]+)»", note)


def test_every_status_update_quotes_a_passage_that_reports():
    for row in rows_of("measures.statusupdate"):
        fields, label = row["fields"], f"statusupdate {row['pk']}"
        text = normal(ALL_SOURCES[fields["source"]])
        cited = quotes(fields["source_note"])
        assert cited, f"{label} quotes no passage in its source_note"
        for quote in cited:
            pieces = [piece.strip(" ,.") for piece in quote.split("…") if piece.strip(" ,.")]
            for piece in pieces:
                assert normal(piece) in text, f"{label}: «{piece}» is not in {FILES[fields['source']]}"
            # The whole sentence the quote stands in counts, also the words an omission (…) leaves out.
            around = [
                s for s in sentences(ALL_SOURCES[fields["source"]]) if any(normal(p) in normal(s) for p in pieces)
            ]
            context = " ".join(around) or quote
            found = PRESCRIPTIVE.findall(context)
            assert not found, f"{label}: «{context}» prescribes or forecasts ({', '.join(found)}), it does not report"


def test_the_prescription_rule_catches_the_updates_it_removed():
    # The four updates withdrawn in December 2026 stood on these passages.
    for passage in [
        "skal miljøarbeidere og dem som er i kontakt med de rusavhengige, rapportere om alle slike tilfeller",
        "vil dagens akuttovernatting flyttes til et annet sted",
        "Et nytt MO-senter nord for Bergen sentrum forventes å lette på trykket",
        "Utviklingen skal følges opp med ny kartlegging av åpne russcener i sentrum etter nyttår",
    ]:
        assert PRESCRIPTIVE.search(passage), passage
    assert not PRESCRIPTIVE.search("Rundt Strax-huset er kommunen i ferd med å etablere et eget uteområde")


# --- the table of SOURCES.md -------------------------------------------------------------------------------------


def sources_table():
    """The rows of the first table in SOURCES.md: {file: {column: int}}."""
    lines = [line for line in SOURCES_MD.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if not cells[0].startswith("`0"):
            break
        table[cells[0].strip("`")] = {name: int(cells[i]) for i, name in enumerate(header) if cells[i].isdigit()}
    return table


def item_lists():
    """Per source file, the items listed under «### Items of `file`»: (record labels, number left out)."""
    text = SOURCES_MD.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^### Items of `([^`]+)`\n(.*?)(?=^#)", text, re.M | re.S):
        items = [line for line in match.group(2).splitlines() if re.match(r"\d+\. ", line)]
        records = [re.findall(r"(decisions\.commitment|measures\.measure) (\d+)", item) for item in items]
        left_out = [item for item, recs in zip(items, records, strict=True) if not recs]
        found[match.group(1)] = ([f"{m} {pk}" for recs in records for m, pk in recs], len(left_out), len(items))
    return found


def test_the_table_of_sources_md_counts_the_records_per_source():
    table = sources_table()
    assert set(table) == set(FILES.values())
    for pk, name in FILES.items():
        cited = [row for row in ROWS if row["fields"].get("source") == pk]
        count = {
            "Commitments": sum(row["model"] == "decisions.commitment" for row in cited),
            "Measures": sum(row["model"] == "measures.measure" for row in cited),
            "Status updates": sum(row["model"] == "measures.statusupdate" for row in cited),
            "Records citing it": len(cited),
        }
        for column, value in count.items():
            assert table[name][column] == value, f"{name} {column}: the table says {table[name][column]}, {value}"
        row = table[name]
        assert row["Items covered"] == count["Commitments"] + count["Measures"], name
        assert row["Actionable items"] == row["Items covered"] + row["Left out"], name


def test_the_item_lists_account_for_every_commitment_and_measure_once():
    table, lists = sources_table(), item_lists()
    listed = []
    for name, (records, left_out, total) in lists.items():
        assert total == table[name]["Actionable items"], f"{name}: {total} items listed"
        assert left_out == table[name]["Left out"], f"{name}: {left_out} left out"
        listed += records
    records = [f"{row['model']} {row['pk']}" for row in rows_of("decisions.commitment", "measures.measure")]
    assert sorted(listed) == sorted(records)


def test_the_corrections_account_for_every_difference_from_what_sites_loaded():
    for entries, before, after in correction_rounds():
        changes = plan_corrections(baseline_rows=before, fixture_rows=after, entries=entries["corrections"])
        assert changes and all(0 < len(change.why) <= REASON_MAX for change in changes)
        assert len({entry["key"] for entry in entries["corrections"]}) == len(entries["corrections"])


def test_corrections_that_miss_a_change_are_refused():
    ((entries, before, after),) = correction_rounds()
    with pytest.raises(ValueError, match="changed without an entry"):
        plan_corrections(baseline_rows=before, fixture_rows=after, entries=entries["corrections"][1:])
