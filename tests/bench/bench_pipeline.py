"""Benchmark of the whole service against bare spaCy on the same cores, measured in one run.

    python tests/bench/bench_pipeline.py --report reports/bench-pipeline.json [--articles 120]
        [--processes N] [--rounds 3] [--memory-articles 10000] [--profile]

Generated news articles of 300-800 words (``tests/newsgen.py``: our own templates). In order:

1. the reference: bare ``nlp.pipe`` over the texts with the stock model (``spacy.load`` of the
   configured package), in 1 process and in ``--processes`` processes (forked after the model is
   loaded, as the worker pool is), articles/s and words/s; and the same with the pipeline as the
   service loads it (its table attribute ruler, its two components), to tell what the lean
   parse gains from what the rest of the service costs;
2. in-process stage timings of the pipeline (where an article's time goes, without the transport);
3. the service end to end: a private redis-server, ``eventwire worker -c N``, every article
   submitted at once, articles/s from the first submit to the last outcome read from the results
   stream, and its ratio to the reference. The references in ``--processes`` processes and the
   service take turns, ``--rounds`` rounds each on new articles, and the ratios are of their
   totals: single runs of the same work move by 10% on a shared machine. Cold start (worker
   launched with an article waiting, to that article's outcome); with ``--profile``, py-spy
   samples the worker's children through a burst of other articles (not a measured one: sampling
   takes CPU) and the report says which code the time went to;
   then the same with batching off (``EVENTWIRE_BATCH_SIZE=1``, fresh state, same texts);
4. the same with 40% of the stream exact and near duplicates (a duplicate skips the parse), with
   bare spaCy parsing that same stream as its reference;
5. latency from submit to outcome (p50/p95/p99) under a steady load at half the measured peak;
6. RSS of each worker child, sampled through the service phases, and its growth over
   ``--memory-articles`` (default: no extra phase; the issue's 10,000 is ``--memory-articles 10000``);
   in process, RSS and spaCy's vocabulary over ``--flat-articles`` short articles with new names.

Compare ratios within one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root

import newsgen
from report_file import write_report
from support import WorkerProcess

from worker.client import Producer
from worker.config import Settings
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.logs import configure_logging
from worker.state.dedup import RedisDedupIndex
from worker.state.embedded import EmbeddedRedis
from worker.state.publisher import RedisPublisher
from worker.state.registry import RedisEventRegistry

# where a profiled sample's time went: the first rule matching the innermost frames decides
PROFILE_CATEGORIES = [
    ("spacy", ("spacy/", "thinc/", "numpy/", "blis", "srsly/", "cymem", "preshed")),
    ("extraction", ("worker/extraction/",)),
    ("dedup fingerprint", ("worker/core/dedup.py", "datasketch/")),
    ("cleaning and language", ("worker/core/cleaning.py", "langdetect", "lingua", "bs4/", "lxml")),
    ("validation", ("worker/core/contract.py", "jsonschema", "referencing/")),
    ("envelopes", ("worker/core/publication.py", "worker/core/pipeline.py")),
    ("redis", ("redis/", "hiredis", "worker/state/")),
    ("celery and kombu", ("celery/", "kombu/", "billiard/", "vine/", "worker/tasks/")),
    ("logging", ("structlog/", "logging/", "worker/logs.py")),
]


def words(text: str) -> int:
    return len(text.split())


# ---------------------------------------------------------------- bare spaCy


@functools.cache
def model(kind: str) -> Any:
    """``stock``: the package's own pipeline (``spacy.load``); ``service``: as the worker loads it."""
    name = Settings().spacy_model
    return importlib.import_module(name).load() if kind == "stock" else load_model(name)


def _parse_share(texts: list[str], kind: str, start: multiprocessing.synchronize.Event,
                 done: multiprocessing.Queue) -> None:
    nlp = model(kind)  # inherited from the parent: a cache hit
    start.wait()
    cpu = time.process_time()
    for _ in nlp.pipe(texts):
        pass
    done.put((time.perf_counter(), time.process_time() - cpu))


