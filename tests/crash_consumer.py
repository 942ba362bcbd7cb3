"""A ``worker.consumer.StreamConsumer`` in its own process that SIGKILLs itself mid-batch.

    python tests/crash_consumer.py REDIS_URL STREAM GROUP CONSUMER OUT_FILE KILL_AT

Each handled entry's id is appended to ``OUT_FILE`` (flushed) before its handler returns; at the
``KILL_AT``-th entry the process kills itself after writing the id and before the acknowledgement,
with the rest of its batch delivered but not handled: the crash the consumer tests recover from.
"""

import os
import signal
import sys

import redis

from worker.consumer import Delivery, StreamConsumer


def main() -> None:
    url, stream, group, name, out, kill_at = sys.argv[1:7]
    consumer = StreamConsumer(redis.Redis.from_url(url), stream, group, name, validate=False)
    handled = 0
    with open(out, "a", encoding="utf-8") as log:

        def handler(delivery: Delivery) -> None:
            nonlocal handled
            log.write(delivery.entry_id + "\n")
            log.flush()
            handled += 1
            if handled == int(kill_at):
                os.kill(os.getpid(), signal.SIGKILL)

        consumer.consume(handler, count=50, block_ms=200)


if __name__ == "__main__":
    main()
