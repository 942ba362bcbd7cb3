"""Optional spaCy components: an entity ruler that knows the organisations and seats of
government in ``worker/data``, so the statistical NER does not mislabel them.

Extraction works with or without it (it repairs labels itself); adding it once at model load
makes entity labels in ``doc.ents`` right for every other consumer too.
"""

from __future__ import annotations

from spacy.language import Language

from worker.extraction.actors import organisations, seats

RULER_NAME = "eventwire_actor_ruler"


def actor_patterns() -> list[dict[str, object]]:
    """Entity-ruler patterns: organisations as ORG, seats of government as FAC or GPE."""
    patterns: list[dict[str, object]] = [
        {"label": "ORG", "pattern": alias, "id": org.code} for alias, org in organisations().items()
    ]
    for alias, profile in seats().items():
        label = "FAC" if " " in alias or alias in {"Kremlin", "Pentagon", "Elysee", "Élysée"} else "GPE"
        patterns.append({"label": label, "pattern": alias, "id": profile.code or alias})
    return patterns


def add_components(nlp: Language) -> Language:
    """Add the actor entity ruler before the NER (idempotent); returns ``nlp``."""
    if RULER_NAME in nlp.pipe_names:
        return nlp
    placement = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, **placement)
    ruler.add_patterns(actor_patterns())  # type: ignore[attr-defined]
    return nlp
