"""Per-client limits, so one client cannot commit the service to hours of work or flood it.

Counted per client address (as seen through LYSSNA_TRUSTED_PROXIES) in a sliding minute, in this
process: new readings (audio that has to be made; cached readings are always served) and bytes
posted. Over the limit the answer is 429 with Retry-After. With several serving processes each
counts on its own, so the service-wide limit is that many times higher.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque

from service.errors import TooManyRequests

WINDOW_S = 60.0
MAX_CLIENTS = 100_000  # beyond this many addresses in one minute, the oldest are forgotten


class ClientLimits:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readings: dict[str, deque[float]] = {}
        self._bytes: dict[str, deque[tuple[float, int]]] = {}

    def admit_reading(self, client: str, per_minute: int) -> None:
        """Count one new reading for `client`, or raise TooManyRequests when it has had its share."""
        if per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            events = self._window(self._readings, client, now)
            if len(events) >= per_minute:
                raise TooManyRequests(
                    "För många nya uppläsningar på kort tid; försök igen om en stund. / "
                    "Too many new readings in a short time; try again in a moment.",
                    retry_after=math.ceil(events[0] + WINDOW_S - now))
            events.append(now)

    def admit_bytes(self, client: str, size: int, mb_per_minute: float) -> None:
        """Count `size` posted bytes for `client`, or raise TooManyRequests over its share."""
        if mb_per_minute <= 0 or size <= 0:
            return
        cap = int(mb_per_minute * 1_000_000)
        now = time.monotonic()
        with self._lock:
            events = self._window(self._bytes, client, now)
            if sum(n for _, n in events) + size > cap and events:
                raise TooManyRequests(
                    "För mycket data skickad på kort tid; försök igen om en stund. / "
                    "Too much data sent in a short time; try again in a moment.",
                    retry_after=math.ceil(events[0][0] + WINDOW_S - now))
            events.append((now, size))

    @staticmethod
    def _window(table: dict, client: str, now: float) -> deque:
        events = table.get(client)
        if events is None:
            if len(table) >= MAX_CLIENTS:
                table.pop(next(iter(table)))
            events = table[client] = deque()
        while events and now - (events[0] if isinstance(events[0], float) else events[0][0]) > WINDOW_S:
            events.popleft()
        return events
