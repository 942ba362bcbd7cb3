"""The smaller findings of issue 13, each pinned: absurdly deep objects are InvalidArticle (not a
RecursionError), patterns anchor like JSON Schema's (``$`` is the end of the input), and bidirectional
controls do not make another outlet. (Wrong task names, wrong arguments and a past ``expires`` on raw
messages are in ``test_hostile.py``.)"""

from __future__ import annotations

import pytest

from worker.client import Producer
from worker.config import Settings
from worker.core.cleaning import clean_text
from worker.core.contract import InvalidArticle, valid_id_or_none, validate_article
from worker.core.registry import MemoryEventRegistry, normalize_outlet


def nested(depth: int) -> list:
    root: list = []
    node = root
    for _ in range(depth):
        node.append([])
        node = node[0]
    return root


@pytest.mark.parametrize("where", ["metadata", "unknown"])
def test_a_100k_deep_object_is_an_invalid_article_for_the_producer(where):
    article = {"text": "The minister spoke.", "metadata": {"k": nested(100_000)}} if where == "metadata" \
        else {"text": "The minister spoke.", "deep": nested(100_000)}
    producer = Producer(Settings(redis_url="redis://127.0.0.1:1/0"))  # never reached: invalid first
    try:
        with pytest.raises(InvalidArticle) as raised:
            producer.submit(article)
    finally:
        producer.close()
    assert raised.value.reason == "invalid_payload"
    assert "nested more than" in raised.value.errors[0].message


def test_the_contract_depth_is_allowed():
    validate_article({"text": "x", "metadata": {"tags": ["a", "b"], "n": 1}})


@pytest.mark.parametrize("field,value", [
    ("id", "idnl\n"), ("url", "https://news.example.org/a\n"),
    ("published_at", "2024-05-16T08:30:00Z\n"), ("language", "en\n"),
])
def test_a_final_newline_does_not_pass_an_anchored_pattern(field, value):
    payload = {"id": "ok-1", "text": "The minister spoke.", field: value}
    with pytest.raises(InvalidArticle) as raised:
        validate_article(payload)
    assert raised.value.errors[0].field == field


def test_an_id_with_a_final_newline_is_not_echoed():
    assert valid_id_or_none("idnl\n") is None
    assert valid_id_or_none("wire-2024.05:1@a+b") == "wire-2024.05:1@a+b"


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u202c", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_bidi_controls_do_not_make_another_outlet(control):
    assert normalize_outlet(f"reuters{control}") == normalize_outlet("Reuters") == "reuters"
    registry = MemoryEventRegistry(Settings())
    registry.register("ev_1", "a1", "Reuters")
    assert registry.register("ev_1", "a2", f"reuters{control}").outlets == 1


def test_bidi_controls_are_stripped_in_cleaning():
    assert clean_text("Talks \u202ebegan\u202c in \u2066Geneva\u2069.") == "Talks began in Geneva."
