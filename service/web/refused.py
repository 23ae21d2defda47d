"""A page whose site is missing from LYSSNA_SITES: let it read why, and tell the admin what to add.

The refusal (403 `site_not_allowed`) is the one answer such an origin may read: it holds no data, only
the sentence that says the site is not allowed. Without CORS headers on it the browser hides it and the
player can only say the service could not be reached. The log names the exact origin to add, once per
origin and for a bounded number of origins, so a flood of made-up origins cannot fill the log.
"""
from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from service.reading.sites import origin_of

log = logging.getLogger(__name__)

MAX_ORIGINS = 100  # distinct refused origins logged per process; after that, one line says so


class RefusedOrigins:
    """The origins already logged as refused (thread-safe, bounded)."""

    def __init__(self, limit: int = MAX_ORIGINS) -> None:
        self.limit = limit
        self.logged: set[str] = set()
        self.lock = threading.Lock()

    def note(self, origin: str) -> bool:
        """Log a WARNING naming `origin` the first time it is refused. False when it is no web origin
        (then it gets no CORS header either)."""
        try:
            shown = origin_of(origin)
            if urlsplit(origin).path not in ("", "/"):
                return False
        except ValueError:
            return False
        with self.lock:
            if shown in self.logged or len(self.logged) > self.limit:
                return True
            self.logged.add(shown)
            full = len(self.logged) > self.limit
        if full:
            log.warning("More than %d origins were refused; further ones are not logged.", self.limit)
        else:
            log.warning("Refused the player on %s: it is not in LYSSNA_SITES. To let its pages use Lyssna, "
                        "add it: LYSSNA_SITES=%s (comma-separated with the others).", shown, shown)
        return True
