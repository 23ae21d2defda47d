"""One fetch, extraction and plan of a page however many ask for it at once, in one process or several.

Two hundred visitors clicking the same new page used to cost the site dozens of fetches: each
request fetched and extracted the page before they met at the audio cache's lock. A request for a
page (URL, selectors, voice, rate: the request key) is now answered by, in this order:

1. the memory of pages read moments ago: a reading made from the page within LYSSNA_PAGE_MEMO_S
   seconds, by this process or another (`store.flights` keeps it in the cache directory);
2. a run for the same key under way in this process (`SingleFlight`): its reading, or its error;
3. a run under way in another process: wait for its lock file, then take what the run left;
4. a run of its own, under that lock, whose outcome it leaves for the others.

Only readings of what the service fetched itself come through here (create.py keeps HTML a page
sent and visitors' selections out). An error is shared with the requests that waited for it and
never remembered: the next request after the run asks the site again. A client over its own limit
(429) is no answer for the others: they try again, one of them as the run. No one waits without end:
a run holds the lock for at most the fetch timeout plus MARGIN_S, and a process that waited that
long for another goes on by itself (the other may be stuck).
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from service import errors
from service.errors import LyssnaError
from service.models import StoredReading
from service.store.flights import Flights

from .readings import Readings
from .single_flight import SingleFlight

MARGIN_S = 10.0  # beyond the fetch's own deadline: extraction, planning, a busy machine
KEEP_S = 3600.0  # outcomes older than this (and than PAGE_MEMO_S) are removed now and then


class PageFlights:
    """The page memo and the single flight of fetch-extract-plan, across threads and processes."""

    def __init__(self, flights: Flights, readings: Readings, config: Mapping[str, Any]):
        self.flights = flights
        self.readings = readings
        self.config = config  # read on every request: PAGE_MEMO_S and FETCH_TIMEOUT may change
        self._here: SingleFlight[StoredReading] = SingleFlight()
        self._lock = threading.Lock()
        self._across_waiting = 0  # runs of this process waiting for another process's lock

    def wait_s(self) -> float:
        """How long a run may hold the lock before a waiting process goes on without it."""
        return float(self.config.get("FETCH_TIMEOUT") or 0) + MARGIN_S

    def memo_s(self) -> float:
        return float(self.config.get("PAGE_MEMO_S") or 0)

    def waiting(self) -> int:
        """Requests in this process waiting for another's fetch of their page now (another
        thread's, or another process's)."""
        with self._lock:
            return self._here.waiting() + self._across_waiting

    def read(self, request_key: str, work: Callable[[], StoredReading], *,
             use_memo: bool = True) -> StoredReading:
        """The stored reading for a request: remembered, shared, or made by `work()` (fetch,
        extract, plan) while the others wait. `use_memo=False` does not take a reading made
        before this call (an admin says the page changed), but joins a run already under way."""
        key = hashlib.sha256(request_key.encode("utf-8")).hexdigest()
        if use_memo:
            stored = self.remembered(key)
            if stored is not None:
                return stored
        try:
            # Here a run may wait for another process's lock and then run itself: twice wait_s.
            return self._here.run(key, lambda: self._across(key, work, use_memo), 2 * self.wait_s(),
                                  personal=(errors.TooManyRequests,))
        except TimeoutError:
            raise errors.Busy("Sidan hämtas redan men det dröjer. Försök igen om en stund. / "
                              "The page is already being fetched, but it is taking long. "
                              "Please try again in a moment.") from None

    def remembered(self, key: str, *, since: float | None = None, memo: bool = True) -> StoredReading | None:
        """The reading a run left for `key` within PAGE_MEMO_S (`memo`) or at `since` or later,
        if it may answer again."""
        outcome = self.flights.outcome(key)
        if outcome is None or not isinstance(outcome.get("id"), str):
            return None
        at = outcome["at"]
        if not ((memo and time.time() - at <= self.memo_s()) or (since is not None and at >= since)):
            return None
        stored = self.readings.stored(outcome["id"])
        if stored is None or not stored.plan.is_page or not self.readings.reusable(stored):
            return None
        return stored

    def _across(self, key: str, work: Callable[[], StoredReading], use_memo: bool) -> StoredReading:
        """This process's run: take the lock file, then what another process left while we waited
        (or, with the memo, moments ago), else work and leave the outcome for the others."""
        started = time.time()
        held, waited = self.flights.try_lock(key), False
        if held is None:  # another process is at it: wait for it, counted as waiting
            with self._lock:
                self._across_waiting += 1
            try:
                held, waited = self.flights.lock(key, self.wait_s()), True
            finally:
                with self._lock:
                    self._across_waiting -= 1
        try:
            if waited:
                shared_error = _error(self.flights.outcome(key), started)
                if shared_error is not None:
                    raise shared_error
            stored = self.remembered(key, since=started if waited else None, memo=use_memo)
            if stored is not None:
                return stored
            try:
                stored = work()
            except errors.TooManyRequests:
                raise  # the client's own limit, not the page's answer: shared with no one
            except LyssnaError as e:
                self.flights.publish(key, {"error": e.code, "status": e.status, "message": e.message,
                                           "kind": type(e).__name__})
                raise
            if stored.plan.is_page:
                self.flights.publish(key, {"id": stored.id})
            return stored
        finally:
            if held is not None:
                held.release()
            self.flights.prune(max(KEEP_S, self.memo_s()))


def _error(outcome: dict | None, since: float) -> LyssnaError | None:
    """The error another process's run left at `since` or later, as the error it was."""
    if outcome is None or not isinstance(outcome.get("error"), str) or outcome["at"] < since:
        return None
    kind = getattr(errors, str(outcome.get("kind")), None)
    if not isinstance(kind, type) or not issubclass(kind, LyssnaError) \
            or issubclass(kind, errors.TooManyRequests):
        kind = LyssnaError
    status = outcome.get("status")
    return kind(str(outcome.get("message") or ""), code=outcome["error"],
                status=status if isinstance(status, int) else 502)
