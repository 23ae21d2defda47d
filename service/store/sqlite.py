"""Switch a SQLite database to WAL safely when several processes open it at the same moment.

Changing the journal mode needs the database to itself; SQLite can answer "database is locked" at
once, without waiting for its busy timeout, when two fresh worker processes start together. WAL is
persistent once set, so retrying briefly (and otherwise carrying on) is enough.
"""
from __future__ import annotations

import sqlite3
import time


def enable_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    for _ in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.05)
