"""The PETRARCH2 dictionary converter (tools/convert_petrarch.py) on small hand-written snippets, and a check
that re-running it on the shared reference reproduces the committed tables byte for byte."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tools import convert_petrarch as cp
from tools.reference import REPO_ROOT, reference_dir

VERBS = """\
# CAMEO-style verb dictionary written for this test
&VEHICLE
+TRUCK
+LORRIES_
+ARMORED_CAR # a comment

&AUXV_
+WAS

####### VERB PATTERNS #######

---  LAUNCH   [190]  ---
LAUNCH
HURL {HURLS HURLING HURLED } [193]
+CALL_OFF [160]
WIRE_+TAP
LAUNCHING
- * &VEHICLE                               [183]   # LAUNCH
- * {DIPLOMATIC PROTESTS} (WITH +)         [111:112]
- &VEHICLE * (AT)                          [:190]
- * SHIPMENTS                              [---]
- * OFF (FROM ^)                           [042]
- * ATTACK ON +                             [195]
- * CLAIM (AGAINST) +                      [115]
- * (BY/WITH ROCKETS)                      [194]
- * &UNDEFINED                             [010]
- * SHIPMENTS                              [072]
- * (ASIDE RIFT)                           [030]

---  SPEAK   ---
SPEAK
+KILLED_AND {}
LAUNCH
- * VOLUMES                                [010]

