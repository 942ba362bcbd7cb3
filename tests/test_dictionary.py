"""The dictionary loader (worker/extraction/dictionary.py) on a tiny hand-written table folder, and a few
lookups on the packaged tables compiled from PETRARCH2."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from worker.extraction.dictionary import (
    Agent,
    Clause,
    Dictionaries,
    Discard,
    VerbPattern,
    load_dictionaries,
    match_verb,
)

TABLES = {
    "verbs.tsv": """\
# a comment line, as in the generated tables
lemma\tparticle\tprefix\tblock\tcode\treverse_code\tline
fire\t\t\tFIRE\t190\t\t10
shoot\t\t\tFIRE\t190\t\t11
call\toff\t\tCALLOFF\t160\t\t20
arrest\t\tre\tARREST\t173\t\t30
release\t\t\tRELEASE\t084\t\t40
stage\t\t\tSTAGE\tnone\t\t50
rush\t\t\tRUSH\tnone\t\t60
sack\t\t\tSACK\t160\t\t70
fire\t\t\tSACK\t160\t\t71
""",
    "verb_patterns.tsv": """\
block\tsubject\tsubject_preps\tparticle\tobjects\tpreps\tsource_at\ttarget_at\tcode\treverse_code\tline
FIRE\t\t\t\t&WEAPON\t\t\t\t194\t\t12
FIRE\t\t\t\tminister\t\t\t\tnone\t\t13
FIRE\t\t\t\t&WEAPON\tat\t\tprep:at\t195\t\t14
FIRE\t\t\toff\tletter\t\t\t\t112\t\t16
FIRE\t\t\t\trocket\t\t\t\t194\t\t17
FIRE\tgunman\t\t\t\t\t\t\t193\t\t19
CALLOFF\t\t\t\tstrike\t\t\t\t087\t\t21
CALLOFF\t\t\tup\tfriend\t\t\t\t010\t\t22
RELEASE\t\t\t\t&HOSTAGE\t\t\t\t0841\t\t41
RELEASE\t\t\t\treport\t\t\t\tnone\t\t42
RELEASE\t\t\t\tfinancial aid\t\t\t\t070\t\t43
RELEASE\t\t\t\t\tfrom:&DETENTION\t\t\t0841\t\t44
STAGE\t&MILITARY\t\t\texercise\t\t\t\t062\t062\t51
RUSH\t\t\t\t\tto\t\tprep:to\t042\t043\t61
RUSH\t\t\t\t\t\t\tobject\t070\t\t62
SACK\t\t\t\tofficial\t\t\t\t160\t\t72
""",
    "synsets.tsv": """\
synset\tlemma\tforms
&DETENTION\tprison\tprison
&HOSTAGE\thostage\thostage
&HOSTAGE\tprisoner\tprisoners
&MILITARY\tarmed force\tarmed forces
&MILITARY\ttroop\ttroops
&WEAPON\tmissile\tmissile,missiles
&WEAPON\trocket\trocket
""",
    "agents.tsv": """\
phrase\tlemma\tnumber\tcode\tattach
foreign minister\tforeign minister\tsingular\tGOVFRM\tsuffix
foreign ministers\tforeign minister\tplural\tGOVFRM\tsuffix
human rights body\thuman rights body\tsingular\tNGO\tprefix
police\tpolice\tsingular\tCOP\tsuffix
""",
    "actors.tsv": """\
name\tcode\tstart\tend\tkind\tfile
freedonia\tFRD\t\t\tcountry\tcountries
rufus t. firefly\tFRDELI\t\t\tperson\tcountries
rufus t. firefly\tFRDELI\t1931-01-01\t1933-11-17\tperson\tcountries
rufus t. firefly\tFRDGOV\t1933-11-17\t\tperson\tcountries
rufus t. firefly\tFRDPRS\t1935-01-01\t1936-01-01\tperson\tcountries
trentino\tSYLGOV\t\t1933-11-17\tperson\tcountries
trentino\tnone\t1933-11-17\t1934-01-01\tperson\tcountries
""",
    "discards.tsv": """\
