"""Load on the production server: finished audio, a thousand listeners, rushes of new pages.

Run: .venv/bin/python benchmarks/load.py [--quick]
Needs `wrk` and `nginx` (Debian packages of those names); without them it says so and stops.

Everything runs on loopback, bounded in time: `python -m service.cli serve` (the default server)
on a free port with a temporary cache, a loopback site of pages made from the fixture texts,
Debian's nginx with two temporary configurations (nginx alone serving the same file from disk:
the baseline; and the shipped front, deploy/nginx/lyssna.conf, in front of the service), and
wrk (`--latency`) for the HTTP figures. Every figure is printed next to its baseline measured in
the same run, with its ratio and target:

  finished MP3 (~0.76 MB), whole file, 64 connections: MB/s and p99, ours vs nginx alone
  the same file, `Range: bytes=0-65535`: requests/s and p99
  the same two through the shipped front vs nginx alone
  1,000 listeners of audio still being made, each reading 6 kB/s (48 kbit/s): /healthz p99 and
      a new page's first audio while they play (vs the same with nobody listening), and the RSS
      of the service's processes (vs idle)
  26 new pages at once (the 14 fixture pages and the 12 of tests/fixtures/pages-more, all cold):
      time to first audio, median and p90 (vs one page alone); one page alone (vs the same pages
      once cached)
  200 clicks at once on one new page: upstream fetches, reading ids, 5xx (vs one click)
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import http.client
import http.server
import itertools
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.config import serving_processes  # noqa: E402
from tests.conftest import PAGES, free_port  # noqa: E402
from tests.servers import (  # noqa: E402
    Nginx,
    ServiceProcess,
    find_nginx,
    front_config,
    front_directory,
    static_config,
)

PROBE_PAGE = "01-sormland-jobbar-smartare.html"  # its MP3 is ~0.76 MB
RUSH_DIRS = (PAGES, PAGES.parent / "pages-more")  # the 14 fixture pages and 12 more: the rush
MIN_MP3_BYTES = 144  # at least one whole MP3 frame: "first audio"
PLAYBACK_BYTES_PER_S = 6000  # 48 kbit/s
CROWD_SITE_DELAY_S = 0.1  # the crowd's page answers like a real site, not instantly
LISTENED_LINES = 150  # the page the listeners play: ~15 minutes of speech, made while they listen
RSS_ABORT_MB = 1500  # the listeners hang up if the service grows past this (the machine is shared)


@dataclass
class Settings:
    wrk_s: int = 5
    rounds: int = 3  # wrk runs per server, taken in turns (the median counts): a busy machine drifts
    listeners: int = 1000
    play_s: int = 30
    samples: int = 5  # pages for "one page alone" and "first audio while they play"
    rush: int = 26
    crowd: int = 200


QUICK = Settings(wrk_s=3, rounds=1, play_s=15, samples=3)


# -- the site ------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_serial = itertools.count(1)


def fresh_text(line: str) -> str:
    """The line with a number never used before inside every sentence, so no sentence of it is
    in the cache already (the service reuses audio sentence by sentence)."""
    out = []
    for sentence in _SENTENCE_END.split(line.strip()):
        if sentence[-1:] in ".!?":
            out.append(f"{sentence[:-1]} {next(_serial)}{sentence[-1]}")
        else:
            out.append(f"{sentence} {next(_serial)}")
    return " ".join(out)


def fixture_lines() -> list[str]:
    return [line for p in sorted(PAGES.glob("*.expected.txt"))
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def new_page(title: str, lines: list[str]) -> bytes:
    body = "".join(f"<p>{fresh_text(line)}</p>\n" for line in lines)
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><main><h1>{fresh_text(title + '.')}</h1>\n{body}</main></body></html>").encode()


class Site:
    """A loopback site serving pages from memory; counts how often each was fetched."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {f"/{p.name}": p.read_bytes() for d in RUSH_DIRS for p in d.glob("*.html")}
        self.slow: set[str] = set()
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._lines = fixture_lines()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - stdlib name
                with site._lock:
                    site.hits[self.path] = site.hits.get(self.path, 0) + 1
                body = site.pages.get(self.path)
                if self.path in site.slow:
                    time.sleep(CROWD_SITE_DELAY_S)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format, *args):  # noqa: A002 - stdlib signature
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

        self.server = Server(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, name: str, lines: int | None = None, *, slow: bool = False) -> str:
        """A new page of `lines` fixture lines (all of them: None) nobody has read; its URL."""
        lines = len(self._lines) if lines is None else lines
        start = (len(self.pages) * 37) % len(self._lines)
        chosen = [self._lines[(start + i) % len(self._lines)] for i in range(lines)]
        self.pages[f"/{name}.html"] = new_page(f"Sida {name}", chosen)
        if slow:
            self.slow.add(f"/{name}.html")
        return f"{self.origin}/{name}.html"


