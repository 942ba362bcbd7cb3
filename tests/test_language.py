"""Language detection reads an article's opening only (its cost grows with the text, its answer
does not)."""

from __future__ import annotations

import random

import newsgen

from worker.core.language import SAMPLE_CHARACTERS, detect_language, opening

GERMAN = ("Die Regierung kündigte am Montag neue Gespräche mit den Nachbarländern an, und der "
          "Minister sagte, die Verhandlungen würden noch in dieser Woche in der Hauptstadt beginnen. ")


def test_the_opening_decides_though_the_rest_is_longer_and_in_another_language() -> None:
    english = newsgen.long_article_text(random.Random(5), 1, 300)
    assert len(english) > SAMPLE_CHARACTERS
    german = GERMAN * (3 * len(english) // len(GERMAN))
    assert detect_language(english + "\n\n" + german).language == "en"
    assert detect_language(german + "\n\n" + english).language == "de"


def test_the_opening_is_cut_between_words() -> None:
    text = "word " * 400
    sample = opening(text)
    assert len(sample) <= SAMPLE_CHARACTERS and sample.split() == ["word"] * len(sample.split())
    assert opening("short text") == "short text"
    assert opening("x" * (SAMPLE_CHARACTERS + 50)) == "x" * SAMPLE_CHARACTERS
