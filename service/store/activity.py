"""A small durable activity log: what was generated, served from cache, missed or failed, and when.

Why SQLite (WAL) in the cache directory: the web processes, the job workers and the command line
all write to it, and the admin dashboard reads it after restarts. Two tables:

- `counters`: one row per (hour, kind) with a count and summed audio/sentences — totals and the
  per-hour chart stay cheap however many plays are recorded, and are kept for good;
- `events`: the individual events with URL and error, for "recent failures"; trimmed to the newest
  `KEEP_EVENTS` rows so a busy site's plays do not grow the file without end;
- `page_listens`: listens (kinds in `LISTENS`) per (hour, page URL), for "most listened pages";
  kept for `KEEP_DAYS`;
- `first_audio`: one row per measured time to first audio (ms), kept for `KEEP_DAYS`.

Nothing about the listener is stored (no address, no session): a listen is a page and an hour.

Stdlib only; no web framework here. Every call opens its own short connection, so the object is
safe to share between threads, and SQLite's locking makes it safe between processes.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone

from .sqlite import connect, open_database

KEEP_EVENTS = 20_000  # newest individual events kept; counters are never trimmed
TRIM_EVERY = 500  # trim after this many inserts in one process
KEEP_DAYS = 40  # per-page listens and time-to-first-audio samples older than this go
_FIRST_AUDIO = "INSERT INTO first_audio (ts, ms) VALUES (?, ?)"
LISTENS = ("hit", "miss")  # a visitor asked for a reading: served from the cache, or made for them

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    reading_id TEXT,
    audio_ms INTEGER NOT NULL DEFAULT 0,
    sentences INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX IF NOT EXISTS events_kind_ts ON events (kind, ts);
CREATE TABLE IF NOT EXISTS counters (
    hour INTEGER NOT NULL,          -- unix time // 3600
    kind TEXT NOT NULL,
    n INTEGER NOT NULL,
    audio_ms INTEGER NOT NULL,
    sentences INTEGER NOT NULL,
    PRIMARY KEY (hour, kind)
);
CREATE TABLE IF NOT EXISTS page_listens (
    hour INTEGER NOT NULL,
    url TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, url)
);
CREATE TABLE IF NOT EXISTS first_audio (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS first_audio_ts ON first_audio (ts);
"""


