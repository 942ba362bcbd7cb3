"""The gatherer's decisions (``worker.tasks.batching.Gatherer``), with a stand-in pool and timer:
what runs alone, when a buffer goes to the pool, and what happens to a batch the pool refuses."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from worker.config import Settings
from worker.tasks.batching import ACK, REQUEUE, Gatherer, _settle, is_first_delivery


class Request:
    def __init__(self, rid: str, *, redelivered: bool = False, retries: int = 0,
                 time_limits: tuple[Any, Any] = (None, None)) -> None:
        self.id, self.name = rid, "eventwire.process_article"
        self.args = [{"id": rid, "text": "x"}]
        self.delivery_info = {"redelivered": redelivered}
        self.request_dict = {"retries": retries}
        self.time_limits = time_limits
        self.time_start = None
        self.settled: list[str] = []

    def revoked(self) -> bool:
        return False

    def on_success(self, _: Any) -> None:
        self.settled.append("ack")

    def reject(self, requeue: bool = False) -> None:
        self.settled.append("requeue" if requeue else "drop")


class Timer:
    def __init__(self) -> None:
        self.pending: list[Any] = []

    def call_after(self, seconds: float, fun: Any) -> Any:
        entry = SimpleNamespace(fun=fun, cancelled=False)
        entry.cancel = lambda: setattr(entry, "cancelled", True)
        self.pending.append(entry)
        return entry

    def fire(self) -> None:
        for entry in [e for e in self.pending if not e.cancelled]:
            entry.fun()


class Pool:
    def __init__(self, refuse: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.refuse = refuse

    def apply_async(self, target: Any, args: Any, **options: Any) -> None:
        if self.refuse:
            raise RuntimeError("pool closed")
        self.batches.append([sid for sid, _ in args[1]])


def gatherer(pool: Pool | None = None, size: int = 3) -> tuple[Gatherer, list[str], Timer]:
    alone: list[str] = []
    timer = Timer()
    consumer = SimpleNamespace(on_task_request=lambda r: alone.append(r.id), pool=pool or Pool(),
                               timer=timer)
    return Gatherer(consumer, "eventwire.process_article", Settings(batch_size=size)), alone, timer


@pytest.mark.parametrize("request_", [Request("r", redelivered=True), Request("r", retries=1),
                                      Request("r", time_limits=(5, 4))])
def test_a_redelivery_a_retry_or_own_time_limits_run_alone_at_once(request_):
    assert not is_first_delivery(request_)
    g, alone, timer = gatherer()
    g(request_)
    assert alone == ["r"] and g.pool.batches == [] and timer.pending == []


def test_first_deliveries_go_to_the_pool_as_one_batch_when_the_buffer_is_full():
    g, alone, timer = gatherer(size=3)
    for rid in "abcd":
        g(Request(rid))
    assert g.pool.batches == [["a", "b", "c"]] and alone == []
    timer.fire()  # the wait ends with one request buffered: it runs alone
    assert alone == ["d"] and g.pool.batches == [["a", "b", "c"]]


def test_the_wait_sends_what_has_gathered():
    g, alone, timer = gatherer(size=4)
    g(Request("a"))
    g(Request("b"))
    timer.fire()
    assert g.pool.batches == [["a", "b"]] and alone == []


def test_a_batch_the_pool_refuses_is_requeued():
    requests = [Request(rid) for rid in "ab"]
    g, _, _ = gatherer(Pool(refuse=True), size=2)
    for r in requests:
        g(r)
    assert [r.settled for r in requests] == [["requeue"], ["requeue"]]


def test_each_request_is_settled_by_its_own_verdict():
    requests = [Request(rid) for rid in "abc"]
    _settle(requests, [ACK, REQUEUE, ACK])
    assert [r.settled for r in requests] == [["ack"], ["requeue"], ["ack"]]
