"""Files that are never seen half-written: write to a temporary name, then rename over the target.

Every file the service keeps (audio timings, stored readings, worker heartbeats, the admin secret)
goes through here, so a crash or a full disk leaves the old file or the new one, never a torn one.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

_KEY_RE = re.compile(r"[0-9a-f]{16,64}")  # the whole key (fullmatch): "$" would let a newline through


def valid_key(key: str) -> bool:
    """Keys and ids are hex digests; anything else never touches the file system."""
    return bool(_KEY_RE.fullmatch(key))


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary file in the same directory, fsync (if durable), then rename over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json_atomic(path: Path, obj: Any, *, durable: bool = True) -> None:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    write_atomic(path, data, durable=durable)


def read_json(path: Path) -> Any | None:
    """The parsed file, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def stable_secret(path: Path) -> bytes:
    """A random key kept in a file (mode 0600), so sessions survive restarts and every process of
    the service agrees on it. The first process to create it wins; the others read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # atomic, and fails if another process got there first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()
