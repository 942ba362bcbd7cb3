"""The ``eventwire`` command: the argument parser and the dispatch to one handler per command."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from importlib import metadata

import redis

from worker.cli import commands, demo, serve, streams
from worker.cli import dlq as dead_letters
from worker.cli.errors import EXIT_BROKEN_PIPE, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, CliError
from worker.cli.output import add_format_option
from worker.config import LOG_LEVELS, Settings, SettingsError, env_name, mask_secrets, unknown_variables
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


EXIT_CODES = """exit codes:
  0    done (healthy, for health)
  1    some input was rejected (submit, extract, run), or unhealthy (health), or the command failed
  2    usage error or a bad setting (each bad EVENTWIRE_* value is named on its own line)
  3    Redis, the broker or the spaCy model is not available
  130  interrupted (Ctrl-C)
  141  the reader of the output went away (e.g. | head)"""


def version() -> str:
    """The installed package's version."""
    try:
        return metadata.version("eventwire")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def setting(field: str, text: str, fallback: str | None = None) -> str:
    """Help text naming the setting behind an option and its default."""
    shown = fallback or Settings.model_fields[field].default
    return f"{text} (default: ${env_name(field)}, else {shown})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per action."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="eventwire", formatter_class=formatter, epilog=EXIT_CODES,
                                     description=(
        "Turn news articles into deduplicated event records. Settings come from EVENTWIRE_* "
        "environment variables (README, \"Settings\"); `eventwire COMMAND --help` shows each command's "
        "options, an example and the variables behind its options."))
    parser.add_argument("--version", action="version", version=f"eventwire {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, formatter_class=formatter,
                              epilog=f"example:\n  {example}\n\n{EXIT_CODES}")

    worker = command("worker", "start a Celery worker on the articles queue",
                     "EVENTWIRE_REDIS_URL=redis://localhost:6379/0 eventwire worker -c 4")
    worker.add_argument("--concurrency", "-c", type=int, help=setting("concurrency", "child processes"))
    worker.add_argument("--queues", "-Q",
                        help=setting("queue", "queues to consume", "<EVENTWIRE_KEY_PREFIX>articles"))
    worker.add_argument("--log-level", "-l", type=log_level,
                        help=setting("log_level", "DEBUG, INFO, WARNING, ERROR or CRITICAL"))
    worker.add_argument("--name", help=setting("worker_name", "the name its heartbeat goes under",
                                                      "the host name"))
    worker.add_argument("--pool", default="prefork",
                        help="Celery pool: prefork, solo or threads (default: %(default)s)")
    worker.set_defaults(handler=commands.cmd_worker)

    submit = command("submit", "validate and enqueue articles; print the ids it enqueued",
                     "eventwire submit articles.jsonl   (or: cat article.json | eventwire submit -)")
    submit.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    add_format_option(submit)
    submit.set_defaults(handler=commands.cmd_submit)

    tail = command("tail", "print envelopes from the results stream",
                   "eventwire tail --group dashboards --follow --type event.created")
    streams.add_tail_arguments(tail, default_consumer=f"tail-{socket.gethostname()}")
    add_format_option(tail)
    tail.set_defaults(handler=streams.cmd_tail)

    lag = command("lag", "each consumer group's pending entries and lag; exit 1 when MAXLEN trimming "
                         "would drop unacknowledged entries", "eventwire lag --json")
    lag.add_argument("--json", action="store_true", help="one JSON object per group")
    lag.set_defaults(handler=streams.cmd_lag)

    extract = command("extract", "run the pipeline in this process (no Redis) and print the envelopes",
                      "eventwire extract article.txt --format table")
    extract.add_argument("paths", nargs="*", metavar="PATH", help="JSON, JSON Lines or .txt; - is stdin")
    add_format_option(extract)
    extract.set_defaults(handler=commands.cmd_extract)

    run = command("run", "demo: Redis (configured, local or embedded), a worker, the sample articles, "
                         "their results", "eventwire run --embedded")
    run.add_argument("paths", nargs="*", metavar="PATH", help="articles to submit instead of the samples")
    run.add_argument("--timeout", type=float, default=180.0,
                     help="seconds to wait for the results (default: %(default)s)")
    run.add_argument("--embedded", action="store_true", help="always start a private Redis")
    add_format_option(run, json_alias=True)
    run.set_defaults(handler=demo.cmd_run)

    dlq = command("dlq", "list dead letters (time, reason, errors, payload); redrive or purge them",
                  "eventwire dlq --count 20   (after a fix: eventwire dlq --redrive --all)")
    dead_letters.add_dlq_arguments(dlq)
    add_format_option(dlq)
    dlq.set_defaults(handler=dead_letters.cmd_dlq)

    api = command("api", "serve the HTTP API (submit, article status, events)",
                  "eventwire api --host 0.0.0.0 --port 8080")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    api.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    api.set_defaults(handler=serve.cmd_api)

    health = command("health", "a probe: exit 0 when healthy, 1 with every cause in errors",
                     "eventwire health --probe liveness --max-age 60")
    health.add_argument("--probe", choices=PROBES, default="worker",
                        help="worker: Redis, the broker and the worker's heartbeat in Redis; liveness: "
                             "only the worker's own beat file (no network); readiness/startup: Redis and "
                             "the broker (default: %(default)s)")
    health.add_argument("--worker", metavar="NAME",
                        help=setting("worker_name", "the worker to check", "this host's name"))
    health.add_argument("--max-age", type=float, default=60.0,
                        help="seconds a heartbeat may be old (default: %(default)s)")
    add_format_option(health, piped="json")
    health.set_defaults(handler=commands.cmd_health)
    return parser


if __name__ == "__main__":
    sys.exit(main())
