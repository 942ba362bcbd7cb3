"""The knowledge files: lexicon codes exist and carry consistent facts; word classes and seat kinds are
well-formed."""

from __future__ import annotations

import re
from pathlib import Path

import pycountry
import pytest

from worker.extraction.actors import organisations, seat_buildings, seats
from worker.extraction.gazetteer import country_aliases
from worker.extraction.lexicon import PLOVER_TYPES, cameo_table, noun_lexicon, verb_lexicon
from worker.extraction.tables import read_tsv, word_class, word_classes

EXTRACTION = Path(__file__).resolve().parent.parent / "worker" / "extraction"

QUADS = {
    **dict.fromkeys(range(1, 6), 1),
    **dict.fromkeys(range(6, 9), 2),
    **dict.fromkeys(range(9, 14), 3),
    **dict.fromkeys(range(14, 21), 4),
}


def test_code_table_quad_class_follows_the_root():
    table = cameo_table()
    assert len(table) > 300
    for code in table.values():
        assert code.code.startswith(code.root)
        assert code.quad_class == QUADS[int(code.root)]
        assert -10 <= code.goldstein <= 10
        assert code.plover is None or code.plover in PLOVER_TYPES


def test_code_table_facts_for_known_codes():
    table = cameo_table()
    assert (table["042"].goldstein, table["042"].plover) == (1.9, "CONSULT")
    assert (table["173"].quad_class, table["173"].plover) == (4, "COERCE")
    assert table["010"].plover is None  # statements have no PLOVER type


def test_every_lexicon_code_is_in_the_table():
    table = cameo_table()
    verb_codes = {e.cameo for entries in verb_lexicon().values() for e in entries if e.cameo}
    noun_codes = {e.cameo for e in noun_lexicon().values()}
    assert verb_codes and noun_codes
    assert not (verb_codes | noun_codes) - set(table)


def test_every_lexicon_family_the_issue_lists_is_covered():
    roots = {
        table_code[:2]
        for table_code in {e.cameo for entries in verb_lexicon().values() for e in entries if e.cameo}
        | {e.cameo for e in noun_lexicon().values()}
    }
    assert {f"{r:02d}" for r in range(2, 21)} <= roots


def test_actor_tables_use_real_country_codes():
    iso3 = {c.alpha_3 for c in pycountry.countries}
    for code, kind in country_aliases().values():
        if kind != "region":
            assert code in iso3, code
    for profile in seats().values():
        assert profile.country is None or profile.country in iso3
    for org in organisations().values():
        assert org.country is None or org.country in iso3


def test_verb_rows_use_only_the_documented_patterns_targets_and_flags():
    # an unknown pattern kind would match every use of the verb; an unknown target finds nothing
    for entries in verb_lexicon().values():
        for entry in entries:
            kind, _, value = entry.pattern.partition(":")
            assert (kind, value) == ("*", "") or (kind in {"obj", "xcomp", "prep", "in"} and value), entry
            for target in entry.targets:
                assert target in {"dobj", "clause", "of"} or re.fullmatch(r"prep:[a-z]+", target), entry
            assert entry.flags <= {"light", "sym", "speech", "a2", "gov"}, entry
    for noun in noun_lexicon().values():
        assert noun.flags <= {"between", "sym"}, noun


def test_a_lemmas_entries_keep_file_order_with_any_use_last():
    assert [e.pattern for e in verb_lexicon()["fire"]] == [
        "obj:gas",
        "obj:round",
        "obj:bullet",
        "prep:at",
        "prep:on",
        "obj:missile",
    ]
    # verbs.tsv lists "agree *" first; it is tried after every conditioned pattern
    assert [e.pattern for e in verb_lexicon()["agree"]] == [
        "xcomp:meet",
        "xcomp:talk",
        "xcomp:negotiate",
        "xcomp:release",
        "xcomp:withdraw",
        "prep:on",
        "*",
    ]


def test_every_word_class_the_code_reads_is_in_the_file_and_every_class_is_read():
    source = "\n".join(path.read_text(encoding="utf-8") for path in EXTRACTION.glob("*.py"))
    read = set(re.findall(r'word_class\("(\w+)"\)', source))
    assert read == set(word_classes())
    for name, words in word_classes().items():
        assert words and all(w == w.lower().strip() and w for w in words), name


def test_word_classes_hold_the_words_the_rules_were_written_for():
    assert {"urge", "invite"} <= word_class("object_control")
    assert {"plan", "vow"} <= word_class("future_governor")
    assert word_class("frame_prep") == {"in", "during"}
    with pytest.raises(KeyError, match="no_such_class"):
        word_class("no_such_class")


def test_every_seat_is_a_city_or_a_building():
    kinds = {row["alias"]: row["kind"] for row in read_tsv("seats.tsv")}
    assert set(kinds.values()) == {"city", "building"}
    assert {"Kremlin", "White House", "Downing Street"} <= seat_buildings()
    assert not {"Moscow", "Addis Ababa", "The Hague"} & seat_buildings()
