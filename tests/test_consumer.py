"""``worker.consumer``: nothing lost, nothing stranded, lag reported; against a real redis-server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import redis
from support import wait_until

from worker.consumer import Delivery, StreamConsumer, group_lag
from worker.core.publication import make_envelope

STREAM = "test:results"
CRASH_CONSUMER = Path(__file__).with_name("crash_consumer.py")


def envelope(number: int) -> dict:
    return make_envelope("event.mentioned", f"ev_{number:016x}",
                         {"event_id": f"ev_{number:016x}", "article_id": f"a-{number}", "source": None,
                          "via": "extraction", "mentions": {"articles": 1, "outlets": 0}},
                         source="urn:test", dedup_key=str(number))


def write(client: redis.Redis, count: int, start: int = 0) -> list[str]:
    ids = []
    for number in range(start, start + count):
        entry = envelope(number)
        ids.append(client.xadd(STREAM, {"type": entry["type"], "subject": entry["subject"],
                                        "envelope": json.dumps(entry)}).decode())
    return ids


def pending(client: redis.Redis, group: str) -> int:
    return int(client.xpending(STREAM, group)["pending"])


def test_an_entry_is_acknowledged_only_after_its_handler_returns(redis_client):
    ids = write(redis_client, 3)
    consumer = StreamConsumer(redis_client, STREAM, "g", "c1")
    seen: list[str] = []

    def handler(delivery: Delivery) -> None:
        seen.append(delivery.entry_id)
        assert pending(redis_client, "g") == 3 - len(seen) + 1  # this one is still pending
        if len(seen) == 2:
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        consumer.handle(consumer.read(10), handler)
    assert seen == ids[:2]
    assert pending(redis_client, "g") == 2  # the failed one and the one never handled
    again = StreamConsumer(redis_client, STREAM, "g", "c1")  # restarted under the same name
    assert [d.entry_id for d in again.read(10)] == ids[1:]


def test_a_handler_returning_false_leaves_the_entry_pending_and_it_is_not_redelivered_in_process(
        redis_client):
    ids = write(redis_client, 4)
    consumer = StreamConsumer(redis_client, STREAM, "g", "c1", claim_idle_ms=0)
    acked = consumer.handle(consumer.read(10), lambda d: d.entry_id != ids[1])
    assert acked == 3 and pending(redis_client, "g") == 1
    assert consumer.read(10) == []  # held by this process, not claimed back by itself
    later = StreamConsumer(redis_client, STREAM, "g", "c1")
    assert [d.entry_id for d in later.read(10)] == [ids[1]]


def test_entries_of_a_dead_consumer_are_claimed_once_idle(redis_client):
    ids = write(redis_client, 5)
    dead = StreamConsumer(redis_client, STREAM, "g", "dead")
    assert len(dead.read(5)) == 5  # delivered, never acknowledged
    survivor = StreamConsumer(redis_client, STREAM, "g", "alive", claim_idle_ms=100)
    claimed = wait_until(lambda: survivor.read(10), 10, "idle entries claimed")
    assert [d.entry_id for d in claimed] == ids
    survivor.handle(claimed, lambda d: None)
    assert pending(redis_client, "g") == 0


def test_bad_entries_go_to_on_invalid(redis_client):
    redis_client.xadd(STREAM, {"envelope": "{not json"})
    redis_client.xadd(STREAM, {"envelope": json.dumps({**envelope(1), "type": "other"})})
    [good] = write(redis_client, 1, start=2)
    bad: list[Delivery] = []
    consumer = StreamConsumer(redis_client, STREAM, "g", "c1",
                              on_invalid=lambda d: bad.append(d) or False)
    handled = []
    consumer.handle(consumer.read(10), handled.append)
    assert [d.entry_id for d in handled] == [good]
    assert [d.error.split(":")[0] for d in bad] == ["not an envelope", "does not match the schemas"]
    assert pending(redis_client, "g") == 2  # on_invalid said no: left pending
    default = StreamConsumer(redis_client, STREAM, "g2", "c1")  # default: logged and acknowledged
    default.handle(default.read(10), lambda d: None)
    assert pending(redis_client, "g2") == 0


def test_entries_written_equal_entries_delivered_across_a_consumer_killed_mid_batch(
        redis_server, redis_client, tmp_path):
    written = write(redis_client, 300)
    out = tmp_path / "handled.txt"
    crashed = subprocess.run([sys.executable, str(CRASH_CONSUMER), redis_server.url, STREAM, "g",
                              "doomed", str(out), "75"], timeout=60)
    assert crashed.returncode == -9  # SIGKILL, mid-batch: entries 76-100 delivered, not handled
    by_doomed = out.read_text().split()
    assert len(by_doomed) == 75 and pending(redis_client, "g") == 26
    more = write(redis_client, 100, start=300)  # written while no consumer runs
    survivor = StreamConsumer(redis_client, STREAM, "g", "survivor", claim_idle_ms=200)
    by_survivor: list[str] = []

    def caught_up() -> bool:
        survivor.handle(survivor.read(50, block_ms=50), lambda d: by_survivor.append(d.entry_id))
        return not group_lag(redis_client, STREAM, maxlen=10_000)[0].backlog

    wait_until(caught_up, 30, "the survivor caught up", interval=0)
    delivered = Counter(by_doomed + by_survivor)
    assert set(delivered) == set(written + more)  # nothing lost
    assert [i for i, n in delivered.items() if n > 1] == [by_doomed[-1]]  # only the one in flight
    assert pending(redis_client, "g") == 0  # nothing stranded


def test_lag_counts_pending_and_unread_and_warns_before_trimming_drops_them(redis_client):
    write(redis_client, 20)
    consumer = StreamConsumer(redis_client, STREAM, "slow", "c1")
    consumer.handle(consumer.read(5), lambda d: None)  # 5 acknowledged
    consumer.read(3)  # 3 delivered, pending
    [row] = group_lag(redis_client, STREAM, maxlen=100)
    assert (row.pending, row.lag, row.lag_exact, row.backlog) == (3, 12, True, 15)
    assert consumer.lag(maxlen=100) == row
    assert row.warning is None
    [row] = group_lag(redis_client, STREAM, maxlen=16)
    assert row.warning is not None and "trimming will drop" in row.warning
    redis_client.xtrim(STREAM, maxlen=10)  # exact trim: drops the 3 pending and 7 unread
    [row] = group_lag(redis_client, STREAM, maxlen=10)
    assert row.trimmed_pending == 3 and "trimmed before" in (row.warning or "")
    assert group_lag(redis_client, "no-such-stream", maxlen=10) == []
