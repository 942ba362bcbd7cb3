"""The spaCy components extraction needs in the pipeline (``load_model`` adds them): an entity
ruler that knows the organisations and seats of government in ``worker/data``, so the statistical
NER does not mislabel or split them, and a dateline splitter, so "ARUSHA — Kenyan President ...
hosted talks" parses like the sentence without the dateline. Without them extraction still runs but
codes some sentences differently from the tests and the gold set.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc

from worker.extraction.actors import organisations, seat_buildings, seats
from worker.extraction.places import dateline_end

RULER_NAME = "eventwire_actor_ruler"
DATELINE_WINDOW = 300  # characters of a line in which an opening dateline must end
DATELINE_NAME = "eventwire_dateline_splitter"


@Language.component(DATELINE_NAME)
def split_datelines(doc: Doc) -> Doc:
    """Start a new sentence after an opening dateline ("NAIROBI — ", "GENEVA, Switzerland — ").

    Without it the parser hangs the whole first sentence off the dateline as an apposition and
    the clause loses its verb. Runs before the parser, which respects preset sentence starts.
    """
    # Linear in the document: each line is looked at through a bounded window (a dateline is a
    # few words and a dash), and the token after it is found by bisection, not by a scan from the
    # start; 100,000 characters of short lines made both quadratic.
    # (``Doc.text`` joins every token on each call: read it once.)
    text = doc.text
    line_starts = [0] + [t.idx + len(t.text) for t in doc if "\n" in t.text]
    offsets = [t.idx for t in doc]
    for start in line_starts:
        end = dateline_end(text[start:start + DATELINE_WINDOW])
        if end is None:
            continue
        i = bisect_left(offsets, start + end)
        while i < len(doc) and doc[i].is_space:
            i += 1
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
    return doc


def actor_patterns() -> list[dict[str, object]]:
    """Entity-ruler patterns: organisations as ORG, seats of government as FAC or GPE."""
    patterns: list[dict[str, object]] = [
        {"label": "ORG", "pattern": alias, "id": org.code} for alias, org in organisations().items()
    ]
    for alias, profile in seats().items():
        label = "FAC" if alias in seat_buildings() else "GPE"
        patterns.append({"label": label, "pattern": alias, "id": profile.code or alias})
    return patterns


def add_components(nlp: Language) -> Language:
    """Add the dateline splitter before the parser and the actor entity ruler before the NER
    (idempotent); returns ``nlp``."""
    if DATELINE_NAME not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(DATELINE_NAME, before="parser")
    if RULER_NAME in nlp.pipe_names:
        return nlp
    placement = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, **placement)
    ruler.add_patterns(actor_patterns())  # type: ignore[attr-defined]
    return nlp
