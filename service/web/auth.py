"""Admin authentication, shared by the admin UI and the admin API: the password check and the
lockout after repeated failures. No password configured means no admin at all.

Any password string works: both sides are compared as NFC-normalised UTF-8 bytes, by digest in
constant time (the length does not leak either). A header reaches WSGI as its raw bytes decoded as
latin-1, so `header_bytes` takes those bytes back: curl and browsers send UTF-8, Python's requests
latin-1, and both are understood.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
import unicodedata
from collections import deque

MAX_FAILURES = 10  # per client address within FAILURE_WINDOW_S, then locked out
FAILURE_WINDOW_S = 300.0


class FailureLog:
    """Recent failed logins per client address, so guessing the password is slow."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, who: str, now: float) -> deque[float]:
        q = self._failures.setdefault(who, deque())
        while q and now - q[0] > FAILURE_WINDOW_S:
            q.popleft()
        return q

    def locked(self, who: str) -> bool:
        with self._lock:
            return len(self._recent(who, time.monotonic())) >= MAX_FAILURES

    def fail(self, who: str) -> None:
        with self._lock:
            self._recent(who, time.monotonic()).append(time.monotonic())

    def clear(self, who: str) -> None:
        with self._lock:
            self._failures.pop(who, None)


def password_bytes(text: str) -> bytes:
    """A password as compared: NFC-normalised UTF-8; bytes the environment could not decode
    (surrogate escapes) are kept as they were, and nothing makes this raise."""
    text = unicodedata.normalize("NFC", text)
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def header_bytes(value: str) -> bytes:
    """The raw bytes of a header value as WSGI hands it over (latin-1 decoded)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # not from a WSGI server's bytes: already text
        return value.encode("utf-8", "surrogatepass")


def _readings(given: str | bytes) -> list[bytes]:
    """What the client may have meant: text as it is; bytes as UTF-8 when they are UTF-8, else as
    they are and as latin-1 text."""
    if isinstance(given, str):
        return [password_bytes(given)]
    try:
        return [password_bytes(given.decode("utf-8"))]
    except UnicodeDecodeError:
        return [given, password_bytes(given.decode("latin-1"))]


def password_matches(given: str | bytes, expected: str) -> bool:
    """Constant-time compare of digests; `given` is a form's text or a header's raw bytes."""
    want = hashlib.sha256(password_bytes(expected)).digest()
    found = False
    for candidate in _readings(given):
        found |= hmac.compare_digest(hashlib.sha256(candidate).digest(), want)
    return found


def password_tag(secret: str | bytes, password: str) -> str:
    """Changes when the password changes, so sessions made under another one end (a keyed hash,
    never the password itself)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, password_bytes(password), hashlib.sha256).hexdigest()[:32]
