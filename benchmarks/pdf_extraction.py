"""PDF text extraction side by side: pypdfium2, pdfminer.six and pypdf as they come, and Lyssna's
extractor (service.reading.documents, built on pypdfium2), in one run on the same machine.

Run: .venv/bin/python benchmarks/pdf_extraction.py [--repeat 3] [--quick]
Needs the `bench` extra (pypdf, pdfminer.six, reportlab). The documents are written by
tests/pdf_builder.py at run time, each with the text a reader should hear, so quality is the
shared scorer's metric (word 4-gram F1, the definition in ../shared/tools/eval_extract.py,
reimplemented as tests.pdf_builder.f1) against that text. Speed is pages per second, the median
of --repeat runs after a warm-up. Ratios are against the baseline (pypdf) measured in this run.
Also prints the time Lyssna takes for a 20-page document (the issue wants first audio within 0.5 s).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pdf_builder as pb  # noqa: E402

BASELINE = "pypdf"


def pypdfium2_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def lyssna_text(data: bytes) -> str:
    from service.reading.documents import extract_pdf

    return "\n".join(b.text for b in extract_pdf(data, "https://example.se/doc.pdf").blocks)


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pypdf": pypdf_text,
    "pdfminer.six": pdfminer_text,
    "pypdfium2": pypdfium2_text,
    "lyssna (pypdfium2)": lyssna_text,
}


def documents(quick: bool) -> dict[str, pb.Built]:
    docs = {
        "tagged 20p": pb.tagged_report(pages=20, seed=5),
        "untagged 2-col 20p": pb.untagged_pdf(pages=20, seed=7),
        "untagged 3-col 6p": pb.untagged_pdf(pages=6, seed=4, columns=3),
        "untagged 1-col 6p": pb.untagged_pdf(pages=6, seed=9, columns=1),
    }
    if not quick:
        docs["tagged 100p"] = pb.tagged_report(pages=100, seed=6)
        docs["untagged 2-col 100p"] = pb.untagged_pdf(pages=100, seed=8)
    return docs


def measure(fn: Callable[[bytes], str], built: pb.Built, repeat: int) -> tuple[float, float, float]:
    """(F1, pages per second, median seconds) of one extractor on one document."""
    text = fn(built.data)  # warm-up, and the text scored
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(built.data)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    return pb.f1(built.text, text), built.pages / median, median


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="leave out the 100-page documents")
    args = ap.parse_args(argv)
    docs = documents(args.quick)
    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    for name, fn in EXTRACTORS.items():
        results[name] = {doc: measure(fn, built, args.repeat) for doc, built in docs.items()}
        print(f"measured {name}", file=sys.stderr, flush=True)
    width = max(len(d) for d in docs) + 2
    pages = ", ".join(f"{d} = {b.pages}" for d, b in docs.items())
    print(f"\nPages: {pages}; median of {args.repeat} runs.\n")
    print("Word 4-gram F1 against the text a reader should hear")
    print(f"{'document':<{width}}" + "".join(f"{n:>20}" for n in EXTRACTORS))
    for doc in docs:
        print(f"{doc:<{width}}" + "".join(f"{results[n][doc][0]:>20.4f}" for n in EXTRACTORS))
    print("\nSpeed, pages per second (x baseline)")
    print(f"{'document':<{width}}" + "".join(f"{n:>20}" for n in EXTRACTORS))
    for doc in docs:
        base = results[BASELINE][doc][1]
        print(f"{doc:<{width}}" + "".join(f"{results[n][doc][1]:>11.0f} ({results[n][doc][1] / base:>5.1f}x)"
                                          for n in EXTRACTORS))
    print("\nMean over documents (ratios against the baseline, " + BASELINE + ")")
    for n in EXTRACTORS:
        f1 = statistics.mean(r[0] for r in results[n].values())
        speed = statistics.geometric_mean([results[n][d][1] / results[BASELINE][d][1] for d in docs])
        print(f"  {n:<22} F1 {f1:.4f}  speed {speed:5.1f}x")
    print()
    for doc in ("tagged 20p", "untagged 2-col 20p"):
        ms = results["lyssna (pypdfium2)"][doc][2] * 1000
        print(f"Lyssna, {doc}: {ms:.0f} ms to extract (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
