"""Syndication variants of an article, and a generator of synthetic articles for tests and benchmarks.

An article is plain text: a headline line, a blank line, then paragraphs separated by blank lines.
The variant functions imitate what republishing outlets do to a wire story; the generator writes
pseudo-language (made-up words with a Zipf-like frequency) so that two generated articles share
only what a test plants in both.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

FOOTER = ("This story was distributed by a news agency and edited by our staff. "
          "Subscribe to our newsletter for the latest headlines, and follow us on social media.")

_SENTENCE = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")


def paragraphs(text: str) -> list[str]:
    """The blocks of text separated by blank lines (the headline is the first)."""
    return [p.strip() for p in text.strip().split("\n\n") if p.strip()]


def join(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n"


def change_headline(text: str, headline: str = "Neighbours strike deal after tense talks") -> str:
    """A new headline over the same body."""
    return join([headline, *paragraphs(text)[1:]])


def add_footer(text: str, footer: str = FOOTER) -> str:
    """Boilerplate appended at the end."""
    return join([*paragraphs(text), footer])


def drop_last_paragraphs(text: str, count: int = 1) -> str:
    """The story with its last ``count`` paragraphs cut."""
    return join(paragraphs(text)[:-count])


def reorder_sentences(text: str, rng: random.Random) -> str:
    """Every paragraph keeps its sentences in a shuffled order."""
    out = []
    for block in paragraphs(text):
        sentences = _SENTENCE.split(block)
        rng.shuffle(sentences)
        out.append(" ".join(sentences))
    return join(out)


def edit_words(text: str, rng: random.Random, count: int = 5) -> str:
    """``count`` words of the body replaced by other words (light copy-editing)."""
    blocks = paragraphs(text)
    words = " ".join(blocks[1:]).split(" ")
    positions = rng.sample(range(len(words)), min(count, len(words)))
    replacements = ["also", "reportedly", "nearly", "officials", "said", "however", "then"]
    for i in positions:
        words[i] = rng.choice(replacements)
    body = " ".join(words)
    return join([blocks[0], body])


def copy_edit(text: str, rng: random.Random) -> str:
    """The usual syndication mix: new headline, five edited words, a footer."""
    return add_footer(edit_words(change_headline(text), rng, 5))


VARIANTS: dict[str, Callable[[str, random.Random], str]] = {
    "headline": lambda t, rng: change_headline(t),
    "footer": lambda t, rng: add_footer(t),
    "drop_last_paragraph": lambda t, rng: drop_last_paragraphs(t, 1),
    "reorder_sentences": reorder_sentences,
    "edit_5_words": lambda t, rng: edit_words(t, rng, 5),
    "edit_15_words": lambda t, rng: edit_words(t, rng, 15),
    "copy_edit": copy_edit,
}


# ---------------------------------------------------------------- synthetic articles

_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(1, 4)))


@dataclass
class Generator:
    """Synthetic ~``words``-word articles over a made-up vocabulary (deterministic per seed)."""

    seed: int = 7
    vocabulary: int = 30_000
    words: int = 450

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        vocab = sorted({_pseudo_word(self.rng) for _ in range(self.vocabulary * 2)})
        self.rng.shuffle(vocab)
        self.vocab = vocab[: self.vocabulary]
        weights = [1.0 / (rank + 10) for rank in range(len(self.vocab))]
        total = 0.0
        self.cum_weights = []
        for w in weights:
            total += w
            self.cum_weights.append(total)

    def sentence(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        words = rng.choices(self.vocab, cum_weights=self.cum_weights, k=rng.randint(12, 28))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def article(self, shared: list[str] | None = None) -> str:
        """A new article; ``shared`` sentences (same topic: quotes, background) are mixed in."""
        rng = self.rng
        sentences: list[str] = []
        count = 0
        while count < self.words:
            sentence = self.sentence()
            sentences.append(sentence)
            count += sentence.count(" ") + 1
        for extra in shared or []:
            sentences.insert(rng.randrange(len(sentences) + 1), extra)
        blocks = [self.sentence().rstrip(".")]
        i = 0
        while i < len(sentences):
            size = rng.randint(2, 4)
            blocks.append(" ".join(sentences[i:i + size]))
            i += size
        return join(blocks)

    def same_topic(self, text: str, shared_sentences: int = 3) -> str:
        """A different article on the same story: it quotes ``shared_sentences`` of ``text``."""
        body = " ".join(paragraphs(text)[1:])
        sentences = _SENTENCE.split(body)
        picked = self.rng.sample(sentences, min(shared_sentences, len(sentences)))
        return self.article(shared=picked)
