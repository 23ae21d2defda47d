"""The one way the service opens SQLite: the lexicon, the activity log, batches and refresh state.

Every database lives in the cache directory and is shared by the web processes, the job workers
and the command line, so each connection waits up to 30 s for a lock instead of failing, runs in
autocommit mode (a transaction is an explicit BEGIN), and the file uses WAL so readers never block
the writer. `open_database` creates the schema and adds the columns a newer version needs to a
file an older version made.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

BUSY_TIMEOUT_S = 30.0


def connect(path: str | os.PathLike[str], *, rows: bool = False,
            check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode that waits for locks; `rows=True` gives sqlite3.Row rows."""
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                         check_same_thread=check_same_thread)
    db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    if rows:
        db.row_factory = sqlite3.Row
    return db


def open_database(path: str | os.PathLike[str], schema: str,
                  added_columns: dict[str, list[tuple[str, str]]] | None = None) -> Path:
    """Create the file (and its directory), switch it to WAL, create the schema, and add the
    columns listed per table ({"table": [(column, declaration), ...]}) where they are missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(connect(path)) as db:
        enable_wal(db)
        db.executescript(schema)
        for table, columns in (added_columns or {}).items():
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for column, declaration in columns:
                if column in present:
                    continue
                try:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                except sqlite3.OperationalError:  # another process added it just now
                    pass
    return path


def enable_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch to WAL, retrying briefly: changing the journal mode needs the database to itself, and
    SQLite can answer "database is locked" at once, without waiting for its busy timeout, when two
    fresh worker processes start together. WAL is persistent once set."""
    for _ in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.05)
