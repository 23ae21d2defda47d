"""A short memory of pages' visible text, so a visitor's selections do not fetch the page each time.

A selection is read only when its text is on the page as the service fetches it; within
LYSSNA_PAGE_MEMO_S seconds the page fetched for the last check answers the next one. (Readings of
pages read moments ago are remembered across processes by page_flights.py.)
"""
from __future__ import annotations

import threading
import time

MAX_PAGE_TEXTS = 32  # pages' visible text, kept to check selections (each up to a page's size)


class PageMemo:
    """A few pages' visible text, newest last; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: dict[str, tuple[float, str]] = {}  # url -> (when, visible text), oldest first

    def page_text(self, url: str, ttl_s: float) -> str | None:
        """The visible text of a page fetched in the last `ttl_s` seconds, or None."""
        with self._lock:
            found = self._texts.get(url)
            if found is not None and time.monotonic() - found[0] <= ttl_s:
                return found[1]
            return None

    def remember_page_text(self, url: str, text: str) -> None:
        with self._lock:
            self._texts.pop(url, None)
            while len(self._texts) >= MAX_PAGE_TEXTS:
                self._texts.pop(next(iter(self._texts)))
            self._texts[url] = (time.monotonic(), text)
