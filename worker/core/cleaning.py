"""Text cleaning: HTML to text, Unicode and whitespace normalisation, boilerplate removal.

Cleaning is deterministic: the same input always gives the same text, because dedup hashes it and the
evidence offsets of event records point into it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from html.parser import HTMLParser
from importlib import resources

_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "footer",
              "aside", "form", "button"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
               "article", "blockquote", "header", "pre", "table", "ul", "ol", "dd", "dt"}
_HTML_HINT = re.compile(r"<\s*(script|style|p|div|br|span|a|html|body|article|iframe)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200c-\u200f\u2028\u2029\u2060-\u2064\ufeff\u00ad]")
_WORD = re.compile(r"[^\W\d_]+")


class _TextExtractor(HTMLParser):
    """Collects visible text, one block element a line, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document; scripts, styles and navigation are dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


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


def normalize_line(line: str) -> str:
    """NFKC, invisible characters removed, runs of spaces collapsed, ends stripped."""
    line = unicodedata.normalize("NFKC", line)
    line = _INVISIBLE.sub("", line)
    return _SPACES.sub(" ", line).strip()


def clean_text(text: str, *, is_html: bool = False) -> str:
    """The article text the rest of the pipeline sees: paragraphs one a line, no boilerplate."""
    if is_html or looks_like_html(text):
        text = html_to_text(text)
    lines = [normalize_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n")
             .split("\n")]
    kept = [line for line in lines if line and not is_boilerplate(line)]
    return "\n".join(kept)


@functools.cache
def english_function_words() -> frozenset[str]:
    """Frequent English function words from ``data/english_function_words.txt``."""
    text = resources.files("worker.data").joinpath("english_function_words.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#")
                     for w in line.split())


def english_score(text: str) -> float:
    """Share of words that are frequent English function words (about 0.4 for English news)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return 0.0
    common = english_function_words()
    return sum(w in common for w in words) / len(words)


def guess_language(text: str, *, min_words: int = 12, threshold: float = 0.12) -> str | None:
    """``"en"`` when the text reads as English, ``None`` when it does not (or is too short to tell).

    Deliberately simple: the service supports English only, so it needs to tell English from
    not-English, not to name the other language.
    """
    words = _WORD.findall(text)
    letters = "".join(words)
    if letters and sum(c.isascii() for c in letters) / len(letters) < 0.5:
        return None  # mostly another script (Cyrillic, Arabic, CJK …)
    if len(words) < min_words:
        return "en"
    return "en" if english_score(text) >= threshold else None
