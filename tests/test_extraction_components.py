"""The optional entity ruler for organisations and seats of government."""

from __future__ import annotations

import spacy

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
