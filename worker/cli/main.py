"""The ``eventwire`` command: the argument parser and the dispatch to one handler per command."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence

import redis

from worker.cli import commands, demo, serve, streams
from worker.cli import dlq as dead_letters
from worker.cli.errors import EXIT_BROKEN_PIPE, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, CliError
from worker.config import LOG_LEVELS, Settings, SettingsError, mask_secrets, unknown_variables
from worker.logs import configure_logging
from worker.tasks.health import PROBES


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``eventwire`` console script. User errors (bad settings, bad arguments,
    an unreachable Redis, a missing model, a closed pipe) end in one line on stderr and an exit
    code, never a traceback."""
    args = build_parser().parse_args(argv)
    for warning in unknown_variables():
        print(f"eventwire: warning: {warning}", file=sys.stderr)
    try:
        settings = Settings.from_env()
        if getattr(args, "log_level", None):
            settings = settings.replace(log_level=args.log_level)
        configure_logging(settings)
        return int(args.handler(args, settings) or EXIT_OK)
    except SettingsError as exc:
        for line in str(exc).splitlines():
            print(f"eventwire: bad setting: {mask_secrets(line)}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"eventwire: {mask_secrets(str(exc))}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        # The reader went away (``eventwire extract … | head``): stop quietly, and keep Python's
        # final flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (redis.RedisError, ConnectionError) as exc:
        print(mask_secrets(f"eventwire: Redis failed: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:
        return 130


def log_level(value: str) -> str:
    """argparse type of ``--log-level``: a level name in any case."""
    if value.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
    return value.upper()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per action."""
    parser = argparse.ArgumentParser(prog="eventwire", description=(
        "Turn news articles into deduplicated event records. Settings come from EVENTWIRE_* "
        "environment variables (see README)."))
    sub = parser.add_subparsers(dest="command", required=True)

    worker = sub.add_parser("worker", help="start a Celery worker")
    worker.add_argument("--concurrency", "-c", type=int, help="child processes (default: setting)")
    worker.add_argument("--queues", "-Q", help="queues to consume (default: articles)")
    worker.add_argument("--log-level", "-l", type=log_level, help="DEBUG, INFO, WARNING, ERROR or CRITICAL")
    worker.add_argument("--name", help="the name its heartbeat goes under (default: EVENTWIRE_WORKER_NAME, "
                                       "else the host name)")
    worker.add_argument("--pool", default="prefork", help="Celery pool (prefork, solo, threads)")
    worker.set_defaults(handler=commands.cmd_worker)

    submit = sub.add_parser("submit", help="enqueue articles; prints the ids it enqueued")
    submit.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    submit.set_defaults(handler=commands.cmd_submit)

    tail = sub.add_parser("tail", help="print envelopes from the results stream (JSON Lines)")
    streams.add_tail_arguments(tail, default_consumer=f"tail-{socket.gethostname()}")
    tail.set_defaults(handler=streams.cmd_tail)

    lag = sub.add_parser("lag", help="each consumer group's pending entries and lag; exit 1 when "
                                     "MAXLEN trimming would drop unacknowledged entries")
    lag.add_argument("--json", action="store_true", help="one JSON object per group")
    lag.set_defaults(handler=streams.cmd_lag)

    extract = sub.add_parser("extract", help="run the pipeline in-process; print the envelopes")
    extract.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    extract.set_defaults(handler=commands.cmd_extract)

    run = sub.add_parser("run", help="demo: Redis, a worker, the sample articles, their results")
    run.add_argument("paths", nargs="*", metavar="PATH", help="articles to submit instead of samples")
    run.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for results")
    run.add_argument("--json", action="store_true", help="print whole envelopes (JSON Lines)")
    run.add_argument("--embedded", action="store_true", help="always start a private Redis")
    run.set_defaults(handler=demo.cmd_run)

    dlq = sub.add_parser("dlq", help="list rejected payloads with their reasons; redrive or purge them")
    dead_letters.add_dlq_arguments(dlq)
    dlq.set_defaults(handler=dead_letters.cmd_dlq)

    api = sub.add_parser("api", help="serve the HTTP API (submit, article status, events)")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    api.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    api.set_defaults(handler=serve.cmd_api)

    health = sub.add_parser("health", help="a probe: exit 0 when healthy, 1 with the causes in errors")
    health.add_argument("--probe", choices=PROBES, default="worker",
                        help="worker: Redis, the broker and the worker's heartbeat in Redis; liveness: "
                             "only the worker's own beat file (no network); readiness/startup: Redis and "
                             "the broker (default: worker)")
    health.add_argument("--worker", metavar="NAME",
                        help="the worker to check (default: EVENTWIRE_WORKER_NAME, else this host's name)")
    health.add_argument("--max-age", type=float, default=60.0,
                        help="seconds a heartbeat may be old (default: 60)")
    health.set_defaults(handler=commands.cmd_health)
    return parser


if __name__ == "__main__":
    sys.exit(main())
