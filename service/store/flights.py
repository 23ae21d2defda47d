"""Across processes, one run at a time per request: a lock file per key and the outcome it left.

Every serving process and every `lyssna worker` shares the cache directory, so a page a crowd asks
for through several processes at once is fetched by the one that holds flights/<key>.lock; the
others wait for the lock and then read what the holder left in flights/<key>.json (a small JSON
object with the time it was written). Later requests read the same file, so the processes share one
memory of what was done moments ago. What the outcome means is the caller's business.

The kernel drops a flock when its process dies, so a killed holder leaves nothing to clean up. Lock
files are removed only by a process holding the lock, and a process that took a lock checks that the
name still points at the file it locked, so two processes never both hold "the" lock of one key.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .files import read_json, valid_key, write_json_atomic
from .flock import FileLock, try_flock

POLL_S = 0.02  # how often a waiter tries the lock again
PRUNE_EVERY_S = 600.0  # a process looks for stale files at most this often


class Flights:
    """Lock files and outcome files under <cache dir>/flights/, one pair per key (a hex digest)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.dir = Path(root).resolve() / "flights"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._pruned = time.monotonic()

    def _path(self, key: str, suffix: str) -> Path:
        if not valid_key(key):
            raise ValueError("a flight key is a hex digest")
        return self.dir / f"{key}{suffix}"

    def try_lock(self, key: str) -> FileLock | None:
        """The lock for `key` if no one holds it now, else None (never waits)."""
        path = self._path(key, ".lock")
        held = try_flock(path)
        if held is None:
            return None
        try:
            same = os.path.samestat(os.fstat(held.fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:  # pruned between our open and our flock: the name is another file by now
            held.release()
            return None
        return held

    def lock(self, key: str, wait_s: float) -> FileLock | None:
        """The lock for `key`, waiting for its holder; None when it was still held after `wait_s`
        seconds (the holder may be stuck, and the caller goes on without it)."""
        deadline = time.monotonic() + wait_s
        while True:
            held = self.try_lock(key)
            if held is not None or time.monotonic() >= deadline:
                return held
            time.sleep(POLL_S)

    def publish(self, key: str, outcome: dict) -> None:
        """Leave `outcome` for the waiters and later requests, stamped with the time (`at`)."""
        write_json_atomic(self._path(key, ".json"), {**outcome, "at": time.time()}, durable=False)

    def outcome(self, key: str) -> dict | None:
        """What the last run for `key` left (with `at`, seconds since the epoch), or None."""
        found = read_json(self._path(key, ".json"))
        if isinstance(found, dict) and isinstance(found.get("at"), (int, float)):
            return found
        return None

    def prune(self, older_than_s: float, *, force: bool = False) -> int:
        """Remove outcomes older than `older_than_s` and the free lock files beside them, at most
        every PRUNE_EVERY_S unless `force`; returns how many files went."""
        if not force and time.monotonic() - self._pruned < PRUNE_EVERY_S:
            return 0
        self._pruned = time.monotonic()
        cutoff = time.time() - older_than_s
        removed = 0
        for path in self.dir.glob("*.json"):
            if _mtime(path) < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.dir.glob("*.lock"):
            key = path.stem
            if not valid_key(key) or self._path(key, ".json").exists() or _mtime(path) >= cutoff:
                continue
            held = self.try_lock(key)
            if held is not None:  # removed only while held: see the module's docstring
                path.unlink(missing_ok=True)
                held.release()
                removed += 1
        return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")
