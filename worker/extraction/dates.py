"""Event dates: date phrases resolved against the article's publication time."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from spacy.tokens import Doc, Span, Token

from worker.extraction.tables import word_class

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_MONTH = r"\b(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_DAY = re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?\b")
_DAY_MONTH = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<year>\d{4}))?\b"
)
_MONTH_YEAR = re.compile(_MONTH + r"(?:,?\s+(?P<year>\d{4}))?\b")
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b")
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_AGO = re.compile(r"\b(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?P<unit>day|week)s?\s+ago\b")


@dataclass(frozen=True)
class ResolvedDate:
    value: date
    precision: str  # day, week, month, year (the record's enum; a week is its Monday)


def _weekday_before(published: date, weekday: int, strictly_before: bool) -> date:
    delta = (published.weekday() - weekday) % 7
    if delta == 0 and strictly_before:
        delta = 7
    return published - timedelta(days=delta)


def _weekday_after(published: date, weekday: int) -> date:
    """The first such weekday after publication: "next Tuesday" is never in the past."""
    return published + timedelta(days=(weekday - published.weekday()) % 7 or 7)


def _month_start(value: date, months_back: int) -> date:
    month_index = value.year * 12 + value.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def _not_after(candidate: date, published: date | None, year_given: bool) -> date:
    """A date without a year is the latest such date on or before publication."""
    if published is None or year_given or candidate <= published:
        return candidate
    try:
        return candidate.replace(year=candidate.year - 1)
    except ValueError:  # 29 February
        return candidate.replace(year=candidate.year - 1, day=28)


def resolve_phrase(phrase: str, published: date | None) -> ResolvedDate | None:
    """Resolve a date phrase ("on Tuesday", "yesterday", "last week", "March 3",
    "in February 2022", "in 2021") against the publication date."""
    text = phrase.lower().strip()
    absolute = _absolute(text, published)
    if absolute is not None:
        return absolute
    if published is None:
        return None
    return _relative(text, published)


def _absolute(text: str, published: date | None) -> ResolvedDate | None:
    if match := _ISO.search(text):
        return ResolvedDate(date(int(match["year"]), int(match["month"]), int(match["day"])), "day")
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if match := pattern.search(text):
            year = int(match["year"]) if match["year"] else (published.year if published else None)
            if year is None:
                return None
            try:
                value = date(year, MONTHS[match["month"]], int(match["day"]))
            except ValueError:
                return None
            return ResolvedDate(_not_after(value, published, bool(match["year"])), "day")
    if (match := _MONTH_YEAR.search(text)) and (match["year"] or published is not None):
        year = int(match["year"]) if match["year"] else published.year  # type: ignore[union-attr]
        value = _not_after(date(year, MONTHS[match["month"]], 1), published, bool(match["year"]))
        return ResolvedDate(value, "month")
    if match := _YEAR.search(text):
        return ResolvedDate(date(int(match["year"]), 1, 1), "year")
    return None


def _relative(text: str, published: date) -> ResolvedDate | None:
    words = re.findall(r"[a-z]+", text)
    if "yesterday" in words or text.startswith("last night"):
        days = 2 if "before" in words else 1
        return ResolvedDate(published - timedelta(days=days), "day")
    if set(words) & {"today", "tonight"} or text in {
        "this morning",
        "this afternoon",
        "this evening",
        "earlier today",
    }:
        return ResolvedDate(published, "day")
    ahead = "next" in words or "coming" in words
    for index, name in enumerate(WEEKDAYS):
        if name in words:
            if ahead:
                return ResolvedDate(_weekday_after(published, index), "day")
            strictly = "last" in words or "previous" in words
            return ResolvedDate(_weekday_before(published, index, strictly), "day")
    if match := _AGO.search(text):
        n = int(match["n"]) if match["n"].isdigit() else NUMBER_WORDS[match["n"]]
        days = n * (7 if match["unit"] == "week" else 1)
        return ResolvedDate(published - timedelta(days=days), "day")
    # A week ("last week", "earlier this week") resolves to its Monday (ISO week) with week
    # precision: it claims no day.
    monday = published - timedelta(days=published.weekday())
    if "week" in words and ("last" in words or "previous" in words):
        return ResolvedDate(monday - timedelta(days=7), "week")
    if "week" in words and ahead:
        return ResolvedDate(monday + timedelta(days=7), "week")
    if "week" in words and "this" in words:
        return ResolvedDate(monday, "week")
    if "month" in words and ("last" in words or "previous" in words):
        return ResolvedDate(_month_start(published, 1), "month")
    if "month" in words and ahead:
        return ResolvedDate(_month_start(published, -1), "month")
    if "month" in words and "this" in words:
        return ResolvedDate(_month_start(published, 0), "month")
    if "year" in words and ("last" in words or "previous" in words):
        return ResolvedDate(date(published.year - 1, 1, 1), "year")
    if "year" in words and ahead:
        return ResolvedDate(date(published.year + 1, 1, 1), "year")
    return None


def _blocked(entity_root: Token, anchors: list[Token]) -> bool:
    """A date inside a "since/until/before ..." phrase does not date the event."""
    node = entity_root
    for _ in range(8):
        if node.lower_ in word_class("date_blocker"):
            return True
        if node in anchors or node.head is node:
            return False
        node = node.head
    return False


def event_date_phrase(
    sent: Span, anchors: list[Token], distance: Callable[[Token, list[Token]], int | None]
) -> Span | None:
    """The DATE entity of the sentence attached to the action (``distance`` is the
    attachment measure from places.attachment_distance)."""
    best: tuple[int, Span] | None = None
    for ent in _date_entities(sent):
        if _blocked(ent.root, anchors):
            continue
        steps = distance(ent.root, anchors)
        if steps is None:
            continue
        if best is None or steps < best[0]:
            best = (steps, ent)
    return None if best is None else best[1]


_DATE_INDEX = "eventwire.date_entities"


def _date_entities(sent: Span) -> list[Span]:
    """The DATE entities of ``sent``, as ``sent.ents`` gives them (those that start and end in it).

    ``Span.ents`` walks every entity of the document on each call: quadratic over a long article.
    The document's DATE entities are indexed once, as token offsets in ``doc.user_data`` (no Span
    kept there, so no reference cycle); extraction does not change the entities after the parse.
    """
    doc: Doc = sent.doc
    index = doc.user_data.get(_DATE_INDEX)
    if index is None:
        index = doc.user_data[_DATE_INDEX] = [(e.start, e.end) for e in doc.ents if e.label_ == "DATE"]
    found = []
    for start, end in index[bisect_left(index, (sent.start, -1)):]:
        if end > sent.end:
            break
        found.append(Span(doc, start, end, label="DATE"))
    return found