phrase\tscope\tmatch
basketball\tsentence\tprefix
group a\tsentence\tword
world cup\tstory\tprefix
""",
}


@pytest.fixture
def tiny(tmp_path: Path) -> Dictionaries:
    for name, text in TABLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_dictionaries(tmp_path)


def hit(found: VerbPattern | None) -> VerbPattern:
    assert found is not None, "no pattern matched"
    return found


def code(found: VerbPattern | None) -> str | None:
    return hit(found).code


def test_patterns_come_from_the_verbs_block_most_specific_first(tiny: Dictionaries) -> None:
    fire = tiny.verb_patterns("fire")
    assert [(p.line, p.specificity) for p in fire] == [
        (16, 3), (72, 2), (19, 2), (17, 2), (14, 2), (13, 2), (12, 1), (10, 0),
    ]
    assert fire[-1].default and fire[-1].code == "190"  # one default: the first listing's (FIRE, not SACK)
    assert [p.line for p in tiny.verb_patterns("shoot")] == [16, 19, 17, 14, 13, 12, 11]  # same block
    assert tiny.verb_patterns("FIRE") == fire
    assert tiny.verb_patterns("unknown") == ()
    assert tiny.verb_lemmas() == frozenset(
        {"fire", "shoot", "call", "arrest", "release", "stage", "rush", "sack"})


def test_object_conditions(tiny: Dictionaries) -> None:
    assert code(tiny.match_verb("fire", ["missile"])) == "194"  # a synset member
    assert code(tiny.match_verb("fire", ["missiles"])) == "194"  # ... or a form the file gives
    assert code(tiny.match_verb("fire", ["cruise missile"])) == "194"  # the head decides
    assert hit(tiny.match_verb("fire", ["minister"])).code is None  # not an event
    assert not hit(tiny.match_verb("fire", ["minister"])).default
    assert code(tiny.match_verb("fire", ["warehouse"])) == "190"  # the verb's default
    assert code(tiny.match_verb("fire", ["official"])) == "160"  # a pattern of fire's other block
    assert code(tiny.match_verb("fire", ["missile"], {"at": ["convoy"]})) == "195"  # more specific wins
    assert hit(tiny.match_verb("fire", ["missile"], {"at": ["convoy"]})).conditions.target_at == "prep:at"
    assert tiny.match_verb("launch", ["missile"]) is None


def test_modifiers_must_be_in_the_phrase(tiny: Dictionaries) -> None:
    assert code(tiny.match_verb("release", ["financial aid"])) == "070"
    assert code(tiny.match_verb("release", [("much-needed", "financial", "aid")])) == "070"
    assert code(tiny.match_verb("release", ["aid"])) == "084"
    assert code(tiny.match_verb("release", ["prisoner"])) == "0841"
    assert hit(tiny.match_verb("release", ["report"])).code is None
    assert code(tiny.match_verb("release", [], {"from": ["prison"]})) == "0841"
    assert code(tiny.match_verb("release", [], {"from": ["office"]})) == "084"


def test_subjects_particles_prefixes_and_targets(tiny: Dictionaries) -> None:
    staged = tiny.match_verb("stage", ["exercise"], subject="armed force")
    assert (code(staged), hit(staged).reverse_code) == ("062", "062")
    assert hit(tiny.match_verb("stage", ["exercise"], subject="national armed force")).code == "062"
    assert hit(tiny.match_verb("stage", ["exercise"], subject="rebel")).default
    # a particle may come out of the parse as a particle, a preposition or an adverb complement
    assert code(tiny.match_verb("fire", ["letter"], particle="off")) == "112"
    assert code(tiny.match_verb("fire", ["letter"], {"off": []})) == "112"
    assert code(tiny.match_verb("fire", ["letter", "off"])) == "112"
    assert code(tiny.match_verb("fire", ["letter"])) == "190"
    assert code(tiny.match_verb("call", ["strike"], particle="off")) == "087"
    assert code(tiny.match_verb("call", [], particle="off")) == "160"
    assert tiny.match_verb("call", ["strike"]) is None  # "call" is listed only as "call off"
    assert 22 not in [p.line for p in tiny.verb_patterns("call")]  # "up" pattern cannot apply to "call off"
    assert code(tiny.match_verb("arrest", [], before=["re"])) == "173"
    assert tiny.match_verb("arrest", []) is None
    rushed = tiny.match_verb("rush", [], {"to": ["paris"]})
    assert (code(rushed), hit(rushed).reverse_code) == ("042", "043")
    assert code(tiny.match_verb("rush", ["supply"])) == "070"  # target_at object: needs an object
    assert hit(tiny.match_verb("rush", [])).default


def test_equally_specific_matches_go_to_the_later_line(tiny: Dictionaries) -> None:
    # "a gunman fired a rocket": subject gunman (line 19) and object rocket (line 17) both count 2
    assert code(tiny.match_verb("fire", ["rocket"], subject="gunman")) == "193"
    assert code(tiny.match_verb("fire", ["rocket"])) == "194"


def test_indexed_match_equals_a_scan_of_all_patterns(tiny: Dictionaries) -> None:
    clauses = [
        ((), {}, None, None), (["missile"], {"at": ["x"]}, None, "gunman"), (["rocket"], {}, None, "troop"),
        (["letter"], {}, "off", None), (["financial aid", "prisoner"], {"from": ["prison"]}, None, None),
        (["exercise"], {}, None, "troop"), ([], {"to": []}, None, None), (["minister"], {}, "off", "gunman"),
    ]
    for lemma in tiny.verb_lemmas():
        for objects, preps, particle, subject in clauses:
            clause = Clause.of(objects, preps, particle, subject)
            scanned = next((p for p in tiny.verb_patterns(lemma) if p.matches_clause(clause)), None)
            assert tiny.match_verb(lemma, objects, preps, particle, subject) is scanned


def test_pattern_matches_directly(tiny: Dictionaries) -> None:
    at_convoy = next(p for p in tiny.verb_patterns("fire") if p.line == 14)
    assert at_convoy.matches(["rocket"], {"at": ["convoy"]})
    assert not at_convoy.matches(["rocket"])
    assert not at_convoy.matches(["stone"], {"at": ["convoy"]})


def test_synsets(tiny: Dictionaries) -> None:
    assert tiny.synsets.contains("&MILITARY", "troops")
    assert tiny.synsets.contains("&MILITARY", "troop")
    assert tiny.synsets.contains("&MILITARY", "government armed force")
    assert not tiny.synsets.contains("&MILITARY", "force")
    assert not tiny.synsets.contains("&NOPE", "troop")
    assert tiny.synsets.members("&WEAPON") == frozenset({"missile", "missiles", "rocket"})


def test_agents(tiny: Dictionaries) -> None:
    assert tiny.agent("police") == Agent("police", "COP", "suffix")
    assert tiny.agent("Foreign Ministers") == Agent("foreign minister", "GOVFRM", "suffix")
    assert tiny.agent(["human", "rights", "body"]) == Agent("human rights body", "NGO", "prefix")
    assert tiny.agent("minister") is None


@pytest.mark.parametrize(
    ("name", "day", "expected"),
    [
        ("rufus t. firefly", "1930-01-01", "FRDELI"),  # no dated rule applies: the open one
        ("rufus t. firefly", "1932-06-01", "FRDELI"),  # the dated ELI rule
        ("rufus t. firefly", "1933-11-16", "FRDELI"),
        ("rufus t. firefly", "1933-11-17", "FRDGOV"),  # start inclusive, end exclusive
        ("rufus t. firefly", "1935-06-01", "FRDPRS"),  # overlapping: the latest start wins
        ("rufus t. firefly", "1936-01-01", "FRDGOV"),
        ("RUFUS_T._FIREFLY", "1940-01-01", "FRDGOV"),  # names normalised
        ("trentino", "1933-01-01", "SYLGOV"),  # <date: up to it
        ("trentino", "1933-12-01", None),  # listed as not an actor then
        ("trentino", "1935-01-01", None),  # no rule applies
        ("freedonia", "2020-01-01", "FRD"),
        ("sylvania", "2020-01-01", None),
    ],
)
def test_actor_codes_honour_date_ranges(
    tiny: Dictionaries, name: str, day: str, expected: str | None
) -> None:
    assert tiny.actor_code(name, dt.date.fromisoformat(day)) == expected


def test_actor_rules_say_why(tiny: Dictionaries) -> None:
    rule = tiny.actor("trentino", dt.date(1933, 12, 1))
    assert rule is not None and rule.code is None and rule.kind == "person"
    assert tiny.actor("trentino", dt.date(1935, 1, 1)) is None
    assert len(tiny.actor_rules("Rufus T. Firefly")) == 4


def test_discards(tiny: Dictionaries) -> None:
    assert tiny.discards_in("They won the WORLD  Cup again") == (Discard("world cup", "story", "prefix"),)
    assert tiny.discards_in("Group A winners") == (Discard("group a", "sentence", "word"),)
    assert tiny.discards_in("Group Africa met") == ()  # a whole-word entry must end at a word end
    assert tiny.discards_in("basketballs and more") == (Discard("basketball", "sentence", "prefix"),)
    assert tiny.discards_in("superbasketball") == ()  # every entry starts at a word start
    assert len(tiny.discards) == 3


def test_discards_of_several_phrases_in_text_order(tiny: Dictionaries) -> None:
    # only the entries whose first word the text has are tried: each one found, leftmost first
    found = tiny.discards_in("Basketball fans: group A won the World Cup")
    assert found == (Discard("basketball", "sentence", "prefix"), Discard("group a", "sentence", "word"),
                     Discard("world cup", "story", "prefix"))
    assert tiny.discards_in("World leaders met; the group adjourned") == ()  # first words alone


def test_discards_in_text_beyond_ascii(tiny: Dictionaries) -> None:
    assert tiny.discards_in("Café owners: group A won the Wörld Cup and the World  Cup") == (
        Discard("group a", "sentence", "word"), Discard("world cup", "story", "prefix"))
    assert tiny.discards_in("Café owners met") == ()
    # the regex folds case further than str.lower: a long s, the Kelvin sign (once crashed)
    assert tiny.discards_in("Café fans: baſketball and group A") == (
        Discard("basketball", "sentence", "prefix"), Discard("group a", "sentence", "word"))
    assert tiny.discards_in("Group A and Basketball in \u212a") == (
        Discard("group a", "sentence", "word"), Discard("basketball", "sentence", "prefix"))


def test_a_table_with_other_columns_is_refused(tmp_path: Path) -> None:
    for name, text in TABLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "verbs.tsv").write_text("lemma\tcode\nfire\t190\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"re-run tools/convert_petrarch\.py"):
        load_dictionaries(tmp_path).verb_patterns("fire")


def test_importing_the_loader_needs_no_broker_client() -> None:
    probe = ("import sys, worker.extraction.dictionary as d; d.dictionaries().verb_patterns('fire'); "
             "print(sorted(m for m in ('redis', 'celery', 'kombu') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_packaged_tables() -> None:
    """Lookups on the tables compiled from PETRARCH2 (codes as CAMEO.2.0.txt gives them)."""
    assert code(match_verb("release", ["prisoner"])) == "0841"  # - * PRISONERS [0841]
    assert hit(match_verb("release", ["report"])).code is None  # - * REPORT [---]
    assert code(match_verb("fire", ["rocket"])) == "194"  # - * ROCKET [194]
    assert code(match_verb("fire", ["minister"])) == "190"  # no dismissal sense: the block's code
    assert code(match_verb("ask", [], {"for": ["financial aid"]})) == "0231"
    # ABANDON is listed in EVACUATE before its own block: it keeps EVACUATE's default and gains its own
    # block's patterns (PETRARCH2 would use EVACUATE's alone)
    assert code(match_verb("abandon", ["ceasefire"])) == "196"  # - * &CEASEFIRE [196]
    assert hit(match_verb("abandon", ["city"])).block == "EVACUATE"
    packaged = load_dictionaries()
    assert packaged.agent("police") == Agent("police", "COP", "suffix")
    assert packaged.actor_code("Hamid Karzai", dt.date(2005, 1, 1)) == "AFGGOV"
    assert packaged.actor_code("Hamid Karzai", dt.date(1999, 1, 1)) == "AFGELI"
    assert packaged.synsets.contains("&MILITARY", "troop")
