"""Extraction quality: precision, recall and F1, overall and per PLOVER type (a development tool).

``python -m tools.evaluate plover [--report reports/eval-plover.json]`` scores the public,
human-coded PLOVER dev set (``plover_gsr_dev.jsonl`` in the shared reference folder, see
:func:`reference_dir`): the primary figure, on data the project did not write.

``python -m tools.evaluate gold [--gold tests/gold] [--report reports/eval.json]`` scores the team's
own gold set (sentence snippets and full articles, conventions in ``tests/gold/README.md``).

``python -m tools.evaluate locations [--report reports/eval-locations.json]`` scores where events
happened on the public event-location dev set (``tools/location_eval.py``).

Each item is run through ``worker.extraction.extract_text``; its predicted events are matched
one-to-one to the gold events of the same item, twice:

- strict: source, target and PLOVER type agree. On the PLOVER set an actor is its ISO3 country,
  ``IGO``/``NGO``/``IMG`` for such organisations, none for a missing target; on the team's set, its
  ISO3 country or its full code when it has no country (``IGONAT``);
- type: only the PLOVER type agrees.

The command measures and always exits 0; ``tests/test_eval_floors.py`` holds the PLOVER dev scores
to the floors in ``tools/eval_floors.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language

from tools import location_eval
from tools.reference import reference_dir
from worker.config import Settings
from worker.core.contract import parse_timestamp
from worker.extraction import ArticleContext, extract_text
from worker.extraction.lexicon import PLOVER_TYPES

NO_TYPE = "(none)"  # label for events without a PLOVER type (CAMEO root 01, statements)
FLAGS = ("negated", "future", "hypothetical")
PLOVER_DEV_FILE = "plover_gsr_dev.jsonl"
FLOORS_FILE = Path(__file__).with_name("eval_floors.json")
# Organisation codes that stand for themselves on the PLOVER set when the actor has no country
# (international and non-governmental organisations, international militarized groups).
ORGANISATION_PREFIXES = ("IGO", "NGO", "IMG")
# Floor names in eval_floors.json -> (matching, measure) in the PLOVER report's "overall" scores.
FLOOR_METRICS = {
    "strict_f1": ("strict", "f1"),
    "type_f1": ("type", "f1"),
    "type_precision": ("type", "precision"),
}

Key = tuple[Any, ...]


# ----------------------------------------------------------------------------- event views


@dataclasses.dataclass(frozen=True)
class EventView:
    """The parts of an event the evaluation compares, from a gold event or a predicted record."""

    actor1: str | None
    actor2: str | None
    plover: str | None
    cameo_root: str | None = None
    location: str | None = None
    date: str | None = None
    negated: bool = False
    future: bool = False
    hypothetical: bool = False


def actor_key(actor: Mapping[str, Any] | None) -> str | None:
    """An actor's ISO3 country, or its full code when it has no country (IGOs); None if absent."""
    if not actor:
        return None
    return actor.get("country") or actor.get("code") or None


def gold_event_view(event: Mapping[str, Any]) -> EventView:
    """View of one event of the team's gold set (shape documented in tests/gold/README.md)."""
    return EventView(
        actor1=actor_key(event.get("actor1")),
        actor2=actor_key(event.get("actor2")),
        plover=event.get("plover"),
        cameo_root=event.get("cameo_root"),
        location=event.get("location"),
        date=event.get("date"),
        **{flag: bool(event.get(flag, False)) for flag in FLAGS},
    )


def predicted_event_view(record: Mapping[str, Any]) -> EventView:
    """View of one event record produced by the extractor, for the team's gold set."""
    action = record.get("action") or {}
    location = record.get("location") or {}
    return EventView(
        actor1=actor_key(record.get("actor1")),
        actor2=actor_key(record.get("actor2")),
        plover=action.get("plover"),
        cameo_root=action.get("cameo_root"),
        location=location.get("country"),
        date=record.get("event_date"),
        **{flag: bool(action.get(flag, False)) for flag in FLAGS},
    )


def strict_key(event: EventView) -> Key:
    """Actor1, actor2 and PLOVER type."""
    return (event.actor1, event.actor2, event.plover)


def type_key(event: EventView) -> Key:
    """PLOVER type only."""
    return (event.plover,)


