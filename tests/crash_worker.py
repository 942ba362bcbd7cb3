"""``eventwire worker`` whose pipeline misbehaves on marker texts (poison, failure and time-limit tests).

The patch is applied in the worker's main process before the pool forks, so every child has it; the
delivery counting, retries, time limits and dead-lettering under test are the production code, untouched.

Markers (anywhere in the article text):

- ``CRASH-ME``: the child process dies at once (like a segfault in a native library).
- ``RAISE-ME``: the pipeline raises ``ValueError`` (a bug: not a transient fault).
- ``SLOW-ME``: the pipeline sleeps for a minute; the soft time limit interrupts it.
- ``HANG-ME``: the pipeline sleeps for a minute and ignores the soft time limit (stuck in native
  code), so only the hard time limit ends it, by killing the child.

Before the pool forks, the main process also runs one article through the pipeline, so that whatever
the first article in a child would still load lazily (about 0.3 s of it today) is loaded once and
shared: the time-limit tests use a 2 s soft limit that a good article must never come near.
"""

import os
import sys
import time

from celery.exceptions import SoftTimeLimitExceeded

from worker.cli.main import main
from worker.config import Settings
from worker.core import pipeline

MARKER = "CRASH-ME"
RAISE = "RAISE-ME"
SLOW = "SLOW-ME"
HANG = "HANG-ME"
_original = pipeline.Pipeline.process_many


def _hang(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            time.sleep(left)
        except SoftTimeLimitExceeded:
            continue  # deaf to the soft limit


def _misbehaving_process_many(self, items):  # type: ignore[no-untyped-def]
    """``process_many`` (which ``process`` calls too) misbehaving as the markers in its texts say;
    a raising article fails alone, the others are processed."""
    texts = [str(payload.get("text")) if isinstance(payload, dict) else "" for payload, _ in items]
    if any(MARKER in text for text in texts):
        os._exit(13)  # no exception, no cleanup
    if any(SLOW in text for text in texts):
        time.sleep(60)
    if any(HANG in text for text in texts):
        _hang(60)
    rest = iter(_original(self, [item for item, text in zip(items, texts, strict=True) if RAISE not in text]))
    return [ValueError(f"{RAISE}: a bug in the pipeline") if RAISE in text else next(rest)
            for text in texts]


def _warm_up() -> None:
    pipeline.Pipeline.in_memory(Settings.from_env()).process(
        {"text": "Kenyan President Amara Otieno visited Ethiopia on Tuesday and met Ethiopian Prime "
                 "Minister Dawit Bekele in Addis Ababa.", "published_at": "2024-03-07T12:00:00Z"},
        "warm-up")


pipeline.Pipeline.process_many = _misbehaving_process_many  # type: ignore[method-assign]

if __name__ == "__main__":
    _warm_up()
    sys.exit(main(["worker", *sys.argv[1:]]))
