"""Helpers for the extraction tests: one model load per process, short ways to run and query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from worker.config import Settings
from worker.core.nlp import load_model
from worker.extraction import ArticleContext, Extraction, extract_text

MODEL = Settings().spacy_model
# A Thursday: "on Wednesday" is 2024-03-13, "on Thursday" the same day.
PUBLISHED = datetime.fromisoformat("2024-03-14T09:00:00+00:00")


def run(text: str, published: datetime | None = PUBLISHED, article_id: str = "t-1",
        source: str | None = None) -> Extraction:
    """Extract from ``text`` with the project's model (loaded once per process)."""
    return extract_text(load_model(MODEL), text, ArticleContext(article_id, published, source=source))


def events(text: str, published: datetime | None = PUBLISHED) -> list[dict[str, Any]]:
    return run(text, published).events


def triples(text: str, published: datetime | None = PUBLISHED) -> set[tuple[Any, Any, str]]:
    """(actor1 code, actor2 code or None, CAMEO root) of every event."""
    return {
        (e["actor1"]["code"], e["actor2"]["code"] if e["actor2"] else None, e["action"]["cameo_root"])
        for e in events(text, published)
    }


def only(records: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    """The single record matching ``actor1``/``actor2`` code and ``root`` filters."""
    found = [r for r in records if _matches(r, where)]
    assert len(found) == 1, f"expected one record for {where}, got {found}"
    return found[0]


def _matches(record: dict[str, Any], where: dict[str, Any]) -> bool:
    if "actor1" in where and record["actor1"]["code"] != where["actor1"]:
        return False
    if "actor2" in where and (record["actor2"] or {}).get("code") != where["actor2"]:
        return False
    return "root" not in where or record["action"]["cameo_root"] == where["root"]
