"""Event-location quality on the public event-location dev set (a development tool).

``event_location_dev.jsonl`` (shared reference folder): news sentences, each with one event verb and
the places where that event happened (character spans; none when the sentence names none), 494 of them
re-checked as gold. Each sentence is parsed with the project's pipeline, its entities resolved as for
an article, and :func:`worker.extraction.places.event_location` asked where the event of the verb
happened (a sentence alone has no dateline: the fallback is the sentence's country focus).

Measures, overall and on the gold subset, over the events whose sentence names their place:

- ``located``: the event got a location at all;
- ``located_in_text``: it got a place named in the sentence (basis ``clause``);
- ``right``: the location is one of the named places: its span overlaps a gold span, or it resolves to
  the same GeoNames place as a gold name (a focus country that the sentence names);
- ``precision``: right among the located ones.

And over the events whose sentence names no place for them: how often a place of the sentence is
given anyway (``false_in_text``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language

from worker.extraction.context import country_focus
from worker.extraction.entities import build_entities
from worker.extraction.gazetteer import lookup_place
from worker.extraction.parse_repair import repair_parse
from worker.extraction.places import Located, event_location

LOCATION_DEV_FILE = "event_location_dev.jsonl"
# Floor names in eval_floors.json -> (subset, measure) of the location report.
LOCATION_FLOOR_METRICS = {
    "location_gold_precision": ("gold", "precision"),
    "location_gold_located": ("gold", "located_rate"),
    "location_gold_right": ("gold", "right_rate"),
}


def locate_item(nlp: Language, item: Mapping[str, Any]) -> Located | None:
    """Where the item's event happened, by the extractor's rules (no dateline: one sentence)."""
    doc = nlp(item["text"])
    repair_parse(doc)
    table = build_entities(doc, None)
    start = item["verb"]["start"]
    verb = next((t for t in doc if t.idx <= start < t.idx + max(len(t.text), 1)), None)
    if verb is None:
        return None
    return event_location(verb.sent, table, [verb], set(), allow_destination=False, dateline=None,
                          focus=country_focus(table, None))


def named_places(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The item's gold locations that name a place: spans of a name (a capital letter at a word's
    start). About one span in eleven of the file is a fragment ("d", " s", "ur") left by an earlier
    change of the text: such an item counts as naming no place."""
    text = item["text"]
    return [loc for loc in item["locations"]
            if loc["end"] - loc["start"] >= 2 and text[loc["start"]].isupper()
            and (loc["start"] == 0 or not text[loc["start"] - 1].isalnum())]


def is_right(located: Located, gold: Sequence[Mapping[str, Any]]) -> bool:
    """The location is one of the gold places: overlapping spans, or the same GeoNames place."""
    if located.span is not None and any(located.span[0] < g["end"] and g["start"] < located.span[1]
                                        for g in gold):
        return True
    ids = {place.geonameid for g in gold if (place := lookup_place(g["text"])) is not None}
    return located.place.geonameid is not None and located.place.geonameid in ids


def score(results: Sequence[tuple[Mapping[str, Any], Located | None]]) -> dict[str, Any]:
    """The measures of one subset (see the module docstring)."""
    named = [(item, found) for item, found in results if named_places(item)]
    unnamed = [(item, found) for item, found in results if not named_places(item)]
    located = [(item, found) for item, found in named if found is not None]
    right = sum(is_right(found, named_places(item)) for item, found in located if found is not None)
    in_text = sum(1 for _, found in located if found is not None and found.basis == "clause")
    false_in_text = sum(1 for _, found in unnamed if found is not None and found.basis == "clause")
    by_basis: dict[str, int] = {}
    for _, found in located:
        if found is not None:
            by_basis[found.basis] = by_basis.get(found.basis, 0) + 1
    return {
        "items": len(results),
        "naming_a_place": len(named),
        "located": len(located),
        "located_rate": _rate(len(located), len(named)),
        "located_in_text_rate": _rate(in_text, len(named)),
        "right": right,
        "right_rate": _rate(right, len(named)),
        "precision": _rate(right, len(located)),
        "located_by_basis": by_basis,
        "naming_no_place": len(unnamed),
        "false_in_text": false_in_text,
        "false_in_text_rate": _rate(false_in_text, len(unnamed)),
    }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _describe(item: Mapping[str, Any], found: Located | None) -> dict[str, Any]:
    return {
        "id": item["id"],
        "verb": item["verb"]["text"],
        "gold": [g["text"] for g in named_places(item)],
        "predicted": None if found is None else {"name": found.place.name, "basis": found.basis,
                                                 "country": found.place.country},
        "sentence": item["text"],
    }


def evaluate_locations(nlp: Language, model: str, items: Sequence[Mapping[str, Any]],
                       dataset: str) -> dict[str, Any]:
    """Locate every item's event and score overall and on the gold subset, with the misses."""
    locate_item(nlp, {"text": "Police arrested two men in Nairobi.", "verb": {"start": 7},
                      "locations": []})  # warm-up: lazy tables load outside the timing
    started = time.perf_counter()
    results = [(item, locate_item(nlp, item)) for item in items]
    seconds = time.perf_counter() - started
    misses = [_describe(item, found) for item, found in results if named_places(item)
              and (found is None or not is_right(found, named_places(item)))]
    report = {"dataset": dataset, "model": model, "seconds": round(seconds, 2)}
    if not all(item.get("gold") for item in items):
        report["all"] = score(results)
    return report | {"gold": score([(item, found) for item, found in results if item.get("gold")]),
                     "misses": misses}


def format_location_report(report: Mapping[str, Any]) -> str:
    """A compact table of the location report."""
    lines = [f"Event locations ({report['dataset']}; model {report['model']}, {report['seconds']} s)",
             f"{'subset':<6} {'items':>5} {'named':>5} {'located':>8} {'in text':>8} {'right':>6} "
             f"{'precision':>9} {'false in text':>14}"]
    for name in ("all", "gold"):
        if name not in report:
            continue
        s = report[name]
        lines.append(f"{name:<6} {s['items']:>5} {s['naming_a_place']:>5} {s['located_rate']:>8.3f} "
                     f"{s['located_in_text_rate']:>8.3f} {s['right_rate']:>6.3f} {s['precision']:>9.3f} "
                     f"{s['false_in_text_rate']:>14.3f}")
    lines.append("located: a location for events whose sentence names their place; right: it is that "
                 "place (of all such events); precision: right among the located")
    return "\n".join(lines)


def location_floor_failures(report: Mapping[str, Any], floors: Mapping[str, float]) -> list[str]:
    """One message per location score below its floor."""
    failures = []
    for name, (subset, measure) in LOCATION_FLOOR_METRICS.items():
        if name in floors and report[subset][measure] < floors[name]:
            failures.append(f"{name} {report[subset][measure]:.4f} is below its floor {floors[name]:.4f}")
    return failures


def default_path() -> Path:
    """The dev set in the shared reference folder."""
    from tools.reference import reference_dir

    return reference_dir() / LOCATION_DEV_FILE
