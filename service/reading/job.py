"""One reading being made: everything it holds from its generation lock to its finished file.

Why a class of its own: a reading's sentences are made by any synthesis slot and encoder thread,
so what belongs to the reading (its plan, lock, voice, part file and place in the schedule) travels
with each sentence, and exactly one of those threads may end it (finish or fail).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from service.models import Plan
from service.store.flock import FileLock

from .part import PartWriter
from .plan import SegmentSpec
from .schedule import Track
from .speaker import Speaker


@dataclass(eq=False)
class Job:
    """One reading being made, from its lock to its finished file."""

    plan: Plan
    key: str
    specs: list[SegmentSpec]
    lock: FileLock
    speaker: Speaker
    writer: PartWriter
    track: Track
    reported: bool  # a visitor's job: failures are kept for `failure()`; else raised to run_now's caller
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    _ending: bool = False
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def end_once(self) -> bool:
        """True for the first caller only: it finishes or fails the job, nobody else."""
        with self._guard:
            first, self._ending = not self._ending, True
            return first
