"""Which sentence is made next: one queue of sentences across every reading being made.

Why: readings used to be made one after another, each to its end, so in a rush of clicks the last
visitor waited for every page before theirs. Here the synthesis slots ask for one sentence at a
time, from the reading that needs audio most: the one with the least audio made ahead of its
listener (a reading with no audio yet counts its visitor's wait as a deficit, so every reading gets
its first sentences before any reading gets its tail). Readings being streamed come before readings
nobody streams yet, and work made ahead (pre-generation, refresh) gets a slot only when no visitor's
reading can use it. While visitors' clicks are still being prepared (their pages fetched, read and
planned, which needs the same CPU), readings already well ahead of their listeners wait for them.

Nothing here knows about engines or files: a `Track` is a reading's place in the queue, counted in
sentences and milliseconds of audio.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from . import metrics


class Tier(IntEnum):
    """Who is waiting for a reading; a lower value is served first."""

    LISTENING = 0  # a stream of its audio is open (`Scheduler.listen`)
    VISITOR = 1  # made for a visitor's click (Readings.create), no stream open yet
    AHEAD = 2  # made ahead of any click: pre-generation, refresh (Synthesizer.run_now)


# A reading nobody streams yet counts as this much further ahead than it is, so streamed readings
# come first without leaving a click that has not opened its stream yet (/listen) far behind.
VISITOR_HANDICAP_MS = 1000.0
# While a click is being prepared, a reading with more audio than this ahead of its listener waits
# (the click needs the CPU for its first sentence more than this reading needs its tail) ...
HOLD_LEAD_MS = 2000.0
# ... but not for a click being prepared longer than this: that one waits for its site, not for CPU.
HOLD_AT_MOST_S = 1.0
# Sentences of one reading handed out but not yet in its file: bounds the reorder buffer when one
# sentence is slow (an online engine) while the next ones are quick.
MAX_AHEAD = 8


@dataclass(eq=False)
class Track:
    """One reading's place in the schedule; the scheduler's lock guards every field."""

    key: str
    estimates: list[float]  # ms of audio per sentence: estimated from the text, then as made
    tier: Tier
    created: float = field(default_factory=time.monotonic)
    claimed: int = 0  # sentences handed to a slot so far (the next one to hand out)
    written: int = 0  # sentences in the reading's file, in order
    in_flight: int = 0  # handed out and not yet settled (being synthesized or encoded)
    claimed_ms: float = 0.0  # audio of the sentences handed out
    first_audio: float | None = None  # when its first sentence reached the file
    serial: bool = False  # one sentence at a time, in order (see Synthesizer._start)
    stopped: bool = False
    owner: object = None  # what the sentences are made for (the synthesizer's job)
    waiting: list = field(default_factory=list)  # callbacks for its first audio (when_first_audio)

    @property
    def total(self) -> int:
        return len(self.estimates)

    def lead_ms(self, now: float) -> float:
        """Audio handed out ahead of the listener: from the first audio on the listener plays in
        real time; before it, the visitor's wait since the click counts against the reading."""
        clock = self.first_audio if self.first_audio is not None else self.created
        return self.claimed_ms - (now - clock) * 1000.0


