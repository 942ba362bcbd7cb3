"""The slowest articles we can construct within the input limits, each timed through the pipeline.

    python tests/bench/bench_worst_case.py --report reports/bench-worst-case.json [--timeout 300]

Every case is a valid submission (it passes the schema) built to hit one cost: a long run of
punctuation (sentence splitting), a maximal page of ordinary prose (the parse, per-sentence steps),
one short line after another (dateline splitting), dense dates and names (entities per sentence),
characters that NFKC expands, markup that makes a naive scanner backtrack. Each runs in its own
process through ``Pipeline.in_memory`` (dedup and registry in memory, the production model); a case
that takes longer than ``--timeout`` seconds is killed and reported as such. The report gives the
outcome, total seconds and per-stage milliseconds of each case, and names the slowest. Compare
within one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from report_file import write_report

LIMIT = 100_000  # characters of text (article.v1.json), and of cleaned text


def _fill(unit: str, limit: int = LIMIT) -> str:
    return (unit * (limit // len(unit) + 1))[:limit].rstrip() or unit


def _prose(limit: int = LIMIT) -> str:
    import newsgen

    rng = __import__("random").Random(5)
    parts, size, serial = [], 0, 0
    while size < limit:
        parts.append(newsgen.article_text(rng, serial))
        size += len(parts[-1]) + 1
        serial += 1
    return " ".join(parts)[:limit].rsplit(" ", 1)[0]


def _html_page() -> str:
    paragraphs = _prose(450_000).split(". ")
    return "<html><body>" + "".join(f"<p>{p}.</p>" for p in paragraphs) + "</body></html>"


CASES: dict[str, Callable[[], dict[str, Any]]] = {
    # 100k dots: the sentence-break regex of the fingerprint
    "dots": lambda: {"text": "a" + "." * (LIMIT - 1)},
    "dots_and_quotes": lambda: {"text": _fill(".)" * 10 + "a")},
    # a whole page of ordinary news prose: the parse and every per-sentence step
    "prose": lambda: {"text": _prose(), "published_at": "2024-05-17T12:00:00Z"},
    # one short line after another: the dateline splitter looks at every line
    "short_lines": lambda: {"text": _fill("GENEVA — The talks resumed in the city.\n")},
    "dateline_lines": lambda: {"text": _fill("NAIROBI, Kenya (Wire) — The minister met the envoy "
                                             "on Tuesday.\n")},
    # dates and names in every sentence: entities per sentence
    "dense_dates": lambda: {"text": _fill("On 3 May 2024 Kenya and Uganda met in Nairobi on "
                                          "Tuesday, 4 June 2024. "),
                            "published_at": "2024-06-10T12:00:00Z"},
    # the HTML sniffing regex on a text field full of unfinished tags
    "unfinished_tags": lambda: {"text": _fill("<p ")},
    # an html page five times the text limit (ordinary sentences)
    "html_page": lambda: {"html": _html_page()},
    "html_comments": lambda: {"html": _fill("<!--", 500_000)},
    "html_unfinished_tags": lambda: {"html": _fill("<a ", 500_000)},
    "html_angles": lambda: {"html": _fill("< ", 500_000)},
    # NFKC: U+FDFA becomes 18 characters
    "nfkc_expansion": lambda: {"text": "\ufdfa" * 55_000, "language": "en"},
}


def run_case(name: str) -> dict[str, Any]:
    from worker.config import Settings
    from worker.core.pipeline import Pipeline
    from worker.logs import configure_logging

    configure_logging(Settings(log_level="WARNING"))
    payload = {"id": f"worst-{name}", **CASES[name]()}
    pipeline = Pipeline.in_memory(Settings())
    pipeline.model()
    started = time.perf_counter()
    result = pipeline.process(payload, f"bench-{name}")
    seconds = time.perf_counter() - started
    return {"case": name, "input_chars": len(payload.get("text") or payload.get("html")),
            "outcome": result.outcome, "reason": result.reason, "seconds": round(seconds, 3),
            "stage_ms": result.timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", default="reports/bench-worst-case.json")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per case")
    parser.add_argument("--case", help="run one case in this process and print its JSON")
    parser.add_argument("--only", nargs="*", help="run these cases only")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    rows = []
    for name in args.only or CASES:
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True,
                                  text=True, timeout=args.timeout, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            row = {"case": name, "outcome": "killed", "seconds": f">{args.timeout:.0f}"}
        except subprocess.CalledProcessError as error:
            row = {"case": name, "outcome": "crashed", "error": error.stderr[-500:]}
        row["wall_seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(row), flush=True)
        rows.append(row)
    timed = [r for r in rows if isinstance(r.get("seconds"), float)]
    report = {"cases": rows,
              "slowest": max(timed, key=lambda r: r["seconds"])["case"] if timed else None,
              "killed": [r["case"] for r in rows if r["outcome"] == "killed"]}
    write_report(report, args.report)
    print(json.dumps({k: v for k, v in report.items() if k != "cases"}))


if __name__ == "__main__":
    main()
