"""Pre-generation batches started by an admin (a pasted sitemap or URL list, "regenerate" a page).

Two ways to run one, chosen when it starts (`Batches.mode()`):
- "queue": every page becomes a `generate_page` task on the huey queue (queue.py), made by
  `lyssna worker` processes on this machine or, with LYSSNA_REDIS_URL, on many. Used whenever
  REDIS_URL is set, and with the SQLite queue whenever a worker's heartbeat is fresh. Progress is
  collected from huey's result store by whichever web process looks (idempotently), so it keeps
  going when the web process restarts.
- "threads": no worker is running, so this process makes the pages itself in background threads
  (`PARALLEL` at a time), as the single-command demo needs.

Either way the state is kept in SQLite (<CACHE_DIR>/batches.sqlite3): counts per batch (new,
unchanged, failed with reasons) and one row per page (queued, running, done), so the progress page
shows pages waiting in the queue apart from pages being made. No web framework here.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from service.reading.create import generate_page
from service.reading.services import Services
from service.store.sqlite import connect, open_database

from .queue import Queue, make_queue
from .worker import HEARTBEAT_TTL_S, Heartbeats

log = logging.getLogger(__name__)

PARALLEL = 2
MAX_FAILURES_KEPT = 200
MAX_URLS = 50_000
COLLECT_S = 0.5  # how often a process with unfinished queue batches reads the results
MAX_ATTEMPTS = 2  # a page whose worker died is queued again this many times in all

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    finished REAL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    sentences INTEGER NOT NULL DEFAULT 0,
    audio_ms INTEGER NOT NULL DEFAULT 0,
    failures TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    url TEXT NOT NULL,
    task_id TEXT,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 1,
    worker TEXT,
    started REAL,
    outcome TEXT,
    pid INTEGER,
    PRIMARY KEY (batch_id, seq)
);
CREATE INDEX IF NOT EXISTS batch_jobs_open ON batch_jobs (batch_id, state);
"""


