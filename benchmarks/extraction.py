"""Main-text extraction side by side: ours, trafilatura and readability-lxml, in one run.

Run: .venv/bin/python benchmarks/extraction.py [--limit N] [--sets sv-dev,sv-dev2,wcxb-dev] [--folds 5]
Shells out to ../shared/tools/eval_extract.py (the shared scorer: word-4-gram P/R/F1 against ground
truth, per-page timing) once per data set with all three extractors, so every figure comes from the
same run on the same machine. Prints one table: P, R, F1, median and p95 ms per page, and each
extractor's F1 and median time as a ratio against trafilatura (the baseline the issue names).
Needs the `bench` extra (trafilatura, readability-lxml). Skips with a message when ../shared is absent.

Generalization: every page of a set falls in one of `--folds` folds by a hash of its id (stable
across runs and machines). Rules are tuned looking at folds 1.. only; fold 0 is held out and is
reported apart, with the spread over the folds, so a rule fitted to the pages it was written
against shows as a gap between fold 0 and the others. `sv-dev2` (../shared/fixtures/pages-more)
is a second Swedish set held out as a whole.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
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
HELD_OUT_SETS = {"sv-dev2"}  # never looked at while tuning: reported whole, not by fold


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


def score(data: Path, limit: int) -> tuple[list[dict], dict[str, list[dict]]]:
    """The scorer's summary per extractor, and its per-page rows by extractor label."""
    with tempfile.TemporaryDirectory() as tmp:
        out, pages = Path(tmp) / "summary.jsonl", Path(tmp) / "pages"
        cmd = [sys.executable, str(SCORER), "--data", str(data), "--bootstrap", "0", "--json-out", str(out),
               "--per-page", str(pages)]
        if limit:
            cmd += ["--limit", str(limit)]
        for spec in EXTRACTORS:
            cmd += ["--extractor", spec]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        per_page = {}
        for spec, label in EXTRACTORS.items():
            with open(pages / f"{spec.rsplit(':', 1)[1]}.tsv", encoding="utf-8", newline="") as f:
                per_page[label] = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        return [json.loads(line) for line in out.read_text("utf-8").splitlines()], per_page


def fold_of(page_id: str, folds: int) -> int:
    return int(hashlib.sha1(page_id.encode("utf-8")).hexdigest(), 16) % folds


def f1(rows: list[dict]) -> float:
    """The scorer's F1 over some pages: the harmonic mean of mean precision (pages with a
    prediction) and mean recall (pages with a truth)."""
    ps = [float(r["precision"]) for r in rows if r["precision"]]
    rs = [float(r["recall"]) for r in rows if r["recall"]]
    p, r = (sum(ps) / len(ps) if ps else 0.0), (sum(rs) / len(rs) if rs else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def print_folds(name: str, per_page: dict[str, list[dict]], folds: int) -> None:
    for label, rows in per_page.items():
        if name in HELD_OUT_SETS:
            print(f"{name:<10} {label:<18} held out as a whole: {f1(rows):.3f} (n={len(rows)})")
            continue
        parts = [[r for r in rows if fold_of(r["id"], folds) == k] for k in range(folds)]
        by_fold = [f1(part) if part else None for part in parts]
        seen = [v for v in by_fold if v is not None]
        held = "—" if by_fold[0] is None else f"{by_fold[0]:.3f}"
        tuned = f1([r for part in parts[1:] for r in part])
        cells = " ".join("—" if v is None else f"{v:.3f}" for v in by_fold)
        print(f"{name:<10} {label:<18} held-out fold 0: {held:>5} (n={len(parts[0])})   folds 1-{folds - 1}: "
              f"{tuned:.3f}   per fold: {cells}   spread {max(seen) - min(seen):.3f}")


def print_page_types(name: str, per_page: dict[str, list[dict]], folds: int) -> None:
    """F1 per kind of page (WCXB's `page_type`: article, service, listing), held-out fold apart: the
    held-out benchmarks the issue names are article pages."""
    truth = json.loads((SHARED / "datasets" / name / "ground-truth.json").read_text("utf-8"))
    kinds = sorted({v.get("page_type") for v in truth.values() if isinstance(v, dict) and v.get("page_type")})
    for kind in kinds:
        for label, rows in per_page.items():
            mine = [r for r in rows if truth.get(r["id"], {}).get("page_type") == kind]
            held = [r for r in mine if fold_of(r["id"], folds) == 0]
            tuned = [r for r in mine if fold_of(r["id"], folds) != 0]
            print(f"{name:<10} {kind:<8} {label:<18} fold 0: {f1(held):.3f} (n={len(held)})   "
                  f"folds 1-{folds - 1}: {f1(tuned):.3f} (n={len(tuned)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="sv-dev,sv-dev2,wcxb-dev", help="comma-separated data sets in ../shared/datasets")
    ap.add_argument("--folds", type=int, default=5, help="folds per set (fold 0 is held out from tuning)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    args = ap.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    problem = missing_requirements(sets)
    if problem:
        print(f"skipped: {problem}")
        return 0
    print(f"{'set':<10} {'extractor':<18} {'P':>6} {'R':>6} {'F1':>6} {'med ms':>8} {'p95 ms':>8}"
          f" {'F1/base':>8} {'time/base':>9}")
    folds = {}
    for name in sets:
        results, folds[name] = score(SHARED / "datasets" / name, args.limit)
        by_label = {EXTRACTORS[r["spec"]]: r for r in results}
        base = by_label[BASELINE]
        for label, r in by_label.items():
            print(f"{name:<10} {label:<18} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}"
                  f" {r['median_ms']:8.1f} {r['p95_ms']:8.1f} {r['f1'] / base['f1']:8.3f}"
                  f" {r['median_ms'] / base['median_ms']:9.2f}")
    if args.folds > 1:
        print(f"\nF1 by fold ({args.folds} folds by a hash of the page id; tune on folds 1-{args.folds - 1}, "
              "report fold 0 and sv-dev2 apart):")
        for name in sets:
            print_folds(name, folds[name], args.folds)
        print("\nF1 by kind of page:")
        for name in sets:
            print_page_types(name, folds[name], args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
