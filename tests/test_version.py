"""The extractor version on article.processed and event.created: package version + table hash."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.core.version import extractor_version, tables_hash

TEXT = "Ghanaian President Kofi Mensah visited Lome on Monday and met Togolese officials."


def test_the_table_hash_follows_the_tables_and_nothing_else(tmp_path: Path):
    (tmp_path / "verbs.tsv").write_text("visit\t042\n")
    (tmp_path / "dictionaries").mkdir()
    (tmp_path / "dictionaries" / "actors.txt").write_text("KOFI MENSAH\tGHAGOV\n")
    first = tables_hash(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    (tmp_path / "__init__.py").write_text("# code is covered by the package version\n")
    (tmp_path / "notes.md").write_text("not a table\n")
    assert tables_hash(tmp_path) == first
    (tmp_path / "verbs.tsv").write_text("visit\t043\n")
    changed = tables_hash(tmp_path)
    assert changed != first
    (tmp_path / "verbs.tsv").rename(tmp_path / "nouns.tsv")  # same bytes, another table
    assert tables_hash(tmp_path) not in {first, changed}


@pytest.fixture(scope="module")
def envelopes() -> list[dict]:
    settings = Settings()
    pipeline = Pipeline.in_memory(settings, load_model(settings.spacy_model))
    result = pipeline.process({"id": "v-1", "text": TEXT, "published_at": "2024-05-16T08:30:00Z"}, "s-v")
    return result.publication.envelopes


def test_processed_articles_and_event_records_name_their_extractor(envelopes):
    stamped = [e for e in envelopes if e["type"] in {"article.processed", "event.created"}]
    assert {e["type"] for e in stamped} == {"article.processed", "event.created"}
    for envelope in stamped:
        validate_envelope(envelope)
        extractor = envelope["data"]["extractor"]
        assert extractor["version"] == metadata.version("eventwire")
        assert re.fullmatch(r"[0-9a-f]{16}", extractor["tables"])
    created = next(e for e in stamped if e["type"] == "event.created")
    assert list(created["data"])[-1] == "mentions"  # the publish script fills the counts in last


def test_records_without_an_extractor_still_match_the_schemas(envelopes):
    for envelope in envelopes:
        older = {**envelope, "data": {k: v for k, v in envelope["data"].items() if k != "extractor"}}
        validate_envelope(older)


def test_the_version_is_computed_once_per_process():
    assert extractor_version() is extractor_version()
