"""Pre-generation throughput: pages per minute on a 200-page loopback site with 1 and 2 worker
processes (scaling ratio), where the CPU time goes, resident memory per worker, and a re-run on the
unchanged site.

Run: .venv/bin/python benchmarks/pregenerate.py [pages] [--repeat N]

CPU figures, per configuration (from /proc, sampled every 0.2 s, plus getrusage for the total):
- job processes: huey's process workers, which fetch, extract, plan, synthesize and encode;
- consumer: the `lyssna worker` parent (huey's scheduler loop, heartbeats);
- orchestrator: `lyssna pregenerate` itself (queueing, polling for results, progress);
- site server: this benchmark's own loopback HTTP server (it shares the cores too);
- machine busy: all CPU use on the machine during the run, other people's included, as cores.
"cores used" = CPU seconds / wall seconds. With 2 cores, a ratio of 2 workers over 1 worker can only
reach 2 / (cores one worker already uses); the figures show how close to that each run came.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.site_builder import build_site  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
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


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent not idle (all cores), since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


@dataclass
class Run:
    workers: int
    wall: float = 0.0
    summary: str = ""
    peak_rss: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # role -> CPU seconds
    total_cpu: float = 0.0  # getrusage: orchestrator and everything it waited for, + site server
    machine: float = 0.0  # CPU seconds of the whole machine during the run


def run(site, cache: Path, workers: int) -> Run:
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("LYSSNA_SITES", None)
    result = Run(workers)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine0 = machine_busy_s()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "pregenerate", "--sitemap",
                             site.sitemap_index_url, "--site", site.origin, "--workers", str(workers),
                             "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: dict[int, tuple[str, float]] = {}  # pid -> (role, last CPU seconds seen)

    def sample() -> None:
        while proc.poll() is None:
            pids = descendants(proc.pid)
            for pid in [proc.pid, *pids]:
                st = _stat(pid)
                if st is None:
                    continue
                ppid, cpu = st
                if pid == proc.pid:
                    role = "orchestrator"
                elif ppid == proc.pid:
                    role = "consumer"
                else:
                    role = "job processes"
                    result.peak_rss = max(result.peak_rss, rss_mb(pid))
                seen[pid] = (role, cpu)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    result.wall = time.perf_counter() - t0
    sampler.join()
    result.machine = machine_busy_s() - machine0
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    tree = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
    for role, cpu in seen.values():
        result.cpu[role] = result.cpu.get(role, 0.0) + cpu
    result.cpu["site server"] = server  # includes this sampler's own small share
    result.total_cpu = tree + server
    result.summary = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    return result


def report(r: Run, pages: int) -> None:
    print(f"{r.workers} worker(s): {r.wall:6.1f} s, {pages / r.wall * 60:6.1f} pages/min, "
          f"peak RSS per job process {r.peak_rss:5.1f} MB — {r.summary}", flush=True)
    parts = ", ".join(f"{role} {cpu:.1f} s" for role, cpu in sorted(r.cpu.items()))
    print(f"    CPU {r.total_cpu:.1f} s = {r.total_cpu / pages * 1000:.0f} ms per page, "
          f"{r.total_cpu / r.wall:.2f} cores used ({parts}); "
          f"machine busy {r.machine / r.wall:.2f} of {os.cpu_count()} cores", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, nargs="?", default=200)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of 1 and 2 workers")
    args = parser.parse_args()
    pages = args.pages
    with tempfile.TemporaryDirectory() as d:
        site = build_site(Path(d) / "site", pages)
        ratios = []
        best: dict[int, Run] = {}
        for round_ in range(args.repeat):
            results = {}
            for workers in (1, 2):
                cache = Path(d) / f"cache{round_}-{workers}"
                results[workers] = r = run(site, cache, workers)
                report(r, pages)
                if workers not in best or r.wall < best[workers].wall:
                    best[workers] = r
            ratio = results[1].wall / results[2].wall
            ratios.append(ratio)
            one = results[1].total_cpu / results[1].wall
            print(f"  round {round_ + 1}: scaling 2 workers / 1 worker {ratio:.2f}x (target >= 1.7); "
                  f"1 worker already used {one:.2f} cores, so 2 cores allow at most "
                  f"{(os.cpu_count() or 2) / one:.2f}x at the same CPU per page; CPU per page "
                  f"{results[1].total_cpu / pages * 1000:.0f} ms with 1 worker, "
                  f"{results[2].total_cpu / pages * 1000:.0f} ms with 2", flush=True)
        r = run(site, Path(d) / "cache0-2", 2)
        print("re-run on the unchanged site (2 workers):")
        report(r, pages)
        if args.repeat > 1:
            print(f"scaling over {args.repeat} rounds: {', '.join(f'{x:.2f}' for x in ratios)}; "
                  f"best 1 worker {pages / best[1].wall * 60:.0f} pages/min, best 2 workers "
                  f"{pages / best[2].wall * 60:.0f} pages/min = {best[1].wall / best[2].wall:.2f}x")
        site.close()


if __name__ == "__main__":
    main()
