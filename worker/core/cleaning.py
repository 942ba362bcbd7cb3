"""Text cleaning: HTML to text, Unicode and whitespace normalisation, boilerplate removal.

Cleaning is deterministic: the same input always gives the same text, because dedup hashes it and the
evidence offsets of event records point into it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from importlib import resources

_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "footer",
              "aside", "form", "button"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
               "article", "blockquote", "header", "pre", "table", "ul", "ol", "dd", "dt"}
# Attributes stop at the next "<": an unfinished tag costs one scan to the next tag, not to the end
# of the text (``[^>]*`` made 33,000 "<p " quadratic).
_HTML_HINT = re.compile(r"<\s*(script|style|p|div|br|span|a|html|body|article|iframe)\b[^<>]*>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Invisible characters, bidirectional controls (LRM, RLM, ALM, LRE..RLO, LRI..PDI) included: they
# change how a text looks, not what it says ("reuters\u202e" is Reuters).
_INVISIBLE = re.compile(r"[\u200c-\u200f\u2028\u2029\u2060-\u2064\ufeff\u00ad\u061c\u202a-\u202e"
                        r"\u2066-\u2069]")
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

    def parse_html_declaration(self, i: int) -> int:
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            # Python's _markupbase asserts on "<![" or "<!" without a name; HTML5 reads such a
            # construct as a bogus comment up to the next ">".
            end = self.rawdata.find(">", i + 2)
            return -1 if end < 0 else end + 1


class HtmlTooComplex(ValueError):
    """The HTML holds a construct (tag, comment, declaration) that never ends within the bound."""


#: HTML is fed to the parser in pieces of this many characters ...
HTML_CHUNK = 16_384
#: ... and one construct may stay open for at most this many (a script's body excepted).
HTML_MAX_OPEN = 65_536


def html_to_text(html: str) -> str:
    """Visible text of an HTML document; scripts, styles and navigation are dropped.

    Python's ``HTMLParser`` rescans to the end of the input from every construct that never ends
    (33,000 "<a " took hours; "<![" raises). Fed in pieces, it holds an unfinished construct back
    until the next piece, so the work per piece is bounded by what it holds: more than
    ``HTML_MAX_OPEN`` characters held raises ``HtmlTooComplex``. Whatever is still unfinished at
    the end is text, as ``HTMLParser.close`` would make it, but in one step.
    """
    parser = _TextExtractor()
    for start in range(0, len(html), HTML_CHUNK):
        parser.feed(html[start:start + HTML_CHUNK])
        if parser.cdata_elem is None and len(parser.rawdata) > HTML_MAX_OPEN:
            raise HtmlTooComplex(f"a construct at character {len(html) - len(parser.rawdata)} is still "
                                 f"open after {len(parser.rawdata)} characters")
    if parser.rawdata and parser.cdata_elem is None and parser.rawdata.lstrip().startswith("<"):
        held, parser.rawdata = parser.rawdata, ""
        parser.handle_data(unescape(held))
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


def clean_text(text: str, *, is_html: bool = False, max_chars: int | None = None) -> str:
    """The article text the rest of the pipeline sees: paragraphs one a line, no boilerplate.

    With ``max_chars``, raise ``TextTooLong`` as soon as the cleaned lines pass it: NFKC can make a
    text 18 times longer (U+FDFA), HTML can carry more text than the text field may, and nothing
    after cleaning should see more than the limit.
    """
    if is_html or looks_like_html(text):
        text = html_to_text(text)
    kept: list[str] = []
    size = -1
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = normalize_line(raw)
        if not line or is_boilerplate(line):
            continue
        kept.append(line)
        size += len(line) + 1
        if max_chars is not None and size > max_chars:
            raise TextTooLong(size, max_chars)
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
    """``"en"`` when the text reads as English, ``None`` when it does not; a text too short to tell
    (under ``min_words`` words) in Latin script counts as English.

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
