"""The spaCy components extraction needs: the entity ruler and the dateline splitter."""

from __future__ import annotations

import spacy

from worker.config import Settings
from worker.extraction.components import RULER_NAME, add_components


def test_ruler_tags_organisations_and_seats_and_is_added_once():
    nlp = spacy.blank("en")
    add_components(nlp)
    add_components(nlp)
    assert nlp.pipe_names.count(RULER_NAME) == 1
    doc = nlp("The World Food Programme and NATO met officials of the Kremlin in Kyiv.")
    labels = {ent.text: ent.label_ for ent in doc.ents}
    assert labels["World Food Programme"] == "ORG"
    assert labels["NATO"] == "ORG"
    assert labels["Kremlin"] == "FAC"
    assert labels["Kyiv"] == "GPE"
    assert {ent.ent_id_ for ent in doc.ents if ent.text == "NATO"} == {"IGONAT"}
    # the label comes from the kind column of seats.tsv: a two-word capital is a city
    labels = {ent.text: ent.label_ for ent in nlp("Downing Street called Addis Ababa.").ents}
    assert labels == {"Downing Street": "FAC", "Addis Ababa": "GPE"}


def test_dateline_gets_its_own_sentence_so_the_clause_keeps_its_verb():
    from extraction_fixtures import triples

    from worker.core.nlp import load_model
    from worker.extraction.components import DATELINE_NAME

    nlp = load_model(Settings().spacy_model)
    assert nlp.pipe_names.index(DATELINE_NAME) < nlp.pipe_names.index("parser")
    text = ("DAKAR — Senegalese President Amadou Fall hosted talks with Malian President Oumar "
            "Traore and Guinean President Ibrahim Conde in Dakar on Monday.")
    doc = nlp(text)
    assert next(s.text for s in doc.sents) == "DAKAR —"
    assert {(a1, a2) for a1, a2, _ in triples(text)} >= {("SENGOV", "MLIGOV"), ("SENGOV", "GINGOV")}
    assert next(s.text for s in nlp("Dakar is calm. Talks resumed.").sents) == "Dakar is calm."