@dataclass(frozen=True)
class ActivityEvent:
    """One recorded event; `ts` is unix time (UTC)."""

    id: int
    ts: float
    kind: str
    url: str | None
    reading_id: str | None
    audio_ms: int
    sentences: int
    error: str | None

    @property
    def when(self) -> str:
        """Local-independent display time, e.g. "2026-11-27 22:41 UTC"."""
        return datetime.fromtimestamp(self.ts, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


class Activity:
    """Record and summarize events. Kinds used: generated, failed, hit, miss (and any other word)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = open_database(path, _SCHEMA)
        self._inserts = 0
        self._local = threading.local()  # per thread: (pid, connection) for record()

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def _writer(self) -> sqlite3.Connection:
        """This thread's connection for `record`, kept open: events come once per sentence batch and
        page, and opening SQLite for each cost more than the insert. Per process (never across fork)."""
        held = getattr(self._local, "db", None)
        if held is None or held[0] != os.getpid():
            held = (os.getpid(), self._connect())
            self._local.db = held
        return held[1]

    def record(self, kind: str, *, url: str | None = None, reading_id: str | None = None,
               audio_ms: int = 0, sentences: int = 0, error: str | None = None,
               at: float | None = None, first_audio_ms: float | None = None) -> None:
        """Add one event (never raises for a busy database beyond SQLite's own 30 s wait);
        `at`: when it happened (unix time), now unless given; `first_audio_ms`: a listen's time to
        first audio when it is known at once (a cached reading), in the same write."""
        now = time.time() if at is None else float(at)
        audio_ms, sentences = int(audio_ms or 0), int(sentences or 0)
        db = self._writer()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT INTO events (ts, kind, url, reading_id, audio_ms, sentences, error) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (now, kind, url, reading_id, audio_ms, sentences, error))
            db.execute("INSERT INTO counters (hour, kind, n, audio_ms, sentences) VALUES (?, ?, 1, ?, ?) "
                       "ON CONFLICT (hour, kind) DO UPDATE SET n = n + 1, "
                       "audio_ms = audio_ms + excluded.audio_ms, sentences = sentences + excluded.sentences",
                       (int(now // 3600), kind, audio_ms, sentences))
            if kind in LISTENS and url:
                db.execute("INSERT INTO page_listens (hour, url, n) VALUES (?, ?, 1) "
                           "ON CONFLICT (hour, url) DO UPDATE SET n = n + 1", (int(now // 3600), url))
            if first_audio_ms is not None:
                db.execute(_FIRST_AUDIO, (now, max(0.0, float(first_audio_ms))))
            self._inserts += 1
            if self._inserts % TRIM_EVERY == 0:
                self._trim(db, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def record_first_audio(self, ms: float, at: float | None = None) -> None:
        """One measured time to first audio (see `create._time_first_audio`), in milliseconds."""
        self._writer().execute(_FIRST_AUDIO, (time.time() if at is None else float(at), max(0.0, float(ms))))

    @staticmethod
    def _trim(db: sqlite3.Connection, now: float) -> None:
        db.execute("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?", (KEEP_EVENTS,))
        db.execute("DELETE FROM page_listens WHERE hour < ?", (int(now // 3600) - KEEP_DAYS * 24,))
        db.execute("DELETE FROM first_audio WHERE ts < ?", (now - KEEP_DAYS * 86400,))

    def recent(self, kind: str | Iterable[str] | None = None, limit: int = 20) -> list[ActivityEvent]:
        """Newest events first, of one kind, several kinds, or all."""
        sql = "SELECT id, ts, kind, url, reading_id, audio_ms, sentences, error FROM events"
        params: list = []
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            sql += f" WHERE kind IN ({', '.join('?' * len(kinds))})"
            params += kinds
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(int(limit))
        with closing(self._connect()) as db:
            return [ActivityEvent(*row) for row in db.execute(sql, params)]

    def per_hour(self, hours: int = 24, kind: str = "generated") -> list[tuple[str, int]]:
        """Counts of `kind` for each of the last `hours` hours (oldest first, empty hours as 0),
        labelled "HH:00" in UTC."""
        now_hour = int(time.time() // 3600)
        first = now_hour - hours + 1
        with closing(self._connect()) as db:
            found = dict(db.execute("SELECT hour, n FROM counters WHERE kind = ? AND hour >= ?", (kind, first)))
        return [(datetime.fromtimestamp(h * 3600, timezone.utc).strftime("%H:00"), int(found.get(h, 0)))
                for h in range(first, now_hour + 1)]

    def hourly(self, kinds: Iterable[str], since_hour: int) -> dict[int, int]:
        """{UTC hour (unix time // 3600): count} of the given kinds from `since_hour` on."""
        kinds = list(kinds)
        with closing(self._connect()) as db:
            marks = ", ".join("?" * len(kinds))
            rows = db.execute(f"SELECT hour, SUM(n) FROM counters WHERE kind IN ({marks}) AND hour >= ? "
                              "GROUP BY hour", [*kinds, int(since_hour)])
            return {int(hour): int(n) for hour, n in rows}

    def top_pages(self, since_hour: int, limit: int = 10) -> list[tuple[str, int]]:
        """The most listened pages from `since_hour` on: (URL, listens), most first."""
        with closing(self._connect()) as db:
            return [(url, int(n)) for url, n in db.execute(
                "SELECT url, SUM(n) AS total FROM page_listens WHERE hour >= ? GROUP BY url "
                "ORDER BY total DESC, url LIMIT ?", (int(since_hour), int(limit)))]

    def first_audio_ms(self, since: float) -> list[float]:
        """Every time to first audio measured since `since` (unix time), in milliseconds."""
        with closing(self._connect()) as db:
            return [float(ms) for (ms,) in db.execute("SELECT ms FROM first_audio WHERE ts >= ?", (since,))]

    def totals(self) -> dict:
        """All-time counts per kind, plus audio and sentences generated, and the hit ratio
        (None when nothing was requested yet)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT kind, SUM(n), SUM(audio_ms), SUM(sentences) FROM counters GROUP BY kind")
            by_kind = {kind: (int(n), int(ms), int(s)) for kind, n, ms, s in rows}
        counts = {kind: v[0] for kind, v in by_kind.items()}
        hits, misses = counts.get("hit", 0), counts.get("miss", 0)
        generated = by_kind.get("generated", (0, 0, 0))
        return {
            "counts": counts,
            "generated": generated[0],
            "failed": counts.get("failed", 0),
            "hits": hits,
            "misses": misses,
            "hit_ratio": hits / (hits + misses) if hits + misses else None,
            "audio_ms": generated[1],
            "sentences": generated[2],
        }
