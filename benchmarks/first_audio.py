"""Time to first playable audio and whole-page generation speed, over the 14 fixture pages.

Run: .venv/bin/python benchmarks/first_audio.py
Prints medians and a ratio against the limit measured in the same run: the raw speed of espeak-ng plus
the MP3 encoder on exactly the same spoken text, with nothing of the service around it.
"""
from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from service import create_app  # noqa: E402
from service.reading import audio
from service.reading.engines import get_engine  # noqa: E402
from tests.conftest import PAGES, serve_directory  # noqa: E402

MIN_MP3_BYTES = 144  # at least one whole MP3 frame (48 kbit/s, 22.05 kHz: ~156 bytes)


def start_app(cache_dir: str, site: str) -> tuple[object, str]:
    app = create_app({"SITES": [site], "CACHE_DIR": cache_dir})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def post(base: str, url: str) -> tuple[int, dict]:
    req = urllib.request.Request(f"{base}/api/v1/readings", data=json.dumps({"url": url}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, json.loads(r.read())


def first_audio_ms(base: str, url: str) -> tuple[float, dict]:
    """POST, then GET the audio and read until one whole MP3 frame arrived."""
    t0 = time.perf_counter()
    _, reading = post(base, url)
    with urllib.request.urlopen(base + reading["audio_url"]) as r:
        got = b""
        while len(got) < MIN_MP3_BYTES:
            chunk = r.read1(65536)
            if not chunk:
                break
            got += chunk
        t1 = time.perf_counter()
        r.read()  # drain
    return (t1 - t0) * 1000, reading


def wait_ready(base: str, reading_id: str) -> dict:
    while True:
        with urllib.request.urlopen(f"{base}/api/v1/readings/{reading_id}") as r:
            reading = json.loads(r.read())
        if reading["status"] != "generating":
            return reading
        time.sleep(0.05)


def raw_limit_seconds(spoken: list[str]) -> tuple[float, float]:
    """espeak-ng + lameenc alone on the same sentences: (audio seconds, wall seconds)."""
    engine = get_engine("espeak")
    t0 = time.perf_counter()
    audio_ms = 0.0
    enc = None
    for text in spoken:
        speech = engine.synthesize(text, "sv", 1.0)
        if enc is None:
            enc = audio.Mp3Assembler(speech.sample_rate)
        enc.add(speech)
        audio_ms += speech.duration_ms
    if enc is not None:
        enc.finish()
    return audio_ms / 1000, time.perf_counter() - t0


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    fixture_server, site = serve_directory(PAGES)
    pages = sorted(p.name for p in PAGES.glob("*.html"))
    cold, warm, service_speed, limit_speed = [], [], [], []
    get_engine("espeak").synthesize("Uppvärmning.", "sv", 1.0)  # load the library once, outside timings
    with tempfile.TemporaryDirectory() as cache:
        server, base = start_app(cache, site)
        for name in pages:
            url = f"{site}/{name}"
            ms, reading = first_audio_ms(base, url)
            cold.append(ms)
            t0 = time.perf_counter()
            done = wait_ready(base, reading["id"])
            # Whole-page speed: a fresh cache for an isolated, complete generation.
            with tempfile.TemporaryDirectory() as c2:
                s2, b2 = start_app(c2, site)
                t0 = time.perf_counter()
                _, r2 = post(b2, url)
                d2 = wait_ready(b2, r2["id"])
                wall = time.perf_counter() - t0
                s2.shutdown()
            sentences = [s for b in d2["blocks"] for s in b["sentences"]]
            speech_s = sum(s["end_ms"] - s["start_ms"] for s in sentences) / 1000
            service_speed.append(speech_s / wall)
            a, w = raw_limit_seconds([s["spoken"] for s in sentences])
            limit_speed.append(a / w)
            ms_warm, _ = first_audio_ms(base, url)
            warm.append(ms_warm)
            print(f"{name:42s} cold {ms:7.1f} ms  cached {ms_warm:6.1f} ms  "
                  f"audio {done['duration_ms'] / 1000:6.1f} s  service {speech_s / wall:7.1f}x  "
                  f"limit {a / w:7.1f}x", flush=True)
        server.shutdown()
    fixture_server.shutdown()
    ratio = statistics.median(s / lim for s, lim in zip(service_speed, limit_speed))
    print()
    print(f"first playable audio, not cached: median {statistics.median(cold):.1f} ms "
          f"(max {max(cold):.1f} ms; target < 150 ms)")
    print(f"first playable audio, cached:     median {statistics.median(warm):.1f} ms")
    print(f"generation speed: service median {statistics.median(service_speed):.1f}x real time, "
          f"raw espeak-ng+MP3 limit median {statistics.median(limit_speed):.1f}x; "
          f"ratio service/limit median {ratio:.2f} (target >= 0.7)")


if __name__ == "__main__":
    main()
