"""Engine alone: audio-seconds per wall-second and first-sentence latency, per available engine.

Run: .venv/bin/python benchmarks/engines.py [--threads 2] [--repeat 1]

Text: the 14 fixture pages' expected text, split into sentences and normalized exactly as the
service does (service.speech.split_sentences, then normalize), one synthesize() call per sentence.
Engines:
- espeak: always.
- piper: LYSSNA_PIPER_VOICE if set (a real voice), else the tests' stand-in voice (then the figure
  measures piper-tts's phonemizer and our wrapper, not a neural network: label says so).
- gtts: against the tests' fake Google on loopback (no internet here), so it measures our client,
  the MP3 decoding and time-stretching, not Google; skip with --no-gtts.
Prints, per engine: load time, serial speed (×real time), speed with N threads sharing the engine
(how the reading generator uses it), and the first sentence of each page: median and worst.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.engines import get_engine  # noqa: E402
from service.speech import normalize, split_sentences  # noqa: E402
from tests.conftest import PAGES  # noqa: E402


def page_sentences() -> list[list[str]]:
    """Per page, the spoken text of each sentence in reading order."""
    pages = []
    for path in sorted(PAGES.glob("*.expected.txt")):
        spoken = []
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in split_sentences(line):
                text = normalize(sentence)
                if text.strip():
                    spoken.append(text)
        pages.append(spoken)
    return pages


def measure(name: str, config: dict, pages: list[list[str]], threads: int, repeat: int) -> dict:
    t0 = time.perf_counter()
    engine = get_engine(name, config)
    load_s = time.perf_counter() - t0
    sentences = [s for page in pages for s in page]

    first_ms = []
    for page in pages:  # first sentence of each page, engine warm but sentence new
        t = time.perf_counter()
        engine.synthesize(page[0])
        first_ms.append((time.perf_counter() - t) * 1000)

    best_serial = best_parallel = 0.0
    audio_s = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        audio_s = sum(engine.synthesize(s).duration_ms for s in sentences) / 1000
        best_serial = max(best_serial, audio_s / (time.perf_counter() - t))
        t = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            par_audio = sum(sp.duration_ms for sp in pool.map(engine.synthesize, sentences)) / 1000
        best_parallel = max(best_parallel, par_audio / (time.perf_counter() - t))
    return {
        "engine": name,
        "version": engine.version,
        "sentences": len(sentences),
        "audio_s": audio_s,
        "load_s": load_s,
        "serial_x": best_serial,
        "parallel_x": best_parallel,
        "first_median_ms": statistics.median(first_ms),
        "first_max_ms": max(first_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-gtts", action="store_true")
    args = parser.parse_args()

    pages = page_sentences()
    rows = [measure("espeak", {}, pages, args.threads, args.repeat)]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        voice = os.environ.get("LYSSNA_PIPER_VOICE")
        label = "piper"
        if not voice:
            from tests.fakes import make_piper_voice

            voice, label = str(make_piper_voice(tmp)), "piper (stand-in voice)"
        try:
            row = measure("piper", {"PIPER_VOICE": voice}, pages, args.threads, args.repeat)
            row["engine"] = label
            rows.append(row)
        except Exception as exc:  # piper-tts not installed: say so and go on
            print(f"piper: skipped ({exc})")
        if not args.no_gtts:
            from tests.fakes import fake_google

            stack.enter_context(fake_google())
            row = measure("gtts", {"GTTS_TIMEOUT": 5}, pages, args.threads, args.repeat)
            row["engine"] = "gtts (fake Google on loopback)"
            rows.append(row)

    base = rows[0]["serial_x"]
    print(f"{sum(len(p) for p in pages)} sentences, {rows[0]['audio_s']:.0f} s of espeak audio, "
          f"{args.threads} threads, {os.cpu_count()} cores")
    print(f"{'engine':34} {'load s':>7} {'serial ×RT':>11} {f'{args.threads} thr ×RT':>11} "
          f"{'vs espeak':>9} {'1st med ms':>10} {'1st max ms':>10}")
    for r in rows:
        print(f"{r['engine']:34} {r['load_s']:7.2f} {r['serial_x']:11.1f} {r['parallel_x']:11.1f} "
              f"{r['serial_x'] / base:9.3f} {r['first_median_ms']:10.1f} {r['first_max_ms']:10.1f}")
        print(f"{'':34} version {r['version']}, {r['audio_s']:.0f} s audio")


if __name__ == "__main__":
    main()
