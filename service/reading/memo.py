"""A short memory of pages read moments ago, so the next visitor's click starts at once.

Fetching and extracting a page again costs tens of milliseconds and a request to the site; within
LYSSNA_PAGE_MEMO_S seconds the same request (URL, selectors, voice, rate) is answered with the same
reading. Edits to the page show up once the memory has expired.
"""
from __future__ import annotations

import threading
import time

MAX_ENTRIES = 10_000  # forget everything beyond this (a crawl must not grow memory without end)
MAX_PAGE_TEXTS = 32  # pages' visible text, kept to check selections (each up to a page's size)


class PageMemo:
    """request key -> (when, reading id), and a few pages' visible text; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, str]] = {}
        self._texts: dict[str, tuple[float, str]] = {}  # url -> (when, visible text), oldest first

    def lookup(self, key: str, ttl_s: float) -> str | None:
        """The reading id remembered for `key` in the last `ttl_s` seconds, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and time.monotonic() - found[0] <= ttl_s:
                return found[1]
            if len(self._entries) > MAX_ENTRIES:
                self._entries.clear()
            return None

    def remember(self, key: str, reading_id: str) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), reading_id)

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
