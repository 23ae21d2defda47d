"""Time to first playable audio for a 20-page PDF (issue 16: target <= 0.5 s), next to a web page.

Run: .venv/bin/python benchmarks/document_first_audio.py [--trials N]
Each trial starts a fresh app with an empty cache (nothing of the document is cached), POSTs the
document's URL and reads its audio until one whole MP3 frame arrived. The baseline, measured in the
same run the same way, is fixture page 01 (an HTML page); the ratio says what a document costs more.
The extraction alone (bytes to Document) is timed too, to show where the time goes.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.first_audio import first_audio_ms, start_app  # noqa: E402
from service.reading.documents import extract_pdf  # noqa: E402
from service.reading.engines import get_engine  # noqa: E402
from tests import pdf_builder  # noqa: E402
from tests.conftest import PAGES, serve_directory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    trials = parser.parse_args().trials
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    get_engine("espeak").synthesize("Uppvärmning.", "sv", 1.0)
    docs = {"tagged 20 pages": pdf_builder.tagged_report(pages=20),
            "untagged 2 columns 20 pages": pdf_builder.untagged_pdf(pages=20)}
    with tempfile.TemporaryDirectory() as site_dir:
        root = Path(site_dir)
        (root / "page01.html").write_bytes((PAGES / "01-sormland-jobbar-smartare.html").read_bytes())
        for i, built in enumerate(docs.values()):
            (root / f"doc{i}.pdf").write_bytes(built.data)
        server, site = serve_directory(root)
        targets = {"baseline: HTML page 01": f"{site}/page01.html",
                   **{name: f"{site}/doc{i}.pdf" for i, name in enumerate(docs)}}
        times: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(trials):
            for name, url in targets.items():
                with tempfile.TemporaryDirectory() as cache:
                    app_server, base = start_app(cache, site)
                    ms, _ = first_audio_ms(base, url)
                    app_server.shutdown()
                times[name].append(ms)
        server.shutdown()
    base_ms = statistics.median(times["baseline: HTML page 01"])
    print(f"{'first playable audio, nothing cached':38s} {'median ms':>10s} {'max ms':>8s} {'x baseline':>10s}")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:38s} {med:10.1f} {max(values):8.1f} {med / base_ms:10.2f}")
    print()
    for name, built in docs.items():
        runs = []
        for _ in range(trials):
            t0 = time.perf_counter()
            doc = extract_pdf(built.data, "https://x.se/d.pdf")
            runs.append((time.perf_counter() - t0) * 1000)
        chars = sum(len(b.text) for b in doc.blocks)
        print(f"extraction alone, {name:28s} median {statistics.median(runs):6.1f} ms "
              f"({built.pages} pages, {chars:,} characters)")
    worst = max(statistics.median(v) for k, v in times.items() if not k.startswith("baseline"))
    print(f"\nworst document median {worst:.1f} ms (target <= 500 ms)")


if __name__ == "__main__":
    main()
