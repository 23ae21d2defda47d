"""Pre-generation batches run by the web process itself, so an admin can paste a sitemap or a URL
list and watch the progress without starting a separate worker.

Each batch runs in a background thread that generates its pages through
`jobs.generate_page_with` (the same code as the queue workers), `PARALLEL` at a time: fetching
one page overlaps synthesizing another. Progress is kept in SQLite (<CACHE_DIR>/batches.sqlite3),
so every process of a multi-process server can show it, and it survives restarts: a batch whose
process is gone is shown as interrupted. No web framework here.
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

from .jobs import generate_page_with
from .sqlite_wal import enable_wal

log = logging.getLogger(__name__)

PARALLEL = 2
MAX_FAILURES_KEPT = 200
MAX_URLS = 50_000

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
"""


class Batches:
    """Start pre-generation batches and read their progress (any thread, any process)."""

    def __init__(self, pipeline, activity=None, *, path: str | os.PathLike[str] | None = None,
                 parallel: int = PARALLEL) -> None:
        self.pipeline = pipeline
        self.activity = activity
        self.parallel = max(1, int(parallel))
        self.path = Path(path or Path(pipeline.config["CACHE_DIR"]) / "batches.sqlite3")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._threads: dict[str, threading.Thread] = {}
        self._write_lock = threading.Lock()
        with closing(self._connect()) as db:
            db.execute("PRAGMA busy_timeout=30000")
            enable_wal(db)
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    # -- starting ------------------------------------------------------------------------------
    def start(self, urls: list[str], label: str = "") -> str:
        """Queue these pages (deduplicated, in order) in a new batch; returns its id at once."""
        urls = list(dict.fromkeys(u for u in urls if u))[:MAX_URLS]
        batch_id = secrets.token_hex(8)
        now = time.time()
        with closing(self._connect()) as db:
            db.execute("INSERT INTO batches (id, label, created, updated, host, pid, total) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (batch_id, label[:300], now, now, socket.gethostname(), os.getpid(), len(urls)))
            if not urls:
                db.execute("UPDATE batches SET finished = ? WHERE id = ?", (now, batch_id))
        if urls:
            thread = threading.Thread(target=self._run, args=(batch_id, urls), daemon=True,
                                      name=f"lyssna-batch-{batch_id}")
            self._threads[batch_id] = thread
            thread.start()
        return batch_id

    def _run(self, batch_id: str, urls: list[str]) -> None:
        try:
            with ThreadPoolExecutor(self.parallel, thread_name_prefix=f"batch-{batch_id}") as pool:
                for url, summary in zip(urls, pool.map(self._one, urls)):
                    self._count(batch_id, url, summary)
        except Exception:  # never leave a batch looking alive forever
            log.exception("batch %s stopped", batch_id)
        finally:
            with closing(self._connect()) as db:
                db.execute("UPDATE batches SET finished = ?, updated = ? WHERE id = ?",
                           (time.time(), time.time(), batch_id))
            self._threads.pop(batch_id, None)

    def _one(self, url: str) -> dict:
        try:
            return generate_page_with(self.pipeline, url)
        except Exception as e:  # an unexpected error on one page must not stop the batch
            log.exception("pre-generation of %s failed", url)
            return {"url": url, "outcome": "failed", "error": "error",
                    "message": f"Oväntat fel / Unexpected error: {type(e).__name__}: {e}",
                    "sentences_synthesized": 0}

    def _count(self, batch_id: str, url: str, summary: dict) -> None:
        outcome = summary.get("outcome")
        column = outcome if outcome in ("new", "unchanged") else "failed"
        audio_ms = int(summary.get("duration_ms") or 0) if outcome == "new" else 0
        sentences = int(summary.get("sentences_synthesized") or 0)
        with self._write_lock, closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            if column == "failed":
                row = db.execute("SELECT failures FROM batches WHERE id = ?", (batch_id,)).fetchone()
                failures = json.loads(row["failures"]) if row else []
                if len(failures) < MAX_FAILURES_KEPT:
                    failures.append({"url": url, "error": summary.get("error", "error"),
                                     "message": summary.get("message", "")})
                db.execute("UPDATE batches SET failures = ? WHERE id = ?", (json.dumps(failures), batch_id))
            db.execute(f"UPDATE batches SET done = done + 1, {column} = {column} + 1, "
                       "sentences = sentences + ?, audio_ms = audio_ms + ?, updated = ? WHERE id = ?",
                       (sentences, audio_ms, time.time(), batch_id))
            db.execute("COMMIT")
        if self.activity is not None and column == "failed":
            self.activity.record("batch_failed", url=url, error=summary.get("message") or summary.get("error"))

    # -- reading progress ----------------------------------------------------------------------
    def get(self, batch_id: str) -> dict | None:
        """Progress: total, done, new, unchanged, failed, failures[], eta_s, percent, finished, ..."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if row is None else self._progress(row)

    def list(self, limit: int = 20) -> list[dict]:
        """The newest batches first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM batches ORDER BY created DESC LIMIT ?", (int(limit),)).fetchall()
        return [self._progress(r) for r in rows]

    def queue_depth(self) -> dict:
        """Batches still running and the pages they have left."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM batches WHERE finished IS NULL").fetchall()
        running = [p for p in map(self._progress, rows) if not p["finished"]]
        return {"batches": len(running), "pages": sum(p["total"] - p["done"] for p in running)}

    def wait(self, batch_id: str, timeout: float | None = None) -> bool:
        """Wait for a batch started by this process; True when it has finished."""
        thread = self._threads.get(batch_id)
        if thread is not None:
            thread.join(timeout)
        progress = self.get(batch_id)
        return bool(progress and progress["finished"])

    def _alive(self, row: sqlite3.Row) -> bool:
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

    def _progress(self, row: sqlite3.Row) -> dict:
        now = time.time()
        interrupted = row["finished"] is None and not self._alive(row)
        finished = row["finished"] is not None or interrupted
        total, done = row["total"], row["done"]
        elapsed = (row["finished"] or now) - row["created"]
        eta = None
        if not finished and done:
            eta = round(elapsed / done * (total - done), 1)
        return {
            "id": row["id"], "label": row["label"], "created": row["created"], "total": total,
            "done": done, "new": row["new"], "unchanged": row["unchanged"], "failed": row["failed"],
            "sentences_synthesized": row["sentences"], "audio_ms": row["audio_ms"],
            "failures": json.loads(row["failures"]),
            "percent": 100 if total == 0 else int(done * 100 / total),
            "elapsed_s": round(elapsed, 1), "eta_s": eta,
            "finished": finished, "interrupted": interrupted,
        }