class Batches:
    """Start pre-generation batches and read their progress (any thread, any process)."""

    def __init__(self, services: Services, *, path: str | os.PathLike[str] | None = None,
                 parallel: int = PARALLEL) -> None:
        self.services = services
        self.config = services.config
        self.parallel = max(1, int(parallel))
        self.path = open_database(path or Path(self.config["CACHE_DIR"]) / "batches.sqlite3", _SCHEMA,
                                  {"batches": [("mode", "TEXT NOT NULL DEFAULT 'threads'"),  # the queue mode
                                               ("options", "TEXT NOT NULL DEFAULT '{}'")]})  # content/skip
        self._threads: dict[str, threading.Thread] = {}
        self._write_lock = threading.Lock()
        self._queue: Queue | None = None
        self._heartbeats: Heartbeats | None = None
        self._collector: threading.Thread | None = None
        self._collector_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, rows=True)

    @property
    def queue(self) -> Queue:
        if self._queue is None:
            self._queue = make_queue(self.config)
        return self._queue

    def workers(self) -> list[dict]:
        """The `lyssna worker` processes alive now (their heartbeats)."""
        if self._heartbeats is None:
            self._heartbeats = Heartbeats(self.config)
        try:
            return self._heartbeats.alive()
        except Exception:  # Redis unreachable: no worker we could count on
            log.exception("could not read worker heartbeats")
            return []

    def mode(self) -> str:
        """"queue" when workers can take the pages (always with Redis), else "threads"."""
        if self.config.get("REDIS_URL") or self.workers():
            return "queue"
        return "threads"

    # -- starting ------------------------------------------------------------------------------
    def start(self, urls: list[str], label: str = "", *, mode: str | None = None,
              options: dict | None = None) -> str:
        """Queue these pages (deduplicated, in order) in a new batch; returns its id at once.

        `options`: the `content` / `skip` selectors to read every page with (as the site's player).
        """
        urls = list(dict.fromkeys(u for u in urls if u))[:MAX_URLS]
        options = {k: v for k, v in (options or {}).items() if k in ("content", "skip") and v}
        mode = mode or self.mode()
        batch_id = secrets.token_hex(8)
        now = time.time()
        task_ids: list[str | None] = [None] * len(urls)
        if mode == "queue":
            task_ids = [self.queue.generate(url, options or None).id for url in urls]
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO batches (id, label, created, updated, host, pid, total, mode, options) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (batch_id, label[:300], now, now, socket.gethostname(), os.getpid(), len(urls), mode,
                        json.dumps(options)))
            db.executemany("INSERT INTO batch_jobs (batch_id, seq, url, task_id) VALUES (?, ?, ?, ?)",
                           [(batch_id, i, url, task_ids[i]) for i, url in enumerate(urls)])
            if not urls:
                db.execute("UPDATE batches SET finished = ? WHERE id = ?", (now, batch_id))
            db.execute("COMMIT")
        if urls and mode == "queue":
            self._ensure_collector()
        elif urls:
            thread = threading.Thread(target=self._run, args=(batch_id, urls, options), daemon=True,
                                      name=f"lyssna-batch-{batch_id}")
            self._threads[batch_id] = thread
            thread.start()
        return batch_id

    # -- running in this process ---------------------------------------------------------------
    def _run(self, batch_id: str, urls: list[str], options: dict) -> None:
        try:
            with ThreadPoolExecutor(self.parallel, thread_name_prefix=f"batch-{batch_id}") as pool:
                for seq, summary in pool.map(lambda item: (item[0], self._one(batch_id, *item, options)),
                                             enumerate(urls)):
                    self._count(batch_id, seq, summary)
        except Exception:  # never leave a batch looking alive forever
            log.exception("batch %s stopped", batch_id)
        finally:
            with closing(self._connect()) as db:
                db.execute("UPDATE batches SET finished = ?, updated = ? WHERE id = ?",
                           (time.time(), time.time(), batch_id))
            self._threads.pop(batch_id, None)

    def _one(self, batch_id: str, seq: int, url: str, options: dict) -> dict:
        with closing(self._connect()) as db:
            db.execute("UPDATE batch_jobs SET state = 'running', started = ?, worker = ? "
                       "WHERE batch_id = ? AND seq = ?", (time.time(), "web", batch_id, seq))
        try:
            return generate_page(self.services, url, options)
        except Exception as e:  # an unexpected error on one page must not stop the batch
            log.exception("pre-generation of %s failed", url)
            return _unexpected(url, f"{type(e).__name__}: {e}")

    # -- counting ------------------------------------------------------------------------------
    def _count(self, batch_id: str, seq: int, summary: dict) -> bool:
        """Record one page's result once: False when another process already counted it."""
        outcome = summary.get("outcome")
        column = outcome if outcome in ("new", "unchanged") else "failed"
        audio_ms = int(summary.get("duration_ms") or 0) if outcome == "new" else 0
        sentences = int(summary.get("sentences_synthesized") or 0)
        with self._write_lock, closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            job = db.execute("UPDATE batch_jobs SET state = 'done', outcome = ?, pid = ? "
                             "WHERE batch_id = ? AND seq = ? AND state != 'done'",
                             (column, summary.get("pid"), batch_id, seq))
            if job.rowcount != 1:
                db.execute("ROLLBACK")
                return False
            if column == "failed":
                row = db.execute("SELECT failures FROM batches WHERE id = ?", (batch_id,)).fetchone()
                failures = json.loads(row["failures"]) if row else []
                if len(failures) < MAX_FAILURES_KEPT:
                    failures.append({"url": summary.get("url"), "error": summary.get("error", "error"),
                                     "message": summary.get("message", "")})
                db.execute("UPDATE batches SET failures = ? WHERE id = ?", (json.dumps(failures), batch_id))
            db.execute(f"UPDATE batches SET done = done + 1, {column} = {column} + 1, "
                       "sentences = sentences + ?, audio_ms = audio_ms + ?, updated = ? WHERE id = ?",
                       (sentences, audio_ms, time.time(), batch_id))
            db.execute("COMMIT")
        if column == "failed":
            self.services.record("batch_failed", url=summary.get("url"),
                                 error=summary.get("message") or summary.get("error"))
        return True

    # -- collecting results from the queue -----------------------------------------------------
    def _ensure_collector(self) -> None:
        with self._collector_lock:
            if self._collector is not None and self._collector.is_alive():
                return
            self._collector = threading.Thread(target=self._collect_loop, daemon=True,
                                               name="lyssna-batch-collector")
            self._collector.start()

    def _collect_loop(self) -> None:
        while True:
            try:
                if not self.collect():
                    return
            except Exception:
                log.exception("collecting batch results failed")
            time.sleep(COLLECT_S)

    def collect(self) -> int:
        """Read the queue's results into the batches; returns how many queue batches are unfinished."""
        with closing(self._connect()) as db:
            open_ids = [r[0] for r in db.execute(
                "SELECT id FROM batches WHERE finished IS NULL AND mode = 'queue'")]
        for batch_id in open_ids:
            self._collect_batch(batch_id)
        return len(open_ids)

    def _collect_batch(self, batch_id: str) -> None:
        with closing(self._connect()) as db:
            jobs = db.execute("SELECT seq, url, task_id, state, attempts, worker FROM batch_jobs "
                              "WHERE batch_id = ? AND state != 'done'", (batch_id,)).fetchall()
        if not jobs:
            with closing(self._connect()) as db:
                db.execute("UPDATE batches SET finished = ?, updated = ? WHERE id = ? AND finished IS NULL",
                           (time.time(), time.time(), batch_id))
            return
        ids = [j["task_id"] for j in jobs]
        results = self.queue.results(ids)
        markers = self.queue.running_markers(ids)
        alive = None
        for job in jobs:
            task_id = job["task_id"]
            if task_id in results:
                self._count(batch_id, job["seq"], _summary_of(job["url"], results[task_id]))
                self.queue.forget(task_id)
                continue
            marker = markers.get(task_id)
            if marker is not None:
                if alive is None:
                    alive = {w.get("id") for w in self.workers()}
                stale = time.time() - float(marker.get("t") or 0) > HEARTBEAT_TTL_S
                if stale and marker.get("worker") and marker["worker"] not in alive:
                    self._requeue_or_fail(batch_id, job)  # its worker was killed mid-page
                elif job["state"] != "running":
                    self._set_state(batch_id, job["seq"], "running", marker.get("worker"), marker.get("t"))
            elif job["state"] == "running":
                self._set_state(batch_id, job["seq"], "queued", None, None)  # huey retries it

    def _set_state(self, batch_id: str, seq: int, state: str, worker: str | None, started) -> None:
        with closing(self._connect()) as db:
            db.execute("UPDATE batch_jobs SET state = ?, worker = ?, started = ? "
                       "WHERE batch_id = ? AND seq = ? AND state != 'done'",
                       (state, worker, started, batch_id, seq))

    def _requeue_or_fail(self, batch_id: str, job: sqlite3.Row) -> None:
        self.queue.forget(job["task_id"])
        if job["attempts"] >= MAX_ATTEMPTS:
            self._count(batch_id, job["seq"], _unexpected(
                job["url"], "Arbetaren stoppades mitt i sidan. / The worker stopped in the middle of the page."))
            return
        with closing(self._connect()) as db:
            row = db.execute("SELECT options FROM batches WHERE id = ?", (batch_id,)).fetchone()
        options = json.loads(row["options"]) if row is not None and row["options"] else {}
        task_id = self.queue.generate(job["url"], options or None).id
        with closing(self._connect()) as db:
            db.execute("UPDATE batch_jobs SET task_id = ?, state = 'queued', worker = NULL, started = NULL, "
                       "attempts = attempts + 1 WHERE batch_id = ? AND seq = ? AND state != 'done'",
                       (task_id, batch_id, job["seq"]))

    # -- reading progress ----------------------------------------------------------------------
    def get(self, batch_id: str) -> dict | None:
        """Progress: total, done, new, unchanged, failed, failures[], queued, running, mode, ..."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            return None
        if row["finished"] is None and row["mode"] == "queue":
            self._ensure_collector()  # e.g. after a restart of this process
        return self._progress(row, detail=True)

    def list(self, limit: int = 20) -> list[dict]:
        """The newest batches first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM batches ORDER BY created DESC LIMIT ?", (int(limit),)).fetchall()
        if any(r["finished"] is None and r["mode"] == "queue" for r in rows):
            self._ensure_collector()
        return [self._progress(r) for r in rows]

    def jobs(self, batch_id: str) -> list[dict]:
        """Each page of a batch: url, state (queued | running | done), outcome, pid, worker."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT url, state, outcome, pid, worker, attempts FROM batch_jobs "
                              "WHERE batch_id = ? ORDER BY seq", (batch_id,)).fetchall()
        return [dict(r) for r in rows]

    def queue_depth(self) -> dict:
        """Batches still running and the pages they have left."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM batches WHERE finished IS NULL").fetchall()
        running = [p for p in map(self._progress, rows) if not p["finished"]]
        return {"batches": len(running), "pages": sum(p["total"] - p["done"] for p in running)}

    def wait(self, batch_id: str, timeout: float | None = None) -> bool:
        """Wait for a batch to finish (any mode); True when it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        thread = self._threads.get(batch_id)
        if thread is not None:
            thread.join(timeout)
        while True:
            progress = self.get(batch_id)
            if progress is None or progress["finished"]:
                return bool(progress and progress["finished"])
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def _alive(self, row: sqlite3.Row) -> bool:
        if row["mode"] == "queue":
            return True  # the queue keeps it, whichever process started it
        if row["host"] != socket.gethostname():
            return True  # another machine's batch: trust it
        if row["pid"] == os.getpid():
            return row["id"] in self._threads
        try:
            os.kill(row["pid"], 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _progress(self, row: sqlite3.Row, detail: bool = False) -> dict:
        now = time.time()
        interrupted = row["finished"] is None and not self._alive(row)
        finished = row["finished"] is not None or interrupted
        total, done = row["total"], row["done"]
        elapsed = (row["finished"] or now) - row["created"]
        eta = None
        if not finished and done:
            eta = round(elapsed / done * (total - done), 1)
        states = {"queued": 0, "running": 0}
        if not finished:
            with closing(self._connect()) as db:
                for state, n in db.execute("SELECT state, COUNT(*) FROM batch_jobs WHERE batch_id = ? "
                                           "AND state != 'done' GROUP BY state", (row["id"],)):
                    states[state] = n
        progress = {
            "id": row["id"], "label": row["label"], "created": row["created"], "total": total,
            "done": done, "new": row["new"], "unchanged": row["unchanged"], "failed": row["failed"],
            "sentences_synthesized": row["sentences"], "audio_ms": row["audio_ms"],
            "failures": json.loads(row["failures"]),
            "percent": 100 if total == 0 else int(done * 100 / total),
            "elapsed_s": round(elapsed, 1), "eta_s": eta,
            "finished": finished, "interrupted": interrupted,
            "mode": row["mode"], "queued": states["queued"], "running": states["running"],
            "options": json.loads(row["options"] or "{}"),
        }
        if detail and row["mode"] == "queue" and not finished:
            workers = self.workers()
            progress["workers"] = sum(int(w.get("workers") or 1) for w in workers)
            progress["worker_hosts"] = len({w.get("host") for w in workers})
        return progress


def _summary_of(url: str, result) -> dict:
    """A task's stored result as a page summary; huey's Error (the task raised every retry) as a failure."""
    if isinstance(result, dict):
        return {**result, "url": result.get("url", url)}
    metadata = getattr(result, "metadata", None) or {}
    return _unexpected(url, str(metadata.get("error") or result))


def _unexpected(url: str, message: str) -> dict:
    return {"url": url, "outcome": "failed", "error": "error",
            "message": f"Oväntat fel / Unexpected error: {message}", "sentences_synthesized": 0}
