"""Time to first audio when 26 different cold pages are clicked at once, next to a baseline commit.

Run: .venv/bin/python benchmarks/rush.py [--rounds 3] [--baseline b5465ec]

Why: a page clicked while many others are being generated must still start at once; this measures
how long the last visitors of a rush wait, for this tree and for an older commit in the same run.

Each side runs the real app (`create_app`, default settings) behind a threaded werkzeug server in a
process of its own, so the clients and the loopback site below do not share its GIL; the baseline
is the `--baseline` commit's tree (`git archive`, nothing in the repository changes). The 26 pages
(tests/fixtures/pages and tests/fixtures/pages-more) are served from loopback by this process.
- rush: 26 threads click at once on an empty cache: POST the reading, GET /audio/<id>.mp3, and stop
  the clock at the first whole MP3 frame; then each keeps reading its stream to the end, as a
  player does, and the time until every reading is complete is noted too;
- alone: the same pages one at a time, each cold and finished before the next.
Rounds alternate the two sides; the figures are over all rounds.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import serve_directory  # noqa: E402

PAGE_DIRS = (ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "fixtures" / "pages-more")
MIN_MP3_BYTES = 144  # at least one whole MP3 frame (48 kbit/s, 22.05 kHz: ~156 bytes)
WARM_UP = "<html lang='sv'><body><main><h1>Uppvärmning</h1><p>Det här är en sida.</p></main></body></html>"

# Runs in the app's own process, with the tree under test first on sys.path.
APP_MAIN = """
import json, logging, sys
from werkzeug.serving import make_server
from service import create_app
logging.getLogger("werkzeug").setLevel(logging.WARNING)
app = create_app({"SITES": json.loads(sys.argv[1]), "CACHE_DIR": sys.argv[2]})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def tree_at(rev: str, into: Path) -> Path:
    """The files of commit `rev`, unpacked under `into` (the repository itself is not touched)."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


class App:
    """The real app of one source tree, in a child process, on an empty cache."""

    def __init__(self, tree: Path, sites: list[str]):
        self._cache = tempfile.TemporaryDirectory(prefix="lyssna-rush-")
        env = {**os.environ, "PYTHONPATH": str(tree)}
        env.pop("LYSSNA_WORKERS", None)
        self.proc = subprocess.Popen([sys.executable, "-c", APP_MAIN, json.dumps(sites), self._cache.name],
                                     cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        self.base = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._cache.cleanup()


def post(base: str, url: str) -> dict:
    req = urllib.request.Request(f"{base}/api/v1/readings", data=json.dumps({"url": url}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def click(base: str, url: str, drain: bool = True) -> tuple[float, float, str]:
    """(ms from the click to the first whole MP3 frame, ms to the POST's answer, reading id);
    reads the rest of the audio when `drain`."""
    t0 = time.perf_counter()
    reading = post(base, url)
    answered = (time.perf_counter() - t0) * 1000
    with urllib.request.urlopen(base + reading["audio_url"], timeout=120) as r:
        got = 0
        while got < MIN_MP3_BYTES:
            chunk = r.read1(65536)
            if not chunk:
                break
            got += len(chunk)
        ms = (time.perf_counter() - t0) * 1000
        if drain:
            while r.read1(65536):
                pass
    return ms, answered, reading["id"]


def wait_ready(base: str, reading_id: str) -> None:
    while True:
        with urllib.request.urlopen(f"{base}/api/v1/readings/{reading_id}", timeout=60) as r:
            if json.loads(r.read())["status"] != "generating":
                return
        time.sleep(0.02)


def rush(tree: Path, sites: list[str], urls: list[str], warm: str) -> tuple[list[float], list[float], float]:
    """Everyone clicks at once: (ms to first audio per page, ms to the POST's answer per page,
    seconds until all are complete)."""
    app = App(tree, sites)
    try:
        wait_ready(app.base, click(app.base, warm)[2])
        results: list[tuple[float, float, str]] = [(0.0, 0.0, "")] * len(urls)
        start = threading.Barrier(len(urls) + 1)

        def one(i: int) -> None:
            start.wait()
            results[i] = click(app.base, urls[i])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        for _, _, rid in results:
            wait_ready(app.base, rid)
        return [r[0] for r in results], [r[1] for r in results], time.perf_counter() - t0
    finally:
        app.close()


def alone(tree: Path, sites: list[str], urls: list[str], warm: str) -> list[float]:
    """Each page clicked on its own, cold, after the previous one is complete."""
    app = App(tree, sites)
    try:
        out = []
        for url in [warm, *urls]:
            ms, _, rid = click(app.base, url, drain=False)
            wait_ready(app.base, rid)
            out.append(ms)
        return out[1:]
    finally:
        app.close()


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10, method="inclusive")
    return f"median {statistics.median(ms):6.0f} ms  p90 {q[8]:6.0f} ms  max {max(ms):6.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default="b5465ec", help="commit to compare with (default b5465ec)")
    parser.add_argument("--no-alone", action="store_true", help="skip the one-page-at-a-time part")
    args = parser.parse_args()

    servers, sites, urls = [], [], []
    for directory in PAGE_DIRS:
        server, origin = serve_directory(directory)
        servers.append(server)
        sites.append(origin)
        urls += [f"{origin}/{p.name}" for p in sorted(directory.glob("*.html"))]
    with tempfile.TemporaryDirectory(prefix="lyssna-rush-site-") as extra, \
            tempfile.TemporaryDirectory(prefix="lyssna-rush-base-") as old:
        (Path(extra) / "warm.html").write_text(WARM_UP, encoding="utf-8")
        server, origin = serve_directory(Path(extra))
        servers.append(server)
        sites.append(origin)
        warm = f"{origin}/warm.html"
        trees = {f"baseline {args.baseline}": tree_at(args.baseline, Path(old)), "this tree": ROOT}
        first: dict[str, list[float]] = {name: [] for name in trees}
        answered: dict[str, list[float]] = {name: [] for name in trees}
        done: dict[str, list[float]] = {name: [] for name in trees}
        single: dict[str, list[float]] = {name: [] for name in trees}
        print(f"{len(urls)} pages, {args.rounds} rounds, {os.cpu_count()} cores", flush=True)
        for r in range(args.rounds):
            for name, tree in trees.items():
                ms, posted, all_s = rush(tree, sites, urls, warm)
                first[name] += ms
                answered[name] += posted
                done[name].append(all_s)
                line = (f"round {r + 1} {name:18s} rush: {summary(ms)}  (POST answered: median "
                        f"{statistics.median(posted):5.0f} ms)  all complete {all_s:5.1f} s")
                if not args.no_alone:
                    solo = alone(tree, sites, urls, warm)
                    single[name] += solo
                    line += f"  alone: median {statistics.median(solo):5.0f} ms"
                print(line, flush=True)
        print()
        for name in trees:
            print(f"{name:18s} {len(urls)} at once, time to first audio: {summary(first[name])}; "
                  f"all complete in {statistics.median(done[name]):.1f} s (median of rounds)")
            print(f"{'':18s} of which the POST (fetch, extract, plan) until answered: {summary(answered[name])}")
            if single[name]:
                print(f"{'':18s} one page alone: median {statistics.median(single[name]):.0f} ms "
                      f"(max {max(single[name]):.0f} ms)")
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
