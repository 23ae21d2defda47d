"""Admin sessions on the server, so logging out ends a session even where its cookie was copied.

Why: a signed cookie alone stays good wherever it was copied until it expires. The admin's cookie
carries a random session id, and this table (SQLite in the cache directory: shared by every serving
process, kept across restarts) says which ids are live: made under which password (its tag; a
session made under another password is revoked when seen, and at start), until when, and not
logged out. Only a hash of each id is stored.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from contextlib import closing

from .sqlite import connect, open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,       -- sha256 of the id in the cookie
    tag TEXT NOT NULL,              -- the password it was made under (a keyed hash, never the password)
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
"""


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class AdminSessions:
    """Open, check and revoke admin sessions; safe across threads and processes."""

    def __init__(self, path: str | os.PathLike[str], clock: Callable[[], float] = time.time) -> None:
        self.path = open_database(path, _SCHEMA)
        self.clock = clock

    def open(self, tag: str, max_age_s: float) -> str:
        """A new session under the password `tag`, live for `max_age_s`; returns its id."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with closing(connect(self.path)) as db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
            db.execute("INSERT INTO sessions (id_hash, tag, created, expires) VALUES (?, ?, ?, ?)",
                       (_hash(session_id), tag, now, now + max_age_s))
        return session_id

    def valid(self, session_id: str, tag: str) -> bool:
        """Whether the session is live under the password `tag`; one made under another password is
        revoked here, so changing the password back does not bring it back."""
        with closing(connect(self.path)) as db:
            row = db.execute("SELECT tag, expires FROM sessions WHERE id_hash = ?",
                             (_hash(session_id),)).fetchone()
            if row is None:
                return False
            if not hmac.compare_digest(str(row[0]).encode(), tag.encode()):
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))
                return False
            return float(row[1]) > self.clock()

    def revoke(self, session_id: str) -> None:
        """Log this session out, wherever its cookie is."""
        with closing(connect(self.path)) as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def revoke_all_but(self, tag: str) -> int:
        """Revoke every session made under another password than `tag`; how many there were."""
        with closing(connect(self.path)) as db:
            return db.execute("DELETE FROM sessions WHERE tag != ?", (tag,)).rowcount
