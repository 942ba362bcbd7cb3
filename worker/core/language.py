"""Which language an article is written in: lingua, with only the languages it must tell apart.

lingua holds about 35 MB of n-gram models per language in high-accuracy mode, so the detector is built
for English and the news languages a multilingual feed mostly carries (``DETECTED``), plus any other
language the service is configured to accept, not for all 75. Build it before a worker forks
(:func:`preload_detector`) and the children share the models.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

#: ISO 639-1 codes of the languages the detector tells apart besides the accepted ones. A feed's
#: other languages (Chinese, Japanese ... by script) get no confident answer and are rejected as ``und``.
DETECTED = ("en", "fr", "es", "de", "pt", "it", "ru", "ar")

#: A producer's ``language`` tag stands unless the detector is at least this sure of another language
#: ("es" text labelled "en" is Spanish; "A minister spoke." labelled "de" stays "de").
OVERRULE_CONFIDENCE = 0.9
#: Below this confidence the detector is unsure (short, name-heavy text: "Obama met Merkel in Berlin."
#: reads 0.41 German, 0.15 English) ...
UNSURE_BELOW = 0.5
#: ... and an accepted language with at least this confidence is chosen over the top one.
UNSURE_ACCEPTED_FLOOR = 0.1
#: Characters of an article's opening the detector reads: its cost grows with the text (about 1.5 ms
#: for 3,900 characters, 0.4 ms for 1,000), its answer on news prose is settled long before.
SAMPLE_CHARACTERS = 1000


@dataclass(frozen=True)
class Detection:
    """The detected language (ISO 639-1, or ``None`` when no detected language fits at all) and the
    detector's confidence in it (0..1, relative to the other languages it knows)."""

    language: str | None
    confidence: float
    candidates: tuple[tuple[str, float], ...] = ()  # every detected language, most likely first

    def preferring(self, accepted: Iterable[str]) -> Detection:
        """This detection, or, when it is unsure, the accepted language it finds plausible."""
        if self.confidence >= UNSURE_BELOW:
            return self
        bases = {tag.split("-")[0].lower() for tag in accepted}
        for code, value in self.candidates:
            if code in bases and value >= UNSURE_ACCEPTED_FLOOR:
                return Detection(code, value, self.candidates)
        return self


@functools.cache
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def detector_codes(accepted: Iterable[str] = ()) -> tuple[str, ...]:
    """The sorted ISO 639-1 codes the detector is built for: ``DETECTED`` plus the accepted ones."""
    return tuple(sorted({*DETECTED, *(tag.split("-")[0].lower() for tag in accepted)}))


def preload_detector(accepted: Iterable[str] = ()) -> None:
    """Build the detector now (its models load in a few seconds), before a worker forks."""
    _detector(detector_codes(accepted))


def detect_language(text: str, accepted: Iterable[str] = ()) -> Detection:
    """The most likely language of ``text`` (of its opening ``SAMPLE_CHARACTERS``) among the
    detector's languages; when the detector is unsure, an ``accepted`` language it finds plausible."""
    values = _detector(detector_codes(accepted)).compute_language_confidence_values(opening(text))
    candidates = tuple((v.language.iso_code_639_1.name.lower(), round(v.value, 4))
                       for v in values if v.value > 0)
    if not candidates:
        return Detection(None, 0.0)
    return Detection(*candidates[0], candidates).preferring(accepted)


def opening(text: str, size: int = SAMPLE_CHARACTERS) -> str:
    """The first ``size`` characters of ``text``, without the word the cut falls in."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", 0, size + 1)
    return text[:cut if cut > 0 else size]


def article_language(declared: str | None, detection: Detection) -> str | None:
    """The language the article is handled as: the producer's tag unless the detector is sure of
    another language, else the detected one."""
    if declared is None:
        return detection.language
    base = declared.split("-")[0].lower()
    if (detection.language is not None and detection.language != base
            and detection.confidence >= OVERRULE_CONFIDENCE):
        return detection.language
    return declared
