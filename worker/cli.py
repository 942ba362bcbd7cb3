"""The ``eventwire`` command line: worker, submit, tail, extract, run, dlq, health."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

if TYPE_CHECKING:
    from worker.pipeline import Pipeline

from worker.config import Settings, SettingsError
from worker.connections import state_client
from worker.contract import FieldError, InvalidArticle
from worker.embedded import EmbeddedRedis, redis_answers
from worker.inputs import InputItem, read_inputs
from worker.logs import configure_logging
from worker.publishing import Publication, decode_envelope

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


class CliError(RuntimeError):
    """A failure to report on stderr with an exit code, without a traceback."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``eventwire`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if getattr(args, "log_level", None):
            settings = settings.replace(log_level=args.log_level)
        configure_logging(settings)
        return int(args.handler(args, settings) or EXIT_OK)
    except SettingsError as exc:
        print(f"eventwire: bad setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"eventwire: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per action."""
    parser = argparse.ArgumentParser(prog="eventwire", description=(
        "Turn news articles into deduplicated event records. Settings come from EVENTWIRE_* "
        "environment variables (see README)."))
    sub = parser.add_subparsers(dest="command", required=True)

    worker = sub.add_parser("worker", help="start a Celery worker")
    worker.add_argument("--concurrency", "-c", type=int, help="child processes (default: setting)")
    worker.add_argument("--queues", "-Q", help="queues to consume (default: articles)")
    worker.add_argument("--log-level", "-l", help="DEBUG, INFO, WARNING …")
    worker.add_argument("--pool", default="prefork", help="Celery pool (prefork, solo, threads)")
    worker.set_defaults(handler=cmd_worker)

    submit = sub.add_parser("submit", help="enqueue articles; prints the ids it enqueued")
    submit.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    submit.set_defaults(handler=cmd_submit)

    tail = sub.add_parser("tail", help="print envelopes from the results stream (JSON Lines)")
    tail.add_argument("--group", help="read as this consumer group (acknowledges what it prints)")
    tail.add_argument("--consumer", default=f"{socket.gethostname()}-{os.getpid()}")
    tail.add_argument("--count", type=int, help="stop after this many envelopes")
    tail.add_argument("--follow", "-f", action="store_true", help="wait for new envelopes")
    tail.add_argument("--type", dest="types", action="append", help="only this type (repeatable)")
    tail.set_defaults(handler=cmd_tail)

    extract = sub.add_parser("extract", help="run the pipeline in-process; print the envelopes")
    extract.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    extract.set_defaults(handler=cmd_extract)

    run = sub.add_parser("run", help="demo: Redis, a worker, the sample articles, their results")
    run.add_argument("paths", nargs="*", metavar="PATH", help="articles to submit instead of samples")
    run.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for results")
    run.add_argument("--json", action="store_true", help="print whole envelopes (JSON Lines)")
    run.add_argument("--embedded", action="store_true", help="always start a private Redis")
    run.set_defaults(handler=cmd_run)

    dlq = sub.add_parser("dlq", help="list rejected payloads with their reasons")
    dlq.add_argument("--count", type=int, default=100)
    dlq.add_argument("--json", action="store_true", help="print whole entries (JSON Lines)")
    dlq.set_defaults(handler=cmd_dlq)

    health = sub.add_parser("health", help="exit 0 when Redis, the broker and a worker answer")
    health.add_argument("--max-age", type=float, default=60.0,
                        help="seconds since the freshest worker heartbeat")
    health.set_defaults(handler=cmd_health)
    return parser


# --- connections -------------------------------------------------------------------------------

def resolve_redis_url(settings: Settings) -> str | None:
    """The configured Redis URL, else the probe address if a Redis answers there, else None."""
    if settings.redis_url:
        return settings.redis_url
    if redis_answers(settings.embedded_probe_url):
        return settings.embedded_probe_url
    return None


def require_redis(settings: Settings) -> Settings:
    """Settings with a reachable Redis URL, or a clear error."""
    url = resolve_redis_url(settings)
    if url is None:
        raise CliError(f"no Redis configured (EVENTWIRE_REDIS_URL) and none answers on "
                       f"{settings.embedded_probe_url}; `eventwire run` starts a private one",
                       EXIT_UNAVAILABLE)
    return settings.replace(redis_url=url)


def connect(settings: Settings) -> redis.Redis:
    """A client for the state/results Redis that fails fast when it is down."""
    client = state_client(settings)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise CliError(f"Redis at {settings.redis_url} does not answer: {exc}",
                       EXIT_UNAVAILABLE) from exc
    return client


# --- commands ------------------------------------------------------------------------------------

def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Start a Celery worker consuming the articles queue."""
    settings = require_redis(settings)
    os.environ["EVENTWIRE_REDIS_URL"] = settings.redis_url or ""
    os.environ["EVENTWIRE_LOG_LEVEL"] = (args.log_level or settings.log_level).upper()
    from worker.tasks import app  # reads the environment set above

    argv = ["worker", "--loglevel", (args.log_level or settings.log_level).upper(),
            "--concurrency", str(args.concurrency or settings.concurrency),
            "--queues", args.queues or settings.queue, "--pool", args.pool,
            "--hostname", f"eventwire-{os.getpid()}@{socket.gethostname()}", "--without-mingle",
            "--without-gossip"]
    app.worker_main(argv)
    return EXIT_OK


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and enqueue articles; print one article id per line."""
    from worker.client import BrokerUnavailable, Producer

    settings = require_redis(settings)
    failed = 0
    try:
        producer = Producer(settings)
        for item in read_inputs(args.paths):
            if item.error:
                failed += _report_bad_input(item.origin, item.error)
                continue
            try:
                print(producer.submit(item.payload).article_id, flush=True)
            except InvalidArticle as exc:
                failed += _report_bad_input(item.origin, str(exc))
    except BrokerUnavailable as exc:
        raise CliError(str(exc), EXIT_UNAVAILABLE) from exc
    return EXIT_FAILED if failed else EXIT_OK


def _report_bad_input(origin: str, message: str) -> int:
    print(f"{origin}: rejected: {message}", file=sys.stderr)
    return 1


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    """Run the pipeline in this process (no broker) and print the envelopes as JSON Lines."""
    from worker.pipeline import Pipeline
    from worker.publishing import ListPublisher

    pipeline = Pipeline.in_memory(settings)
    publisher = ListPublisher()
    for number, item in enumerate(read_inputs(args.paths)):
        publication = _extract_one(pipeline, item, f"extract-{number}")
        publisher.publish(publication)
        for envelope in publication.envelopes:
            print(json.dumps(envelope, ensure_ascii=False), flush=True)
    return EXIT_OK


def _extract_one(pipeline: Pipeline, item: InputItem, submission_id: str) -> Publication:
    if item.error is None:
        return pipeline.process(item.payload, submission_id).publication
    invalid = InvalidArticle("invalid_json", [FieldError("$", f"{item.origin}: {item.error}")])
    return pipeline.reject(None, submission_id, invalid).publication


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    """Print envelopes from the results stream, optionally as a consumer group that acks them."""
    settings = require_redis(settings)
    client = connect(settings)
    printed = 0
    for envelope in _stream_envelopes(client, settings, args):
        if args.types and envelope["type"] not in args.types:
            continue
        print(json.dumps(envelope, ensure_ascii=False), flush=True)
        printed += 1
        if args.count and printed >= args.count:
            break
    return EXIT_OK


def _stream_envelopes(client: redis.Redis, settings: Settings,
                      args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    stream = settings.results_stream
    block = 1000 if args.follow else None
    if args.group:
        with contextlib.suppress(redis.ResponseError):  # BUSYGROUP: the group exists
            client.xgroup_create(stream, args.group, id="0", mkstream=True)
    last = "0-0"
    while True:
        if args.group:
            batches = client.xreadgroup(args.group, args.consumer, {stream: ">"}, count=100,
                                        block=block)
        else:
            batches = client.xread({stream: last}, count=100, block=block)
        if not batches:
            if args.follow:
                continue
            return
        for _, entries in batches:
            for entry_id, fields in entries:
                last = entry_id
                yield decode_envelope(fields)
                if args.group:
                    client.xack(stream, args.group, entry_id)


def cmd_dlq(args: argparse.Namespace, settings: Settings) -> int:
    """List the dead-letter stream: article id, reason, field errors, payload excerpt."""
    settings = require_redis(settings)
    client = connect(settings)
    for entry_id, raw in client.xrange(settings.dlq_stream, count=args.count):
        fields = {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}
        if args.json:
            print(json.dumps({"entry": entry_id.decode(), **fields}, ensure_ascii=False))
            continue
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in json.loads(fields["errors"]))
        print(f"{entry_id.decode()}  {fields.get('article_id') or '-'}  {fields['reason']}  "
              f"{errors}\n    payload: {fields['payload'][:200]}")
    return EXIT_OK


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Liveness probe: Redis, the broker and a fresh worker heartbeat."""
    from worker.health import check_health

    settings = require_redis(settings)
    report = check_health(settings, max_age=args.max_age)
    print(json.dumps(report.as_dict()))
    return EXIT_OK if report.healthy else EXIT_FAILED


# --- the demo ------------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Demo: Redis (configured, local or embedded), one worker, the samples, their results."""
    from worker.client import Producer

    payloads = [item for item in read_inputs(args.paths)] if args.paths else sample_articles()
    with demo_redis(settings, force_embedded=args.embedded) as url:
        settings = settings.replace(redis_url=url)
        client = connect(settings)
        start = _stream_end(client, settings.results_stream)
        with running_worker(url) as worker:
            producer = Producer(settings)
            pending: dict[str, str] = {}
            for item in payloads:
                if item.error:
                    _report_bad_input(item.origin, item.error)
                    continue
                try:
                    submission = producer.submit(item.payload)
                except InvalidArticle as exc:
                    _report_bad_input(item.origin, str(exc))
                    continue
                pending[submission.article_id] = item.origin
            print(f"submitted {len(pending)} articles to {url}", file=sys.stderr)
            outcomes = _follow_results(client, settings, start, pending, worker, args)
        producer.close()
    counts = {kind: list(outcomes.values()).count(kind) for kind in sorted(set(outcomes.values()))}
    print(f"done: {len(outcomes)} of {len(outcomes) + len(pending)} articles have an outcome "
          f"{counts}", file=sys.stderr)
    return EXIT_OK if not pending else EXIT_FAILED


def sample_articles() -> list[InputItem]:
    """The bundled sample articles (package data ``worker/samples``)."""
    folder = resources.files("worker.samples")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    return [InputItem(f"samples/{name}", json.loads(folder.joinpath(name).read_text("utf-8")))
            for name in names]


@contextlib.contextmanager
def demo_redis(settings: Settings, *, force_embedded: bool = False) -> Iterator[str]:
    """The Redis URL for the demo; starts (and finally stops) a private server when needed."""
    url = None if force_embedded else resolve_redis_url(settings)
    if url:
        yield url
        return
    with EmbeddedRedis() as server:
        print(f"no Redis configured: started a private redis-server at {server.url}",
              file=sys.stderr)
        yield server.url


@contextlib.contextmanager
def running_worker(redis_url: str, concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """A worker subprocess on ``redis_url``, its output in a log file; stopped with SIGTERM."""
    env = {**os.environ, "EVENTWIRE_REDIS_URL": redis_url, "EVENTWIRE_BROKER_URL": redis_url}
    log_path = Path(tempfile.gettempdir()) / f"eventwire-run-{os.getpid()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "worker.cli", "worker", "--concurrency",
                                    str(concurrency), "--log-level", "WARNING"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    print(f"worker started (pid {process.pid}, log {log_path})", file=sys.stderr)
    try:
        yield process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int | None:
    """SIGTERM the main process (warm shutdown, as a container stop does: it tells its pool
    children to finish their tasks), then SIGKILL the group after ``timeout``.

    Returns the exit code, or None when the process had to be killed.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


def _stream_end(client: redis.Redis, stream: str) -> str:
    last = client.xrevrange(stream, count=1)
    return last[0][0].decode() if last else "0-0"


def _follow_results(client: redis.Redis, settings: Settings, start: str, pending: dict[str, str],
                    worker: subprocess.Popen[bytes], args: argparse.Namespace) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    deadline = time.monotonic() + args.timeout
    last = start
    while pending and time.monotonic() < deadline:
        if worker.poll() is not None:
            raise CliError(f"the worker exited with code {worker.returncode}")
        for _, entries in client.xread({settings.results_stream: last}, count=100, block=500) or []:
            for entry_id, fields in entries:
                last = entry_id
                envelope = decode_envelope(fields)
                print(json.dumps(envelope, ensure_ascii=False) if args.json
                      else describe(envelope), flush=True)
                if envelope["type"].startswith("article.") and envelope["subject"] in pending:
                    pending.pop(envelope["subject"])
                    outcomes[envelope["subject"]] = envelope["type"]
    return outcomes


def describe(envelope: dict[str, Any]) -> str:
    """One readable line for an envelope (the demo's output)."""
    data, kind = envelope["data"], envelope["type"]
    if kind == "article.processed":
        detail = f"{len(data['entities'])} entities, {len(data['event_ids'])} events"
    elif kind == "article.duplicate":
        detail = f"{data['kind']} duplicate of {data['duplicate_of']} ({data['similarity']:.2f})"
    elif kind == "article.rejected":
        detail = f"{data['reason']}: " + "; ".join(e["message"] for e in data["errors"])
    elif kind == "event.created":
        action, a2, place = data["action"], data["actor2"], data["location"]
        detail = (f"{data['actor1']['code'] or data['actor1']['name']} → "
                  f"{(a2['code'] or a2['name']) if a2 else '-'}  {action['cameo']} "
                  f"{action['plover'] or ''} ({action['text']})  "
                  f"{place['name'] if place else '-'}  {data['event_date'] or '-'}")
    else:
        detail = (f"{data['article_id']} mentions it: {data['mentions']['articles']} articles, "
                  f"{data['mentions']['outlets']} outlets")
    return f"{kind:<18} {envelope['subject']:<24} {detail}"


if __name__ == "__main__":
    sys.exit(main())
