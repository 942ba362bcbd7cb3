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
    build_report,
    count_sentences,
    counts_by_type,
    date_matches,
    gold_event_view,
    load_gold,
    match_events,
    predicted_event_view,
    relaxed_key,
    score_item,
    strict_key,
    summarize,
)

GOLD_DIR = Path(__file__).parent / "gold"
HELDOUT_DIR = Path(__file__).parent / "gold_heldout"
# Shape checks run over both gold sets, each with its minimum sizes.
GOLD_SETS = [
    pytest.param(GOLD_DIR, {"items": 80, "no_event": 12, "articles": 5}, id="gold"),
    pytest.param(HELDOUT_DIR, {"items": 50, "no_event": 10, "articles": 2}, id="heldout"),
]


def ev(a1: str | None, a2: str | None, plover: str | None, **extra: object) -> EventView:
    return EventView(actor1=a1, actor2=a2, plover=plover, **extra)


def item(events: list[dict], item_id: str = "x", construction: str = "test") -> GoldItem:
    return GoldItem(id=item_id, kind="sentence", text="t.", published_at="2024-03-14T10:00:00Z",
                    events=tuple(events), construction=construction)


def gold_event(a1: str, a2: str | None, plover: str, root: str, **extra: object) -> dict:
    def actor(code: str | None) -> dict | None:
        if code is None:
            return None
        return {"code": code, "country": None if code.startswith("IGO") else code[:3]}
    return {"actor1": actor(a1), "actor2": actor(a2), "plover": plover, "cameo_root": root, **extra}


def record(a1: dict | None, a2: dict | None, plover: str | None, root: str | None = None,
           country: str | None = None, date: str | None = None, **flags: bool) -> dict:
    return {"actor1": a1, "actor2": a2, "event_date": date,
            "action": {"plover": plover, "cameo_root": root, **flags},
            "location": {"country": country} if country else None}


# ----------------------------------------------------------------------------- views and keys


def test_actor_key_uses_country_and_falls_back_to_the_code_for_igos():
    view = predicted_event_view(record({"code": "UKRGOV", "country": "UKR"},
                                       {"code": "IGONAT", "country": None}, "CONSULT"))
    assert (view.actor1, view.actor2) == ("UKR", "IGONAT")


def test_predicted_view_reads_action_location_date_and_flags():
    view = predicted_event_view(record({"code": "RUSMIL", "country": "RUS"}, None, "ASSAULT",
                                       "19", "UKR", "2024-03-12", negated=True))
    assert view == EventView("RUS", None, "ASSAULT", "19", "UKR", "2024-03-12", negated=True)


def test_gold_view_defaults_missing_flags_to_false():
    view = gold_event_view(gold_event("FRAGOV", "DEUGOV", "CONSULT", "04", future=True))
    assert view.future and not view.negated and not view.hypothetical
    assert view.location is None and view.date is None


def test_strict_key_distinguishes_actors_and_relaxed_key_only_the_type():
    a, b = ev("FRA", "DEU", "CONSULT"), ev("ITA", "DEU", "CONSULT")
    assert strict_key(a) != strict_key(b)
    assert relaxed_key(a) == relaxed_key(b)


# ----------------------------------------------------------------------------- matching


def test_matching_is_one_to_one():
    predicted = [ev("FRA", "DEU", "CONSULT")] * 3
    gold = [ev("FRA", "DEU", "CONSULT")] * 2
    pairs = match_events(predicted, gold, strict_key)
    assert len(pairs) == 2
    assert len({i for i, _ in pairs}) == 2 and len({j for _, j in pairs}) == 2


def test_matching_prefers_the_pair_agreeing_on_more_attributes():
    predicted = [ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-11")]
    gold = [ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-12"),
            ev("FRA", "DEU", "CONSULT", cameo_root="04", date="2024-03-11")]
    assert match_events(predicted, gold, strict_key) == [(0, 1)]


def test_strict_rejects_wrong_target_that_relaxed_accepts():
    predicted = [ev("UKR", "USA", "CONSULT")]
    gold = [ev("UKR", "IGONAT", "CONSULT")]
    assert match_events(predicted, gold, strict_key) == []
    assert match_events(predicted, gold, relaxed_key) == [(0, 0)]


def test_flags_do_not_prevent_a_match():
    predicted = [ev("IND", "PAK", "ASSAULT", negated=False)]
    gold = [ev("IND", "PAK", "ASSAULT", negated=True)]
    assert match_events(predicted, gold, strict_key) == [(0, 0)]


def test_missing_target_only_matches_a_missing_target():
    assert match_events([ev("MLI", None, "RETREAT")], [ev("MLI", "DZA", "RETREAT")],
                        strict_key) == []
    assert match_events([ev("MLI", None, "RETREAT")], [ev("MLI", None, "RETREAT")],
                        strict_key) == [(0, 0)]


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
    predicted = [ev("FRA", "DEU", "CONSULT"), ev("FRA", "ITA", "CONSULT"),
                 ev("RUS", "UKR", "ASSAULT")]
    gold = [ev("FRA", "DEU", "CONSULT"), ev("RUS", "UKR", "ASSAULT"),
            ev("RUS", "UKR", "ASSAULT"), ev("CHN", "PHL", "ACCUSE")]
    summary = summarize([counts_by_type(predicted, gold,
                                        match_events(predicted, gold, strict_key))])
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
    assert summarize([])["overall"] == {"tp": 0, "fp": 0, "fn": 0, "precision": 0.0,
                                        "recall": 0.0, "f1": 0.0}


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("predicted", "gold", "expected"), [
    ("2024-03-12", "2024-03-12", True),
    ("2024-03-11", "2024-03-12", False),
    ("2022-02-24", "2022-02", True),
    ("2022-03-01", "2022-02", False),
    ("2022-02", "2022-02", True),
    ("2024-05-13", "2024-W20", True),   # Monday of ISO week 20
    ("2024-05-19", "2024-W20", True),   # Sunday of ISO week 20
    ("2024-05-20", "2024-W20", False),
    ("2024-05", "2024-W20", False),
    (None, "2024-03-12", False),
])
def test_date_matches_day_week_and_month_periods(predicted, gold, expected):
    assert date_matches(predicted, gold) is expected


