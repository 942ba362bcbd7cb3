"""``eventwire worker`` whose pipeline kills its own process on a marker text (the poison test).

The patch is applied in the worker's main process before the pool forks, so every child has it; the
delivery counting and dead-lettering under test are the production code, untouched.
"""

import os
import sys

from worker.cli.main import main
from worker.core import pipeline

MARKER = "CRASH-ME"
_original = pipeline.Pipeline.process


def _crashing_process(self, payload, submission_id):  # type: ignore[no-untyped-def]
    if isinstance(payload, dict) and MARKER in str(payload.get("text")):
        os._exit(13)  # like a segfault in a native library: no exception, no cleanup
    return _original(self, payload, submission_id)


pipeline.Pipeline.process = _crashing_process  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(["worker", *sys.argv[1:]]))
