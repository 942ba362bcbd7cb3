"""``eventwire run``: the demo. Redis (configured, local or embedded), one worker, the sample
articles (or the given files), their results as they arrive."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from importlib import resources

import redis

from worker.cli.connect import connect, require_model
from worker.cli.errors import EXIT_FAILED, EXIT_OK, CliError
from worker.cli.inputs import InputItem, read_inputs, submit_each
from worker.cli.output import Output, describe, output_format
from worker.cli.processes import demo_redis, running_worker
from worker.client import Producer
from worker.config import Settings, mask_secrets
from worker.core.publication import decode_envelope


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Demo: Redis (configured, local or embedded), one worker, the samples, their results."""
    require_model(settings)
    payloads = [item for item in read_inputs(args.paths)] if args.paths else sample_articles()
    with demo_redis(settings, force_embedded=args.embedded) as url:
        settings = settings.replace(redis_url=url)
        client = connect(settings)
        start = _stream_end(client, settings.results_stream)
        with running_worker(url) as worker:
            producer = Producer(settings)
            pending: dict[str, str] = {}
            rejected = 0
            for item, submission in submit_each(producer, payloads):
                if submission is None:
                    rejected += 1
                    continue
                pending[submission.article_id] = item.origin
            print(f"submitted {len(pending)} articles to {mask_secrets(url)}", file=sys.stderr)
            outcomes = _follow_results(client, settings, start, pending, worker, args)
        producer.close()
    counts = {kind: list(outcomes.values()).count(kind) for kind in sorted(set(outcomes.values()))}
    print(f"done: {len(outcomes)} of {len(outcomes) + len(pending)} articles have an outcome "
          f"{counts}", file=sys.stderr)
    rejected += counts.get("article.rejected", 0)
    return EXIT_OK if not pending and not rejected else EXIT_FAILED


def sample_articles() -> list[InputItem]:
    """The bundled sample articles (package data ``worker/samples``)."""
    folder = resources.files("worker.samples")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    return [InputItem(f"samples/{name}", json.loads(folder.joinpath(name).read_text("utf-8")))
            for name in names]


def _stream_end(client: redis.Redis, stream: str) -> str:
    last = client.xrevrange(stream, count=1)
    return last[0][0].decode() if last else "0-0"


def _follow_results(client: redis.Redis, settings: Settings, start: str, pending: dict[str, str],
                    worker: subprocess.Popen[bytes], args: argparse.Namespace) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    deadline = time.monotonic() + args.timeout
    last = start
    out = Output(output_format(args), describe)
    while pending and time.monotonic() < deadline:
        if worker.poll() is not None:
            raise CliError(f"the worker exited with code {worker.returncode}")
        for _, entries in client.xread({settings.results_stream: last}, count=100, block=500) or []:
            for entry_id, fields in entries:
                last = entry_id
                envelope = decode_envelope(fields)
                out.emit(envelope)
                if envelope["type"].startswith("article.") and envelope["subject"] in pending:
                    pending.pop(envelope["subject"])
                    outcomes[envelope["subject"]] = envelope["type"]
    out.close()
    return outcomes
