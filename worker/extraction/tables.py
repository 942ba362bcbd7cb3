"""Reading the knowledge files shipped in ``worker/data``: TSV tables, word lists, word classes."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from importlib import resources


def read_tsv(name: str) -> Iterator[dict[str, str]]:
    """Yield the rows of ``worker/data/<name>`` as dicts; ``#`` lines are comments."""
    text = resources.files("worker").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        yield {key: (value or "").strip() for key, value in row.items() if key is not None}


@functools.cache
def read_words(name: str) -> frozenset[str]:
    """The words of the one-per-line list ``worker/data/<name>``; ``#`` lines are comments."""
    text = resources.files("worker").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def word_classes() -> dict[str, frozenset[str]]:
    """All classes of ``worker/data/word_classes.tsv``: class name -> its words."""
    classes: dict[str, set[str]] = {}
    for row in read_tsv("word_classes.tsv"):
        classes.setdefault(row["class"], set()).add(row["word"])
    return {name: frozenset(words) for name, words in classes.items()}


def word_class(name: str) -> frozenset[str]:
    """The words of one class of ``worker/data/word_classes.tsv``; an unknown class is an error."""
    try:
        return word_classes()[name]
    except KeyError as exc:
        raise KeyError(f"word class {name!r} is not in word_classes.tsv") from exc
