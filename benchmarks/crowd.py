"""A crowd on one new page: 200 visitors click "Lyssna" on the same page at the same moment.

Run: .venv/bin/python benchmarks/crowd.py [--clicks 200] [--site-ms 50] [--baseline b5465ec]
Prints, for this tree and for the baseline revision (unpacked with `git archive`, run the same way
in the same run): upstream fetches of the page, sentences synthesized (and how many the page has),
distinct reading ids, 5xx answers, and time from click to the first playable audio (median, p90).
Each run is a process of its own: the real app behind a real threaded server, a real loopback site
that answers after `--site-ms` (a real site is rarely instant), and one fresh cache directory.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "fixtures" / "pages" / "07-fardtjanst-avgifter.html"
MIN_MP3_BYTES = 144  # one whole MP3 frame (see first_audio.py)


class CountingSite(http.server.SimpleHTTPRequestHandler):
    fetches = 0
    delay_s = 0.0
    lock = threading.Lock()

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def do_GET(self):
        with CountingSite.lock:
            CountingSite.fetches += 1
        time.sleep(CountingSite.delay_s)
        super().do_GET()


def click(base: str, url: str, start: threading.Barrier) -> tuple[int, str | None, float | None]:
    """POST the reading, then GET its audio until one whole frame arrived: (status, id, ms to audio)."""
    start.wait()
    t0 = time.perf_counter()
    req = urllib.request.Request(f"{base}/api/v1/readings", data=json.dumps({"url": url}).encode(),
                                 headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            status, reading = r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None, None
    with urllib.request.urlopen(base + reading["audio_url"], timeout=300) as r:
        got = b""
        while len(got) < MIN_MP3_BYTES:
            chunk = r.read1(65536)
            if not chunk:
                break
            got += chunk
        first = (time.perf_counter() - t0) * 1000
        r.read()
    return status, reading["id"], first


def run_one(clicks: int, site_ms: float) -> dict:
    """The crowd against the `service` package on sys.path; a summary."""
    from werkzeug.serving import make_server

    from service import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp, "site")
        site_dir.mkdir()
        shutil.copy(PAGE, site_dir / "sida.html")
        CountingSite.delay_s = site_ms / 1000
        site = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                               functools.partial(CountingSite, directory=str(site_dir)))
        site.daemon_threads = True
        threading.Thread(target=site.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{site.server_address[1]}"
        # 200 visitors, not one client: the per-client limit of new readings does not apply.
        app = create_app({"SITES": [origin], "CACHE_DIR": str(Path(tmp, "cache")),
                          "CLIENT_READINGS_PER_MINUTE": 0})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        start = threading.Barrier(clicks)
        results: list = [None] * clicks

        def one(i: int) -> None:
            try:
                results[i] = click(base, f"{origin}/sida.html", start)
            except Exception as e:  # a refused or reset connection: counted apart from 5xx
                results[i] = (0, None, None, repr(e))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(clicks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = {r[1] for r in results if r[1]}
        readings = app.extensions["lyssna"].services.readings
        sentence_count = max((readings.get(i) or {}).get("sentence_count", 0) for i in ids) if ids else 0
        for i in ids:
            readings.synthesizer.wait(readings.audio_key(i) or "", timeout=300)
        firsts = [r[2] for r in results if r[2] is not None]
        server.shutdown()
        site.shutdown()
        return {"fetches": CountingSite.fetches, "sentences": readings.synthesizer.stats["sentences"],
                "sentence_count": sentence_count, "ids": len(ids),
                "5xx": sum(1 for r in results if r[0] >= 500),
                "failed": [r[3] for r in results if r[0] == 0],
                "first_median_ms": statistics.median(firsts) if firsts else None,
                "first_p90_ms": statistics.quantiles(firsts, n=10)[-1] if len(firsts) > 1 else None}


def measure(tree: Path, clicks: int, site_ms: float) -> dict:
    """run_one in a process of its own, importing `service` from `tree`."""
    out = subprocess.run([sys.executable, __file__, "--one", str(tree), "--clicks", str(clicks),
                          "--site-ms", str(site_ms)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(tree)})
    return json.loads(out.stdout.splitlines()[-1])


def line(name: str, r: dict) -> str:
    ms = (f"median {r['first_median_ms']:.0f} ms, p90 {r['first_p90_ms']:.0f} ms"
          if r["first_median_ms"] is not None else "none")
    return (f"{name:22s} fetches {r['fetches']:3d}   sentences synthesized {r['sentences']:4d} "
            f"(the page has {r['sentence_count']})   distinct ids {r['ids']}   5xx {r['5xx']}   "
            f"first audio {ms}" + (f"   failed connections {len(r['failed'])}: {r['failed'][0]}"
                                   if r["failed"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--site-ms", type=float, default=50.0, help="how long the site takes to answer")
    parser.add_argument("--baseline", default="b5465ec", help="the revision to compare with ('' for none)")
    parser.add_argument("--one", metavar="TREE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        sys.path.insert(0, args.one)
        print(json.dumps(run_one(args.clicks, args.site_ms)))
        return
    print(f"{args.clicks} concurrent clicks on one new page (the site answers in {args.site_ms:.0f} ms)")
    if args.baseline:
        with tempfile.TemporaryDirectory() as old:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
            before = measure(Path(old), args.clicks, args.site_ms)
            print(line(f"before ({args.baseline})", before), flush=True)
    print(line("this tree", measure(ROOT, args.clicks, args.site_ms)), flush=True)


if __name__ == "__main__":
    main()
