"""Failed admin logins on disk, so every serving process holds a password guesser back alike.

Why SQLite in the cache directory: the admin UI and the admin API, in every serving process, must
count the same failures, and a restart must not forgive them. Small tables: per client key (an
address, or an IPv6 /64) its failures in a row and when the last one was; the failures of the
last minutes from all keys together, in 10-second buckets, and when the last one came; and the keys
that logged in with the right password in the last 30 days.

The back-off (`Backoff`), decided before a password is checked:
- per key: the first 10 failures cost nothing; after the 10th the key waits 1 min before its next
  try, twice as long after each further failure, at most 15 min;
- service-wide: while 30 or more failures arrived within 5 min from all keys together (a guesser
  spreading over many addresses), a key waits 2^n s after its n-th failure (2, 4, 8 s …, at most
  15 min) from its first failure on, and a key that has never logged in may try only when the
  service has seen no failure for 2, 4, 8 … s (doubling with every 10 failures beyond 30, at most
  1 min): the guesses of the whole service slow down, not only each address's. A key that logged
  in before (the admin's own address) is not held back by this, so the admin still gets in;
- failures are forgotten after an hour without one, and at once when the right password comes.

Once a key has failed, each of its attempts is counted as a failure before the password is checked
(and forgiven when it was right), so parallel requests cannot slip past its wait.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from .sqlite import connect, open_database

BUCKET_S = 10  # resolution of the service-wide count

_SCHEMA = """
CREATE TABLE IF NOT EXISTS failing (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,      -- in a row, this attempt included once counted
    last REAL NOT NULL              -- unix time of the last counted attempt
);
CREATE INDEX IF NOT EXISTS failing_last ON failing (last);
CREATE TABLE IF NOT EXISTS known (
    key TEXT PRIMARY KEY,
    last REAL NOT NULL              -- unix time of its last right password
);
CREATE TABLE IF NOT EXISTS last_failure (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    t REAL NOT NULL                 -- unix time of the latest failure from any key
);
CREATE TABLE IF NOT EXISTS recent (
    bucket INTEGER PRIMARY KEY,     -- unix time // BUCKET_S
    n INTEGER NOT NULL              -- failures from all keys in it
);
"""


@dataclass(frozen=True)
class Backoff:
    """The numbers of the lockout (see the module docstring)."""

    free: int = 10
    first_wait_s: float = 60.0
    max_wait_s: float = 900.0
    forget_s: float = 3600.0
    attack_failures: int = 30
    attack_window_s: float = 300.0
    gate_max_s: float = 60.0  # the longest a new key waits for a quiet moment during an attack
    known_s: float = 30 * 86400.0  # a key that logged in this recently is the admin's own

    def wait_s(self, failures: int, under_attack: bool) -> float:
        """How long a key waits after its `failures`-th failure in a row."""
        wait = 0.0
        if failures >= self.free:
            wait = self.first_wait_s * 2.0 ** min(failures - self.free, 30)
        if under_attack and failures:
            wait = max(wait, 2.0 ** min(failures, 30))
        return min(self.max_wait_s, wait)

    def gate_s(self, recent_failures: int) -> float:
        """During an attack: how long the service must have seen no failure before a key that has
        never logged in may try (2 s, doubling with every 10 failures beyond the threshold)."""
        if recent_failures < self.attack_failures:
            return 0.0
        steps = min((recent_failures - self.attack_failures) // 10, 30)
        return min(self.gate_max_s, 2.0 * 2.0 ** steps)


@dataclass(frozen=True)
class Attempt:
    """One login attempt of `key`, as `LoginAttempts.admit` decided it."""

    key: str
    wait_s: float  # > 0: refused; the key may try again in this many seconds
    counted: bool  # already counted as a failure (forgiven by `succeeded`)


class LoginAttempts:
    """Admit, fail and forgive login attempts per key; safe across threads and processes (every call
    opens its own short connection; SQLite's locks order the writers)."""

    def __init__(self, path: str | os.PathLike[str], backoff: Backoff = Backoff(),
                 clock: Callable[[], float] = time.time) -> None:
        self.path = open_database(path, _SCHEMA)
        self.backoff = backoff
        self.clock = clock

    def admit(self, key: str) -> Attempt:
        """May `key` try a password now? A key that has failed before is counted at once."""
        now = self.clock()
        with closing(connect(self.path)) as db:
            recent, last_any = self._attack(db, now)
            gate = 0.0 if self._known(db, key, now) else last_any + self.backoff.gate_s(recent) - now
            if self._failing(db, key, now) is None:
                return Attempt(key, max(gate, 0.0), False)  # the usual case, without the write lock
            db.execute("BEGIN IMMEDIATE")
            try:
                row = self._failing(db, key, now)
                if row is None:
                    db.execute("COMMIT")
                    return Attempt(key, max(gate, 0.0), False)
                failures, last = row
                under_attack = recent >= self.backoff.attack_failures
                wait = max(last + self.backoff.wait_s(failures, under_attack) - now, gate)
                if wait <= 0:
                    db.execute("UPDATE failing SET failures = failures + 1, last = ? WHERE key = ?",
                               (now, key))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Attempt(key, wait, False) if wait > 0 else Attempt(key, 0.0, True)

    def failed(self, attempt: Attempt) -> None:
        """The password was wrong: count it for the key (unless `admit` did) and service-wide."""
        now = self.clock()
        forget = self.backoff.forget_s
        with closing(connect(self.path)) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if not attempt.counted:
                    db.execute("INSERT INTO failing (key, failures, last) VALUES (?, 1, ?) "
                               "ON CONFLICT (key) DO UPDATE SET last = excluded.last, failures = "
                               "CASE WHEN excluded.last - last > ? THEN 1 ELSE failures + 1 END",
                               (attempt.key, now, forget))
                db.execute("INSERT INTO recent (bucket, n) VALUES (?, 1) "
                           "ON CONFLICT (bucket) DO UPDATE SET n = n + 1", (int(now // BUCKET_S),))
                db.execute("INSERT OR REPLACE INTO last_failure (id, t) VALUES (1, ?)", (now,))
                db.execute("DELETE FROM recent WHERE bucket < ?", (self._first_bucket(now),))
                db.execute("DELETE FROM failing WHERE last < ?", (now - forget,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the key's failures are forgotten, and it is known from now on."""
        now = self.clock()
        with closing(connect(self.path)) as db:
            if attempt.counted:
                db.execute("DELETE FROM failing WHERE key = ?", (attempt.key,))
            db.execute("INSERT OR REPLACE INTO known (key, last) VALUES (?, ?)", (attempt.key, now))
            db.execute("DELETE FROM known WHERE last < ?", (now - self.backoff.known_s,))

    def under_attack(self) -> bool:
        """Whether the service-wide back-off is on now."""
        with closing(connect(self.path)) as db:
            return self._under_attack(db, self.clock())

    def _failing(self, db: sqlite3.Connection, key: str, now: float) -> tuple[int, float] | None:
        row = db.execute("SELECT failures, last FROM failing WHERE key = ?", (key,)).fetchone()
        if row is None or now - row[1] > self.backoff.forget_s:
            return None
        return int(row[0]), float(row[1])

    def _first_bucket(self, now: float) -> int:
        return int((now - self.backoff.attack_window_s) // BUCKET_S) + 1

    def _under_attack(self, db: sqlite3.Connection, now: float) -> bool:
        return self._attack(db, now)[0] >= self.backoff.attack_failures

    def _attack(self, db: sqlite3.Connection, now: float) -> tuple[int, float]:
        """(failures from all keys in the attack window, unix time of the latest)."""
        (n,) = db.execute("SELECT COALESCE(SUM(n), 0) FROM recent WHERE bucket >= ?",
                          (self._first_bucket(now),)).fetchone()
        row = db.execute("SELECT t FROM last_failure WHERE id = 1").fetchone()
        return int(n), float(row[0]) if row else 0.0

    def _known(self, db: sqlite3.Connection, key: str, now: float) -> bool:
        row = db.execute("SELECT last FROM known WHERE key = ?", (key,)).fetchone()
        return row is not None and now - float(row[0]) <= self.backoff.known_s
