"""``eventwire worker`` whose pipeline fails *after* the dedup check on a marker text.

``tests/crash_worker.py`` misbehaves before the pipeline starts; this one lets an article pass the
dedup check (and be indexed as an original) and then raises, as a bug in extraction would. The
delivery counting and dead-lettering under test are the production code, untouched.
"""

import sys

from worker.cli.main import main
from worker.core import pipeline

MARKER = "FAIL-AFTER-DEDUP"
_original = pipeline.Pipeline._processed


def _failing_processed(self, original, extraction):  # type: ignore[no-untyped-def]
    if MARKER in original.page.text:
        raise ValueError(f"{MARKER}: a bug after the dedup check")
    return _original(self, original, extraction)


pipeline.Pipeline._processed = _failing_processed  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(["worker", *sys.argv[1:]]))
