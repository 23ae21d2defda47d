"""Main-text extraction side by side: ours, trafilatura and readability-lxml, in one run.

Run: .venv/bin/python benchmarks/extraction.py [--limit N] [--sets sv-dev,wcxb-dev]
Shells out to ../shared/tools/eval_extract.py (the shared scorer: word-4-gram P/R/F1 against ground
truth, per-page timing) once per data set with all three extractors, so every figure comes from the
same run on the same machine. Prints one table: P, R, F1, median and p95 ms per page, and each
extractor's F1 and median time as a ratio against trafilatura (the baseline the issue names).
Needs the `bench` extra (trafilatura, readability-lxml). Skips with a message when ../shared is absent.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "eval_extract.py"
EXTRACTORS = {  # scorer spec -> label; the scorer names results by function name
    "service.extract:extract_text": "lyssna",
    "benchmarks/adapters.py:trafilatura_text": "trafilatura",
    "benchmarks/adapters.py:readability_text": "readability-lxml",
}
BASELINE = "trafilatura"


def missing_requirements(sets: list[str]) -> str | None:
    if not SCORER.exists():
        return f"{SCORER} not found (the shared scorer lives next to the repository, in ../shared)"
    for name in sets:
        if not (SHARED / "datasets" / name / "ground-truth.json").exists():
            return f"data set {SHARED / 'datasets' / name} not found"
    for module in ("trafilatura", "readability"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install trafilatura readability-lxml, the bench extra)"
    return None


def score(data: Path, limit: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.jsonl"
        cmd = [sys.executable, str(SCORER), "--data", str(data), "--bootstrap", "0", "--json-out", str(out)]
        if limit:
            cmd += ["--limit", str(limit)]
        for spec in EXTRACTORS:
            cmd += ["--extractor", spec]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="sv-dev,wcxb-dev", help="comma-separated data sets in ../shared/datasets")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    args = ap.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    problem = missing_requirements(sets)
    if problem:
        print(f"skipped: {problem}")
        return 0
    print(f"{'set':<10} {'extractor':<18} {'P':>6} {'R':>6} {'F1':>6} {'med ms':>8} {'p95 ms':>8}"
          f" {'F1/base':>8} {'time/base':>9}")
    for name in sets:
        results = score(SHARED / "datasets" / name, args.limit)
        by_label = {EXTRACTORS[r["spec"]]: r for r in results}
        base = by_label[BASELINE]
        for label, r in by_label.items():
            print(f"{name:<10} {label:<18} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}"
                  f" {r['median_ms']:8.1f} {r['p95_ms']:8.1f} {r['f1'] / base['f1']:8.3f}"
                  f" {r['median_ms'] / base['median_ms']:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
