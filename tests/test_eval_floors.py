"""The extractor's scores on the public PLOVER dev set stay at or above the committed floors.

Runs in ``make test`` (not marked slow): one model load and 163 sentences, a few seconds. The shared
reference folder is required; without it the test fails with the lookup's error rather than skipping.
"""

from __future__ import annotations

from tools import location_eval
from tools.evaluate import (
    FLOORS_FILE,
    PLOVER_DEV_FILE,
    _json_lines,
    evaluate_plover,
    floor_failures,
    load_floors,
    load_model,
)
from tools.reference import reference_dir
from worker.config import Settings


def test_plover_dev_scores_meet_the_committed_floors():
    floors = load_floors()
    dataset = reference_dir() / PLOVER_DEV_FILE
    model = Settings().spacy_model
    report = evaluate_plover(load_model(model), model, dataset)
    assert report["items"]["sentences"] == 163 and report["items"]["gold_events"] == 185
    failures = floor_failures(report, floors)
    assert not failures, f"PLOVER dev scores below the floors in {FLOORS_FILE.name}: " + "; ".join(failures)


def test_event_location_scores_on_the_gold_subset_meet_the_committed_floors():
    floors = load_floors()
    path = location_eval.default_path()
    items = [item for item in _json_lines(path) if item.get("gold")]
    model = Settings().spacy_model
    report = location_eval.evaluate_locations(load_model(model), model, items, path.name)
    assert report["gold"]["items"] == 494
    failures = location_eval.location_floor_failures(report, floors)
    assert not failures, f"location scores below the floors in {FLOORS_FILE.name}: " + "; ".join(failures)