def bare_spacy(texts: list[str], processes: int, kind: str = "stock") -> dict[str, Any]:
    """``nlp.pipe`` over ``texts`` in ``processes`` forked processes sharing the loaded model."""
    model(kind)(texts[0])  # loaded and warm before the fork
    # as the worker does before its pool forks: the children's collections do not walk (and so
    # copy) what they inherit, however much else this process holds by then
    gc.collect()
    gc.freeze()
    ctx = multiprocessing.get_context("fork")
    start, done = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_parse_share, args=(texts[i::processes], kind, start, done))
             for i in range(processes)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let the children reach the barrier; the clock starts at the signal
    began = time.perf_counter()
    start.set()
    finished = [done.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    gc.unfreeze()
    seconds = max(end for end, _ in finished) - began
    cpu = sum(used for _, used in finished)
    return {"model": kind, "processes": processes, "articles": len(texts),
            "seconds": round(seconds, 2),
            "articles_per_second": round(len(texts) / seconds, 2),
            "words_per_second": round(sum(map(words, texts)) / seconds, 1),
            "cpu_seconds": round(cpu, 2), "articles_per_cpu_second": round(len(texts) / cpu, 3)}


def combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one phase as one: their articles, words, seconds and CPU seconds summed."""
    articles, seconds = sum(r["articles"] for r in runs), sum(r["seconds"] for r in runs)
    cpu = sum(r["cpu_seconds"] for r in runs)
    total: dict[str, Any] = {"runs": len(runs), "articles": articles, "seconds": round(seconds, 2),
                             "articles_per_second": round(articles / seconds, 2),
                             "words_per_second": round(sum(r["words_per_second"] * r["seconds"]
                                                           for r in runs) / seconds, 1),
                             "cpu_seconds": round(cpu, 2),
                             "articles_per_cpu_second": round(articles / cpu, 3)}
    if "processes" in runs[0]:
        total["processes"] = runs[0]["processes"]
    return total


# ---------------------------------------------------------------- in process


def in_process(server: EmbeddedRedis, payloads: list[dict], batch: int) -> dict[str, Any]:
    """The pipeline in this process on Redis state: mean ms per stage, then the same articles
    again (fresh state) one at a time and in batches of ``batch`` (``Pipeline.process_many``,
    originals parsed together by ``nlp.pipe``), compared in CPU seconds (robust to a shared machine)."""
    settings = Settings(redis_url=server.url)
    client = redis.Redis.from_url(server.url)
    publisher = RedisPublisher(client, settings, ledger=True)

    def fresh() -> Pipeline:
        client.flushall()
        return Pipeline(settings, RedisDedupIndex(client, settings), RedisEventRegistry(client, settings),
                        load_model(settings.spacy_model))

    stages: dict[str, list[float]] = defaultdict(list)
    # first calls load the language detector and fill lazy tables: not part of either pass
    fresh().process(newsgen.long_articles(1, seed=99, prefix="warm")[0], "warm-up")
    pipeline = fresh()
    started, cpu = time.perf_counter(), time.process_time()
    for number, payload in enumerate(payloads):
        result = pipeline.process(payload, f"bench-{number}")
        publisher.publish(result.publication)
        for name, ms in result.timings.items():
            stages[name].append(ms)
    elapsed, one_cpu = time.perf_counter() - started, time.process_time() - cpu
    pipeline = fresh()
    cpu = time.process_time()
    for start in range(0, len(payloads), batch):
        items = [(p, f"bench-{start + i}") for i, p in enumerate(payloads[start:start + batch])]
        for outcome in pipeline.process_many(items):
            assert not isinstance(outcome, Exception), outcome
            publisher.publish(outcome.publication)
    batch_cpu = time.process_time() - cpu
    return {"articles": len(payloads), "seconds": round(elapsed, 2),
            "articles_per_second": round(len(payloads) / elapsed, 2),
            "stage_ms_mean": {k: round(statistics.fmean(v), 2) for k, v in stages.items()},
            "cpu_ms_per_article_one_by_one": round(one_cpu * 1000 / len(payloads), 1),
            f"cpu_ms_per_article_in_batches_of_{batch}": round(batch_cpu * 1000 / len(payloads), 1),
            "batch_cpu_saving": round(1 - batch_cpu / one_cpu, 3)}


def in_process_memory(server: EmbeddedRedis, count: int) -> dict[str, Any]:
    """RSS of this process and the size of spaCy's string store over ``count`` short articles
    with new names in each (a long-running worker's child, without the transport)."""
    settings = Settings(redis_url=server.url)
    client = redis.Redis.from_url(server.url)
    client.flushall()
    nlp = load_model(settings.spacy_model)
    pipeline = Pipeline(settings, RedisDedupIndex(client, settings), RedisEventRegistry(client, settings),
                        nlp)
    rng = random.Random(17)
    me = psutil.Process()
    rows = []
    for number in range(count):
        text = (newsgen.long_article_text(rng, number, 120)
                + f" Delegate Xq{number}vor and envoy Br{number * 7}tal attended.")
        pipeline.process({"id": f"mem-{number}", "text": text}, f"mem-{number}")
        if number in (0, count // 2, count - 1):
            rows.append({"articles": number + 1, "rss_mb": round(me.memory_info().rss / 2**20, 1),
                         "vocabulary_strings": len(nlp.vocab.strings)})
    return {"articles": count, "samples": rows,
            "rss_growth_mb": round(rows[-1]["rss_mb"] - rows[0]["rss_mb"], 1),
            "vocabulary_growth": rows[-1]["vocabulary_strings"] - rows[0]["vocabulary_strings"]}


# ---------------------------------------------------------------- the service


class Outcomes:
    """Follows the results stream (XREAD, only what is new) and notes when each article's
    outcome arrived, on the Redis server's clock (the stream entry id)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client, self.stream, self.last = client, settings.results_stream, "0-0"
        self.arrived: dict[str, float] = {}
        self.kinds: Counter[str] = Counter()

    def poll(self, block_ms: int = 200) -> None:
        for _, entries in self.client.xread({self.stream: self.last}, count=1000, block=block_ms) or []:
            for entry_id, fields in entries:
                self.last = entry_id
                kind = fields[b"type"].decode()
                if kind.startswith("article."):
                    self.arrived.setdefault(fields[b"subject"].decode(), int(entry_id.split(b"-")[0]) / 1000)
                    self.kinds[kind] += 1

    def wait_for(self, ids: list[str], timeout: float, worker: WorkerProcess) -> float:
        """Block until every id has an outcome; returns when the last arrived (server clock, s)."""
        deadline = time.monotonic() + timeout
        while not all(i in self.arrived for i in ids):
            if time.monotonic() > deadline:
                missing = [i for i in ids if i not in self.arrived]
                raise TimeoutError(f"{len(missing)} articles without outcome\n{worker.tail()}")
            self.poll()
        return max(self.arrived[i] for i in ids)


class RssSampler:
    """Samples the RSS and USS of every child of the worker once a second, in a thread."""

    def __init__(self, worker: WorkerProcess, outcomes: Outcomes) -> None:
        assert worker.process is not None
        self.main = psutil.Process(worker.process.pid)
        self.outcomes = outcomes
        self.samples: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # pid: (done, rss, uss)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            for child in self.main.children(recursive=True):
                try:
                    info = child.memory_full_info()
                except psutil.Error:
                    continue
                self.samples[child.pid].append((len(self.outcomes.arrived), info.rss, info.uss))

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        mb = 1 << 20
        children = {}
        for pid, rows in self.samples.items():
            if len(rows) < 2:
                continue
            tenth = next((r for r in rows if r[0] >= rows[-1][0] / 10), rows[0])
            children[str(pid)] = {
                "peak_rss_mb": round(max(r[1] for r in rows) / mb, 1),
                "peak_uss_mb": round(max(r[2] for r in rows) / mb, 1),
                "rss_mb_after_first_tenth": round(tenth[1] / mb, 1),
                "rss_mb_at_end": round(rows[-1][1] / mb, 1),
                "rss_growth_mb": round((rows[-1][1] - tenth[1]) / mb, 1),
                "articles_seen_by_the_service": rows[-1][0],
                "rss_mb_by_articles_done": _series(rows)}
        return children


def _series(rows: list[tuple[int, int, int]], points: int = 11) -> dict[str, float]:
    """RSS (MB) at about ``points`` evenly spaced counts of articles done: flat or growing."""
    last = rows[-1][0]
    series = {}
    for step in range(points):
        row = next(r for r in rows if r[0] >= last * step / (points - 1))
        series[str(row[0])] = round(row[1] / (1 << 20), 1)
    return series


class Service:
    """One private redis-server and one worker with ``processes`` children for all the phases."""

    def __init__(self, server: EmbeddedRedis, processes: int, batch_size: int | None = None) -> None:
        assert server.process is not None
        self.redis_server = psutil.Process(server.process.pid)
        self.settings = Settings(redis_url=server.url)
        self.client = redis.Redis.from_url(server.url)
        self.client.flushall()
        self.processes = processes
        self.producer = Producer(self.settings)
        self.outcomes = Outcomes(self.client, self.settings)
        env = {"EVENTWIRE_LOG_LEVEL": "WARNING"}
        if batch_size is not None:
            env["EVENTWIRE_BATCH_SIZE"] = str(batch_size)
        self.worker = WorkerProcess(self.settings, concurrency=processes, env=env)
        self.rss: RssSampler | None = None

    def cold_start(self, payload: dict) -> float:
        """Submit one article with no worker running, launch the worker, time its outcome."""
        article_id = self.producer.submit(payload).article_id
        launched = time.time()
        self.worker.start()
        arrived = self.outcomes.wait_for([article_id], 300, self.worker)
        self.rss = RssSampler(self.worker, self.outcomes).start()
        return round(arrived - launched, 2)

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time used so far by the worker's processes and redis-server, per process."""
        assert self.worker.process is not None
        main = psutil.Process(self.worker.process.pid)
        used = {}
        for proc in [main, *main.children(recursive=True), self.redis_server]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used[proc.pid] = times.user + times.system
        return used

    def quiet(self, timeout: float = 30.0) -> None:
        """Wait until the worker and redis-server use under 5% of a core (the end of a burst's
        bookkeeping), so that the next measured phase does not share the machine with it."""
        deadline = time.monotonic() + timeout
        before = sum(self.cpu_seconds().values())
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = sum(self.cpu_seconds().values())
            if now - before < 0.025:
                return
            before = now

    def burst(self, payloads: list[dict]) -> dict[str, Any]:
        """Submit everything at once; articles/s from the first submit to the last outcome, and
        the CPU the service (worker processes and redis-server) spent on them. On a shared
        machine articles per CPU second is the steadier figure: it ignores the time the
        processes waited for a core."""
        cpu_before = self.cpu_seconds()
        began = time.time()
        ids = [self.producer.submit(p).article_id for p in payloads]
        submitted = time.time()
        ended = self.outcomes.wait_for(ids, 3600, self.worker)
        cpu_after = self.cpu_seconds()
        spent = {pid: used - cpu_before.get(pid, 0.0) for pid, used in cpu_after.items()}
        cpu = sum(spent.values())
        assert self.worker.process is not None
        roles = {self.worker.process.pid: "worker main process", self.redis_server.pid: "redis-server"}
        by_role: Counter[str] = Counter()
        for pid, used in spent.items():
            by_role[roles.get(pid, "worker children")] += used
        seconds = ended - began
        return {"articles": len(ids), "seconds": round(seconds, 2),
                "submit_seconds": round(submitted - began, 2),
                "articles_per_second": round(len(ids) / seconds, 2),
                "words_per_second": round(sum(words(p["text"]) for p in payloads) / seconds, 1),
                "cpu_seconds": round(cpu, 2), "articles_per_cpu_second": round(len(ids) / cpu, 3),
                "cpu_seconds_by_process": {k: round(v, 2) for k, v in by_role.items()}}

    def steady(self, payloads: list[dict], rate: float) -> dict[str, Any]:
        """Submit at ``rate`` articles/s; latency of each from its submit to its outcome."""
        submitted: dict[str, float] = {}
        began = time.monotonic()
        for number, payload in enumerate(payloads):
            wait = began + number / rate - time.monotonic()
            if wait > 0:
                self.outcomes.poll(block_ms=max(1, int(wait * 1000)))
                wait = began + number / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            submitted[self.producer.submit(payload).article_id] = time.time()
        self.outcomes.wait_for(list(submitted), 3600, self.worker)
        latencies = sorted(self.outcomes.arrived[i] - t for i, t in submitted.items())

        def pct(p: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 1)

        return {"articles": len(latencies), "rate_per_second": round(rate, 2),
                "latency_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99),
                               "max": round(latencies[-1] * 1000, 1)}}

    def children(self) -> list[int]:
        assert self.worker.process is not None
        return [c.pid for c in psutil.Process(self.worker.process.pid).children(recursive=True)]

    def close(self) -> dict[str, Any]:
        memory = self.rss.stop() if self.rss else {}
        self.producer.close()
        self.worker.stop()
        return memory


# ---------------------------------------------------------------- profile


def profile_children(pids: list[int], seconds: float, out: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy on each worker child for ``seconds`` (raw collapsed stacks in ``out``)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return [subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "50",
                              "--duration", str(int(seconds)), "--nonblocking", "--output",
                              str(out / f"{pid}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in pids]


def summarize_profile(out: Path) -> dict[str, Any]:
    """Share of the samples by category (``PROFILE_CATEGORIES``, innermost matching frame)."""
    totals: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for path in out.glob("*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            category = "idle or other"
            for frame in reversed(frames):
                found = next((name for name, marks in PROFILE_CATEGORIES
                              if any(m in frame for m in marks)), None)
                if found:
                    category = found
                    break
            if any("_poll" in f or "select" in f or "wait" in f.split(" (")[0] for f in frames[-2:]):
                category = "idle (waiting for work)"
            totals[category] += int(count)
            functions[frames[-1].split(" (")[0]] += int(count)
    total = sum(totals.values()) or 1
    busy = total - totals["idle (waiting for work)"] or 1
    return {"samples": total,
            "share_of_samples": {k: round(v / total, 3) for k, v in totals.most_common()},
            "share_of_busy_samples": {k: round(v / busy, 3) for k, v in totals.most_common()
                                      if k != "idle (waiting for work)"},
            "top_functions": {k: round(v / total, 3) for k, v in functions.most_common(15)}}


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", default="reports/bench-pipeline.json")
    parser.add_argument("--articles", type=int, default=120, help="articles per phase")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-articles", type=int, default=0,
                        help="an extra phase of this many articles for the RSS growth (e.g. 10000)")
    parser.add_argument("--profile", action="store_true", help="py-spy the worker children")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the reference and the service in turn (--articles each)")
    parser.add_argument("--flat-articles", type=int, default=300,
                        help="short articles through the pipeline in process, for RSS and vocabulary growth")
    args = parser.parse_args()
    configure_logging(Settings(log_level="WARNING"))
    n = args.processes
    distinct = newsgen.long_articles(args.articles, seed=11, prefix="distinct")
    with_copies = newsgen.long_articles(args.articles, seed=12, duplicate_share=0.4, prefix="dup")
    steady_load = newsgen.long_articles(max(20, args.articles // 2), seed=13, prefix="steady")
    texts = [p["text"] for p in distinct]
    report: dict[str, Any] = {"benchmark": "pipeline", "articles_per_phase": args.articles,
                              "mean_words": round(statistics.fmean(map(words, texts)), 1),
                              "processes": n, "cpu_count": os.cpu_count()}
    print(f"{args.articles} articles of {report['mean_words']:.0f} words on average, {n} processes")
    report["reference_1_process"] = bare_spacy(texts, 1)
    report["reference_with_copies"] = bare_spacy([p["text"] for p in with_copies], n)
    with EmbeddedRedis() as server:
        report["in_process"] = in_process(server, newsgen.long_articles(
            max(16, args.articles // 4), seed=14, prefix="inproc"), batch=8)
        report["in_process_memory"] = in_process_memory(server, args.flat_articles)
        service = Service(server, n)
        try:
            report["cold_start_seconds"] = service.cold_start(
                newsgen.long_articles(1, seed=15, prefix="cold")[0])
            # the reference and the service take turns, each round on new articles, so that a
            # change in the machine's load between phases weighs on both alike
            rounds = []
            for number in range(args.rounds):
                payloads = distinct if number == 0 else newsgen.long_articles(
                    args.articles, seed=11 + 100 * number, prefix=f"distinct{number}")
                round_texts = [p["text"] for p in payloads]
                phases = {"reference": lambda t=round_texts: bare_spacy(t, n),
                          "reference_service_model": lambda t=round_texts: bare_spacy(t, n, "service"),
                          "service": lambda p=payloads: service.burst(p)}
                first = number % len(phases)  # no phase always first
                order = list(phases)[first:] + list(phases)[:first]
                measured = {}
                for phase in order:
                    service.quiet()
                    measured[phase] = phases[phase]()
                rounds.append({phase: measured[phase] for phase in phases})
                rounds[-1]["ratio"] = round(rounds[-1]["service"]["articles_per_second"]
                                            / rounds[-1]["reference"]["articles_per_second"], 3)
            report["rounds"] = rounds
            for phase in ("reference", "reference_service_model", "service"):
                report[phase] = combined([r[phase] for r in rounds])
            if args.profile:  # a burst of its own: the sampler takes CPU from the measured one
                profile_dir = Path(tempfile.mkdtemp(prefix="eventwire-profile-"))
                expected = report["service"]["seconds"] * 1.3 + 5
                spies = profile_children(service.children(), expected, profile_dir)
                service.burst(newsgen.long_articles(args.articles, seed=17, prefix="profiled"))
                for spy in spies:
                    spy.wait()
                report["profile"] = summarize_profile(profile_dir)
                if not report["profile"]["samples"]:
                    report["profile"]["note"] = "py-spy took no samples (is ptrace allowed here?)"
            report["service_with_copies"] = service.burst(with_copies)
            report["service_with_copies"]["outcomes"] = dict(service.outcomes.kinds)
            rate = report["service"]["articles_per_second"] / 2
            report["steady_half_peak"] = service.steady(steady_load, rate)
            if args.memory_articles:
                report["memory_run"] = service.burst(newsgen.long_articles(
                    args.memory_articles, seed=16, duplicate_share=0.4, prefix="memory"))
        finally:
            report["worker_memory"] = service.close()
        unbatched = Service(server, n, batch_size=1)
        try:
            unbatched.cold_start(newsgen.long_articles(1, seed=15, prefix="cold")[0])
            report["service_unbatched"] = unbatched.burst(distinct)
        finally:
            unbatched.close()
    report["ratio"] = round(report["service"]["articles_per_second"]
                            / report["reference"]["articles_per_second"], 3)
    report["ratio_with_copies"] = round(report["service_with_copies"]["articles_per_second"]
                                        / report["reference_with_copies"]["articles_per_second"], 3)
    report["ratio_unbatched"] = round(report["service_unbatched"]["articles_per_second"]
                                      / report["reference"]["articles_per_second"], 3)
    report["ratio_to_service_model"] = round(
        report["service"]["articles_per_second"]
        / report["reference_service_model"]["articles_per_second"], 3)
    for name, service, reference in [
            ("cpu_ratio", "service", "reference"),
            ("cpu_ratio_unbatched", "service_unbatched", "reference"),
            ("cpu_ratio_to_service_model", "service", "reference_service_model"),
            ("cpu_ratio_with_copies", "service_with_copies", "reference_with_copies")]:
        report[name] = round(report[service]["articles_per_cpu_second"]
                             / report[reference]["articles_per_cpu_second"], 3)
    report["python"] = platform.python_version()
    write_report(report, args.report)
    print_table(report)
    print(f"report written to {args.report}")


def print_table(r: dict[str, Any]) -> None:
    print(f"{'':44}{'articles/s':>12}{'words/s':>12}{'ratio':>8}{'per CPU s':>11}{'ratio':>8}")

    def row(label: str, m: dict[str, Any], ratio: float | None = None,
            cpu_ratio: float | None = None) -> None:
        line = f"{label:44}{m['articles_per_second']:>12.2f}{m['words_per_second']:>12,.0f}"
        if ratio is not None and cpu_ratio is not None:
            line += f"{ratio:>8.2f}{m['articles_per_cpu_second']:>11.2f}{cpu_ratio:>8.2f}"
        print(line)

    row("bare nlp.pipe, 1 process", r["reference_1_process"])
    row(f"bare nlp.pipe, {r['reference']['processes']} processes (reference)", r["reference"], 1, 1)
    row("service end to end", r["service"], r["ratio"], r["cpu_ratio"])
    if len(r.get("rounds", [])) > 1:
        print(f"{'':4}ratio by round (reference and service in turn): "
              + ", ".join(f"{x['ratio']:.2f}" for x in r["rounds"]))
    row("service, batching off", r["service_unbatched"], r["ratio_unbatched"], r["cpu_ratio_unbatched"])
    row("bare nlp.pipe, the service's lean pipeline", r["reference_service_model"],
        round(r["reference_service_model"]["articles_per_second"]
              / r["reference"]["articles_per_second"], 3),
        round(r["reference_service_model"]["articles_per_cpu_second"]
              / r["reference"]["articles_per_cpu_second"], 3))
    row("bare nlp.pipe, stream with 40% copies", r["reference_with_copies"], 1, 1)
    row("service, stream with 40% copies", r["service_with_copies"], r["ratio_with_copies"],
        r["cpu_ratio_with_copies"])
    lat = r["steady_half_peak"]["latency_ms"]
    print(f"latency at {r['steady_half_peak']['rate_per_second']:.2f} articles/s (half the peak): "
          f"p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, p99 {lat['p99']:.0f} ms")
    inproc = r["in_process"]
    print(f"cold start to first result: {r['cold_start_seconds']:.1f} s; "
          f"in process: {inproc['stage_ms_mean']} ms per stage; batches of 8 through nlp.pipe save "
          f"{inproc['batch_cpu_saving']:.0%} of the CPU")
    flat = r["in_process_memory"]
    print(f"in process over {flat['articles']} short articles: RSS {flat['rss_growth_mb']:+.1f} MB, "
          f"spaCy vocabulary {flat['vocabulary_growth']:+d} strings")
    for pid, m in r["worker_memory"].items():
        print(f"worker child {pid}: peak RSS {m['peak_rss_mb']} MB (USS {m['peak_uss_mb']} MB), "
              f"growth {m['rss_growth_mb']:+.1f} MB after the first tenth of "
              f"{m['articles_seen_by_the_service']} articles")
    if "profile" in r:
        print(f"profile of the worker children (busy samples): {r['profile']['share_of_busy_samples']}"
              f" {r['profile'].get('note', '')}")


if __name__ == "__main__":
    main()
