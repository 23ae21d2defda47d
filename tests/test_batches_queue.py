"""Admin batches through the job queue: with a real `lyssna worker` (SqliteHuey) alive, a batch
started in the admin UI is made by the worker's processes, not by the web process; the progress page
says who runs it, shows pages waiting in the queue apart from pages being made, and warns when no
worker is there to take them. Without a worker, batches run in the web process as before."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service import create_app
from service.store.audio_cache import AudioCache
from service.work.batches import Batches

from .helpers import decode_mp3
from .test_admin_ui import PASSWORD, fixture_url, login, token_of, wire
from .test_redis_workers import redis_url  # noqa: F401 - the fixture: a real Redis-compatible server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_worker(cache: Path, sites: str, log: Path, workers: int = 2) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": ROOT, "LYSSNA_CACHE_DIR": str(cache), "LYSSNA_SITES": sites}
    env.pop("LYSSNA_REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--workers", str(workers)],
                            env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_for_workers(batches: Batches, proc: subprocess.Popen, log: Path, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = batches.workers()
        if alive:
            return alive
        assert proc.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"no heartbeat from the worker:\n{log.read_text()}")


@pytest.fixture
def admin(tmp_path, fixture_site):
    app = wire(create_app({"TESTING": True, "SITES": [fixture_site], "ADMIN_PASSWORD": PASSWORD,
                           "CACHE_DIR": str(tmp_path / "cache")}))
    client = app.test_client()
    login(client)
    client.csrf = token_of(client.get("/admin/").text)
    return app, client


def start_batch(client, urls: list[str]) -> str:
    r = client.post("/admin/pregenerate", data={"csrf_token": client.csrf, "urls": "\n".join(urls)})
    assert r.status_code == 303, r.text
    return r.headers["Location"].rstrip("/").split("/")[-1]


def test_a_batch_is_made_by_the_worker_processes_when_a_worker_is_alive(admin, tmp_path, fixture_site):
    app, client = admin
    batches: Batches = app.extensions["lyssna"].batches
    assert batches.mode() == "threads"
    assert "görs i webbprocessen" in client.get("/admin/pregenerate").text
    log = tmp_path / "worker.log"
    worker = start_worker(Path(app.config["CACHE_DIR"]), fixture_site, log)
    try:
        alive = wait_for_workers(batches, worker, log)
        assert alive[0]["pid"] == worker.pid and alive[0]["workers"] == 2
        assert batches.mode() == "queue"
        assert "görs av arbetare via jobbkön (2 arbetsprocesser igång)" in " ".join(
            client.get("/admin/pregenerate").text.split())

        urls = [fixture_url(fixture_site, i) for i in range(4)]
        missing = f"{fixture_site}/finns-inte.html"
        batch_id = start_batch(client, urls + [missing])
        page = client.get(f"/admin/pregenerate/{batch_id}").text
        assert 'data-mode="queue"' in page and "Körs av arbetare" in page and "<strong>2 arbetsprocesser</strong>" in page
        assert batches.wait(batch_id, timeout=300), log.read_text()[-3000:]
        status = client.get(f"/admin/pregenerate/{batch_id}/status").get_json()
    finally:
        stop(worker)
    assert status["mode"] == "queue" and status["finished"] and not status["interrupted"]
    assert (status["total"], status["done"], status["percent"]) == (5, 5, 100)
    assert (status["new"], status["unchanged"], status["failed"]) == (4, 0, 1)
    assert [f["url"] for f in status["failures"]] == [missing] and "404" in status["failures"][0]["message"]
    assert status["sentences_synthesized"] > 10
    # Made by the worker's processes, not by this (the web) process.
    jobs = batches.jobs(batch_id)
    pids = {j["pid"] for j in jobs}
    assert os.getpid() not in pids and None not in pids and worker.pid not in pids
    assert all(j["state"] == "done" for j in jobs)
    assert app.extensions["lyssna"].services.readings.synthesizer.stats["sentences"] == 0
    cache = AudioCache(app.config["CACHE_DIR"])
    finished = list(cache.audio_dir.glob("*.mp3"))
    assert len(finished) == 4
    for mp3 in finished:
        assert decode_mp3(mp3.read_bytes())[2] > 1000
    # The results were taken out of huey's store (nothing left behind to grow).
    assert batches.queue.huey.result_count() == 0
    # The worker said goodbye when it stopped.
    assert batches.workers() == [] and batches.mode() == "threads"


def test_queued_pages_wait_visibly_until_a_worker_comes(admin, tmp_path, fixture_site):
    """Queue mode without any worker (as with Redis and none started): the page says so and shows
    the pages as queued, none running; a worker started later finishes the batch."""
    app, client = admin
    batches: Batches = app.extensions["lyssna"].batches
    urls = [fixture_url(fixture_site, i) for i in (5, 6, 7)]
    batch_id = batches.start(urls, label="väntar", mode="queue")
    time.sleep(1.0)  # the collector has looked at least once
    status = client.get(f"/admin/pregenerate/{batch_id}/status").get_json()
    assert (status["queued"], status["running"], status["done"], status["finished"]) == (3, 0, 0, False)
    assert status["workers"] == 0
    page = client.get(f"/admin/pregenerate/{batch_id}").text
    assert 'id="no-workers"' in page and "Ingen arbetare är igång" in page
    assert 'id="batch-queued">3<' in page and 'id="batch-running">0<' in page
    assert "3 i kö" in client.get("/admin/pregenerate").text

    # A restarted web process (a fresh Batches) picks the progress up from the queue.
    log = tmp_path / "worker.log"
    worker = start_worker(Path(app.config["CACHE_DIR"]), fixture_site, log, workers=1)
    try:
        wait_for_workers(batches, worker, log)
        fresh = Batches(app.extensions["lyssna"].services)
        seen_running = False
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            progress = fresh.get(batch_id)
            seen_running |= progress["running"] > 0
            if progress["finished"]:
                break
            time.sleep(0.05)
    finally:
        stop(worker)
    assert progress["finished"] and (progress["new"], progress["done"], progress["percent"]) == (3, 3, 100), log.read_text()[-2000:]
    assert seen_running  # a page being made was shown as running, not as queued
    assert {j["pid"] for j in fresh.jobs(batch_id)} - {os.getpid()}


def test_a_page_whose_worker_was_killed_is_queued_again(admin, tmp_path, fixture_site, monkeypatch):
    """SIGKILL mid-page loses the huey task; its running marker outlives the worker's heartbeat,
    so the batch queues the page again and a new worker finishes it."""
    from service.work import batches as batches_mod

    monkeypatch.setattr(batches_mod, "HEARTBEAT_TTL_S", 1.0)
    app, client = admin
    batches: Batches = app.extensions["lyssna"].batches
    log = tmp_path / "worker.log"
    first = start_worker(Path(app.config["CACHE_DIR"]), fixture_site, log, workers=1)
    second = None
    try:
        wait_for_workers(batches, first, log)
        url = fixture_url(fixture_site, 8)
        batch_id = start_batch(client, [url])
        deadline = time.monotonic() + 60
        while batches.get(batch_id)["running"] == 0 and not batches.get(batch_id)["finished"]:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        second = start_worker(Path(app.config["CACHE_DIR"]), fixture_site, log, workers=1)
        assert batches.wait(batch_id, timeout=120), log.read_text()[-3000:]
        status = batches.get(batch_id)
    finally:
        for proc in (first, second):
            if proc is not None:
                stop(proc)
    job = batches.jobs(batch_id)[0]
    if job["attempts"] == 1:  # the first worker happened to finish before the kill landed
        pytest.skip("the page was finished before the worker was killed")
    assert (status["done"], status["failed"], job["state"]) == (1, 0, "done"), status
    assert job["pid"] != os.getpid()
    assert len(list(AudioCache(app.config["CACHE_DIR"]).audio_dir.glob("*.mp3"))) == 1


def test_with_redis_batches_always_use_the_queue(tmp_path, fixture_site, redis_url):
    """LYSSNA_REDIS_URL: workers may be on other machines, so a batch is queued even before any
    worker is seen; a worker on the shared queue makes the pages and its heartbeat is in Redis."""
    app = wire(create_app({"TESTING": True, "SITES": [fixture_site], "ADMIN_PASSWORD": PASSWORD,
                           "CACHE_DIR": str(tmp_path / "cache"), "REDIS_URL": redis_url}))
    client = app.test_client()
    login(client)
    client.csrf = token_of(client.get("/admin/").text)
    batches: Batches = app.extensions["lyssna"].batches
    assert batches.workers() == [] and batches.mode() == "queue"
    urls = [fixture_url(fixture_site, i) for i in (9, 10)]
    batch_id = start_batch(client, urls)
    assert "Ingen arbetare är igång" in client.get(f"/admin/pregenerate/{batch_id}").text
    log = tmp_path / "worker.log"
    env = {**os.environ, "PYTHONPATH": ROOT, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "LYSSNA_SITES": fixture_site, "LYSSNA_REDIS_URL": redis_url}
    worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--workers", "1"], env=env,
                              stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for_workers(batches, worker, log)[0]["workers"] == 1
        assert batches.wait(batch_id, timeout=300), log.read_text()[-3000:]
    finally:
        stop(worker)
    status = client.get(f"/admin/pregenerate/{batch_id}/status").get_json()
    assert (status["mode"], status["done"], status["new"], status["percent"]) == ("queue", 2, 2, 100)
    assert os.getpid() not in {j["pid"] for j in batches.jobs(batch_id)}
    assert batches.queue.huey.result_count() == 0
