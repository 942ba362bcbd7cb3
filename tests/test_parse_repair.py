"""The parse repairs, read off the repaired parse (the events they lead to are in test_extraction_actions)."""

from __future__ import annotations

from extraction_fixtures import MODEL

from worker.core.nlp import load_model
from worker.extraction.parse_repair import repair_parse


def repaired(text: str) -> dict[str, tuple[str, str]]:
    """token text -> (dependency label, head text) after the repair."""
    return {t.text: (t.dep_, t.head.text) for t in repair_parse(load_model(MODEL)(text))}


def test_a_force_coordinated_inside_a_between_object_becomes_the_first_party():
    for text, force, group in [
        ("Fighting broke out between police and opposition supporters in Nairobi.", "police", "supporters"),
        ("Skirmishes between troops and militia fighters were reported near Goma.", "troops", "fighters"),
    ]:
        parse = repaired(text)
        assert parse[force] == ("pobj", "between")
        assert parse[group] == ("conj", force)
