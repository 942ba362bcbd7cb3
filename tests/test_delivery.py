"""Delivery policy: transient faults retried with bounded backoff and jitter, deliveries counted."""

from __future__ import annotations

import random

import pytest
import redis

from worker.state.deliveries import DeliveryCounter
from worker.state.keys import Keys
from worker.tasks.delivery import backoff_delay, is_transient, retry_transient


def test_backoff_is_exponential_jittered_and_capped():
    random.seed(3)
    for attempt in range(10):
        ceiling = min(10.0, 0.5 * 2 ** attempt)
        delays = [backoff_delay(attempt, base=0.5, cap=10.0) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole interval
    assert len({round(backoff_delay(3), 6) for _ in range(20)}) > 1


@pytest.mark.parametrize(("error", "transient"), [
    (redis.ConnectionError("gone"), True),
    (redis.TimeoutError("slow"), True),
    (redis.ResponseError("LOADING Redis is loading the dataset in memory"), True),
    (redis.ResponseError("WRONGTYPE Operation against a key"), False),
    (ValueError("bad data"), False),
    (KeyError("x"), False),
])
def test_transient_faults_are_told_from_permanent_ones(error, transient):
    assert is_transient(error) is transient


def test_retry_transient_retries_until_success_with_backoff():
    calls, sleeps = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise redis.ConnectionError("restarting")
        return "done"

    assert retry_transient(flaky, attempts=5, base=1.0, cap=15.0, sleep=sleeps.append) == "done"
    assert len(calls) == 3 and len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1.0 and 0 <= sleeps[1] <= 2.0


def test_retry_transient_is_bounded_and_never_retries_permanent_errors():
    sleeps: list[float] = []
    with pytest.raises(redis.ConnectionError):
        retry_transient(lambda: (_ for _ in ()).throw(redis.ConnectionError("down")), attempts=4,
                        sleep=sleeps.append)
    assert len(sleeps) == 3
    sleeps.clear()
    with pytest.raises(ValueError):
        retry_transient(lambda: (_ for _ in ()).throw(ValueError("bug")), attempts=4,
                        sleep=sleeps.append)
    assert sleeps == []


def test_deliveries_are_counted_per_submission_with_a_ttl(redis_client, settings):
    counter = DeliveryCounter(redis_client, settings)
    assert [counter.count("s-1") for _ in range(3)] == [1, 2, 3]
    assert counter.count("s-2") == 1
    key = Keys(settings).deliveries("a:{b}*\n../c")
    assert "{" not in key[len(settings.key_prefix):] and "\n" not in key
    assert 0 < redis_client.ttl(Keys(settings).deliveries("s-1")) <= settings.dedup_window_seconds
