"""Scoring logic of the gold-set evaluation, and the shape of the gold files themselves."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pycountry
import pytest

from tools.evaluate import (
    FLAGS,
    NO_TYPE,
    PLOVER_TYPES,
    EventView,
    GoldItem,
    build_plover_report,
    build_report,
    count_sentences,
    counts_by_type,
    date_matches,
    floor_failures,
    gold_event_view,
    load_floors,
    load_gold,
    load_plover,
    match_events,
    plover_actor_key,
    plover_gold_view,
    plover_predicted_view,
    predicted_event_view,
    score_item,
    score_plover_item,
    strict_key,
    summarize,
    type_key,
)
from tools.location_eval import location_floor_failures
from tools.reference import REFERENCE_ENV, reference_dir

GOLD_DIR = Path(__file__).parent / "gold"
# Minimum sizes of the team's gold set (169 sentences, 25 of them no-event, 7 articles when written).
GOLD_MINIMUM = {"items": 169, "no_event": 25, "articles": 7}


def ev(a1: str | None, a2: str | None, plover: str | None, **extra: object) -> EventView:
    return EventView(actor1=a1, actor2=a2, plover=plover, **extra)


def item(events: list[dict], item_id: str = "x", construction: str = "test") -> GoldItem:
    return GoldItem(
        id=item_id,
        kind="sentence",
        text="t.",
        published_at="2024-03-14T10:00:00Z",
        events=tuple(events),
        construction=construction,
    )


def gold_event(a1: str, a2: str | None, plover: str, root: str, **extra: object) -> dict:
    def actor(code: str | None) -> dict | None:
        if code is None:
            return None
        return {"code": code, "country": None if code.startswith("IGO") else code[:3]}

    return {"actor1": actor(a1), "actor2": actor(a2), "plover": plover, "cameo_root": root, **extra}


def record(
    a1: dict | None,
    a2: dict | None,
    plover: str | None,
    root: str | None = None,
    country: str | None = None,
    date: str | None = None,
    **flags: bool,
) -> dict:
    return {
        "actor1": a1,
        "actor2": a2,
        "event_date": date,
        "action": {"plover": plover, "cameo_root": root, **flags},
        "location": {"country": country} if country else None,
    }


# ----------------------------------------------------------------------------- views and keys


def test_actor_key_uses_country_and_falls_back_to_the_code_for_igos():
    view = predicted_event_view(
        record({"code": "UKRGOV", "country": "UKR"}, {"code": "IGONAT", "country": None}, "CONSULT")
    )
    assert (view.actor1, view.actor2) == ("UKR", "IGONAT")


def test_predicted_view_reads_action_location_date_and_flags():
    view = predicted_event_view(
        record({"code": "RUSMIL", "country": "RUS"}, None, "ASSAULT", "19", "UKR", "2024-03-12", negated=True)
    )
    assert view == EventView("RUS", None, "ASSAULT", "19", "UKR", "2024-03-12", negated=True)


def test_gold_view_defaults_missing_flags_to_false():
    view = gold_event_view(gold_event("FRAGOV", "DEUGOV", "CONSULT", "04", future=True))
    assert view.future and not view.negated and not view.hypothetical
    assert view.location is None and view.date is None


def test_strict_key_is_both_actors_and_the_type_and_type_key_only_the_type():
    event = ev("FRA", "DEU", "CONSULT", cameo_root="04", location="BEL", future=True)
    assert strict_key(event) == ("FRA", "DEU", "CONSULT")
    assert type_key(event) == ("CONSULT",)


# ----------------------------------------------------------------------------- matching


def test_matching_is_one_to_one():
    predicted = [ev("FRA", "DEU", "CONSULT")] * 3
    gold = [ev("FRA", "DEU", "CONSULT")] * 2
    pairs = match_events(predicted, gold, strict_key)
    assert len(pairs) == 2
    assert len({i for i, _ in pairs}) == 2 and len({j for _, j in pairs}) == 2


def test_matching_prefers_the_pair_agreeing_on_more_attributes():
    predicted = [ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-11")]
    gold = [
        ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-12"),
        ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-11"),
    ]
    assert match_events(predicted, gold, strict_key) == [(0, 1)]


def test_strict_rejects_wrong_target_that_type_matching_accepts():
    predicted = [ev("UKR", "USA", "CONSULT")]
    gold = [ev("UKR", "IGONAT", "CONSULT")]
    assert match_events(predicted, gold, strict_key) == []
    assert match_events(predicted, gold, type_key) == [(0, 0)]


def test_flags_do_not_prevent_a_match():
    predicted = [ev("IND", "PAK", "ASSAULT", negated=False)]
    gold = [ev("IND", "PAK", "ASSAULT", negated=True)]
    assert match_events(predicted, gold, strict_key) == [(0, 0)]


def test_missing_target_only_matches_a_missing_target():
    assert match_events([ev("MLI", None, "RETREAT")], [ev("MLI", "DZA", "RETREAT")], strict_key) == []
    assert match_events([ev("MLI", None, "RETREAT")], [ev("MLI", None, "RETREAT")], strict_key) == [(0, 0)]


# ----------------------------------------------------------------------------- counts and P/R/F1


def test_counts_by_type_puts_fp_under_predicted_and_fn_under_gold_type():
    predicted = [ev("FRA", "DEU", "CONSULT"), ev("RUS", "UKR", "THREATEN")]
    gold = [ev("FRA", "DEU", "CONSULT"), ev("RUS", "UKR", "ACCUSE")]
    counts = counts_by_type(predicted, gold, match_events(predicted, gold, strict_key))
    assert (counts["CONSULT"].tp, counts["CONSULT"].fp, counts["CONSULT"].fn) == (1, 0, 0)
    assert (counts["THREATEN"].tp, counts["THREATEN"].fp, counts["THREATEN"].fn) == (0, 1, 0)
    assert (counts["ACCUSE"].tp, counts["ACCUSE"].fp, counts["ACCUSE"].fn) == (0, 0, 1)


def test_untyped_events_are_counted_under_the_none_label():
    counts = counts_by_type([ev("PAK", None, None)], [], [])
    assert counts[NO_TYPE].fp == 1


def test_summarize_computes_micro_and_per_type_scores():
    predicted = [ev("FRA", "DEU", "CONSULT"), ev("FRA", "ITA", "CONSULT"), ev("RUS", "UKR", "ASSAULT")]
    gold = [
        ev("FRA", "DEU", "CONSULT"),
        ev("RUS", "UKR", "ASSAULT"),
        ev("RUS", "UKR", "ASSAULT"),
        ev("CHN", "PHL", "ACCUSE"),
    ]
    summary = summarize([counts_by_type(predicted, gold, match_events(predicted, gold, strict_key))])
    consult, assault = summary["per_type"]["CONSULT"], summary["per_type"]["ASSAULT"]
    assert (consult["precision"], consult["recall"]) == (0.5, 1.0)
    assert consult["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert (assault["precision"], assault["recall"]) == (1.0, 0.5)
    assert summary["per_type"]["ACCUSE"]["recall"] == 0.0
    overall = summary["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (2, 1, 2)
    assert overall["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert overall["recall"] == 0.5
    # macro over the three gold types: (2/3 + 2/3 + 0) / 3
    assert summary["macro_f1"] == pytest.approx(4 / 9, abs=1e-3)


def test_summarize_with_nothing_gives_zero_not_an_error():
    assert summarize([])["overall"] == {"tp": 0, "fp": 0, "fn": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        ("2024-03-12", "2024-03-12", True),
        ("2024-03-11", "2024-03-12", False),
        ("2022-02-24", "2022-02", True),
        ("2022-03-01", "2022-02", False),
        ("2022-02", "2022-02", True),
        ("2024-05-13", "2024-W20", True),  # Monday of ISO week 20
        ("2024-05-19", "2024-W20", True),  # Sunday of ISO week 20
        ("2024-05-20", "2024-W20", False),
        ("2024-05", "2024-W20", False),
        (None, "2024-03-12", False),
    ],
)
def test_date_matches_day_week_and_month_periods(predicted, gold, expected):
    assert date_matches(predicted, gold) is expected


# ----------------------------------------------------------------------------- whole report


def test_report_counts_false_positives_on_no_event_items_and_attribute_accuracy():
    gold_items = [
        item(
            [gold_event("UKRGOV", "IGONAT", "CONSULT", "04", location="BEL", date="2024-03-12", future=True)],
            "s1",
            "light_verb",
        ),
        item([], "s2", "no_event"),
        item([], "s3", "no_event"),
    ]
    results = [
        score_item(
            gold_items[0],
            [ev("UKR", "IGONAT", "CONSULT", cameo_root="04", location="BEL", date="2024-03-11", future=True)],
        ),
        score_item(gold_items[1], [ev("ESP", "CAT", "ASSAULT"), ev("ESP", None, "ASSAULT")]),
        score_item(gold_items[2], []),
    ]
    report = build_report(results, model="m", seconds=2.0, sentences=4)
    assert report["no_event_items"] == {
        "items": 2,
        "items_with_predictions": 1,
        "false_positives": 2,
        "ids_with_predictions": ["s2"],
    }
    assert report["strict"]["overall"]["tp"] == 1 and report["strict"]["overall"]["fp"] == 2
    assert (report["type"]["overall"]["tp"], report["type"]["overall"]["fp"]) == (1, 2)
    attrs = report["matched_attributes"]
    assert attrs["cameo_root"]["accuracy"] == 1.0
    assert attrs["location"]["accuracy"] == 1.0
    assert attrs["date"]["accuracy"] == 0.0
    assert attrs["future"]["accuracy"] == 1.0 and attrs["future_gold_true"]["correct"] == 1
    assert report["throughput"]["sentences_per_second"] == 2.0
    assert report["by_construction"]["no_event"]["fp"] == 2
    assert [e["id"] for e in report["errors"]] == ["s2"]


def test_extractor_error_counts_gold_events_as_missed():
    gold_items = [item([gold_event("RUSGOV", "FINGOV", "THREATEN", "13")])]
    result = score_item(gold_items[0], [], error="ValueError: boom")
    report = build_report([result], model="m", seconds=1.0, sentences=1)
    assert report["strict"]["overall"]["fn"] == 1
    assert report["items"]["extractor_errors"] == 1


def test_count_sentences_splits_on_sentence_ends_only():
    text = (
        "GENEVA — Talks resumed on Monday. The U.N. envoy said $1.2 billion was pledged. "
        "Adeyemi praised Ghana."
    )
    assert count_sentences(text) == 3


# ----------------------------------------------------------------------------- gold files

CODE = re.compile(r"^[A-Z]{3}[A-Z]{3}$")
ROOT = re.compile(r"^(0[1-9]|1\d|20)$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2})?$")


def check_actor(actor: dict) -> None:
    assert set(actor) == {"code", "country"}
    assert CODE.match(actor["code"]), actor
    if actor["country"] is None:
        assert actor["code"][:3] in {"IGO", "NGO"}, actor
    else:
        assert pycountry.countries.get(alpha_3=actor["country"]) is not None, actor
        assert actor["code"][:3] == actor["country"], actor


def check_date(value: str) -> None:
    assert DATE.match(value), value
    if len(value) == 10:
        dt.date.fromisoformat(value)
    elif "-W" in value:
        year, week = value.split("-W")
        dt.date.fromisocalendar(int(year), int(week), 1)


def check_event(event: dict) -> None:
    allowed = {"actor1", "actor2", "plover", "cameo_root", "cameo", "location", "date", *FLAGS}
    assert set(event) <= allowed, event
    check_actor(event["actor1"])
    if event["actor2"] is not None:
        check_actor(event["actor2"])
    assert ROOT.match(event["cameo_root"]), event
    if event["plover"] is None:
        assert event["cameo_root"] == "01", event  # only statements lack a PLOVER type
    else:
        assert event["plover"] in PLOVER_TYPES, event
    if "cameo" in event:
        assert re.match(r"^\d{2,4}$", event["cameo"]) and event["cameo"][:2] == event["cameo_root"]
    if event.get("location") is not None:
        assert pycountry.countries.get(alpha_3=event["location"]) is not None, event
    if event.get("date") is not None:
        check_date(event["date"])
    for flag in FLAGS:
        assert isinstance(event.get(flag, False), bool)


def test_gold_sentences_parse_and_have_the_documented_shape():
    lines = (GOLD_DIR / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    assert len(items) >= GOLD_MINIMUM["items"]
    assert len({i["id"] for i in items}) == len(items)
    for raw in items:
        assert set(raw) == {"id", "text", "published_at", "construction", "events"}, raw["id"]
        assert raw["text"].strip() and raw["construction"]
        dt.datetime.fromisoformat(raw["published_at"].replace("Z", "+00:00"))
        for event in raw["events"]:
            check_event(event)
    assert sum(1 for raw in items if not raw["events"]) >= GOLD_MINIMUM["no_event"]
    assert all(raw["construction"] == "no_event" for raw in items if not raw["events"])


def test_gold_articles_parse_and_have_the_documented_shape():
    paths = sorted((GOLD_DIR / "articles").glob("*.json"))
    assert len(paths) >= GOLD_MINIMUM["articles"]
    for path in paths:
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert set(raw) == {"id", "title", "source", "published_at", "text", "events"}, path
        assert 150 <= len(raw["text"].split()) <= 400, path
        dt.datetime.fromisoformat(raw["published_at"].replace("Z", "+00:00"))
        assert raw["events"], path
        for event in raw["events"]:
            check_event(event)


def test_load_gold_reads_sentences_then_articles(tmp_path):
    _write_gold(tmp_path)
    article = {
        "id": "a1",
        "title": "T",
        "source": "Wire",
        "published_at": "2024-03-15T08:00:00Z",
        "text": "Moscow warned Finland.",
        "events": [],
    }
    (tmp_path / "articles" / "a1.json").write_text(json.dumps(article))
    items = load_gold(tmp_path)
    assert [(i.id, i.kind, i.construction) for i in items] == [
        ("s1", "sentence", "capital_actor"),
        ("s2", "sentence", "passive"),
        ("s3", "sentence", "no_event"),
        ("a1", "article", "article"),
    ]
    assert (items[3].title, items[3].source, items[3].published_at) == ("T", "Wire", "2024-03-15T08:00:00Z")
    assert items[0].events[0]["actor2"] == {"code": "FINGOV", "country": "FIN"}


def test_the_gold_set_loads_with_sentences_and_articles():
    kinds = {i.kind for i in load_gold(GOLD_DIR)}
    assert kinds == {"sentence", "article"}


# ----------------------------------------------------------------------------- PLOVER dev set


def plover_event(source: str | None, target: str | None, plover: str, reciprocal: bool = False) -> dict:
    return {"source": source, "target": target, "code_plover2021": plover, "reciprocal": reciprocal}


def plover_item(events: list[dict], item_id: str = "p1") -> GoldItem:
    return GoldItem(
        id=item_id, kind="sentence", text="t.", published_at=None, events=tuple(events), construction="plover"
    )


def actor(code: str, country: str | None) -> dict:
    return {"code": code, "country": country}


@pytest.mark.parametrize(
    ("predicted_actor", "expected"),
    [
        (actor("UKRGOV", "UKR"), "UKR"),
        (actor("IGOUNO", None), "IGO"),
        (actor("IGONAT", None), "IGO"),
        (actor("NGOAMN", None), "NGO"),
        (actor("IMGREB", None), "IMG"),
        (actor("GOV", None), "?GOV"),  # unnamed officials: an actor, but not a placeable one
        (actor("EURGOV", None), "?EURGOV"),
        (None, None),  # no actor: the PLOVER "no target"
    ],
)
def test_plover_actor_key_maps_countries_and_organisation_codes(predicted_actor, expected):
    assert plover_actor_key(predicted_actor) == expected


def test_plover_predicted_view_keeps_actors_and_type_and_drops_untyped_records():
    typed = record(actor("RUSMIL", "RUS"), actor("UKRCVL", "UKR"), "ASSAULT", "19", "UKR")
    assert plover_predicted_view(typed) == EventView("RUS", "UKR", "ASSAULT")
    assert plover_predicted_view(record(actor("RUSGOV", "RUS"), None, None, "01")) is None


def test_plover_gold_view_reads_source_target_and_the_2021_type():
    event = {**plover_event("IGO", None, "RETREAT"), "code": "YIELD"}
    assert plover_gold_view(event) == EventView("IGO", None, "RETREAT")


@pytest.mark.parametrize(
    "event",
    [
        plover_event(None, "USA", "ACCUSE"),  # a null source
        plover_event("usa", "ISR", "ACCUSE"),
        plover_event("USA", "Israel", "ACCUSE"),
        plover_event("USA", "ISR", "DISAPPROVE"),  # a PLOVER 0.5 type, not a 2021 one
    ],
)
def test_plover_gold_view_rejects_values_outside_the_documented_ones(event):
    with pytest.raises(ValueError, match="unexpected"):
        plover_gold_view(event)


def test_plover_igo_actor_without_country_matches_gold_igo():
    result = score_plover_item(
        plover_item([plover_event("IGO", "LBN", "AGREE")]),
        [record(actor("IGOUNO", None), actor("LBNGOV", "LBN"), "AGREE")],
    )
    assert (result.strict_pairs, result.type_pairs) == ([(0, 0)], [(0, 0)])


def test_plover_target_none_matches_only_a_prediction_without_target():
    gold = plover_item([plover_event("KGZ", None, "RETREAT")])
    without = score_plover_item(gold, [record(actor("KGZGOV", "KGZ"), None, "RETREAT")])
    with_target = score_plover_item(gold, [record(actor("KGZGOV", "KGZ"), actor("RUSGOV", "RUS"), "RETREAT")])
    assert without.strict_pairs == [(0, 0)]
    assert (with_target.strict_pairs, with_target.type_pairs) == ([], [(0, 0)])


def test_plover_unplaced_actor_is_wrong_not_missing():
    result = score_plover_item(
        plover_item([plover_event("GRC", None, "REQUEST")]), [record(actor("GOV", None), None, "REQUEST")]
    )
    assert (result.strict_pairs, result.type_pairs) == ([], [(0, 0)])


def test_plover_reciprocal_pair_needs_both_directions():
    gold = plover_item([plover_event("HUN", "ROU", "AGREE", True), plover_event("ROU", "HUN", "AGREE", True)])
    one_way = [record(actor("HUNGOV", "HUN"), actor("ROUGOV", "ROU"), "AGREE")]
    both = [*one_way, record(actor("ROUGOV", "ROU"), actor("HUNGOV", "HUN"), "AGREE")]
    one = build_plover_report([score_plover_item(gold, one_way)], model="m", dataset="d", seconds=1.0)
    two = build_plover_report([score_plover_item(gold, both)], model="m", dataset="d", seconds=1.0)
    assert (
        one["strict"]["overall"]["tp"],
        one["strict"]["overall"]["fp"],
        one["strict"]["overall"]["fn"],
    ) == (1, 0, 1)
    assert (two["strict"]["overall"]["tp"], two["strict"]["overall"]["fn"]) == (2, 0)


def test_plover_report_scores_typed_predictions_and_counts_silent_sentences():
    items = [
        plover_item([plover_event("USA", "JOR", "AGREE"), plover_event("JOR", "USA", "AGREE")], "p1"),
        plover_item([plover_event("IGO", "USA", "ACCUSE")], "p2"),
        plover_item([plover_event("ISR", "PSE", "REJECT")], "p3"),
    ]
    results = [
        # p1: one direction right, one wrong target, and an untyped statement (not counted)
        score_plover_item(
            items[0],
            [
                record(actor("USAGOV", "USA"), actor("JORGOV", "JOR"), "AGREE"),
                record(actor("JORGOV", "JOR"), actor("IRQGOV", "IRQ"), "AGREE"),
                record(actor("USAGOV", "USA"), None, None, "01"),
            ],
        ),
        # p2: right type, actor an NGO instead of the gold IGO
        score_plover_item(items[1], [record(actor("NGOAMN", None), actor("USAGOV", "USA"), "ACCUSE")]),
        # p3: only an untyped prediction: counts as a sentence with no typed prediction
        score_plover_item(items[2], [record(actor("ISRGOV", "ISR"), None, None, "01")]),
    ]
    report = build_plover_report(results, model="m", dataset="plover_gsr_dev.jsonl", seconds=2.0)
    assert report["items"] == {
        "sentences": 3,
        "gold_events": 4,
        "predicted_typed_events": 3,
        "predicted_untyped_events_not_counted": 2,
        "extractor_errors": 0,
    }
    assert report["sentences_without_typed_prediction"] == {"count": 1, "ids": ["p3"]}
    # strict: 1 tp (USA->JOR), 2 fp, 3 fn -> P 1/3, R 1/4, F1 2/7
    assert report["strict"]["overall"] == {
        "tp": 1,
        "fp": 2,
        "fn": 3,
        "precision": 0.3333,
        "recall": 0.25,
        "f1": 0.2857,
    }
    # type: AGREE twice and ACCUSE once match -> P 1, R 3/4, F1 6/7
    assert report["type"]["overall"] == {
        "tp": 3,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.75,
        "f1": 0.8571,
    }
    assert report["strict"]["per_type"]["ACCUSE"] == {
        "tp": 0,
        "fp": 1,
        "fn": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert report["type"]["per_type"]["REJECT"]["fn"] == 1
    assert report["throughput"] == {"sentences": 3, "seconds": 2.0, "sentences_per_second": 1.5}
    assert [e["id"] for e in report["errors"]] == ["p1", "p2", "p3"]


def test_load_plover_reads_one_sentence_item_per_line(tmp_path):
    path = tmp_path / "plover.jsonl"
    rows = [
        {
            "id": "A-1",
            "text": "Jordan and Britain agreed.",
            "events": [plover_event("JOR", "GBR", "AGREE", True), plover_event("GBR", "JOR", "AGREE", True)],
        },
        {
            "id": "A-2",
            "text": "Italy suspended air links with Serbia.",
            "events": [plover_event("ITA", "SRB", "SANCTION")],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    items = load_plover(path)
    assert [(i.id, i.kind, i.published_at, len(i.events)) for i in items] == [
        ("A-1", "sentence", None, 2),
        ("A-2", "sentence", None, 1),
    ]


def test_reference_dir_prefers_the_environment_then_the_first_existing_fallback(tmp_path):
    configured, first, second = tmp_path / "env", tmp_path / "first", tmp_path / "second"
    configured.mkdir()
    second.mkdir()
    assert reference_dir({REFERENCE_ENV: str(configured)}, [first, second]) == configured
    assert reference_dir({}, [first, second]) == second
    first.mkdir()
    assert reference_dir({REFERENCE_ENV: ""}, [first, second]) == first


def test_reference_dir_fails_with_one_line_naming_where_it_looked(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as configured:
        reference_dir({REFERENCE_ENV: str(missing)}, [tmp_path])  # set but missing: no fallback
    with pytest.raises(FileNotFoundError) as fallbacks:
        reference_dir({}, [missing, tmp_path / "other"])
    assert str(missing) in str(configured.value) and REFERENCE_ENV in str(configured.value)
    assert str(tmp_path / "other") in str(fallbacks.value)
    assert "\n" not in str(configured.value) + str(fallbacks.value)


# ----------------------------------------------------------------------------- floors


LOCATION_FLOORS = {"location_gold_precision": 0.5, "location_gold_located": 0.8, "location_gold_right": 0.4}


def test_load_floors_requires_exactly_the_plover_and_location_floors(tmp_path):
    path = tmp_path / "floors.json"
    plover = {"strict_f1": 0.2, "type_f1": 0.45, "type_precision": 0.7}
    path.write_text(json.dumps({"_comment": "c", **plover, **LOCATION_FLOORS}))
    assert load_floors(path) == plover | LOCATION_FLOORS
    path.write_text(json.dumps(plover))
    with pytest.raises(ValueError, match="exactly"):
        load_floors(path)
    path.write_text(json.dumps({**plover, **LOCATION_FLOORS, "strict_f": 0.3}))
    with pytest.raises(ValueError, match="exactly"):
        load_floors(path)


def test_location_floor_failures_name_the_measure():
    report = {"gold": {"precision": 0.49, "located_rate": 0.9, "right_rate": 0.41}}
    assert location_floor_failures(report, LOCATION_FLOORS) == [
        "location_gold_precision 0.4900 is below its floor 0.5000"]


def test_the_committed_floors_file_loads():
    floors = load_floors()
    assert all(0.0 < value < 1.0 for value in floors.values())


def test_floor_failures_name_the_metric_the_score_and_the_floor():
    def scores(precision: float, f1: float) -> dict:
        return {"overall": {"precision": precision, "f1": f1}}

    report = {"strict": scores(0.3, 0.2), "type": scores(0.7, 0.45)}
    floors = {"strict_f1": 0.25, "type_f1": 0.45, "type_precision": 0.71}
    assert floor_failures(report, floors) == [
        "strict_f1 0.2000 is below its floor 0.2500",
        "type_precision 0.7000 is below its floor 0.7100",
    ]  # a score equal to its floor (type_f1) meets it
    assert floor_failures(report, {"strict_f1": 0.2, "type_f1": 0.4, "type_precision": 0.7}) == []


# ----------------------------------------------------------------------------- command, stubbed


class _Stub:
    """Stands in for the extractor: returns canned records per text, raises on "boom"."""

    def __init__(self, records_by_text: dict[str, list[dict]]):
        self.records_by_text = records_by_text
        self.contexts: list = []

    def __call__(self, nlp, text, context):
        self.contexts.append(context)
        if text == "boom":
            raise RuntimeError("parser exploded")
        return type("Extraction", (), {"events": self.records_by_text.get(text, [])})()


def _write_gold(root: Path) -> None:
    (root / "articles").mkdir(parents=True)
    lines = [
        {
            "id": "s1",
            "text": "Moscow warned Finland.",
            "published_at": "2024-03-14T10:00:00Z",
            "construction": "capital_actor",
            "events": [gold_event("RUSGOV", "FINGOV", "THREATEN", "13")],
        },
        {
            "id": "s2",
            "text": "boom",
            "published_at": "2024-03-14T10:00:00Z",
            "construction": "passive",
            "events": [gold_event("RUSMIL", "UKRCVL", "ASSAULT", "19")],
        },
        {
            "id": "s3",
            "text": "It rained. Then it snowed.",
            "published_at": "2024-03-14T10:00:00Z",
            "construction": "no_event",
            "events": [],
        },
    ]
    (root / "sentences.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")


@pytest.fixture
def stub_extractor(monkeypatch):
    """Install a stub extractor and model loader in the tool; returns a function to set records."""
    import tools.evaluate

    def install(records_by_text: dict[str, list[dict]]) -> _Stub:
        stub = _Stub(records_by_text)
        monkeypatch.setattr(tools.evaluate, "extract_text", stub)
        monkeypatch.setattr(tools.evaluate, "load_model", lambda name: f"model:{name}")
        return stub

    return install


def test_main_gold_runs_the_extractor_scores_and_writes_the_report(tmp_path, stub_extractor, capsys):
    from tools.evaluate import main

    _write_gold(tmp_path / "gold")
    stub = stub_extractor(
        {
            "Moscow warned Finland.": [
                record(
                    {"code": "RUSGOV", "country": "RUS"},
                    {"code": "FINGOV", "country": "FIN"},
                    "THREATEN",
                    "13",
                )
            ]
        }
    )
    report_path = tmp_path / "out" / "eval.json"

    assert (
        main(["gold", "--gold", str(tmp_path / "gold"), "--report", str(report_path), "--model", "tiny"]) == 0
    )

    report = json.loads(report_path.read_text())
    assert report["model"] == "tiny"
    assert report["strict"]["overall"] == {
        "tp": 1,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
    }
    assert report["items"]["extractor_errors"] == 1
    assert report["errors"][0]["error"] == "RuntimeError: parser exploded"
    assert report["throughput"]["sentences"] == 4
    s1_context = next(c for c in stub.contexts if c.article_id == "s1")
    assert s1_context.published_at == dt.datetime(2024, 3, 14, 10, tzinfo=dt.UTC)
    assert "OVERALL" in capsys.readouterr().out


def test_main_plover_reads_the_reference_folder_and_writes_its_report(
    tmp_path, stub_extractor, monkeypatch, capsys
):
    from tools.evaluate import main

    reference = tmp_path / "reference"
    reference.mkdir()
    rows = [
        {"id": "P-1", "text": "Moscow warned Finland.", "events": [plover_event("RUS", "FIN", "THREATEN")]},
        {"id": "P-2", "text": "Kyiv protested.", "events": [plover_event("UKR", None, "PROTEST")]},
    ]
    (reference / "plover_gsr_dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setenv(REFERENCE_ENV, str(reference))
    stub = stub_extractor(
        {"Moscow warned Finland.": [record(actor("RUSGOV", "RUS"), actor("FINGOV", "FIN"), "THREATEN", "13")]}
    )
    report_path = tmp_path / "out" / "eval-plover.json"

    assert main(["plover", "--report", str(report_path)]) == 0

    report = json.loads(report_path.read_text())
    assert report["dataset"] == "plover_gsr_dev.jsonl"
    assert report["strict"]["overall"] == {
        "tp": 1,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
    }
    assert report["sentences_without_typed_prediction"] == {"count": 1, "ids": ["P-2"]}
    assert all(c.published_at is None for c in stub.contexts)  # the PLOVER set has no dates
    out = capsys.readouterr().out
    assert "OVERALL" in out and "Floors (tools/eval_floors.json)" in out
