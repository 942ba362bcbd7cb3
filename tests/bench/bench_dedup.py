"""Benchmark of the Redis dedup index: speed, memory and duplicate-detection quality.

Indexes ``--articles`` synthetic ~450-word articles into a private redis-server (never the
machine's own), then checks a query set of syndication variants of indexed articles (which must be
found) and of distinct articles -- fresh ones and same-topic ones quoting a few sentences of an
indexed article -- (which must not). Writes a JSON report and prints a summary.

    .venv/bin/python tests/bench/bench_dedup.py --report reports/bench-dedup.json [--articles N]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (syndication)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root (worker)

import syndication
from report_file import write_report

from worker.config import Settings
from worker.core.dedup import (
    Fingerprint,
    fingerprint,
    minhash_signature,
    shingles,
)
from worker.state.dedup import RedisDedupIndex
from worker.state.embedded import EmbeddedRedis
from worker.state.keys import Keys

BANDINGS = [(9, 13), (16, 8), (32, 4)]  # (bands, rows) compared offline on the query pairs
POSITIVE_KINDS = [*syndication.VARIANTS, "drop_40_percent"]
#: fresh originals timed in each index state: ten batches of 100, whose median a stretch of the
#: shared machine's noise moves less than it moved the median of three
ORIGINALS_CHECKED = 1_000
NEGATIVE_KINDS = ["distinct", "same_topic"]


def variant(kind: str, text: str, rng: random.Random) -> str:
    if kind == "drop_40_percent":
        blocks = syndication.paragraphs(text)
        return syndication.join(blocks[: max(2, round(len(blocks) * 0.6))])
    return syndication.VARIANTS[kind](text, rng)


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def band_candidate(sig_a: np.ndarray, sig_b: np.ndarray, bands: int, rows: int) -> bool:
    eq = sig_a[: bands * rows].reshape(bands, rows) == sig_b[: bands * rows].reshape(bands, rows)
    return bool(eq.all(axis=1).any())


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def server_usec_per_check(client: redis.Redis) -> float:
    """Mean time redis-server spent inside the script (since the last CONFIG RESETSTAT)."""
    stats = client.info("commandstats")
    calls = sum(v["calls"] for k, v in stats.items() if k.startswith("cmdstat_eval"))
    usec = sum(v["usec"] for k, v in stats.items() if k.startswith("cmdstat_eval"))
    return round(usec / calls, 1) if calls else 0.0


class ServerTime:
    """Redis-side time per check, read every ``batch`` checks: on a shared machine a batch the
    server spent descheduled inflates the mean, so the median of the batch means is reported too."""

    def __init__(self, client: redis.Redis, batch: int = 250) -> None:
        self.client, self.batch, self.count, self.means = client, batch, 0, []
        client.config_resetstat()

    def tick(self) -> None:
        self.count += 1
        if self.count % self.batch == 0:
            self.means.append(server_usec_per_check(self.client))
            self.client.config_resetstat()

    def summary(self) -> dict[str, float]:
        if self.count % self.batch or not self.means:
            self.means.append(server_usec_per_check(self.client))
        return {"median_of_batches": round(float(np.median(self.means)), 1),
                "mean": round(float(np.mean(self.means)), 1),
                "min_batch": round(min(self.means), 1)}


def index_articles(index: RedisDedupIndex, gen: syndication.Generator, settings: Settings,
                   count: int, keep: set[int]) -> dict[str, Any]:
    """Fingerprint and insert ``count`` articles; keep the texts whose number is in ``keep``."""
    server = ServerTime(index.client)
    kept: dict[int, str] = {}
    fp_seconds = check_seconds = gen_seconds = 0.0
    verdicts: Counter[str] = Counter()
    for i in range(count):
        t0 = time.perf_counter()
        text = gen.article()
        t1 = time.perf_counter()
        fp = fingerprint(f"base-{i}", f"task-base-{i}", f"https://news.example/{i}", text, settings)
        t2 = time.perf_counter()
        verdicts[index.check_and_insert(fp).kind] += 1
        t3 = time.perf_counter()
        server.tick()
        gen_seconds += t1 - t0
        fp_seconds += t2 - t1
        check_seconds += t3 - t2
        if i in keep:
            kept[i] = text
        if (i + 1) % 10_000 == 0:
            print(f"  indexed {i + 1:,} articles ({(i + 1) / check_seconds:,.0f} inserts/s)",
                  flush=True)
    return {"texts": kept, "fingerprint_s": fp_seconds, "check_s": check_seconds,
            "generate_s": gen_seconds, "verdicts": verdicts, "server_usec": server.summary()}


def minhash_only_ms(texts: list[str], settings: Settings) -> float:
    sets = [shingles(t, settings.shingle_size) for t in texts]
    t0 = time.perf_counter()
    for s in sets:
        minhash_signature(s, settings.minhash_permutations)
    return (time.perf_counter() - t0) / len(sets) * 1000


def run_queries(index: RedisDedupIndex, gen: syndication.Generator, settings: Settings,
                base_texts: dict[int, str], per_kind: int, rng: random.Random,
                tag: str = "q") -> dict[str, Any]:
    """Check ``per_kind`` queries of every kind. All are fingerprinted first and checked in a row,
    so the client's work between checks does not share the machine with the server's."""
    family: dict[str | None, int] = {}  # query article id -> the indexed article it derives from
    bases = sorted(base_texts)
    queries: list[tuple[str, int, str, Fingerprint]] = []
    for kind in POSITIVE_KINDS + NEGATIVE_KINDS:
        for _ in range(per_kind):
            base = rng.choice(bases)
            original = base_texts[base]
            if kind == "distinct":
                text = gen.article()
            elif kind == "same_topic":
                text = gen.same_topic(original, shared_sentences=3)
            else:
                text = variant(kind, original, rng)
            n = len(queries) + 1
            fp = fingerprint(f"{tag}-{n}", f"task-{tag}-{n}", None, text, settings)
            family[fp.article_id] = base
            queries.append((kind, base, text, fp))
    server = ServerTime(index.client, batch=100)
    t0 = time.perf_counter()
    verdicts = []
    for _, _, _, fp in queries:
        verdicts.append(index.check_and_insert(fp))
        server.tick()
    check_seconds = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    for (kind, base, text, fp), verdict in zip(queries, verdicts, strict=True):
        original = base_texts[base]
        base_fp = fingerprint(f"base-{base}", "x", None, original, settings)
        rows.append({
            "kind": kind,
            "expected": kind not in NEGATIVE_KINDS,
            "found": verdict.kind != "original",
            # a variant not found is indexed as an original: a later variant of the same
            # article may rightly match it instead of the article itself
            "right_original": (verdict.duplicate_of == f"base-{base}"
                               or family.get(verdict.duplicate_of) == base),
            "duplicate_of": verdict.duplicate_of,
            "jaccard": jaccard(shingles(original, settings.shingle_size),
                               shingles(text, settings.shingle_size)),
            "candidates": {f"{b}x{r}": band_candidate(fp.values, base_fp.values, b, r)
                           for b, r in BANDINGS},
        })
    return {"rows": rows, "check_s": check_seconds, "queries": len(queries),
            "server_usec": server.summary()}


def check_originals(index: RedisDedupIndex, gen: syndication.Generator, settings: Settings,
                    count: int, tag: str = "new") -> dict[str, float]:
    """Redis-side time of ``count`` fresh articles (each a full lookup, then indexed): the most
    expensive check, and the commonest in production. Fingerprinted first, then checked in a row."""
    fps = [fingerprint(f"{tag}-{n}", f"task-{tag}-{n}", f"https://fresh.example/{tag}/{n}",
                       gen.article(), settings) for n in range(count)]
    server = ServerTime(index.client, batch=100)
    for fp in fps:
        assert index.check_and_insert(fp).kind == "original"
        server.tick()
    return server.summary()


def quality(rows: list[dict[str, Any]]) -> dict[str, Any]:
    positives = [r for r in rows if r["expected"]]
    negatives = [r for r in rows if not r["expected"]]
    tp = sum(r["found"] and r["right_original"] for r in positives)
    fp = sum(r["found"] for r in negatives) + sum(r["found"] and not r["right_original"]
                                                  for r in positives)
    per_kind = {}
    for kind in POSITIVE_KINDS + NEGATIVE_KINDS:
        subset = [r for r in rows if r["kind"] == kind]
        if subset:
            per_kind[kind] = {
                "n": len(subset),
                "flagged_duplicate": round(sum(r["found"] for r in subset) / len(subset), 4),
                "mean_jaccard": round(float(np.mean([r["jaccard"] for r in subset])), 4),
                "min_jaccard": round(min(r["jaccard"] for r in subset), 4),
            }
    bins = {}
    for lo, hi in [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]:
        subset = [r for r in positives if lo <= r["jaccard"] < hi]
        if subset:
            bins[f"{lo:.1f}-{min(hi, 1.0):.1f}"] = {
                "n": len(subset),
                "recall": round(sum(r["found"] for r in subset) / len(subset), 4),
                **{f"lsh_candidate_{k}": round(sum(r["candidates"][k] for r in subset)
                                              / len(subset), 4)
                   for k in (f"{b}x{r}" for b, r in BANDINGS)},
            }
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "true_positives": tp,
        "false_positives": fp,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / len(positives), 4) if positives else None,
        "per_kind": per_kind,
        "recall_by_true_jaccard": bins,
        "lsh_candidate_rate_on_positives": {
            f"{b}x{r}": round(sum(x["candidates"][f"{b}x{r}"] for x in positives)
                              / len(positives), 4) for b, r in BANDINGS},
        "lsh_candidate_rate_on_negatives": {
            f"{b}x{r}": round(sum(x["candidates"][f"{b}x{r}"] for x in negatives)
                              / len(negatives), 4) for b, r in BANDINGS},
    }


def add_retired_table(client: redis.Redis, settings: Settings) -> int:
    """Put the index in the state it is in for a window after a resize: the table that took the
    inserts so far is still looked into beside a newer one. Here the newer one is a copy of it with
    every bucket's records moved to the next bucket, so a copy is found in one table only and every
    check reads one more full table. Returns the live tables."""
    base = Keys(settings).dedup_base
    words = client.get(f"{base}i:tables").decode().split()
    table, count = int(words[0]), int(words[1])
    exact_count = max(1, count // 16)
    moved = {}
    for field, records in client.hgetall(f"{base}i:{table}").items():
        if field.startswith(b"e"):
            moved[f"e{(int(field[1:]) + 1) % exact_count}"] = records
        else:
            moved[str((int(field) + 1) % count)] = records
    window_ms = settings.dedup_window_seconds * 1000
    newer = table + 1
    words[2] = str(table + window_ms)
    items = list(moved.items())
    pipe = client.pipeline(transaction=False)
    for at in range(0, len(items), 1000):
        pipe.hset(f"{base}i:{newer}", mapping=dict(items[at:at + 1000]))
    pipe.pexpire(f"{base}i:{newer}", window_ms)
    pipe.set(f"{base}i:tables", " ".join([str(newer), str(count), "0", *words]), px=window_ms)
    pipe.execute()
    return len(words) // 3 + 1


def live_tables(client: redis.Redis, settings: Settings) -> int:
    return len(client.get(f"{Keys(settings).dedup_base}i:tables").split()) // 3


def compare_scripts(index: RedisDedupIndex, baseline: str, gen: syndication.Generator,
                    settings: Settings, texts: dict[int, str], rounds: int,
                    rng: random.Random) -> dict[str, Any]:
    """This script against ``baseline`` (the source of another version of it) on the same
    steady-state index, alternated in rounds of 40 fresh originals and 40 variants each: the
    median Redis-side time per check of each, and where it went (commands called by the scripts,
    from INFO commandstats). Alternating makes the two share the machine's load."""
    scripts = {"this": index._script, "baseline": index.client.register_script(baseline)}
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    commands: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    calls: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    bases = sorted(texts)
    for number in range(rounds):
        for kind in ("original", "variant"):
            order = ["this", "baseline"] if number % 2 else ["baseline", "this"]
            for name in order:
                index._script = scripts[name]
                fps = [fingerprint(f"ab-{name}-{kind}-{number}-{i}", f"ab-{name}-{kind}-{number}-{i}",
                                   None, gen.article() if kind == "original" else variant(
                                       rng.choice(POSITIVE_KINDS), texts[rng.choice(bases)], rng),
                                   settings) for i in range(40)]
                index.client.config_resetstat()
                for fp in fps:
                    index.check_and_insert(fp)
                times[(name, kind)].append(server_usec_per_check(index.client))
                for key, stat in index.client.info("commandstats").items():
                    command = key.removeprefix("cmdstat_")
                    if command not in ("evalsha", "eval", "info", "config|resetstat", "config"):
                        commands[(name, kind)][command] += stat["usec"] / len(fps) / rounds
                        calls[(name, kind)][command] += stat["calls"] / len(fps) / rounds
    index._script = scripts["this"]
    report: dict[str, Any] = {}
    for kind in ("original", "variant"):
        row = {}
        for name in ("baseline", "this"):
            row[name] = {"usec_per_check": round(float(np.median(times[(name, kind)])), 1),
                         "commands": {c: {"calls": round(calls[(name, kind)][c], 1),
                                          "usec": round(u, 1)}
                                      for c, u in commands[(name, kind)].most_common()}}
        row["this_over_baseline"] = round(float(np.median(
            [a / b for a, b in zip(times[("this", kind)], times[("baseline", kind)], strict=True)])), 3)
        report[kind] = row
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", required=True, type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=300,
                        help="queries per variant kind and per negative kind")
    parser.add_argument("--bands", type=int, default=None, help="override minhash_bands")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-script", type=Path, default=None,
                        help="another version of dedup_check_and_insert.lua to compare with in the "
                             "steady state, alternated in one run (e.g. git show main:worker/state/"
                             "lua/dedup_check_and_insert.lua > /tmp/baseline.lua)")
    parser.add_argument("--compare-rounds", type=int, default=10)
    args = parser.parse_args(argv)

    settings = Settings()
    if args.bands:
        settings = settings.replace(minhash_bands=args.bands)
    rng = random.Random(args.seed)
    gen = syndication.Generator(seed=args.seed)
    keep = set(rng.sample(range(args.articles), min(args.articles, 2_000)))
    started = time.perf_counter()
    with EmbeddedRedis() as server:
        client = redis.Redis.from_url(server.url)
        index = RedisDedupIndex(client, settings)
        before = used_memory(client)
        print(f"indexing {args.articles:,} articles into a private redis-server on {server.url}")
        indexed = index_articles(index, gen, settings, args.articles, keep)
        after = used_memory(client)
        keys = int(client.dbsize())
        print(f"querying {args.per_kind} x {len(POSITIVE_KINDS) + len(NEGATIVE_KINDS)} kinds")
        queried = run_queries(index, gen, settings, indexed["texts"], args.per_kind, rng)
        originals = check_originals(index, gen, settings, ORIGINALS_CHECKED)
        tables = live_tables(client, settings)
        more_tables = add_retired_table(client, settings)
        print(f"{tables} lookup tables live; adding a retired one: {more_tables} live")
        more = run_queries(index, gen, settings, indexed["texts"], args.per_kind // 3 or 1,
                                 rng, tag="two")
        originals_more = check_originals(index, gen, settings, ORIGINALS_CHECKED, tag="new2")
        comparison = None
        if args.baseline_script:
            print(f"comparing with {args.baseline_script} ({args.compare_rounds} rounds)")
            comparison = compare_scripts(index, args.baseline_script.read_text(), gen, settings,
                                         indexed["texts"], args.compare_rounds, rng)
        redis_version = client.info("server")["redis_version"]
        client.close()
    sample = [gen.article() for _ in range(300)]
    n = args.articles
    report = {
        "benchmark": "dedup",
        "articles": n,
        "settings": {k: getattr(settings, k) for k in (
            "minhash_permutations", "minhash_bands", "shingle_size", "near_duplicate_threshold",
            "dedup_window_seconds")},
        "rows_per_band": settings.minhash_permutations // settings.minhash_bands,
        "mean_words_per_article": round(float(np.mean([len(t.split()) for t in sample])), 1),
        "inserts_per_second": round(n / indexed["check_s"], 1),
        "queries_per_second": round(queried["queries"] / queried["check_s"], 1),
        # median of batch means (robust to a shared machine); the mean and best batch beside it
        "redis_server_usec_per_insert": indexed["server_usec"]["median_of_batches"],
        "redis_server_usec_per_query": queried["server_usec"]["median_of_batches"],
        "redis_server_usec_per_original": originals["median_of_batches"],
        "lookup_tables_live": tables,
        "lookup_tables_live_after_adding_a_retired_one": more_tables,
        "redis_server_usec_per_query_one_more_table": more["server_usec"]["median_of_batches"],
        "redis_server_usec_per_original_one_more_table": originals_more["median_of_batches"],
        "redis_server_usec_detail": {"insert": indexed["server_usec"], "query": queried["server_usec"],
                                     "original": originals,
                                     "query_one_more_table": more["server_usec"],
                                     "original_one_more_table": originals_more},
        "one_more_table_queries": more["queries"],
        "comparison_with_baseline": comparison,
        "fingerprint_ms_per_article": round(indexed["fingerprint_s"] / n * 1000, 3),
        "minhash_ms_per_article": round(minhash_only_ms(sample, settings), 3),
        "end_to_end_articles_per_second": round(
            n / (indexed["fingerprint_s"] + indexed["check_s"]), 1),
        "redis_memory_bytes": after - before,
        "redis_memory_bytes_per_article": round((after - before) / n, 1),
        "redis_keys": keys,
        "indexing_verdicts": dict(indexed["verdicts"]),
        "quality": quality(queried["rows"]),
        "redis_version": redis_version,
        "python": platform.python_version(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_report(report, args.report)
    print_summary(report)
    print(f"report written to {args.report}")
    return 0


def print_summary(r: dict[str, Any]) -> None:
    q = r["quality"]
    print(f"articles indexed        {r['articles']:,} (verdicts {r['indexing_verdicts']})")
    print(f"inserts/s               {r['inserts_per_second']:,.0f}")
    print(f"queries/s               {r['queries_per_second']:,.0f}")
    def capacity(usec: float) -> str:
        return f"{usec} us (~{1e6 / max(usec, 1):,.0f} checks/s)"

    print(f"redis-server time       per insert {capacity(r['redis_server_usec_per_insert'])}")
    print(f"  in the full index     per query {capacity(r['redis_server_usec_per_query'])}, per "
          f"fresh original {capacity(r['redis_server_usec_per_original'])} "
          f"({r['lookup_tables_live']} lookup tables live)")
    print(f"  one more table live   per query {capacity(r['redis_server_usec_per_query_one_more_table'])}"
          f", per original {capacity(r['redis_server_usec_per_original_one_more_table'])} "
          f"({r['lookup_tables_live_after_adding_a_retired_one']} live, the last a full copy: "
          f"as for a window after {'a resize' if r['lookup_tables_live'] == 1 else 'one more resize'})")
    print(f"fingerprint ms/article  {r['fingerprint_ms_per_article']} "
          f"(MinHash alone {r['minhash_ms_per_article']})")
    print(f"memory per article      {r['redis_memory_bytes_per_article']:,.0f} B "
          f"({r['redis_keys']:,} keys)")
    print(f"precision / recall      {q['precision']} / {q['recall']} "
          f"({q['positives']} variants, {q['negatives']} distinct)")
    for kind, row in q["per_kind"].items():
        print(f"  {kind:22} flagged {row['flagged_duplicate']:.3f}  "
              f"J mean {row['mean_jaccard']:.3f} min {row['min_jaccard']:.3f}")
    print(f"LSH candidate rate on variants {q['lsh_candidate_rate_on_positives']}")
    for kind, row in (r["comparison_with_baseline"] or {}).items():
        print(f"{kind}s: {row['this']['usec_per_check']} us per check, baseline "
              f"{row['baseline']['usec_per_check']} us (median ratio {row['this_over_baseline']})")


if __name__ == "__main__":
    raise SystemExit(main())

