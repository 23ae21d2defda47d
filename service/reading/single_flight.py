"""Within a process, one run of the same work at a time: the first caller works, the rest wait.

Two hundred visitors clicking a new page at once would otherwise each fetch, extract and plan it.
Here the first request for a key does the work and the ones that arrive while it runs get its
result, or its error. Nothing is kept once the run ends: remembering results is the page memo's
job (see page_flights.py), and an error is never remembered.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """key -> the run under way; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, Future[T]] = {}
        self._waiting = 0  # callers waiting for another's run, over all keys

    def run(self, key: str, work: Callable[[], T], wait_s: float,
            personal: tuple[type[BaseException], ...] = ()) -> T:
        """`work()`'s result, from this call or from the run for `key` already under way.

        A caller that joins a run waits at most `wait_s` seconds, then raises TimeoutError (the
        run goes on for the others). An error of a `personal` type belongs to the caller that
        ran (its client's limit, say): the others do not take it, they try again."""
        deadline = time.monotonic() + wait_s
        while True:
            with self._lock:
                run = self._runs.get(key)
                leading = run is None
                if run is None:
                    run = self._runs[key] = Future()
                else:
                    self._waiting += 1
            if leading:
                return self._lead(key, run, work)
            try:
                return run.result(timeout=max(0.0, deadline - time.monotonic()))
            except personal:
                continue  # perhaps as the one who runs it, this time
            finally:
                with self._lock:
                    self._waiting -= 1

    def _lead(self, key: str, run: Future[T], work: Callable[[], T]) -> T:
        try:
            result = work()
        except BaseException as e:
            self._end(key, run)
            run.set_exception(e)
            raise
        self._end(key, run)
        run.set_result(result)
        return result

    def _end(self, key: str, run: Future[T]) -> None:
        """Forget the run before its outcome is out: a caller after this starts a run of its own
        (or, for a page, finds the memo the run left)."""
        with self._lock:
            if self._runs.get(key) is run:
                del self._runs[key]

    def waiting(self) -> int:
        """How many callers are waiting for another's run now (for health and tests)."""
        with self._lock:
            return self._waiting
