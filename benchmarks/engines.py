"""Each engine alone next to our whole pipeline on the same text, in the same run; where the time
goes; and the time to the first playable audio of a cold page.

Run: .venv/bin/python benchmarks/engines.py [--repeat 3] [--threads 2] [--no-gtts]

Text: the 14 fixture pages, extracted and planned exactly as the service does (service.reading.extract,
then service.reading.plan.plan_reading), so both sides say the same sentences.
- engine alone: `synthesize()` per sentence, one after another, nothing else (and, as an aside,
  with N threads sharing the engine);
- pipeline: from the page's HTML to the finished MP3 in a fresh cache: extract, plan, synthesize,
  level, encode, write segments and the reading (`Readings.create_now`, what a job worker runs).
Both figures are audio-seconds of the engine's speech per wall-second, so their ratio is the ratio
of wall times (target: pipeline >= 0.85 x engine alone). Rounds alternate the two and the best of
each counts; the spread of the per-round ratio shows how noisy the machine was.
Where the time goes: one more, instrumented pipeline run, CPU seconds per stage (thread CPU time;
an engine's own worker threads, e.g. onnxruntime's, land in "other").
First playable audio: the real app over HTTP, each page cold (not cached): POST the reading, GET the
audio, stop at the first whole MP3 frame.
Engines:
- espeak: always.
- piper: LYSSNA_PIPER_VOICE if set (a real voice), else the tests' stand-in voice: then the engine is
  a tone generator behind piper-tts's phonemizer, so the figures measure the pipeline's overhead
  around Piper, not a neural voice.
- gtts: against the tests' fake Google on loopback (no internet here): our client, MP3 decoding and
  time-stretching, not Google; skip with --no-gtts.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.first_audio import first_audio_ms  # noqa: E402
from service.models import Document  # noqa: E402
from service.reading import audio  # noqa: E402
from service.reading import readings as readings_mod  # noqa: E402
from service.reading.engines import get_engine  # noqa: E402
from service.reading.extract import extract  # noqa: E402
from service.reading.plan import plan_reading, segments  # noqa: E402
from service.reading.readings import Readings  # noqa: E402
from service.store.audio_cache import AudioCache  # noqa: E402
from service.store.reading_store import ReadingStore  # noqa: E402
from tests.conftest import PAGES, serve_directory  # noqa: E402


def load_pages() -> list[tuple[str, str]]:
    """(url, html) of the fixture pages."""
    return [(f"http://bench.example/{p.name}", p.read_text(encoding="utf-8"))
            for p in sorted(PAGES.glob("*.html"))]


def engine_alone(engine, sentences: list[tuple[str, str]], rate: float) -> tuple[float, float, float]:
    """(audio seconds, wall seconds, CPU seconds) of synthesizing the sentences one after another."""
    t, c = time.perf_counter(), time.process_time()
    audio_ms = sum(engine.synthesize(text, voice, rate).duration_ms for text, voice in sentences)
    return audio_ms / 1000, time.perf_counter() - t, time.process_time() - c


def pipeline(engine, pages: list[tuple[str, str]], stages: collections.Counter | None = None) -> float:
    """Wall seconds from HTML to finished MP3 for every page, in a fresh cache."""
    with tempfile.TemporaryDirectory() as d:
        readings = Readings(AudioCache(d), ReadingStore(d),
                            lambda name: engine if name == engine.name else get_engine(name))
        t = time.perf_counter()
        for url, html in pages:
            c = time.thread_time()
            doc = extract(html, url)
            if stages is not None:
                stages["extract"] += time.thread_time() - c
            readings.create_now(doc, engine, None, 1.0)
        wall = time.perf_counter() - t
        readings.synthesizer.shutdown()
    return wall


@contextlib.contextmanager
def instrumented(engine):
    """Count thread CPU seconds per stage while the pipeline runs (patches undone afterwards)."""
    stages: collections.Counter = collections.Counter()
    lock = threading.Lock()
    undo = []

    def patch(owner, name: str, stage: str) -> None:
        original = getattr(owner, name)
        undo.append((owner, name, vars(owner).get(name)))

        def timed(*args, **kwargs):
            c = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                with lock:
                    stages[stage] += time.thread_time() - c

        setattr(owner, name, timed)

    patch(readings_mod, "plan_reading", "plan")
    patch(engine, "synthesize", "synthesis")
    patch(audio, "encode_segment", "encode (LAME, levelling, frame count)")
    for method in ("save_segment", "load_segment", "write_part_timings", "start_part", "finish"):
        patch(AudioCache, method, "cache files")
    for method in ("save", "load"):
        patch(ReadingStore, method, "cache files")
    try:
        yield stages
    finally:
        for owner, name, own in reversed(undo):
            if own is None:
                delattr(owner, name)  # was the class's method, seen through an instance
            else:
                setattr(owner, name, own)


def where_time_goes(engine, pages) -> tuple[float, float, dict[str, float]]:
    """(wall, process CPU, CPU per stage) of one instrumented pipeline run."""
    with instrumented(engine) as stages:
        cpu = time.process_time()
        wall = pipeline(engine, pages, stages)
        cpu = time.process_time() - cpu
    out = dict(stages)
    out["other (threads, queues, hashing, engine's own threads)"] = max(0.0, cpu - sum(out.values()))
    return wall, cpu, out


def first_audio(config: dict, site: str, names: list[str]) -> list[float]:
    """Milliseconds to the first whole MP3 frame for each page, cold, through the real app."""
    from werkzeug.serving import make_server

    from service import create_app

    ms = []
    with tempfile.TemporaryDirectory() as cache:
        app = create_app({"SITES": [site], "CACHE_DIR": cache, **config})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            for name in names:
                ms.append(first_audio_ms(base, f"{site}/{name}")[0])
        finally:
            server.shutdown()
    return ms


def measure(name: str, label: str, config: dict, pages, site: str, names: list[str],
            threads: int, repeat: int) -> dict:
    t0 = time.perf_counter()
    engine = get_engine(name, config)
    load_s = time.perf_counter() - t0
    docs: list[Document] = [extract(html, url) for url, html in pages]
    sentences = [(spec.spoken, spec.voice) for doc in docs
                 for spec in segments(plan_reading(doc, engine, None, 1.0))]
    engine.synthesize(sentences[0][0], sentences[0][1], 1.0)  # warm: first call loads voices
    pipeline(engine, pages[:1])

    alone_walls, alone_cpus, pipe_walls, ratios = [], [], [], []
    audio_s = 0.0
    for _ in range(repeat):
        audio_s, alone, alone_cpu = engine_alone(engine, sentences, 1.0)
        alone_cpus.append(alone_cpu)
        piped = pipeline(engine, pages)
        alone_walls.append(alone)
        pipe_walls.append(piped)
        ratios.append(alone / piped)
    t = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda s: engine.synthesize(s[0], s[1], 1.0), sentences))
    parallel_x = audio_s / (time.perf_counter() - t)
    wall, cpu, stages = where_time_goes(engine, pages)
    first = first_audio(config, site, names)
    return {"engine": label, "version": engine.version, "sentences": len(sentences),
            "audio_s": audio_s, "load_s": load_s, "alone_x": audio_s / min(alone_walls),
            "pipeline_x": audio_s / min(pipe_walls), "parallel_x": parallel_x,
            "ratio": min(alone_walls) / min(pipe_walls), "ratios": ratios,
            "alone_wall_s": min(alone_walls), "alone_cpu_s": min(alone_cpus), "stages": stages, "stages_wall": wall, "stages_cpu": cpu,
            "first_median_ms": statistics.median(first), "first_max_ms": max(first)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-gtts", action="store_true")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    pages = load_pages()
    names = sorted(p.name for p in PAGES.glob("*.html"))
    fixture_server, site = serve_directory(PAGES)
    rows = [measure("espeak", "espeak", {}, pages, site, names, args.threads, args.repeat)]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        voice = os.environ.get("LYSSNA_PIPER_VOICE")
        label = "piper"
        if not voice:
            from tests.fakes import make_piper_voice

            voice, label = str(make_piper_voice(tmp)), "piper (stand-in voice)"
        try:
            rows.append(measure("piper", label, {"ENGINE": "piper", "PIPER_VOICE": voice}, pages, site,
                                names, args.threads, args.repeat))
        except Exception as exc:  # piper-tts not installed: say so and go on
            print(f"piper: skipped ({exc})")
        if not args.no_gtts:
            from tests.fakes import fake_google

            stack.enter_context(fake_google())
            # One round: the fake's loopback round trips dominate, not the machine's noise.
            rows.append(measure("gtts", "gtts (fake Google on loopback)",
                                {"ENGINE": "gtts", "GTTS_TIMEOUT": 5}, pages, site, names,
                                args.threads, 1))
    fixture_server.shutdown()

    cores = os.cpu_count() or 1
    print(f"{rows[0]['sentences']} sentences on 14 pages, {rows[0]['audio_s']:.0f} s of espeak speech; "
          f"best of {args.repeat} alternating rounds; {cores} cores")
    print(f"{'engine':32} {'load s':>6} {'alone ×RT':>10} {'pipeline ×RT':>12} {'ratio':>6} "
          f"{'(rounds)':>17} {f'{args.threads} thr ×RT':>10} {'1st audio med/max ms':>21}")
    for r in rows:
        spread = "–".join(f"{x:.2f}" for x in (min(r["ratios"]), max(r["ratios"])))
        print(f"{r['engine']:32} {r['load_s']:6.2f} {r['alone_x']:10.1f} {r['pipeline_x']:12.1f} "
              f"{r['ratio']:6.2f} {spread:>17} {r['parallel_x']:10.1f} "
              f"{r['first_median_ms']:10.1f} / {r['first_max_ms']:7.1f}")
    print("target: pipeline >= 0.85 × engine alone")
    for r in rows:
        cpu, wall = r["stages_cpu"], r["stages_wall"]
        print(f"\n{r['engine']} ({r['version']}): where the pipeline's time goes (one instrumented run: "
              f"wall {wall:.2f} s, CPU {cpu:.2f} s = {cpu / wall:.2f} cores)")
        for stage, s in sorted(r["stages"].items(), key=lambda kv: -kv[1]):
            print(f"    {stage:58} {s:6.2f} s CPU  {100 * s / cpu:5.1f} %")
        bound = r["alone_wall_s"] / (cpu / cores)
        extra = (cpu - r["alone_cpu_s"]) / r["audio_s"] * 1000
        print(f"    {r['audio_s']:.0f} s of speech; engine alone used {r['alone_cpu_s']:.2f} CPU-s, the "
              f"pipeline {extra:.1f} ms more CPU per second of speech (its overhead)")
        print(f"    engine alone took {r['alone_wall_s']:.2f} s; the pipeline needs {cpu:.2f} CPU-s, so on "
              f"{cores} cores it cannot finish under {cpu / cores:.2f} s: ratio <= {bound:.2f} even "
              f"with perfect overlap")


if __name__ == "__main__":
    main()
