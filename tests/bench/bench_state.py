"""Benchmark of the lookup state's memory: article statuses and event records in Redis.

Runs ``--articles`` generated articles (a quarter of them copies) through the pipeline and the
publish script into a private redis-server, then sums ``MEMORY USAGE`` of every article-status key
(``st:*``) and event key (``ev:*``). Writes a JSON report and prints a summary.

    .venv/bin/python tests/bench/bench_state.py --report reports/bench-state.json [--articles 1000]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (newsgen)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root (worker)

import newsgen
from report_file import write_report

from worker.config import Settings
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.state.dedup import RedisDedupIndex
from worker.state.embedded import EmbeddedRedis
from worker.state.keys import Keys
from worker.state.publisher import RedisPublisher
from worker.state.registry import RedisEventRegistry


def key_memory(client: redis.Redis, pattern: str) -> tuple[int, int, int]:
    """(keys, bytes of MEMORY USAGE, bytes of the ``r`` field values) of the keys matching ``pattern``."""
    keys = total = records = 0
    for key in client.scan_iter(match=pattern, count=1000):
        keys += 1
        total += int(client.memory_usage(key, samples=0) or 0)
        records += int(client.hstrlen(key, "r") or 0)
    return keys, total, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", required=True, type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    payloads = newsgen.articles(args.articles, seed=11, duplicate_share=0.25, prefix="state")
    with EmbeddedRedis() as server:
        settings = Settings(redis_url=server.url)
        client = redis.Redis.from_url(server.url)
        pipeline = Pipeline(settings, RedisDedupIndex(client, settings),
                            RedisEventRegistry(client, settings), load_model(settings.spacy_model))
        publisher = RedisPublisher(client, settings, ledger=False)
        outcomes: Counter[str] = Counter()
        for number, payload in enumerate(payloads):
            result = pipeline.process(payload, f"bench-state-{number}")
            publisher.publish(result.publication)
            outcomes[result.outcome] += 1
        keys = Keys(settings)
        statuses, status_bytes, _ = key_memory(client, keys.pattern("st"))
        events, event_bytes, record_bytes = key_memory(client, keys.pattern("ev"))
        redis_version = client.info("server")["redis_version"]
        client.close()
    n = len(payloads)
    report = {
        "benchmark": "state",
        "articles": n,
        "outcomes": dict(outcomes),
        "status_keys": statuses,
        "status_bytes_per_article": round(status_bytes / max(statuses, 1), 1),
        "event_keys": events,
        "event_bytes_per_event": round(event_bytes / max(events, 1), 1),
        "event_record_bytes_per_event": round(record_bytes / max(events, 1), 1),
        "lookup_state_bytes_per_article": round((status_bytes + event_bytes) / n, 1),
        "redis_version": redis_version,
        "python": platform.python_version(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_report(report, args.report)
    print(f"articles                {n:,} ({dict(outcomes)})")
    print(f"status per article      {report['status_bytes_per_article']:,.0f} B ({statuses:,} keys)")
    print(f"event key per event     {report['event_bytes_per_event']:,.0f} B ({events:,} keys; the "
          f"record itself {report['event_record_bytes_per_event']:,.0f} B)")
    print(f"lookup state / article  {report['lookup_state_bytes_per_article']:,.0f} B")
    print(f"report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
