"""``eventwire worker`` whose pipeline misbehaves on marker texts (poison, failure and time-limit tests).

The patch is applied in the worker's main process before the pool forks, so every child has it; the
delivery counting, retries, time limits and dead-lettering under test are the production code, untouched.

Markers (anywhere in the article text):

- ``CRASH-ME``: the child process dies at once (like a segfault in a native library).
- ``RAISE-ME``: the pipeline raises ``ValueError`` (a bug: not a transient fault).
- ``SLOW-ME``: the pipeline sleeps for a minute; the soft time limit interrupts it.
- ``HANG-ME``: the pipeline sleeps for a minute and ignores the soft time limit (stuck in native
  code), so only the hard time limit ends it, by killing the child.
"""

import os
import sys
import time

from celery.exceptions import SoftTimeLimitExceeded

from worker.cli.main import main
from worker.core import pipeline

MARKER = "CRASH-ME"
RAISE = "RAISE-ME"
SLOW = "SLOW-ME"
HANG = "HANG-ME"
_original = pipeline.Pipeline.process


def _hang(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            time.sleep(left)
        except SoftTimeLimitExceeded:
            continue  # deaf to the soft limit


def _misbehaving_process(self, payload, submission_id):  # type: ignore[no-untyped-def]
    text = str(payload.get("text")) if isinstance(payload, dict) else ""
    if MARKER in text:
        os._exit(13)  # no exception, no cleanup
    if RAISE in text:
        raise ValueError(f"{RAISE}: a bug in the pipeline")
    if SLOW in text:
        time.sleep(60)
    if HANG in text:
        _hang(60)
    return _original(self, payload, submission_id)


pipeline.Pipeline.process = _misbehaving_process  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(["worker", *sys.argv[1:]]))
