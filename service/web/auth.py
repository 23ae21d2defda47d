"""Admin authentication, shared by the admin UI and the admin API: the password check and the
lockout after repeated failures. No password configured means no admin at all.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
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


def password_matches(given: str, expected: str) -> bool:
    """Constant-time compare of digests (lengths never leak)."""
    a = hashlib.sha256(given.encode("utf-8")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)