# -- clients -------------------------------------------------------------------------------------


def ask(port: int, method: str, path: str, body: dict | None = None,
        timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Content-Type": "application/json"} if body is not None else {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def post_reading(port: int, url: str) -> tuple[int, dict]:
    status, body = ask(port, "POST", "/api/v1/readings", {"url": url})
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


def first_audio_s(port: int, url: str) -> float:
    """A click: POST the reading, GET its audio, until one whole MP3 frame arrived (seconds)."""
    t0 = time.perf_counter()
    status, reading = post_reading(port, url)
    if status not in (200, 202):
        raise RuntimeError(f"POST {url}: {status} {reading}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", reading["audio_url"])
        r = conn.getresponse()
        got = 0
        while got < MIN_MP3_BYTES:
            chunk = r.read1(65536)
            if not chunk:
                raise RuntimeError(f"{url}: the audio ended after {got} bytes")
            got += len(chunk)
        elapsed = time.perf_counter() - t0
        r.read()
    finally:
        conn.close()
    return elapsed


def first_audio_or_never(port: int, url: str) -> float:
    """`first_audio_s`, or infinity when no audio came."""
    try:
        return first_audio_s(port, url)
    except (OSError, RuntimeError, ValueError, KeyError):
        return float("inf")


def wait_ready(port: int, reading_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        reading = json.loads(ask(port, "GET", f"/api/v1/readings/{reading_id}")[1])
        if reading["status"] != "generating" or time.monotonic() > deadline:
            return reading
        time.sleep(0.1)


def at_once(n: int, work) -> list:
    """`work(i)` in n threads released together; results (or exceptions) in order."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        except Exception as e:  # noqa: BLE001 - counted by the caller
            return e

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# -- wrk -----------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
_BYTES = {"B": 1 / 2**20, "KB": 1 / 2**10, "MB": 1.0, "GB": 2**10, "TB": 2**20}


@dataclass
class WrkResult:
    requests_s: float
    mb_s: float  # MiB/s, as wrk counts
    p99_ms: float
    bad: int  # non-2xx/3xx answers and socket errors

    @staticmethod
    def parse(out: str) -> WrkResult:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        if int(re.search(r"(\d+) requests in", out).group(1)) == 0:
            return WrkResult(0.0, 0.0, float("inf"), 0)  # not one answer in the whole run
        value, unit = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out).groups()
        p99, p99_unit = re.search(r"^\s+99%\s+([\d.]+)(\w+)", out, re.MULTILINE).groups()
        bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        bad += sum(int(n) for n in errors.groups()) if errors else 0
        return WrkResult(rps, float(value) * _BYTES[unit], float(p99) * _UNITS[p99_unit], bad)


def wrk(url: str, seconds: int, connections: int = 64, headers: tuple[str, ...] = ()) -> WrkResult:
    threads = min(2, connections)
    cmd = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return WrkResult.parse(out)


# -- the service's memory ------------------------------------------------------------------------


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants (granian's workers), in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


# -- 1,000 listeners -----------------------------------------------------------------------------


@dataclass
class Listeners:
    connected: int = 0
    answered: list[float] = field(default_factory=list)  # seconds from connecting to a 200's headers
    streaming: int = 0  # answered 200 and sent the first second of audio
    failed: int = 0
    late: int = 0  # listeners whose 6 kB of some second came more than a second late
    ended_early: int = 0
    errors: list[str] = field(default_factory=list)


async def listen(port: int, path: str, stats: Listeners, until: float) -> None:
    """One player reading the audio at playback speed until `until` (loop time)."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # a player buffers little
    sock.setblocking(False)
    late = False
    try:
        await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", port)), 30)
        reader, writer = await asyncio.open_connection(sock=sock, limit=2**16)
        stats.connected += 1
        asked = loop.time()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), max(0.1, until - loop.time()))
        except TimeoutError:
            raise RuntimeError("no answer while the others played") from None
        if int(head.split(None, 2)[1]) != 200:
            raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
        stats.answered.append(loop.time() - asked)
        due = loop.time()
        first = True
        while loop.time() < until:
            got = 0
            while got < PLAYBACK_BYTES_PER_S:  # a stall of 10 s counts as a failure
                chunk = await asyncio.wait_for(reader.read(PLAYBACK_BYTES_PER_S - got), 10)
                if not chunk:
                    stats.ended_early += 1
                    return
                got += len(chunk)
            if first:
                stats.streaming += 1
                first = False
            if loop.time() - due > 1.0:
                late = True
            due += 1.0
            await asyncio.sleep(max(0.0, due - loop.time()))
        writer.close()
    except (OSError, TimeoutError, RuntimeError, asyncio.IncompleteReadError, ValueError) as e:
        stats.failed += 1
        error = f"{type(e).__name__}: {e}"
        if error not in stats.errors and len(stats.errors) < 5:
            stats.errors.append(error)
    finally:
        stats.late += late
        sock.close()


