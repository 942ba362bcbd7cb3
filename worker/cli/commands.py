"""The commands that work on a running deployment: worker, submit, extract, dlq, health."""

from __future__ import annotations

import argparse
import os
import socket
from typing import TYPE_CHECKING

from worker.cli.connect import connect, require_model, require_redis
from worker.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNAVAILABLE, CliError
from worker.cli.inputs import InputItem, read_inputs, submit_each
from worker.cli.output import (
    Output,
    dead_letter_record,
    describe,
    describe_dead_letter,
    describe_health,
    dumps,
    output_format,
)
from worker.config import Settings
from worker.core.contract import FieldError, InvalidArticle
from worker.core.publication import Publication

if TYPE_CHECKING:
    from worker.core.pipeline import Pipeline


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Start a Celery worker consuming the articles queue."""
    level = (args.log_level or settings.log_level).upper()
    if args.name:
        settings = settings.replace(worker_name=args.name)
    require_model(settings)
    settings = require_redis(settings).replace(log_level=level)
    if settings.metrics_port:
        from worker.tasks.exporter import prepare_multiprocess_dir

        prepare_multiprocess_dir()  # before prometheus-client is first imported (with the app)
    from worker.tasks.redis_setup import UnsafeRedis
    from worker.tasks.worker import create_worker_app

    try:
        app = create_worker_app(settings)
    except UnsafeRedis as exc:
        raise CliError(f"refusing to start: {exc}", EXIT_UNAVAILABLE) from exc
    argv = ["worker", "--loglevel", level,
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
        with Output(output_format(args), lambda r: r["article_id"]) as out:
            for item, submission in submit_each(producer, read_inputs(args.paths)):
                if submission is None:
                    failed += 1
                    continue
                out.emit({"article_id": submission.article_id,
                          "submission_id": submission.submission_id, "origin": item.origin})
    except BrokerUnavailable as exc:
        raise CliError(str(exc), EXIT_UNAVAILABLE) from exc
    return EXIT_FAILED if failed else EXIT_OK


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    """Run the pipeline in this process (no broker) and print the envelopes; exit 1 when any input
    was rejected."""
    require_model(settings)
    from worker.core.pipeline import Pipeline  # spaCy: loaded only by the commands that parse

    pipeline = Pipeline.in_memory(settings)
    rejected = 0
    with Output(output_format(args), describe) as out:
        for number, item in enumerate(read_inputs(args.paths)):
            publication = _extract_one(pipeline, item, f"extract-{number}")
            for envelope in publication.envelopes:
                rejected += envelope["type"] == "article.rejected"
                out.emit(envelope)
    return EXIT_FAILED if rejected else EXIT_OK


def _extract_one(pipeline: Pipeline, item: InputItem, submission_id: str) -> Publication:
    if item.error is None:
        return pipeline.process(item.payload, submission_id).publication
    invalid = InvalidArticle("invalid_json", [FieldError("$", f"{item.origin}: {item.error}")])
    return pipeline.reject(None, submission_id, invalid).publication


def cmd_dlq(args: argparse.Namespace, settings: Settings) -> int:
    """List the dead-letter stream: time, entry, reason, article id, field errors, payload."""
    settings = require_redis(settings)
    client = connect(settings)
    with Output(output_format(args), describe_dead_letter) as out:
        for entry_id, raw in client.xrange(settings.dlq_stream, count=args.count):
            fields = {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}
            out.emit(dead_letter_record(entry_id.decode(), fields))
    return EXIT_OK


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """A probe: this worker's liveness, the services' readiness, or both (see worker.tasks.health)."""
    from worker.tasks.beat import worker_name
    from worker.tasks.health import check_health

    if args.probe != "liveness":
        settings = require_redis(settings)
    name = args.worker or worker_name(settings)
    report = check_health(settings, worker=name, max_age=args.max_age, probe=args.probe)
    answer = report.as_dict()
    print(describe_health(answer) if output_format(args, piped="json") == "table" else dumps(answer))
    return EXIT_OK if report.healthy else EXIT_FAILED
