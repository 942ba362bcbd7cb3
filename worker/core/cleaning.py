"""Text cleaning: HTML to article text (trafilatura), Unicode and whitespace normalisation, boilerplate.

Cleaning is deterministic: the same input always gives the same text, because dedup hashes it and the
evidence offsets of event records point into it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from configparser import ConfigParser
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata, resources

# A text field that carries markup is cleaned as HTML too.
# Attributes stop at the next "<": an unfinished tag costs one scan to the next tag, not to the end
# of the text (``[^>]*`` made 33,000 "<p " quadratic).
_HTML_HINT = re.compile(r"<\s*(script|style|p|div|br|span|a|html|body|article|iframe)\b[^<>]*>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Invisible characters, bidirectional controls (LRM, RLM, ALM, LRE..RLO, LRI..PDI) included: they
# change how a text looks, not what it says ("reuters\u202e" is Reuters).
_INVISIBLE = re.compile(r"[\u200c-\u200f\u2028\u2029\u2060-\u2064\ufeff\u00ad\u061c\u202a-\u202e"
                        r"\u2066-\u2069]")



@functools.cache
def cleaner_name() -> str:
    """The HTML cleaner and its exact version ("trafilatura 2.3.1"). Dedup hashes the cleaned text, so
    a new cleaner version may change duplicate verdicts: the version is pinned in pyproject.toml and
    reported with every processed HTML article (``article.processed`` ``cleaner``). trafilatura is
    the worker's (imported when HTML is first cleaned): a producer importing the core does not need it."""
    return f"trafilatura {metadata.version('trafilatura')}"


@dataclass(frozen=True)
class Page:
    """What an HTML page gives: its article text (main content only: no navigation, cookie banner,
    share bar, reader comments or "most read" box) and the page's own metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    date: datetime | None = None  # when the page says it was published (UTC when it gives no zone)
    cleaner: str | None = None  # cleaner_name() when the text came from HTML


# The page's own publication date with its time and zone (htmldate, no guessing from the URL alone).
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}


@functools.cache
def _trafilatura_config() -> ConfigParser:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal handlers inside a worker
    return config


def read_page(html: str) -> Page:
    """The article text and metadata of an HTML page or fragment (trafilatura, reader comments
    left out); an empty text when the page has no article text. lxml reads unfinished constructs
    in linear time (HTMLParser took hours on 166,000 "<a ")."""
    from trafilatura import bare_extraction

    document = bare_extraction(html, include_comments=False, with_metadata=True, include_tables=True,
                               deduplicate=False, config=_trafilatura_config(),
                               date_extraction_params=_DATE_PARAMS)
    if document is None:
        return Page("", cleaner=cleaner_name())
    return Page(document.text or "", document.title or None, document.author or None,
                _page_date(document.date), cleaner_name())


def _page_date(text: str | None) -> datetime | None:
    try:
        found = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def html_to_text(html: str) -> str:
    """The article text of an HTML page (see :func:`read_page`)."""
    return read_page(html).text


def looks_like_html(text: str) -> bool:
    """True when a ``text`` field actually carries markup (then it is cleaned as HTML)."""
    return bool(_HTML_HINT.search(text))


@functools.cache
def boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    """The boilerplate line patterns from ``data/boilerplate.txt``."""
    lines = resources.files("worker.data").joinpath("boilerplate.txt").read_text("utf-8")
    return tuple(re.compile(rf"^(?:{line.strip()})$", re.I) for line in lines.splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


def is_boilerplate(line: str) -> bool:
    """True for a line such as "Source link" or "Read more" that carries no news."""
    return any(p.match(line) for p in boilerplate_patterns())


class TextTooLong(ValueError):
    """The cleaned text would exceed the limit (``chars`` is how far cleaning got before it stopped)."""

    def __init__(self, chars: int, limit: int) -> None:
        super().__init__(f"the cleaned text is more than {limit} characters (stopped at {chars})")
        self.chars = chars
        self.limit = limit


def strip_invisible(text: str) -> str:
    """``text`` without invisible characters and bidirectional controls."""
    return _INVISIBLE.sub("", text)


def normalize_line(line: str) -> str:
    """NFKC, invisible characters removed, runs of spaces collapsed, ends stripped."""
    if not unicodedata.is_normalized("NFKC", line):
        line = unicodedata.normalize("NFKC", line)
    line = _INVISIBLE.sub("", line)
    return _SPACES.sub(" ", line).strip()


def clean_page(text: str, *, is_html: bool = False, max_chars: int | None = None) -> Page:
    """The article text the rest of the pipeline sees (paragraphs one a line, no boilerplate), with
    the page's metadata when ``text`` is HTML.

    With ``max_chars``, raise ``TextTooLong`` as soon as the cleaned lines pass it: NFKC can make a
    text 18 times longer (U+FDFA), HTML can carry more text than the text field may, and nothing
    after cleaning should see more than the limit.
    """
    page = read_page(text) if is_html or looks_like_html(text) else Page(text)
    kept: list[str] = []
    size = -1
    for raw in page.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = normalize_line(raw)
        if not line or is_boilerplate(line):
            continue
        kept.append(line)
        size += len(line) + 1
        if max_chars is not None and size > max_chars:
            raise TextTooLong(size, max_chars)
    return replace(page, text="\n".join(kept))


def clean_text(text: str, *, is_html: bool = False, max_chars: int | None = None) -> str:
    """The cleaned article text of ``text`` (see :func:`clean_page`)."""
    return clean_page(text, is_html=is_html, max_chars=max_chars).text