######## TRANSFORMATIONS ##########
~ a (a b LAUNCH) SAY = a b 015
"""


def test_verb_dictionary_rows() -> None:
    parsed = cp.parse_verb_dictionary(VERBS)
    assert parsed.synsets == [
        cp.SynsetRow("&AUXV", "was", "was"),  # a label ending in _ (not nouns) is not lemmatised
        cp.SynsetRow("&VEHICLE", "armored car", "armored car"),
        cp.SynsetRow("&VEHICLE", "lorry", "lorries"),
        cp.SynsetRow("&VEHICLE", "truck", "truck"),
    ]
    assert parsed.verbs == [
        cp.VerbRow("call", "off", "", "LAUNCH", "160", "", 15),
        cp.VerbRow("hurl", "", "", "LAUNCH", "193", "", 14),
        cp.VerbRow("launch", "", "", "LAUNCH", "190", "", 13),
        cp.VerbRow("launch", "", "", "SPEAK", "none", "", 33),  # in two blocks: kept in both
        cp.VerbRow("speak", "", "", "SPEAK", "none", "", 31),  # a header without a code: the null code
        cp.VerbRow("tap", "", "wire", "LAUNCH", "190", "", 16),
    ]
    assert parsed.patterns == [
        #            block   subject     s_preps particle objects  preps  source target code reverse line
        cp.PatternRow("LAUNCH", "", "", "", "", "by:rocket", "", "", "194", "", 25),
        cp.PatternRow("LAUNCH", "", "", "", "", "with:rocket", "", "", "194", "", 25),
        cp.PatternRow("LAUNCH", "", "", "", "&VEHICLE", "", "", "", "183", "", 18),
        cp.PatternRow("LAUNCH", "", "", "", "attack", "on", "", "prep:on", "195", "", 23),
        cp.PatternRow("LAUNCH", "", "", "", "diplomatic protest", "with", "", "prep:with", "111", "112", 19),
        cp.PatternRow("LAUNCH", "", "", "", "shipment", "", "", "", "072", "", 27),  # the later one kept
        cp.PatternRow("LAUNCH", "", "", "aside", "rift", "", "", "", "030", "", 28),
        cp.PatternRow("LAUNCH", "", "", "off", "", "from", "", "", "042", "", 22),
        cp.PatternRow("LAUNCH", "&VEHICLE", "", "", "", "at", "", "", "none", "190", 20),
        cp.PatternRow("SPEAK", "", "", "", "volume", "", "", "", "010", "", 34),
    ]
    skipped = parsed.skipped
    assert skipped["pattern: target/source marker beside another object (TABARI word sequence)"] == 1
    assert skipped["pattern: undefined synset"] == 1
    assert skipped["pattern: repeated in its block with another code (the later kept, as PETRARCH2 does)"] \
        == 1
    assert skipped["verb transformation (~ line): verb-verb rules, not patterns"] == 1
    assert skipped["verb line: words joined by and/or (KILLED_AND), not a particle"] == 1
    assert skipped["(kept) verb listed in an inflected form, read as its base form"] == 1  # LAUNCHING
    assert skipped["verb: repeated in its block (the first kept)"] == 1
    assert skipped["(kept) verb listed in another block too: it takes both blocks' patterns"] == 1


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("* (TO) [042:043]", (("", "", "", "", "to", "", ""), "042", "043")),
        ("$ TROOP * (TOWARD RETREAT) [0874]",
         (("troop", "", "", "", "toward:retreat", "subject", ""), "0874", "")),
        ("* {FIGHTER &VEHICLE} [195]", (("", "", "", "fighter &VEHICLE", "", "", ""), "195", "")),
        ("FIGHTER_&VEHICLE * [195]", (("fighter &VEHICLE", "", "", "", "", "", ""), "195", "")),
        ("* (TO A VOTE) [014]", (("", "", "", "", "to:vote", "", ""), "014", "")),
        ("* UP RESISTANCE [110]", (("", "", "up", "resistance", "", "", ""), "110", "")),
        ("* + [111]", (("", "", "", "", "", "", "object"), "111", "")),
        ("* WITHDRAWAL (OF $) (FROM +) [0874]",
         (("", "", "", "withdrawal", "from|of", "prep:of", "prep:from"), "0874", "")),
    ],
)
def test_pattern_conditions(pattern: str, expected: tuple[tuple[str, ...], str, str]) -> None:
    assert cp.parse_pattern(pattern, {"&VEHICLE"}, Counter()) == expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("* [010", "no [code] at the end"),
        ("* DOWN (FROM) [080!]", "malformed code"),
        ("WILL NOT * (TOWARDS +) [030]", "TABARI word sequence (bare preposition or auxiliary)"),
        ("% &VEHICLE * [062:062]", "compound-actor marker %"),
        ("* LEAVE ^ INTO + [042]", "TABARI skip marker ^ or disjunction outside a prepositional phrase"),
        ("* VENTURE (WITH VISIT) VISIT) [042]", "unbalanced brackets"),
        ("* (INTO + POSIT) [192]", "marker inside a prepositional phrase with other words"),
        ("* &NOPE [010]", "undefined synset"),
        ("* * [010]", "not exactly one * (verb position)"),
    ],
)
def test_unusable_patterns_say_why(pattern: str, reason: str) -> None:
    with pytest.raises(cp.SkipPattern, match=re.escape(reason)):
        cp.parse_pattern(pattern, {"&VEHICLE"}, Counter())


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("sanctions", "sanction"), ("rallies", "rally"), ("clashes", "clash"), ("servicemen", "serviceman"),
     ("news", "news"), ("crisis", "crisis"), ("teargas", "teargas"), ("was", "was"), ("aid", "aid"),
     ("processes", "process"), ("status", "status")],
)
def test_singular(word: str, lemma: str) -> None:
    assert cp.singular(word) == lemma


def test_verb_lines_and_codes() -> None:
    assert cp.parse_verb_line("+CORDON_OFF {+CORDONED_OFF} [160]") == ("cordon", "off", "", "160")
    assert cp.parse_verb_line("RE_+ARREST") == ("arrest", "", "re", None)
    assert cp.parse_verb_line("RECONVENE[---]") == ("reconvene", "", "", "---")
    assert cp.parse_verb_line("SCRAP {SCRAPPING SCRAPS SCRAPPED };shan   8/30/93") == ("scrap", "", "", None)
    assert cp.parse_verb_line("BEEF_UP") is None  # a multi-word verb must mark its verb with '+'
    assert cp.parse_code("042:043") == ("042", "043")
    assert cp.parse_code(":173") == ("none", "173")
    assert cp.parse_code("---") == ("none", "")
    assert cp.parse_code("12x") is None
    assert cp.base_form("deterring", {"deter"}) == "deter"
    assert cp.base_form("worried", {"worry"}) == "worry"
    assert cp.base_form("need", {"need", "ne"}) == "need"


COUNTRIES = """\
# country actors written for this test
FREEDONIA_  [FRD]
+FREEDONIAN_
+FREEDONIA_CITY