# ----------------------------------------------------------------------------- whole report


def test_report_counts_false_positives_on_no_event_items_and_attribute_accuracy():
    gold_items = [
        item([gold_event("UKRGOV", "IGONAT", "CONSULT", "04", location="BEL",
                         date="2024-03-12", future=True)], "s1", "light_verb"),
        item([], "s2", "no_event"),
        item([], "s3", "no_event"),
    ]
    results = [
        score_item(gold_items[0], [ev("UKR", "IGONAT", "CONSULT", cameo_root="04",
                                      location="BEL", date="2024-03-11", future=True)]),
        score_item(gold_items[1], [ev("ESP", "CAT", "ASSAULT"), ev("ESP", None, "ASSAULT")]),
        score_item(gold_items[2], []),
    ]
    report = build_report(results, model="m", seconds=2.0, sentences=4)
    assert report["no_event_items"] == {"items": 2, "items_with_predictions": 1,
                                        "false_positives": 2, "ids_with_predictions": ["s2"]}
    assert report["strict"]["overall"]["tp"] == 1 and report["strict"]["overall"]["fp"] == 2
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
    text = ("GENEVA — Talks resumed on Monday. The U.N. envoy said $1.2 billion was pledged. "
            "Adeyemi praised Ghana.")
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


@pytest.mark.parametrize(("gold_dir", "minimum"), GOLD_SETS)
def test_gold_sentences_parse_and_have_the_documented_shape(gold_dir, minimum):
    lines = (gold_dir / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    assert len(items) >= minimum["items"]
    assert len({i["id"] for i in items}) == len(items)
    for raw in items:
        assert set(raw) == {"id", "text", "published_at", "construction", "events"}, raw["id"]
        assert raw["text"].strip() and raw["construction"]
        dt.datetime.fromisoformat(raw["published_at"].replace("Z", "+00:00"))
        for event in raw["events"]:
            check_event(event)
    assert sum(1 for raw in items if not raw["events"]) >= minimum["no_event"]
    assert all(raw["construction"] == "no_event" for raw in items if not raw["events"])


@pytest.mark.parametrize(("gold_dir", "minimum"), GOLD_SETS)
def test_gold_articles_parse_and_have_the_documented_shape(gold_dir, minimum):
    paths = sorted((gold_dir / "articles").glob("*.json"))
    assert len(paths) >= minimum["articles"]
    for path in paths:
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert set(raw) == {"id", "title", "source", "published_at", "text", "events"}, path
        assert 150 <= len(raw["text"].split()) <= 400, path
        dt.datetime.fromisoformat(raw["published_at"].replace("Z", "+00:00"))
        assert raw["events"], path
        for event in raw["events"]:
            check_event(event)


@pytest.mark.parametrize("gold_dir", [GOLD_DIR, HELDOUT_DIR], ids=["gold", "heldout"])
def test_load_gold_reads_sentences_and_articles(gold_dir):
    items = load_gold(gold_dir)
    kinds = {i.kind for i in items}
    assert kinds == {"sentence", "article"}
    assert all(i.published_at and i.text for i in items)


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
        {"id": "s1", "text": "Moscow warned Finland.", "published_at": "2024-03-14T10:00:00Z",
         "construction": "capital_actor",
         "events": [gold_event("RUSGOV", "FINGOV", "THREATEN", "13")]},
        {"id": "s2", "text": "boom", "published_at": "2024-03-14T10:00:00Z",
         "construction": "passive", "events": [gold_event("RUSMIL", "UKRCVL", "ASSAULT", "19")]},
        {"id": "s3", "text": "It rained. Then it snowed.", "published_at": "2024-03-14T10:00:00Z",
         "construction": "no_event", "events": []},
    ]
    (root / "sentences.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")


def test_main_runs_the_extractor_scores_and_writes_the_report(tmp_path, monkeypatch, capsys):
    import worker.extraction
    import worker.nlp
    from tools.evaluate import main

    _write_gold(tmp_path / "gold")
    stub = _Stub({"Moscow warned Finland.": [
        record({"code": "RUSGOV", "country": "RUS"}, {"code": "FINGOV", "country": "FIN"},
               "THREATEN", "13")]})
    monkeypatch.setattr(worker.extraction, "extract_text", stub)
    monkeypatch.setattr(worker.nlp, "load_model", lambda name: f"model:{name}")
    report_path = tmp_path / "out" / "eval.json"

    assert main(["--gold", str(tmp_path / "gold"), "--report", str(report_path),
                 "--model", "tiny"]) == 0

    report = json.loads(report_path.read_text())
    assert report["model"] == "tiny"
    assert report["strict"]["overall"] == {"tp": 1, "fp": 0, "fn": 1, "precision": 1.0,
                                           "recall": 0.5, "f1": pytest.approx(2 / 3, abs=1e-4)}
    assert report["items"]["extractor_errors"] == 1
    assert report["errors"][0]["error"] == "RuntimeError: parser exploded"
    assert report["throughput"]["sentences"] == 4
    s1_context = next(c for c in stub.contexts if c.article_id == "s1")
    assert s1_context.published_at == dt.datetime(2024, 3, 14, 10, tzinfo=dt.UTC)
    assert "OVERALL" in capsys.readouterr().out
