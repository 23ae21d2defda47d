"""An exclusive flock on a file: how processes sharing the cache directory take turns.

The kernel drops a flock when its process dies, so a killed holder leaves nothing behind; the
audio cache (one lock per audio file being made) and the page flights (one per page being
fetched) both take their locks here.
"""
from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class FileLock:
    """A held flock; released by `release()` or by process death."""

    path: Path
    fd: int

    def release(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def try_flock(path: Path) -> FileLock | None:
    """Lock `path` (created if missing) without waiting; None when someone else holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return FileLock(path, fd)
