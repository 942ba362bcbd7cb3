"""``eventwire tail`` and ``eventwire lag``: reading the results stream from the command line.

``tail --group`` is a ``worker.consumer.StreamConsumer``: it acknowledges exactly the entries it
printed (after printing them), reads only as many as ``--count`` asks for, and leaves entries that
``--type`` filters out pending unless ``--ack-skipped`` is given. Without ``--group`` it starts at the
end of the stream and waits for new entries, like ``tail -f``; ``--from-start`` and ``--last N`` read
history first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import redis

from worker.cli.connect import connect, require_redis
from worker.cli.errors import EXIT_FAILED, EXIT_OK
from worker.cli.output import Output, describe, output_format
from worker.config import Settings
from worker.consumer import Delivery, StreamConsumer, decode_entry, group_lag

#: How long one blocking read waits (ms) before checking again.
_BLOCK_MS = 1000
_PAGE = 100


class _Printer:
    """Prints the envelopes that pass the type filter, up to ``count``."""

    def __init__(self, types: list[str] | None, count: int | None, out: Output) -> None:
        self.types = set(types or [])
        self.count = count
        self.printed = 0
        self.out = out

    @property
    def done(self) -> bool:
        return self.count is not None and self.printed >= self.count

    @property
    def wanted(self) -> int:
        return _PAGE if self.count is None else min(_PAGE, self.count - self.printed)

    def matches(self, delivery: Delivery) -> bool:
        envelope = delivery.envelope
        return envelope is not None and (not self.types or envelope["type"] in self.types)

    def print(self, delivery: Delivery) -> None:
        self.out.emit(delivery.envelope or {})
        self.printed += 1


def add_tail_arguments(tail: argparse.ArgumentParser, default_consumer: str) -> None:
    """The options of ``eventwire tail``."""
    tail.add_argument("--group", help="read as this consumer group (created at the stream's start "
                                      "if new); acknowledges exactly the entries it prints")
    tail.add_argument("--consumer", default=default_consumer,
                      help="consumer name within the group (default: %(default)s; keep it stable so "
                           "a later run re-reads what this one left pending)")
    tail.add_argument("--count", type=int, help="stop after printing this many envelopes")
    tail.add_argument("--follow", "-f", action="store_true",
                      help="keep waiting for new envelopes (without --group: the default unless "
                           "--from-start or --last is given)")
    tail.add_argument("--type", dest="types", action="append", help="only this type (repeatable)")
    tail.add_argument("--ack-skipped", action="store_true",
                      help="with --group: also acknowledge entries --type filters out, and bad ones")
    tail.add_argument("--claim-idle", type=float, default=60.0, metavar="SECONDS",
                      help="with --group: take over entries other consumers left pending this long")
    where = tail.add_mutually_exclusive_group()
    where.add_argument("--from-start", action="store_true", help="without --group: from the oldest entry")
    where.add_argument("--last", type=int, metavar="N", help="without --group: the latest N first")


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    """Print envelopes from the results stream as JSON Lines."""
    settings = require_redis(settings)
    client = connect(settings)
    with Output(output_format(args), describe) as out:
        printer = _Printer(args.types, args.count, out)
        if args.group:
            _tail_group(client, settings, args, printer)
        else:
            for delivery in _plain(client, settings.results_stream, args):
                if printer.done:
                    break
                if printer.matches(delivery):
                    printer.print(delivery)
    return EXIT_OK


def _tail_group(client: redis.Redis, settings: Settings, args: argparse.Namespace,
                printer: _Printer) -> None:
    consumer = StreamConsumer(client, settings.results_stream, args.group, args.consumer,
                              claim_idle_ms=int(args.claim_idle * 1000), on_invalid=_invalid(args))

    def handler(delivery: Delivery) -> bool:
        if not printer.matches(delivery) or printer.done:
            return bool(args.ack_skipped) and not printer.done
        printer.print(delivery)
        return True

    while not printer.done:
        deliveries = consumer.read(printer.wanted, block_ms=_BLOCK_MS if args.follow else None)
        if not deliveries and not args.follow:
            return
        consumer.handle(deliveries, handler)


def _invalid(args: argparse.Namespace) -> Callable[[Delivery], bool]:
    def report(delivery: Delivery) -> bool:
        print(f"eventwire: entry {delivery.entry_id}: {delivery.error}"
              f"{'' if args.ack_skipped else ' (left pending)'}", file=sys.stderr)
        return bool(args.ack_skipped)

    return report


def _plain(client: redis.Redis, stream: str, args: argparse.Namespace) -> Iterator[Delivery]:
    """Entries without a group: history (``--from-start``, ``--last``) then, when following, new ones."""
    follow = args.follow or not (args.from_start or args.last)
    if args.from_start:
        last = "0-0"
    else:
        newest = client.xrevrange(stream, count=1)
        last = newest[0][0].decode() if newest else "0-0"
        if args.last and newest:
            yield from _latest(client, stream, args.last, set(args.types or []), upper=last)
    while True:
        batches = client.xread({stream: last}, count=_PAGE, block=_BLOCK_MS if follow else None)
        entries = batches[0][1] if batches else []
        if not entries and not follow:
            return
        for entry_id, fields in entries:
            last = entry_id.decode()
            yield decode_entry(entry_id, fields, validate=False)


def _latest(client: redis.Redis, stream: str, n: int, types: set[str], upper: str) -> list[Delivery]:
    """The latest ``n`` entries up to ``upper`` (of ``types``, if given), oldest first."""
    found: list[Delivery] = []
    while len(found) < n:
        page = client.xrevrange(stream, max=upper, count=_PAGE)
        if not page:
            break
        for entry_id, fields in page:
            delivery = decode_entry(entry_id, fields, validate=False)
            if delivery.envelope is not None and (not types or delivery.envelope["type"] in types):
                found.append(delivery)
                if len(found) == n:
                    break
        upper = f"({page[-1][0].decode()}"
    return found[::-1]


def cmd_lag(args: argparse.Namespace, settings: Settings) -> int:
    """Each consumer group's pending count and lag; exit 1 when trimming threatens unread entries."""
    settings = require_redis(settings)
    client = connect(settings)
    groups = group_lag(client, settings.results_stream, settings.results_maxlen)
    if args.json:
        for group in groups:
            print(json.dumps(group.as_dict()))
    else:
        print(f"{'group':<24} {'consumers':>9} {'pending':>9} {'lag':>10} {'backlog':>10}")
        for group in groups:
            lag = _lag_text(group.as_dict())
            print(f"{group.group:<24} {group.consumers:>9} {group.pending:>9} {lag:>10} "
                  f"{group.backlog:>10}")
    warned = [g for g in groups if g.warning]
    for group in warned:
        print(f"eventwire: warning: group {group.group}: {group.warning}", file=sys.stderr)
    return EXIT_FAILED if warned else EXIT_OK


def _lag_text(row: dict[str, Any]) -> str:
    if row["lag"] is None:
        return "?"
    return f"{row['lag']}" if row["lag_exact"] else f">={row['lag']}"
