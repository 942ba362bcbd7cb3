"""``eventwire dlq``: list the dead-letter stream, redrive entries once the cause is fixed, purge them.

A redrive resubmits each entry's payload through the producer client (validated like any
submission) as a new submission, at most once per entry (``worker.state.dlq``). Raw broker messages
and payloads cut at 64 KiB cannot be redriven.
"""

from __future__ import annotations

import argparse
import re

from worker.cli import commands
from worker.cli.connect import connect, require_redis
from worker.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, CliError
from worker.config import Settings
from worker.core.contract import InvalidArticle
from worker.state.dlq import DeadLetters

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def add_dlq_arguments(dlq: argparse.ArgumentParser) -> None:
    """The options of ``eventwire dlq``."""
    dlq.add_argument("--count", type=int, default=100, help="entries to list (default: %(default)s)")
    dlq.add_argument("--json", action="store_true", help="print whole entries (JSON Lines)")
    action = dlq.add_mutually_exclusive_group()
    action.add_argument("--redrive", nargs="*", metavar="ID",
                        help="resubmit these entries' payloads (once each); with --all, every entry")
    action.add_argument("--purge", nargs="*", metavar="ID",
                        help="delete these entries; with --older-than, every entry older than that")
    dlq.add_argument("--all", action="store_true", help="with --redrive: every entry not redriven yet")
    dlq.add_argument("--older-than", type=parse_age, metavar="AGE",
                     help="with --purge: an age such as 30m, 12h, 7d (plain numbers are seconds)")


def parse_age(text: str) -> float:
    """Seconds in an age like ``90``, ``30m``, ``12h``, ``7d``, ``2w``."""
    match = _AGE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age (e.g. 90, 30m, 12h, 7d)")
    return float(match[1]) * _UNIT_SECONDS[match[2]]


def cmd_dlq(args: argparse.Namespace, settings: Settings) -> int:
    """List, redrive or purge dead letters."""
    if args.redrive is not None:
        if bool(args.redrive) == args.all:
            raise CliError("--redrive needs entry ids or --all (not both)", EXIT_USAGE)
        return _redrive(args, settings)
    if args.purge is not None:
        if bool(args.purge) == (args.older_than is not None):
            raise CliError("--purge needs entry ids or --older-than (not both)", EXIT_USAGE)
        letters = DeadLetters(connect(require_redis(settings)), settings)
        deleted = (letters.purge(args.purge) if args.purge
                   else letters.purge_older_than(args.older_than))
        print(f"purged {deleted} entries")
        return EXIT_OK
    if args.all or args.older_than is not None:
        raise CliError("--all goes with --redrive, --older-than with --purge", EXIT_USAGE)
    return commands.cmd_dlq(args, settings)


def _redrive(args: argparse.Namespace, settings: Settings) -> int:
    from worker.client import BrokerUnavailable, Producer

    settings = require_redis(settings)
    letters = DeadLetters(connect(settings), settings)
    producer = Producer(settings)
    failed = found = 0
    try:
        for letter in letters.entries(None if args.all else args.redrive):
            found += 1
            done = letters.redriven(letter.entry_id)
            if done is not None:
                if not args.all:
                    print(f"{letter.entry_id}  already redriven (submission "
                          f"{done.get('submission_id', '?')})")
                continue
            try:
                payload = letter.payload()
            except ValueError as exc:
                if not args.all or letter.fields.get("kind", "article") == "article":
                    print(f"{letter.entry_id}  not redriven: {exc}")
                    failed += 1
                continue
            if not letters.claim(letter.entry_id):
                continue  # another redrive got there first
            try:
                submission = producer.submit(payload)
            except InvalidArticle as exc:
                letters.release(letter.entry_id)
                print(f"{letter.entry_id}  not redriven: still invalid: {exc}")
                failed += 1
                continue
            except BrokerUnavailable as exc:
                letters.release(letter.entry_id)
                raise CliError(str(exc), EXIT_UNAVAILABLE) from exc
            letters.record(letter.entry_id, submission.submission_id, submission.article_id)
            print(f"{letter.entry_id}  redriven: article {submission.article_id} submission "
                  f"{submission.submission_id}", flush=True)
    finally:
        producer.close()
    missing = 0 if args.all else len(set(args.redrive)) - found
    if missing:
        print(f"{missing} of the given ids are not on the DLQ")
    return EXIT_FAILED if failed or missing else EXIT_OK
