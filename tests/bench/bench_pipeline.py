"""Benchmark of the whole service: in-process pipeline stages, then end to end through real workers.

    python tests/bench/bench_pipeline.py --report reports/bench-pipeline.json [--articles 300]

In-process: every stage's mean time per article (dedup in Redis, the rest pure). End to end: a private
redis-server, one worker with ``--concurrency`` children, ``--articles`` submitted at once; articles
per second from the first submit to the last outcome. Compare ratios within one run: the machine is
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import newsgen
from support import WorkerProcess, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.logs import configure_logging
from worker.state.dedup import RedisDedupIndex
from worker.state.embedded import EmbeddedRedis
from worker.state.publisher import RedisPublisher
from worker.state.registry import RedisEventRegistry


def in_process(server: EmbeddedRedis, payloads: list[dict]) -> dict[str, object]:
    settings = Settings(redis_url=server.url)
    client = redis.Redis.from_url(server.url)
    client.flushall()
    pipeline = Pipeline(settings, RedisDedupIndex(client, settings), RedisEventRegistry(client, settings),
                        load_model(settings.spacy_model))
    publisher = RedisPublisher(client, settings, ledger=True)
    stages: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for number, payload in enumerate(payloads):
        result = pipeline.process(payload, f"bench-{number}")
        publisher.publish(result.publication)
        for name, ms in result.timings.items():
            stages[name].append(ms)
    elapsed = time.perf_counter() - started
    return {"articles": len(payloads), "seconds": round(elapsed, 2),
            "articles_per_second": round(len(payloads) / elapsed, 1),
            "stage_ms_mean": {k: round(statistics.fmean(v), 3) for k, v in stages.items()},
            "stage_ms_p95": {k: round(sorted(v)[int(len(v) * 0.95) - 1], 3) for k, v in stages.items()}}


def end_to_end(server: EmbeddedRedis, payloads: list[dict], concurrency: int) -> dict[str, object]:
    client = redis.Redis.from_url(server.url)
    client.flushall()
    settings = Settings(redis_url=server.url)
    worker = WorkerProcess(settings, concurrency=concurrency).start(client)
    producer = Producer(settings)
    try:
        started = time.perf_counter()
        ids = [producer.submit(p).article_id for p in payloads]
        wait_for_outcomes(client, settings, ids, timeout=900, worker=worker)
        elapsed = time.perf_counter() - started
    finally:
        producer.close()
        worker.stop()
    return {"articles": len(ids), "concurrency": concurrency, "seconds": round(elapsed, 2),
            "articles_per_second": round(len(ids) / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", default="reports/bench-pipeline.json")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    configure_logging(Settings(log_level="WARNING"))
    payloads = newsgen.articles(args.articles, seed=42, duplicate_share=0.25)
    with EmbeddedRedis() as server:
        report = {"in_process": in_process(server, payloads),
                  "end_to_end": end_to_end(server, newsgen.articles(args.articles, seed=43,
                                                                    duplicate_share=0.25),
                                           args.concurrency)}
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
