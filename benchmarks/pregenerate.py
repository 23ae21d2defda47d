"""Pre-generation throughput: pages per minute on a 200-page loopback site with 1 and 2 worker
processes (scaling ratio), resident memory per worker, and a re-run on the unchanged site.

Run: .venv/bin/python benchmarks/pregenerate.py [pages]
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site_builder import build_site  # noqa: E402


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(site, cache: Path, workers: int) -> tuple[float, float, str]:
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("LYSSNA_SITES", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "pregenerate", "--sitemap",
                             site.sitemap_index_url, "--site", site.origin, "--workers", str(workers),
                             "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            # worker processes: the grandchildren that run jobs (huey process workers)
            for pid in descendants(proc.pid):
                peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()
    out, _ = proc.communicate()
    return time.perf_counter() - t0, peak[0], out.strip().splitlines()[-1]


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as d:
        site = build_site(Path(d) / "site", pages)
        results = {}
        for workers in (1, 2):
            cache = Path(d) / f"cache{workers}"
            wall, peak, summary = run(site, cache, workers)
            results[workers] = wall
            print(f"{workers} worker(s): {wall:6.1f} s, {pages / wall * 60:6.1f} pages/min, "
                  f"peak RSS per process {peak:5.1f} MB — {summary}", flush=True)
        wall, _, summary = run(site, Path(d) / "cache2", 2)
        print(f"re-run, unchanged site: {wall:6.1f} s — {summary}")
        print(f"scaling 2 workers / 1 worker: {results[1] / results[2]:.2f}x (target >= 1.7)")
        site.close()


if __name__ == "__main__":
    main()