RUFUS_T._FIREFLY_  # leader
+PRESIDENT_FIREFLY
\t[FRDELI 310101-331117]
\t[FRDGOV >19331117]
\t[FRDELI]
CHICOLINI_
AMBASSADOR_TRENTINO_
\t[SYLGOV 331117-20010101]
\t[SYLGOV 2004017-20061201]
\t[SYLGOV 350101-340101]
Source: a prose line
FREEDONIAN_ARMY
\t[FRDMIL]
"""

INTERNATIONAL = """\
UN_ [IGOUNO]
GREENPEACE_\t[NGOENV] # comment
ACME_CORPORATION_\t[MNCUSA]
ANNA_ADMIN_\t[IGOUNO 970101-061231] [ELI]
TEAM_X_\t[HTIMED <061231] [IGOUNOMED]\t[---]
"""


def test_actor_rows() -> None:
    skipped: Counter[str] = Counter()
    rows = cp.parse_actor_file(COUNTRIES, "countries", skipped)
    assert sorted(rows) == [
        cp.ActorRow("ambassador trentino", "SYLGOV", "1933-11-17", "2001-01-01", "person", "countries"),
        cp.ActorRow("chicolini", "SYLGOV", "1933-11-17", "2001-01-01", "person", "countries"),
        cp.ActorRow("freedonia", "FRD", "", "", "country", "countries"),
        cp.ActorRow("freedonia city", "FRD", "", "", "country", "countries"),
        cp.ActorRow("freedonian", "FRD", "", "", "country", "countries"),
        cp.ActorRow("freedonian army", "FRDMIL", "", "", "national", "countries"),
        cp.ActorRow("president firefly", "FRDELI", "", "", "person", "countries"),
        cp.ActorRow("president firefly", "FRDELI", "1931-01-01", "1933-11-17", "person", "countries"),
        cp.ActorRow("president firefly", "FRDGOV", "1933-11-17", "", "person", "countries"),
        cp.ActorRow("rufus t. firefly", "FRDELI", "", "", "person", "countries"),
        cp.ActorRow("rufus t. firefly", "FRDELI", "1931-01-01", "1933-11-17", "person", "countries"),
        cp.ActorRow("rufus t. firefly", "FRDGOV", "1933-11-17", "", "person", "countries"),
    ]
    assert skipped == Counter({
        "(kept) actors: name without code joined the next record (missing '+')": 1,
        "actors: rule with malformed date": 1,
        "actors: rule with date range ends before it starts": 1,
        "actors: prose line, not a name ('Source: ...')": 1,
    })


def test_international_actor_kinds_and_first_rule_per_window() -> None:
    skipped: Counter[str] = Counter()
    rows = cp.parse_actor_file(INTERNATIONAL, "international", skipped)
    rows.append(cp.ActorRow("un", "IGOXXX", "", "", "igo", "milnonstate"))  # a later file's other reading
    assert cp.first_rule_per_window(rows, skipped) == [
        cp.ActorRow("acme corporation", "MNCUSA", "", "", "mnc", "international"),
        cp.ActorRow("anna admin", "ELI", "", "", "person", "international"),
        cp.ActorRow("anna admin", "IGOUNO", "1997-01-01", "2006-12-31", "person", "international"),
        cp.ActorRow("greenpeace", "NGOENV", "", "", "ngo", "international"),
        cp.ActorRow("team x", "HTIMED", "", "2006-12-31", "person", "international"),
        cp.ActorRow("team x", "IGOUNOMED", "", "", "person", "international"),  # first, as in PETRARCH2
        cp.ActorRow("un", "IGOUNO", "", "", "igo", "international"),
    ]
    assert skipped["(kept first) actors: another code for the same name and dates"] == 2


def test_dates() -> None:
    assert str(cp.parse_date("791227")) == "1979-12-27"
    assert str(cp.parse_date("300101")) == "2030-01-01"  # YY 00-30 is 20YY, as in PETRARCH2
    assert str(cp.parse_date("310101")) == "1931-01-01"
    assert str(cp.parse_date("20061201")) == "2006-12-01"
    assert cp.parse_date("2004017") is None
    assert cp.parse_date("010231") is None
    assert cp.parse_rule("EGYGOV > 140608") == ("EGYGOV", "2014-06-08", "")
    assert cp.parse_rule("---") == ("none", "", "")


AGENTS = """\
# agents written for this test
!PERSON! = MAN, MEN
POLICE {} [~COP] # no plural
FOREIGN_MINISTER [~GOVFRM]
ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]
SECRETARY [~GOV]
BOSS [~BUS]
CONGRESS!PERSON! [~LEG]
HUMAN_RIGHTS_BODY  [NGO~]
ISLAMIC_EXTREMIST
"""


def test_agent_rows() -> None:
    skipped: Counter[str] = Counter()
    assert cp.parse_agents(AGENTS, skipped) == [
        cp.AgentRow("attorney general", "attorney general", "singular", "GOVATG", "suffix"),
        cp.AgentRow("attorneys general", "attorney general", "plural", "GOVATG", "suffix"),
        cp.AgentRow("boss", "boss", "singular", "BUS", "suffix"),
        cp.AgentRow("bosses", "boss", "plural", "BUS", "suffix"),
        cp.AgentRow("congressman", "congressman", "singular", "LEG", "suffix"),
        cp.AgentRow("congressmen", "congressman", "plural", "LEG", "suffix"),
        cp.AgentRow("foreign minister", "foreign minister", "singular", "GOVFRM", "suffix"),
        cp.AgentRow("foreign ministers", "foreign minister", "plural", "GOVFRM", "suffix"),
        cp.AgentRow("human rights bodies", "human rights body", "plural", "NGO", "prefix"),
        cp.AgentRow("human rights body", "human rights body", "singular", "NGO", "prefix"),
        cp.AgentRow("police", "police", "singular", "COP", "suffix"),
        cp.AgentRow("secretaries", "secretary", "plural", "GOV", "suffix"),
        cp.AgentRow("secretary", "secretary", "singular", "GOV", "suffix"),
    ]
    assert skipped == Counter({"agents: line without a [~CODE]": 1})


def test_discard_rows() -> None:
    text = "# discards\n+WORLD CUP  # story\nGROUP A_\nBASEBALL\n\nBASEBALL\n"
    assert cp.parse_discards(text, Counter()) == [
        cp.DiscardRow("baseball", "sentence", "prefix"),
        cp.DiscardRow("group a", "sentence", "word"),
        cp.DiscardRow("world cup", "story", "prefix"),
    ]


def test_written_tables_have_headers_and_sorted_rows(tmp_path: Path) -> None:
    source = tmp_path / "petrarch2"
    source.mkdir()
    for name, text in [(cp.VERB_FILE, VERBS), (cp.AGENT_FILE, AGENTS), (cp.DISCARD_FILE, "BASEBALL\n")]:
        (source / name).write_text(text, encoding="utf-8")
    for short, name in cp.ACTOR_FILES.items():
        (source / name).write_text(COUNTRIES if short == "countries" else INTERNATIONAL if
                                   short == "international" else "", encoding="utf-8")
    assert cp.petrarch_dir(tmp_path) == source
    out = tmp_path / "out"
    written = cp.write_all(cp.compile_all(source), out)
    assert sorted(p.name for p in written) == sorted(
        ["verbs.tsv", "verb_patterns.tsv", "synsets.tsv", "agents.tsv", "actors.tsv", "discards.tsv"])
    lines = (out / "discards.tsv").read_text(encoding="utf-8").splitlines()
    assert "GENERATED by tools/convert_petrarch.py: do not edit" in "\n".join(lines)
    assert "Licence: MIT" in "\n".join(lines) and "commit 676801c" in "\n".join(lines)
    assert lines[-2:] == ["phrase\tscope\tmatch", "baseball\tsentence\tprefix"]
    verbs = [line for line in (out / "verbs.tsv").read_text().splitlines() if not line.startswith("#")]
    assert verbs[0].split("\t") == [name for name, _ in cp.VERB_COLUMNS]
    assert verbs[1:] == sorted(verbs[1:])
    first = {p.name: p.read_bytes() for p in written}
    cp.write_all(cp.compile_all(source), out)
    assert {p.name: p.read_bytes() for p in written} == first


def test_committed_tables_are_reproduced_from_the_reference(tmp_path: Path) -> None:
    """Re-running the converter on ../shared/reference gives the committed tables byte for byte."""
    source = cp.petrarch_dir(reference_dir())
    if not (source / cp.VERB_FILE).is_file():
        pytest.fail(f"PETRARCH2 dictionaries not found in {source}: this test needs the shared reference "
                    "folder (../shared/reference beside the repository, or EVENTWIRE_REFERENCE_DIR)")
    written = cp.write_all(cp.compile_all(source), tmp_path)
    committed = REPO_ROOT / "worker" / "data" / "dictionaries"
    for path in written:
        assert path.read_bytes() == (committed / path.name).read_bytes(), (
            f"{path.name} differs from the committed table: run `python -m tools.convert_petrarch` and commit"
        )