async def play_and_measure(port: int, path: str, n: int, play_s: float, measure,
                           abort: threading.Event) -> Listeners:
    """n listeners for `play_s` seconds (all hang up at once if `abort` is set); `measure()`
    runs in a thread once they all are in."""
    loop = asyncio.get_running_loop()
    stats = Listeners()
    until = loop.time() + play_s
    tasks = []

    async def watch():
        while not all(t.done() for t in tasks):
            if abort.is_set():
                for t in tasks:
                    t.cancel()
                return
            await asyncio.sleep(0.2)

    for i in range(n):
        tasks.append(asyncio.create_task(listen(port, path, stats, until)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # a crowd arriving, not a SYN flood
    watcher = asyncio.create_task(watch())
    for _ in range(100):  # until all play, at most 5 s: then measure, whether or not they all do
        if len(stats.answered) + stats.failed >= n:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    await loop.run_in_executor(None, measure)
    await asyncio.gather(*tasks, return_exceptions=True)
    await watcher
    return stats


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    ours: float | None
    baseline: float | None
    unit: str
    target: str
    met: bool | None

    def cells(self) -> list[str]:
        def num(v):
            if v is None:
                return "—"
            if v == float("inf"):
                return "never"
            return f"{v:.0f} {self.unit}" if abs(v) >= 100 else f"{v:.3g} {self.unit}"
        ratio = self.ours / self.baseline if self.ours is not None and self.baseline else None
        if ratio == float("inf"):
            ratio = None
        return [self.figure, num(self.ours), num(self.baseline), "—" if ratio is None else f"{ratio:.2f}×",
                self.target, "—" if self.met is None else ("yes" if self.met else "NO")]


def print_table(rows: list[Row]) -> None:
    table = [["figure", "ours", "baseline", "ratio", "target", "met?"]] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(6)]
    for k, line in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def run(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    site = Site()
    base, user = front_directory("lyssna-load-")
    service_port, nginx_port, front_port = free_port(), free_port(), free_port()
    cache = base / "cache"
    service = ServiceProcess(service_port, {
        "LYSSNA_CACHE_DIR": str(cache), "LYSSNA_SITES": site.origin, "LYSSNA_TRUSTED_PROXIES": "127.0.0.1",
        "LYSSNA_PUBLIC_URL": f"http://127.0.0.1:{front_port}", "LYSSNA_CLIENT_READINGS_PER_MINUTE": "0",
    }, cwd=base, log=base / "service.log")
    servers: list[Nginx] = []
    try:
        service.start()
        workers = serving_processes(int(service.env.get("LYSSNA_HTTP_WORKERS") or 0))
        say(f"service (lyssna serve, {workers} processes) on :{service_port}")

        # -- one page alone, and the same pages cached
        alone = [site.add(f"alone-{i}", 30) for i in range(settings.samples)]
        alone_s = [first_audio_or_never(service_port, url) for url in alone]
        cached_s = [first_audio_or_never(service_port, url) for url in alone]
        say(f"one page alone: {fmt_s(alone_s)}; cached: {fmt_s(cached_s)}")

        # -- the rush first, while every fixture page is cold
        rush_rows = rush_figures(service_port, site, settings, alone_s, cached_s)

        # -- the file: a fixture page read once, its audio finished and linked for the front
        _, reading = post_reading(service_port, f"{site.origin}/{PROBE_PAGE}")
        reading = wait_ready(service_port, reading["id"])
        key = Path(os.readlink(cache / "by-reading" / f"{reading['id']}.mp3")).stem
        size = (cache / "audio" / f"{key}.mp3").stat().st_size
        say(f"the file: {reading['audio_url']} ({size / 1e6:.2f} MB, {reading['duration_ms'] / 1000:.0f} s)")

        servers.append(Nginx(base / "nginx-alone", static_config(listen=f"127.0.0.1:{nginx_port}",
                                                                 root=cache / "audio"),
                             nginx_port, user=user, access_log=False).start())
        servers.append(Nginx(base / "nginx-front", front_config(upstream=f"127.0.0.1:{service_port}",
                                                                listen=f"127.0.0.1:{front_port}", cache_dir=cache),
                             front_port, user=user, access_log=False).start())
        urls = {"ours": f"http://127.0.0.1:{service_port}{reading['audio_url']}",
                "nginx": f"http://127.0.0.1:{nginx_port}/{key}.mp3",
                "front": f"http://127.0.0.1:{front_port}{reading['audio_url']}"}
        rows += http_figures(urls, settings)


        # -- idle baselines for the listeners' figures
        idle_health = wrk(f"http://127.0.0.1:{service_port}/healthz", min(5, settings.wrk_s), connections=4)
        idle_rss = tree_rss_mb(service.proc.pid)
        rows += listener_figures(service, site, settings, idle_health, idle_rss, alone_s)

        rows += rush_rows
        rows += crowd_figures(service_port, site, settings)
    finally:
        for server in servers:
            server.stop()
        service.stop()
        site.server.shutdown()
        shutil.rmtree(base, ignore_errors=True)
    return rows


def http_figures(urls: dict[str, str], settings: Settings) -> list[Row]:
    rows = []
    runs: dict[tuple[str, bool], list[WrkResult]] = {}
    for url in urls.values():
        wrk(url, 1)  # warm up: files in the page cache, the service's memory copy, connections
    for _ in range(settings.rounds):
        for ranged_run in (False, True):
            for name, url in urls.items():
                result = wrk(url, settings.wrk_s, headers=("Range: bytes=0-65535",) if ranged_run else ())
                runs.setdefault((name, ranged_run), []).append(result)
                say(f"{name:5s} {'range' if ranged_run else 'whole'}: {result.mb_s:7.1f} MB/s "
                    f"{result.requests_s:7.0f} req/s p99 {result.p99_ms:6.1f} ms"
                    + (f", {result.bad} bad answers" if result.bad else ""))
    whole = {name: median_run(runs[name, False]) for name in urls}
    ranged = {name: median_run(runs[name, True]) for name in urls}
    n, o, f = whole["nginx"], whole["ours"], whole["front"]
    rn, ro, rf = ranged["nginx"], ranged["ours"], ranged["front"]
    rows.append(Row("whole MP3, 64 conn: MB/s (vs nginx alone)", o.mb_s, n.mb_s, "MB/s", "≥ 0.8×",
                    o.mb_s >= 0.8 * n.mb_s))
    rows.append(Row("whole MP3, 64 conn: p99 (vs nginx alone)", o.p99_ms, n.p99_ms, "ms", "≤ 2×",
                    o.p99_ms <= 2 * n.p99_ms))
    rows.append(Row("Range 0-65535: requests/s (vs nginx alone)", ro.requests_s, rn.requests_s, "/s", "≥ 0.5×",
                    ro.requests_s >= 0.5 * rn.requests_s))
    rows.append(Row("Range 0-65535: p99 (vs nginx alone)", ro.p99_ms, rn.p99_ms, "ms", "—", None))
    rows.append(Row("front: whole MP3 MB/s (vs nginx alone)", f.mb_s, n.mb_s, "MB/s", "≥ 0.9×",
                    f.mb_s >= 0.9 * n.mb_s))
    rows.append(Row("front: whole MP3 p99 (vs nginx alone)", f.p99_ms, n.p99_ms, "ms", "—", None))
    rows.append(Row("front: Range requests/s (vs nginx alone)", rf.requests_s, rn.requests_s, "/s", "≥ 0.9×",
                    rf.requests_s >= 0.9 * rn.requests_s))
    rows.append(Row("front: Range p99 (vs nginx alone)", rf.p99_ms, rn.p99_ms, "ms", "—", None))
    bad = sum(r.bad for results in runs.values() for r in results)
    rows.append(Row("wrk: answers not 200/206, socket errors", bad, None, "", "0", bad == 0))
    return rows


def median_run(results: list[WrkResult]) -> WrkResult:
    """Each figure's median over the rounds."""
    return WrkResult(statistics.median(r.requests_s for r in results), statistics.median(r.mb_s for r in results),
                     statistics.median(r.p99_ms for r in results), sum(r.bad for r in results))


def listener_figures(service: ServiceProcess, site: Site, settings: Settings, idle_health: WrkResult,
                     idle_rss: float, alone_s: list[float]) -> list[Row]:
    """The listeners play a long new page while it is made; meanwhile /healthz, new pages, RSS."""
    port = service.port
    _, reading = post_reading(port, site.add("listened", LISTENED_LINES))
    stored = json.loads((Path(service.env["LYSSNA_CACHE_DIR"]) / "readings" / f"{reading['id']}.json").read_text())
    part = Path(service.env["LYSSNA_CACHE_DIR"]) / "audio" / f"{stored['audio_key']}.part"
    cold = [site.add(f"while-playing-{i}", 30) for i in range(settings.samples)]
    measured: dict = {}
    rss: list[float] = []
    made_for = [0.0]  # seconds of the listening during which the page was still being made
    sampling, abort = threading.Event(), threading.Event()

    def sample_rss():
        started = time.monotonic()
        while not sampling.is_set():
            rss.append(tree_rss_mb(service.proc.pid))
            if rss[-1] > RSS_ABORT_MB:
                abort.set()
            if part.exists():
                made_for[0] = time.monotonic() - started
            sampling.wait(0.25)

    def measure():
        measured["health"] = wrk(f"http://127.0.0.1:{port}/healthz", min(5, settings.wrk_s), connections=4)
        measured["cold"] = [first_audio_or_never(port, url) for url in cold]

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    stats = asyncio.run(play_and_measure(port, reading["audio_url"], settings.listeners, settings.play_s, measure,
                                         abort))
    sampling.set()
    sampler.join()
    say(f"{settings.listeners} listeners: {stats.connected} connected, {len(stats.answered)} answered "
        f"({fmt_s(stats.answered)} after asking), {stats.streaming} streamed, {stats.failed} failed "
        f"{stats.errors or ''}, {stats.ended_early} reached the end, {stats.late} fell behind; the page was "
        f"being made for the first {made_for[0]:.1f} s of their {settings.play_s} s"
        + (f"; ALL HUNG UP: the service passed {RSS_ABORT_MB} MB" if abort.is_set() else ""))
    health, cold_s = measured["health"], measured["cold"]
    say(f"while they play: /healthz p99 {health.p99_ms:.1f} ms (idle {idle_health.p99_ms:.1f}), "
        f"new page first audio {fmt_s(cold_s)}, RSS max {max(rss):.0f} MB (idle {idle_rss:.0f})")
    n = settings.listeners
    return [
        Row(f"{n} listeners (6 kB/s each): playing, none > 1 s late", stats.streaming - stats.late, n, "", f"{n}",
            stats.streaming - stats.late == n),
        Row(f"{n} listeners: /healthz p99 (vs idle)", health.p99_ms, idle_health.p99_ms, "ms", "≤ 100 ms",
            health.p99_ms <= 100 and health.bad == 0),
        Row(f"{n} listeners: new page first audio, median (vs idle)", statistics.median(cold_s),
            statistics.median(alone_s), "s", "≤ 0.5 s", statistics.median(cold_s) <= 0.5),
        Row(f"{n} listeners: service RSS, all processes (vs idle)", max(rss), idle_rss, "MB", "≤ 300 MB",
            max(rss) <= 300),
    ]


def rush_figures(port: int, site: Site, settings: Settings, alone_s: list[float],
                 cached_s: list[float]) -> list[Row]:
    urls = [f"{site.origin}/{p.name}" for d in RUSH_DIRS for p in sorted(d.glob("*.html"))][:settings.rush]
    results = at_once(len(urls), lambda i: first_audio_s(port, urls[i]))
    failures = [r for r in results if not isinstance(r, float)]
    times = [r if isinstance(r, float) else float("inf") for r in results]  # no audio: never
    say(f"{settings.rush} new pages at once: {fmt_s(times)}" + (f"; {len(failures)} got no audio: "
                                                               f"{sorted(set(map(str, failures)))[:2]}"
                                                               if failures else ""))
    median, p90, alone = statistics.median(times), quantile(times, 0.9), statistics.median(alone_s)
    n = settings.rush
    return [
        Row(f"{n} new pages at once: first audio median (vs alone)", median, alone, "s", "≤ 0.3 s", median <= 0.3),
        Row(f"{n} new pages at once: first audio p90 (vs alone)", p90, alone, "s", "≤ 1 s", p90 <= 1.0),
        Row(f"{n} new pages at once: clicks that got no audio", len(failures), 0, "", "0", not failures),
        Row("one new page alone: first audio median (vs cached)", alone, statistics.median(cached_s), "s",
            "≤ 0.1 s", alone <= 0.1),
    ]


def crowd_figures(port: int, site: Site, settings: Settings) -> list[Row]:
    """Clicks on a page nobody has read yet; the site takes 0.1 s to answer, like a real one."""
    single = site.add("one-click", 30, slow=True)
    post_reading(port, single)
    single_fetches = site.hits.get("/one-click.html", 0)
    url = site.add("crowd", 30, slow=True)
    results = at_once(settings.crowd, lambda i: post_reading(port, url))
    answers = [r for r in results if isinstance(r, tuple)]
    ids = {r[1].get("id") for r in answers if r[0] in (200, 202)}
    server_errors = sum(1 for r in answers if r[0] >= 500) + (len(results) - len(answers))
    statuses = sorted({r[0] for r in answers})
    fetches = site.hits.get("/crowd.html", 0)
    say(f"{settings.crowd} clicks on one new page: {fetches} fetches of it, {len(ids)} reading ids, "
        f"answers {statuses}, {server_errors} 5xx or failed")
    n = settings.crowd
    return [
        Row(f"{n} clicks on one new page: upstream fetches (vs 1 click)", fetches, single_fetches, "", "1",
            fetches == 1),
        Row(f"{n} clicks on one new page: distinct reading ids", len(ids), 1, "", "1", len(ids) == 1),
        Row(f"{n} clicks on one new page: 5xx", server_errors, 0, "", "0", server_errors == 0),
    ]


def fmt_s(values: list[float]) -> str:
    if not values:
        return "none"
    return f"median {statistics.median(values):.3f} s, max {max(values):.3f} s (n={len(values)})".replace("inf s", "never")


def say(text: str) -> None:
    print(f"[load] {text}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs and fewer samples (a smoke test)")
    args = parser.parse_args()
    missing = [name for name, found in (("wrk", shutil.which("wrk")), ("nginx", find_nginx())) if not found]
    if missing:
        print(f"load benchmark skipped: {' and '.join(missing)} not found "
              f"(install the Debian package{'s' if len(missing) > 1 else ''} {', '.join(missing)})")
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))  # 1,000 listeners
    settings = QUICK if args.quick else Settings()
    started = time.monotonic()
    rows = run(settings)
    print()
    print(f"Load benchmark{' (--quick)' if args.quick else ''}: {os.cpu_count()} cores, wrk runs of "
          f"{settings.wrk_s} s with 64 connections (median of {settings.rounds} in turns), "
          f"{time.monotonic() - started:.0f} s in all")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