def type_label(plover: str | None) -> str:
    """Name of a PLOVER type in tables (``(none)`` for untyped events)."""
    return plover or NO_TYPE


# ----------------------------------------------------------------------------- comparisons


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def date_matches(predicted: str | None, gold: str) -> bool:
    """Whether a predicted ISO date falls in the gold period (day, ISO week, month or year)."""
    if not predicted:
        return False
    week = _WEEK.match(gold)
    if week:
        try:
            year, number, _ = dt.date.fromisoformat(predicted[:10]).isocalendar()
        except ValueError:
            return False
        return (year, number) == (int(week.group(1)), int(week.group(2)))
    if len(gold) == 10:
        return predicted[:10] == gold
    return predicted.startswith(gold)


def agreement(predicted: EventView, gold: EventView) -> int:
    """How many secondary attributes (root, location, date, flags) agree; breaks matching ties."""
    score = int(predicted.cameo_root == gold.cameo_root)
    score += int(gold.location is not None and predicted.location == gold.location)
    score += int(gold.date is not None and date_matches(predicted.date, gold.date))
    score += sum(int(getattr(predicted, f) == getattr(gold, f)) for f in FLAGS)
    return score


def match_events(
    predicted: Sequence[EventView], gold: Sequence[EventView], key: Callable[[EventView], Key]
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predicted to gold events with equal keys.

    Among candidate pairs, those agreeing on more secondary attributes are taken first, then
    document order. Returns (predicted index, gold index) pairs.
    """
    candidates = [
        (-agreement(p, g), i, j)
        for i, p in enumerate(predicted)
        for j, g in enumerate(gold)
        if key(p) == key(g)
    ]
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_predicted and j not in used_gold:
            used_predicted.add(i)
            used_gold.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# ----------------------------------------------------------------------------- tallies


@dataclasses.dataclass
class Counts:
    """True positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def prf(counts: Counts) -> dict[str, float | int]:
    """Precision, recall, F1 (0.0 when undefined) with the raw counts."""
    precision = counts.tp / (counts.tp + counts.fp) if counts.tp + counts.fp else 0.0
    recall = counts.tp / (counts.tp + counts.fn) if counts.tp + counts.fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def counts_by_type(
    predicted: Sequence[EventView], gold: Sequence[EventView], pairs: Iterable[tuple[int, int]]
) -> dict[str, Counts]:
    """Per-PLOVER-type counts for one item: a match counts under its gold type, an unmatched
    prediction as a false positive of its predicted type, an unmatched gold event as a false
    negative of its gold type."""
    pairs = list(pairs)
    matched_predicted = {i for i, _ in pairs}
    matched_gold = {j for _, j in pairs}
    by_type: dict[str, Counts] = defaultdict(Counts)
    for _, j in pairs:
        by_type[type_label(gold[j].plover)].tp += 1
    for i, event in enumerate(predicted):
        if i not in matched_predicted:
            by_type[type_label(event.plover)].fp += 1
    for j, event in enumerate(gold):
        if j not in matched_gold:
            by_type[type_label(event.plover)].fn += 1
    return dict(by_type)


def summarize(per_item: Iterable[Mapping[str, Counts]]) -> dict[str, Any]:
    """Overall (micro) and per-type P/R/F1 from per-item per-type counts."""
    totals: dict[str, Counts] = defaultdict(Counts)
    overall = Counts()
    for item in per_item:
        for label, counts in item.items():
            totals[label].add(counts)
            overall.add(counts)
    per_type = {label: prf(totals[label]) for label in sorted(totals)}
    gold_types = [label for label in per_type if totals[label].tp + totals[label].fn]
    macro_f1 = sum(per_type[t]["f1"] for t in gold_types) / len(gold_types) if gold_types else 0.0
    return {"overall": prf(overall), "macro_f1": round(macro_f1, 4), "per_type": per_type}


def attribute_accuracy(
    predicted: Sequence[EventView], gold: Sequence[EventView], pairs: Iterable[tuple[int, int]]
) -> dict[str, Counter[str]]:
    """Correct/total counts of root, date, location and flags over matched pairs of one item.

    Date and location count only where the gold event gives them.
    """
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for i, j in pairs:
        p, g = predicted[i], gold[j]
        if g.cameo_root is not None:
            _tick(tallies["cameo_root"], p.cameo_root == g.cameo_root)
        if g.date is not None:
            _tick(tallies["date"], date_matches(p.date, g.date))
        if g.location is not None:
            _tick(tallies["location"], p.location == g.location)
        for flag in FLAGS:
            gold_flag, predicted_flag = getattr(g, flag), getattr(p, flag)
            _tick(tallies[flag], gold_flag == predicted_flag)
            if gold_flag:
                _tick(tallies[f"{flag}_gold_true"], predicted_flag)
    return dict(tallies)


def _tick(counter: Counter[str], correct: bool) -> None:
    counter["total"] += 1
    counter["correct"] += int(correct)


def accuracy_table(tallies: Iterable[Mapping[str, Counter[str]]]) -> dict[str, dict[str, Any]]:
    """Sum per-item attribute tallies into correct/total/accuracy per attribute."""
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for item in tallies:
        for name, counter in item.items():
            totals[name].update(counter)
    return {
        name: {
            "correct": c["correct"],
            "total": c["total"],
            "accuracy": round(c["correct"] / c["total"], 4) if c["total"] else None,
        }
        for name, c in sorted(totals.items())
    }


def throughput(sentences: int, seconds: float) -> dict[str, Any]:
    """Sentences, extraction seconds and sentences per second."""
    return {
        "sentences": sentences,
        "seconds": round(seconds, 4),
        "sentences_per_second": round(sentences / seconds, 2) if seconds else None,
    }


# ----------------------------------------------------------------------------- items


@dataclasses.dataclass(frozen=True)
class GoldItem:
    """One unit of evaluation: a short snippet or a full article, with its expected events."""

    id: str
    kind: str  # "sentence" or "article"
    text: str
    published_at: str | None  # RFC 3339; None when the source gives no date (PLOVER set)
    events: tuple[dict[str, Any], ...]
    construction: str = "article"
    title: str | None = None
    source: str | None = None


def load_gold(gold_dir: Path) -> list[GoldItem]:
    """Read ``sentences.jsonl`` and ``articles/*.json`` under ``gold_dir``."""
    items = []
    sentences = gold_dir / "sentences.jsonl"
    if sentences.exists():
        for raw in _json_lines(sentences):
            items.append(
                GoldItem(
                    id=raw["id"],
                    kind="sentence",
                    text=raw["text"],
                    published_at=raw["published_at"],
                    events=tuple(raw["events"]),
                    construction=raw.get("construction", "unspecified"),
                )
            )
    for path in sorted((gold_dir / "articles").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        items.append(
            GoldItem(
                id=raw["id"],
                kind="article",
                text=raw["text"],
                published_at=raw["published_at"],
                events=tuple(raw["events"]),
                title=raw.get("title"),
                source=raw.get("source"),
            )
        )
    return items


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"“(]?[A-Z0-9])|\n\s*\n")


def count_sentences(text: str) -> int:
    """Rough sentence count (punctuation followed by a capital, or a blank line)."""
    return len([part for part in _SENTENCE_END.split(text.strip()) if part and part.strip()])


@dataclasses.dataclass
class ItemResult:
    """Predictions and scores for one gold item."""

    item: GoldItem
    predicted: list[EventView]
    gold: list[EventView]
    strict_pairs: list[tuple[int, int]]
    type_pairs: list[tuple[int, int]]
    error: str | None = None
    untyped: int = 0  # predictions left out of scoring (PLOVER set: no PLOVER type)


def score_item(
    item: GoldItem,
    predicted: Sequence[EventView],
    error: str | None = None,
    *,
    gold_view: Callable[[Mapping[str, Any]], EventView] = gold_event_view,
    untyped: int = 0,
) -> ItemResult:
    """Match one item's predictions to its gold events (read with ``gold_view``), strictly and by type."""
    gold = [gold_view(e) for e in item.events]
    predicted = list(predicted)
    return ItemResult(
        item=item,
        predicted=predicted,
        gold=gold,
        strict_pairs=match_events(predicted, gold, strict_key),
        type_pairs=match_events(predicted, gold, type_key),
        error=error,
        untyped=untyped,
    )


def no_event_summary(results: Sequence[ItemResult]) -> dict[str, Any]:
    """False positives on items whose gold lists no event."""
    empty = [r for r in results if not r.gold]
    return {
        "items": len(empty),
        "items_with_predictions": sum(1 for r in empty if r.predicted),
        "false_positives": sum(len(r.predicted) for r in empty),
        "ids_with_predictions": [r.item.id for r in empty if r.predicted],
    }


def construction_summary(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Strict overall P/R/F1 per construction label (sentence items; articles as "article")."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for result in results:
        groups[result.item.construction].append(result)
    return {
        name: {
            "items": len(group),
            **summarize(counts_by_type(r.predicted, r.gold, r.strict_pairs) for r in group)["overall"],
        }
        for name, group in sorted(groups.items())
    }


def describe(event: EventView) -> str:
    """Compact one-line rendering of an event for error listings."""
    flags = "".join(f" [{f}]" for f in FLAGS if getattr(event, f))
    return (
        f"{event.actor1} -> {event.actor2} {type_label(event.plover)} "
        f"({event.cameo_root}) loc={event.location} date={event.date}{flags}"
    )


def item_errors(result: ItemResult) -> dict[str, Any] | None:
    """Unmatched gold and predicted events of one item under strict matching (None if clean)."""
    matched_p = {i for i, _ in result.strict_pairs}
    matched_g = {j for _, j in result.strict_pairs}
    missed = [describe(g) for j, g in enumerate(result.gold) if j not in matched_g]
    spurious = [describe(p) for i, p in enumerate(result.predicted) if i not in matched_p]
    if not missed and not spurious and not result.error:
        return None
    return {
        "id": result.item.id,
        "construction": result.item.construction,
        "missed": missed,
        "spurious": spurious,
        "error": result.error,
    }


def build_report(
    results: Sequence[ItemResult], *, model: str, seconds: float, sentences: int
) -> dict[str, Any]:
    """The team gold set's JSON report from scored items and the timing of the extraction."""
    strict = summarize(counts_by_type(r.predicted, r.gold, r.strict_pairs) for r in results)
    typed = summarize(counts_by_type(r.predicted, r.gold, r.type_pairs) for r in results)
    attributes = accuracy_table(attribute_accuracy(r.predicted, r.gold, r.strict_pairs) for r in results)
    errors = [e for e in (item_errors(r) for r in results) if e]
    return {
        "model": model,
        "items": {
            "sentences": sum(r.item.kind == "sentence" for r in results),
            "articles": sum(r.item.kind == "article" for r in results),
            "gold_events": sum(len(r.gold) for r in results),
            "predicted_events": sum(len(r.predicted) for r in results),
            "extractor_errors": sum(1 for r in results if r.error),
        },
        "throughput": throughput(sentences, seconds),
        "strict": strict,
        "type": typed,
        "no_event_items": no_event_summary(results),
        "matched_attributes": attributes,
        "by_construction": construction_summary(results),
        "errors": errors,
    }


# ----------------------------------------------------------------------------- PLOVER dev set


def plover_actor_key(actor: Mapping[str, Any] | None) -> str | None:
    """A predicted actor in the PLOVER set's terms: ISO3 country, else ``IGO``/``NGO``/``IMG``.

    None means no actor (the PLOVER "no target"). An actor with neither a country nor an
    organisation code ("GOV" for unnamed officials) becomes ``?`` + its code, which equals no gold
    value: an actor the extractor could not place is a wrong actor, not a missing one.
    """
    if not actor:
        return None
    if actor.get("country"):
        return actor["country"]
    code = actor.get("code") or ""
    return code[:3] if code.startswith(ORGANISATION_PREFIXES) else f"?{code}"


def plover_predicted_view(record: Mapping[str, Any]) -> EventView | None:
    """View of one predicted record for the PLOVER set; None when it has no PLOVER type (not counted)."""
    plover = (record.get("action") or {}).get("plover")
    if not plover:
        return None
    return EventView(
        actor1=plover_actor_key(record.get("actor1")),
        actor2=plover_actor_key(record.get("actor2")),
        plover=plover,
    )


_PLOVER_ACTOR = re.compile(r"^[A-Z]{3}$")  # ISO3, IGO, NGO or IMG


def plover_gold_view(event: Mapping[str, Any]) -> EventView:
    """View of one PLOVER gold event: source, target (None when the event has none), PLOVER 2021 type.

    The dev set's sources are ISO3 countries or ``IGO``/``NGO``/``IMG`` (al-Qaeda), never null; its
    targets the same or null. Anything else (a null source, a raw code) raises ValueError instead of
    being scored as a silent miss.
    """
    source, target, plover = event.get("source"), event.get("target"), event.get("code_plover2021")
    if not (isinstance(source, str) and _PLOVER_ACTOR.match(source)):
        raise ValueError(f"PLOVER gold event with unexpected source {source!r}")
    if target is not None and not (isinstance(target, str) and _PLOVER_ACTOR.match(target)):
        raise ValueError(f"PLOVER gold event with unexpected target {target!r}")
    if plover not in PLOVER_TYPES:
        raise ValueError(f"PLOVER gold event with unexpected type {plover!r}")
    return EventView(actor1=source, actor2=target, plover=plover)


def load_plover(path: Path) -> list[GoldItem]:
    """Read the PLOVER dev set: one sentence item per line, its events as in the file."""
    return [
        GoldItem(id=raw["id"], kind="sentence", text=raw["text"], published_at=None,
                 events=tuple(raw["events"]), construction="plover")
        for raw in _json_lines(path)
    ]


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON Lines file, blank lines skipped."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def score_plover_item(
    item: GoldItem, records: Sequence[Mapping[str, Any]], error: str | None = None
) -> ItemResult:
    """Score one PLOVER sentence: typed predictions against its gold events."""
    views = [plover_predicted_view(r) for r in records]
    typed = [v for v in views if v is not None]
    return score_item(item, typed, error, gold_view=plover_gold_view, untyped=len(views) - len(typed))


def build_plover_report(
    results: Sequence[ItemResult], *, model: str, dataset: str, seconds: float
) -> dict[str, Any]:
    """The PLOVER dev report: strict and type P/R/F1 overall and per type, misses, throughput."""
    silent = [r.item.id for r in results if not r.predicted]
    sentences = len(results)
    return {
        "dataset": dataset,
        "model": model,
        "items": {
            "sentences": sentences,
            "gold_events": sum(len(r.gold) for r in results),
            "predicted_typed_events": sum(len(r.predicted) for r in results),
            "predicted_untyped_events_not_counted": sum(r.untyped for r in results),
            "extractor_errors": sum(1 for r in results if r.error),
        },
        "sentences_without_typed_prediction": {"count": len(silent), "ids": silent},
        "throughput": throughput(sentences, seconds),
        "strict": summarize(counts_by_type(r.predicted, r.gold, r.strict_pairs) for r in results),
        "type": summarize(counts_by_type(r.predicted, r.gold, r.type_pairs) for r in results),
        "errors": [e for e in (item_errors(r) for r in results) if e],
    }


def format_plover_report(report: Mapping[str, Any], floors: Mapping[str, float] | None = None) -> str:
    """Compact table of the PLOVER report, with the floor check when floors are given."""
    items = report["items"]
    lines = [
        f"PLOVER dev ({report['dataset']}): {items['sentences']} sentences, {items['gold_events']} gold "
        f"events, {items['predicted_typed_events']} typed predictions "
        f"(+{items['predicted_untyped_events_not_counted']} untyped, not counted); model {report['model']}",
        "",
    ]
    labels = sorted(PLOVER_TYPES | set(report["strict"]["per_type"]) | set(report["type"]["per_type"]))
    lines += score_table(report["strict"], report["type"], labels)
    silent = report["sentences_without_typed_prediction"]["count"]
    t = report["throughput"]
    lines += [
        "",
        f"Sentences with no typed prediction: {silent} of {items['sentences']}",
        f"Throughput: {t['sentences']} sentences in {t['seconds']:.2f} s = {t['sentences_per_second']} "
        "sentences/s",
    ]
    if items["extractor_errors"]:
        lines.append(f"Extractor errors on {items['extractor_errors']} sentences (see report 'errors').")
    if floors is not None:
        failures = floor_failures(report, floors)
        lines.append(
            "Floors (tools/eval_floors.json): "
            + ("all met" if not failures else "BELOW: " + "; ".join(failures))
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- floors


def load_floors(path: Path = FLOORS_FILE) -> dict[str, float]:
    """The committed floors: one per FLOOR_METRICS key, none missing or unknown (``_`` keys are comments)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    floors = {name: float(value) for name, value in raw.items() if not name.startswith("_")}
    expected = set(FLOOR_METRICS) | set(location_eval.LOCATION_FLOOR_METRICS)
    if set(floors) != expected:
        raise ValueError(f"{path.name} must give exactly the floors {', '.join(sorted(expected))}")
    return floors


def floor_failures(report: Mapping[str, Any], floors: Mapping[str, float]) -> list[str]:
    """One message per PLOVER score below its floor (empty when all are met)."""
    failures = []
    for name, floor in sorted(floors.items()):
        if name not in FLOOR_METRICS:
            continue  # the event-location floors: location_eval.location_floor_failures
        matching, measure = FLOOR_METRICS[name]
        score = report[matching]["overall"][measure]
        if score < floor:
            failures.append(f"{name} {score:.4f} is below its floor {floor:.4f}")
    return failures


# ----------------------------------------------------------------------------- running


def load_model(name: str) -> Language:
    """The spaCy pipeline ``name`` with the project's components, which extraction requires."""
    from worker.core.nlp import load_model as load

    return load(name)


def run_extractor(
    items: Sequence[GoldItem], nlp: Language
) -> tuple[list[tuple[list[dict[str, Any]], str | None]], float]:
    """Run the extractor over every item: (records, error) per item, and the extraction seconds.

    An exception on one item is recorded on it (its gold events count as missed); the run goes on.
    One untimed call first, so lazy loading does not count against the first item.
    """
    warm_up = ArticleContext(article_id="warm-up", published_at=None)
    extract_text(nlp, "The minister met reporters in the capital on Monday.", warm_up)

    outputs: list[tuple[list[dict[str, Any]], str | None]] = []
    seconds = 0.0
    for item in items:
        context = ArticleContext(
            article_id=item.id,
            published_at=parse_timestamp(item.published_at) if item.published_at else None,
            source=item.source,
            title=item.title,
        )
        started = time.perf_counter()
        try:
            outputs.append((list(extract_text(nlp, item.text, context).events), None))
        except Exception as exc:  # measured, not fatal: report it and keep going
            outputs.append(([], f"{type(exc).__name__}: {exc}"))
        seconds += time.perf_counter() - started
    return outputs, seconds


def evaluate_plover(nlp: Language, model: str, path: Path | None = None) -> dict[str, Any]:
    """Run and score the PLOVER dev set (default: the one in :func:`reference_dir`)."""
    path = path or reference_dir() / PLOVER_DEV_FILE
    items = load_plover(path)
    outputs, seconds = run_extractor(items, nlp)
    results = [
        score_plover_item(item, records, error) for item, (records, error) in zip(items, outputs, strict=True)
    ]
    return build_plover_report(results, model=model, dataset=path.name, seconds=seconds)


def evaluate_gold(nlp: Language, model: str, gold_dir: Path) -> dict[str, Any]:
    """Run and score the team's gold set in ``gold_dir``."""
    items = load_gold(gold_dir)
    outputs, seconds = run_extractor(items, nlp)
    results = [
        score_item(item, [predicted_event_view(r) for r in records], error)
        for item, (records, error) in zip(items, outputs, strict=True)
    ]
    sentences = sum(count_sentences(item.text) for item in items)
    return build_report(results, model=model, seconds=seconds, sentences=sentences)


def score_table(strict: Mapping[str, Any], typed: Mapping[str, Any], labels: Sequence[str]) -> list[str]:
    """Per-type rows of strict and type P/R/F1 with counts, then the overall row."""
    header = (
        f"{'type':<11} {'gold':>4} | {'strict P':>8} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} "
        f"{'fn':>4} | {'type P':>7} {'R':>6} {'F1':>6}"
    )
    lines = [header, "-" * len(header)]
    empty = prf(Counts())
    for label in [*labels, "OVERALL"]:
        s = strict["overall"] if label == "OVERALL" else strict["per_type"].get(label, empty)
        t = typed["overall"] if label == "OVERALL" else typed["per_type"].get(label, empty)
        if label == "OVERALL":
            lines.append("-" * len(header))
        lines.append(
            f"{label:<11} {s['tp'] + s['fn']:>4} | {s['precision']:>8.3f} {s['recall']:>6.3f} "
            f"{s['f1']:>6.3f} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} | {t['precision']:>7.3f} "
            f"{t['recall']:>6.3f} {t['f1']:>6.3f}"
        )
    lines.append(f"macro F1: strict {strict['macro_f1']:.3f}, type {typed['macro_f1']:.3f}")
    return lines


def format_report(report: Mapping[str, Any]) -> str:
    """Readable tables of the team gold set: per-type strict and type P/R/F1, then the other measures."""
    strict, typed = report["strict"], report["type"]
    lines = [
        f"Gold: {report['items']['sentences']} snippets, {report['items']['articles']} "
        f"articles, {report['items']['gold_events']} gold events, "
        f"{report['items']['predicted_events']} predicted (model {report['model']})",
        "",
    ]
    lines += score_table(strict, typed, sorted(set(strict["per_type"]) | set(typed["per_type"])))
    empty_items = report["no_event_items"]
    lines += [
        "",
        f"No-event items: {empty_items['items']}, with predictions: "
        f"{empty_items['items_with_predictions']}, false positives: "
        f"{empty_items['false_positives']}",
        "",
        "On strict matches:",
    ]
    for name, acc in report["matched_attributes"].items():
        value = "n/a" if acc["accuracy"] is None else f"{acc['accuracy']:.3f}"
        lines.append(f"  {name:<24} {value:>6}  ({acc['correct']}/{acc['total']})")
    lines += [
        "",
        f"{'construction (strict)':<22} {'items':>5} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'tp':>4} {'fp':>4} {'fn':>4}",
    ]
    for name, row in report["by_construction"].items():
        lines.append(
            f"{name:<22} {row['items']:>5} {row['precision']:>6.3f} "
            f"{row['recall']:>6.3f} {row['f1']:>6.3f} {row['tp']:>4} {row['fp']:>4} "
            f"{row['fn']:>4}"
        )
    t = report["throughput"]
    lines += [
        "",
        f"Throughput: {t['sentences']} sentences in {t['seconds']:.2f} s = "
        f"{t['sentences_per_second']} sentences/s",
    ]
    if report["items"]["extractor_errors"]:
        lines.append(
            f"Extractor errors on {report['items']['extractor_errors']} items (see report 'errors')."
        )
    return "\n".join(lines)


def write_report(report: Mapping[str, Any], path: Path) -> None:
    """Write the JSON report, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; always returns 0 (the evaluation measures; the floors test gates)."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", default=Settings().spacy_model, help="installed spaCy pipeline")
    sets = parser.add_subparsers(dest="dataset", required=True)
    plover = sets.add_parser("plover", parents=[common], help="the public PLOVER dev set (primary)")
    plover.add_argument("--report", type=Path, default=Path("reports/eval-plover.json"))
    gold = sets.add_parser("gold", parents=[common], help="the team's own gold set")
    gold.add_argument("--gold", type=Path, default=Path("tests/gold"))
    gold.add_argument("--report", type=Path, default=Path("reports/eval.json"))
    places = sets.add_parser("locations", parents=[common], help="the public event-location dev set")
    places.add_argument("--report", type=Path, default=Path("reports/eval-locations.json"))
    args = parser.parse_args(argv)

    nlp = load_model(args.model)
    if args.dataset == "plover":
        report = evaluate_plover(nlp, args.model)
        text = format_plover_report(report, load_floors())
    elif args.dataset == "locations":
        path = location_eval.default_path()
        report = location_eval.evaluate_locations(nlp, args.model, list(_json_lines(path)), path.name)
        text = location_eval.format_location_report(report)
        failures = location_eval.location_floor_failures(report, load_floors())
        text += "\nFloors (tools/eval_floors.json): " + ("all met" if not failures
                                                          else "BELOW: " + "; ".join(failures))
    else:
        report = evaluate_gold(nlp, args.model, args.gold)
        text = format_report(report)
    write_report(report, args.report)
    print(text)
    print(f"\nReport written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