class Scheduler:
    """Hands out sentences (track, index) to synthesis slots, most needed first."""

    def __init__(self, max_in_flight: int) -> None:
        # Sentences being synthesized or encoded at once, over all readings: kept small, so a new
        # reading's first sentence never queues behind a backlog handed out earlier.
        self.max_in_flight = max(1, max_in_flight)
        self._cond = threading.Condition()
        self._tracks: list[Track] = []
        self._listeners: Counter[str] = Counter()
        self._preparing: list[float] = []  # when each click being prepared now started
        self._in_flight = 0
        self._closed = False

    # -- readings ------------------------------------------------------------------------------
    def add(self, track: Track) -> None:
        with self._cond:
            self._tracks.append(track)
            self._cond.notify_all()

    def promote(self, track: Track, tier: Tier) -> None:
        """Serve a reading at least as soon as `tier` (a visitor asked for audio made ahead)."""
        with self._cond:
            if tier < track.tier:
                track.tier = tier
                self._cond.notify_all()

    def drop(self, track: Track) -> None:
        """The reading is finished or failed: hand out nothing more of it."""
        with self._cond:
            track.stopped = True
            if track in self._tracks:
                self._tracks.remove(track)
            self._cond.notify_all()

    # -- who waits -----------------------------------------------------------------------------
    def listen(self, key: str) -> None:
        """Someone streams the audio of `key` (until `unlisten`)."""
        with self._cond:
            self._listeners[key] += 1
            self._cond.notify_all()

    def unlisten(self, key: str) -> None:
        with self._cond:
            self._listeners[key] -= 1
            if self._listeners[key] <= 0:
                del self._listeners[key]

    def preparing(self) -> float:
        """A visitor's click is being prepared; returns the token to give `prepared`."""
        with self._cond:
            started = time.monotonic()
            self._preparing.append(started)
            return started

    def prepared(self, token: float) -> None:
        with self._cond:
            self._preparing.remove(token)
            self._cond.notify_all()

    def tier_of(self, key: str) -> Tier | None:
        """Who waits for the reading of `key` now, or None when it is not in the schedule."""
        with self._cond:
            for track in self._tracks:
                if track.key == key:
                    return self._tier(track)
            return None

    def _tier(self, track: Track) -> Tier:
        return Tier.LISTENING if self._listeners.get(track.key) else track.tier

    # -- slots ---------------------------------------------------------------------------------
    def next(self, timeout: float | None = None) -> tuple[Track, int] | None:
        """Claim the next sentence to make: (track, sentence index). Blocks until there is one;
        None after `timeout` seconds without one, or once closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._closed:
                wake = None
                if self._in_flight < self.max_in_flight:
                    track, wake = self._most_needed(time.monotonic())
                    if track is not None:
                        index = track.claimed
                        track.claimed += 1
                        track.in_flight += 1
                        track.claimed_ms += track.estimates[index]
                        self._in_flight += 1
                        return track, index
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                if wake is not None:  # a held reading may be served by then
                    left = wake if left is None else min(left, wake)
                self._cond.wait(left)
            return None

    def settle(self, track: Track, index: int, made_ms: float | None, written: int | None) -> None:
        """A claimed sentence is done with: `made_ms` of audio (None when it failed), and the
        reading's file now holds `written` sentences (None when unchanged)."""
        heard: list = []
        with self._cond:
            track.in_flight -= 1
            self._in_flight -= 1
            if made_ms is not None:
                track.claimed_ms += made_ms - track.estimates[index]
                track.estimates[index] = made_ms
            if written is not None and written > track.written:
                track.written = written
                if track.first_audio is None:
                    track.first_audio = time.monotonic()
                    heard, track.waiting = track.waiting, []
                    if track.tier != Tier.AHEAD:  # a visitor asked: how long until it could play
                        metrics.FIRST_AUDIO.observe(track.first_audio - track.created)
            self._cond.notify_all()
        for callback in heard:
            callback(track.first_audio)

    def when_first_audio(self, key: str, callback: Callable[[float], None]) -> bool:
        """Call `callback(monotonic time)` once the reading of `key` has its first sentence in its
        file (at once when it has); False when it is not in this schedule (made elsewhere, or done)."""
        with self._cond:
            track = next((t for t in self._tracks if t.key == key), None)
            if track is None:
                return False
            if track.first_audio is None:
                track.waiting.append(callback)
                return True
            at = track.first_audio
        callback(at)
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _most_needed(self, now: float) -> tuple[Track | None, float | None]:
        """The track to serve now; else None and in how many seconds a held one may be."""
        fresh = [now - started for started in self._preparing if now - started < HOLD_AT_MOST_S]
        wake = HOLD_AT_MOST_S - max(fresh) if fresh else None  # when the hold ends
        open_tracks = [t for t in self._tracks if not t.stopped and t.claimed < t.total]
        # Work made ahead waits while any visitor's reading has a sentence left to hand out.
        visitors = bool(fresh) or any(self._tier(t) != Tier.AHEAD for t in open_tracks)
        best, best_rank = None, None
        for track in open_tracks:
            if track.claimed - track.written >= MAX_AHEAD or (track.serial and track.in_flight):
                continue
            if self._tier(track) == Tier.AHEAD:
                if visitors:
                    continue
            elif fresh:
                over = (track.lead_ms(now) - HOLD_LEAD_MS) / 1000.0
                if over > 0:  # its listener gets this close by then
                    wake = min(wake, over)  # type: ignore[type-var]
                    continue
            rank = self._rank(track, now)
            if best_rank is None or rank < best_rank:
                best, best_rank = track, rank
        return best, wake

    def _rank(self, track: Track, now: float) -> tuple[int, float]:
        """Smaller is served first: every visitor's reading by its lead, then work made ahead
        in the order it came."""
        tier = self._tier(track)
        if tier == Tier.AHEAD:
            return 1, track.created
        lead = track.lead_ms(now)
        return 0, lead + (VISITOR_HANDICAP_MS if tier == Tier.VISITOR else 0.0)
