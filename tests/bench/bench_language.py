"""Language detection cost: how long the lingua detector takes to build, what memory its models take,
and how long one detection takes.

    python tests/bench/bench_language.py --report reports/bench-language.json

Builds the detector the worker builds before forking (``worker.core.language``: English and the news
languages of ``DETECTED``, not all 75), measures the build time and the growth of the process's peak
resident memory, then times detection over the gold set's texts (fastest of three passes).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from report_file import write_report  # noqa: E402

from worker.config import Settings  # noqa: E402
from worker.core.language import detect_language, detector_codes, preload_detector  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", type=Path, default=Path("reports/bench-language.json"))
    args = parser.parse_args()
    accepted = Settings().languages
    texts = [json.loads(line)["text"] for line in (ROOT / "tests" / "gold" / "sentences.jsonl")
             .read_text("utf-8").splitlines() if line.strip()]
    before = _peak_rss_mb()
    started = time.perf_counter()
    preload_detector(accepted)
    build_seconds = time.perf_counter() - started
    passes = []
    for _ in range(3):
        started = time.perf_counter()
        detected = [detect_language(text, accepted).language for text in texts]
        passes.append(time.perf_counter() - started)
    report = {
        "languages": list(detector_codes(accepted)),
        "build_seconds": round(build_seconds, 2),
        "models_peak_rss_mb": round(_peak_rss_mb() - before, 1),
        "texts": len(texts),
        "ms_per_text": round(min(passes) * 1000 / len(texts), 3),
        "english_share": round(detected.count("en") / len(texts), 3),
    }
    write_report(report, args.report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
