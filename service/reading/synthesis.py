"""Making readings' audio: sentence by sentence, the most needed sentence of any reading first.

A reading being made is a `Job`: it holds the audio key's generation lock (at most one job per key,
also across processes: the cache's file lock), its growing .part file (`PartWriter`) and its voice
(`Speaker`: the segment cache, the engine, the fallback voice). `LYSSNA_WORKERS` synthesis slots
take one sentence at a time from the `Scheduler` (schedule.py: the reading with the least audio
ahead of its listener, visitors' readings before work made ahead), take it from the segment cache
or synthesize it, and hand it to encoder threads, which turn it into MP3 while the next one is
synthesized (espeak-ng and LAME both run outside the GIL). Each reading's sentences go into its
file in order, with partial timings beside it, so playback starts before the page is done; a
finished file is renamed into place with its timings (the "complete" marker) on a thread of its
own, where the cache is also trimmed.

Why sentences and not readings: made one reading after another, a rush of clicks left the last
visitor waiting for every page before theirs; now every visitor's reading gets its first sentences
before any reading gets its tail.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from service.errors import EngineError, LyssnaError
from service.models import Plan, Speech
from service.store.activity import Activity
from service.store.audio_cache import AudioCache
from service.store.flock import FileLock

from . import audio, metrics
from .engines import DEFAULT_ENGINE, Engine
from .job import Job
from .part import PartWriter
from .plan import SegmentSpec, audio_key, estimate_ms, reading_id, segments
from .schedule import Scheduler, Tier, Track
from .speaker import Speaker

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.25  # partial timings lag the partial MP3 by at most this near a listener ...
PROGRESS_AHEAD_MS = 10_000.0  # ... and are rewritten only while they reach less far than this ahead
SLOT_IDLE_S = 30.0  # a synthesis slot idle this long ends; the next job starts it again
JOURNAL_SIZE = 10_000
CRASHED = "Uppläsningen kunde inte skapas. / The audio could not be made."


class Synthesizer:
    """Makes plans' audio in background threads, sentence by sentence across readings, at most one
    job per audio key (also across processes: the cache's file lock). `run_now` makes a plan's
    audio for a caller that waits (queued work), at the lowest priority."""

    def __init__(self, cache: AudioCache, engine_for: Callable[[str], Engine], workers: int = 2,
                 max_bytes: int | None = None, activity: Activity | None = None):
        self.cache = cache
        self.activity = activity  # what was generated or failed, for admins
        self.max_bytes = max_bytes  # LYSSNA_CACHE_MAX_MB: evict least-recently-used audio beyond it
        self.engine_for = engine_for  # engine name -> Engine (raises EngineUnavailable)
        self.workers = max(1, int(workers))  # synthesis slots: sentences synthesized at once
        cores = os.cpu_count() or 2
        self._cores = cores
        self._schedule = Scheduler(max_in_flight=self.workers + cores)
        self._lock = threading.Lock()
        self._running: dict[str, Job] = {}
        self._failed: dict[str, str] = {}
        self._slots = 0
        self._closed = False
        self._progress_at = 0.0  # when partial timings were last written (see _progress)
        self._encoders: ThreadPoolExecutor | None = None  # made on first use: see _encoder_pool
        self._finisher: ThreadPoolExecutor | None = None
        # Counters of real work done by this process (for health, admin and tests).
        self.stats = {"jobs": 0, "sentences": 0, "audio_ms": 0}
        # (monotonic time, audio key, sentence index) of the last sentences written to readings'
        # files, oldest first: the order in which listeners got their audio.
        self.journal: deque[tuple[float, str, int]] = deque(maxlen=JOURNAL_SIZE)

    # -- the public side -----------------------------------------------------------------------
    def ensure(self, plan: Plan, key: str | None = None) -> str:
        """Make sure the plan's audio exists or is being made for a visitor; 'ready' or 'generating'.
        `key`: the plan's audio key, when the caller has it (it hashes every sentence)."""
        key = key or audio_key(plan)
        if self.cache.is_complete(key):
            if not self._should_redo_fallback(plan, key):
                return "ready"
            self.cache.discard(key)
        with self._lock:
            job = self._running.get(key)
            if job is not None:  # made here already, perhaps ahead of any click: a visitor waits now
                self._schedule.promote(job.track, Tier.VISITOR)
                return "generating"
            lock = self.cache.try_lock(key)
            if lock is None:  # another process is making it
                return "generating"
            self._failed.pop(key, None)
            if self.cache.is_complete(key):  # finished by another process a moment ago
                lock.release()
                return "ready"
            try:
                self._start(plan, key, lock, Tier.VISITOR, reported=True)
                return "generating"
            except Exception as e:
                lock.release()
                error: Exception = e
        self._report(plan, key, error)
        return "generating"

    def run_now(self, plan: Plan, wait_s: float = 600.0, shared_lock=None) -> str:
        """Make the plan's audio while the caller waits: "new", or "unchanged" when it was there.

        Used by job workers; the audio is made ahead of any click, so every visitor's reading
        goes first. If another process is making the same audio, wait for it. `shared_lock(key)`
        (optional) returns a non-blocking context manager that raises when held elsewhere: the
        job queue's lock (SQLite or Redis), for workers on several machines.
        """
        key = audio_key(plan)
        deadline = time.monotonic() + wait_s
        while True:
            if self.cache.is_complete(key):
                if not self._should_redo_fallback(plan, key):
                    return "unchanged"
                self.cache.discard(key)
            held = None
            if shared_lock is not None:
                held = shared_lock(key)
                try:
                    held.__enter__()
                except Exception:  # held by a worker elsewhere
                    held = None
                    self._wait_or_give_up(deadline)
                    continue
            lock = self.cache.try_lock(key)
            if lock is not None:
                break
            if held is not None:
                held.__exit__(None, None, None)
            self._wait_or_give_up(deadline)
        try:
            if self.cache.is_complete(key):
                return "unchanged"
            with self._lock:
                job = self._start(plan, key, lock, Tier.AHEAD, reported=False)
            lock = None  # the job holds it now, and releases it when it ends
            job.done.wait()
            if job.error is not None:
                raise job.error
            return "new"
        finally:
            if lock is not None:
                lock.release()
            if held is not None:
                held.__exit__(None, None, None)

    def failure(self, key: str) -> str | None:
        return self._failed.get(key)

    def is_running(self, key: str) -> bool:
        with self._lock:
            if key in self._running:
                return True
        return self.cache.is_locked(key)

    def wait(self, key: str, timeout: float | None = None) -> bool:
        """Wait until this process's job for `key` ends (True) or timeout (False)."""
        with self._lock:
            job = self._running.get(key)
        if job is None:
            deadline = None if timeout is None else time.monotonic() + timeout
            while self.cache.is_locked(key):
                if deadline is not None and time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
            return True
        return job.done.wait(timeout)

    def tier(self, key: str) -> Tier | None:
        """Who waits for the audio being made for `key` (a listener, a visitor, nobody yet:
        made ahead), or None when this process is not making it."""
        return self._schedule.tier_of(key)

    def when_first_audio(self, key: str, callback: Callable[[float], None]) -> bool:
        """See `Scheduler.when_first_audio` (for the admin's time-to-first-audio figures)."""
        return self._schedule.when_first_audio(key, callback)

    @contextmanager
    def listening(self, key: str) -> Iterator[None]:
        """While inside, someone is streaming this audio: its sentences come first."""
        self._schedule.listen(key)
        try:
            yield
        finally:
            self._schedule.unlisten(key)

    @contextmanager
    def preparing(self) -> Iterator[None]:
        """While inside, a visitor's click is on its way to becoming a reading (its page being
        fetched, read and planned): readings well ahead of their listeners wait for it."""
        token = self._schedule.preparing()
        try:
            yield
        finally:
            self._schedule.prepared(token)

    def shutdown(self) -> None:
        """Stop making audio: unfinished jobs fail (their parts go, their locks are released)."""
        with self._lock:
            self._closed = True
            jobs = list(self._running.values())
        self._schedule.close()
        for job in jobs:
            self._fail(job, EngineError("Tjänsten stängs. / The service is shutting down.", code="shutdown"))
        for pool in (self._encoders, self._finisher):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    # -- jobs ----------------------------------------------------------------------------------
    def _start(self, plan: Plan, key: str, lock: FileLock, tier: Tier, *, reported: bool) -> Job:
        """Put a reading in the schedule (under self._lock; the caller holds the key's lock and
        releases it if this raises)."""
        if self._closed:
            raise EngineError("Tjänsten stängs. / The service is shutting down.", code="shutdown")
        specs = segments(plan)
        if not specs:
            raise EngineError("Inget att läsa upp. / Nothing to speak.")
        speaker = Speaker(plan, self.engine_for, self.cache)
        writer = PartWriter(self.cache, key, speaker.voice)
        # Other engines than espeak-ng (which cannot fail over) take a reading's sentences one at
        # a time, in order: an online one's circuit breaker sees each answer before the next call,
        # so its first failure moves the rest of the reading to the fallback voice.
        serial = plan.engine != DEFAULT_ENGINE
        track = Track(key, [estimate_ms(s, plan.rate) for s in specs], tier, serial=serial)
        job = Job(plan, key, specs, lock, speaker, writer, track, reported)
        track.owner = job
        self._schedule.add(track)
        self._running[key] = job
        metrics.QUEUE.inc()
        self.stats["jobs"] += 1
        while self._slots < self.workers:
            self._slots += 1
            threading.Thread(target=self._slot, name="lyssna-synth", daemon=True).start()
        return job

    def _slot(self) -> None:
        """One synthesis slot: the most needed sentence, again and again; and the readings'
        partial timings every PROGRESS_EVERY_S."""
        idle_since = time.monotonic()
        while True:
            turn = self._schedule.next(timeout=PROGRESS_EVERY_S)
            try:
                self._progress()
                if turn is not None:
                    self._make(turn[0].owner, turn[1])
            except Exception:  # a slot must outlive any one sentence
                log.exception("synthesis slot")
            if turn is not None:
                idle_since = time.monotonic()
                continue
            with self._lock:
                if self._closed or (not self._running and time.monotonic() - idle_since > SLOT_IDLE_S):
                    self._slots -= 1
                    return

    def _progress(self) -> None:
        """Partial timings for players that listen while readings are made: every
        PROGRESS_EVERY_S, for readings whose timings reach less than PROGRESS_AHEAD_MS beyond
        their listener (with every reading of a rush in progress at once, rewriting each one's
        growing JSON four times a second cost a tenth of a core)."""
        now = time.monotonic()
        with self._lock:
            if now - self._progress_at < PROGRESS_EVERY_S:
                return
            self._progress_at = now
            jobs = list(self._running.values())
        for job in jobs:
            first_audio = job.track.first_audio
            played_ms = 0.0 if first_audio is None else (now - first_audio) * 1000.0
            try:
                job.writer.progress(needed_to_ms=played_ms + PROGRESS_AHEAD_MS)
            except Exception as e:
                self._fail(job, e)

    def _make(self, job: Job, index: int) -> None:
        """Sentence `index` of a job: from the cache, or synthesized here and encoded elsewhere."""
        if job.writer.closed:  # the job failed meanwhile
            self._schedule.settle(job.track, index, None, None)
            return
        spec = job.specs[index]
        try:
            said = job.speaker.say(spec)
            encoding = None
            if said.cached is None:
                with self._lock:
                    self.stats["sentences"] += 1
                    self.stats["audio_ms"] += int(said.speech.duration_ms)
                encoding = self._encoder_pool().submit(self._encode, spec, said.key, said.speech)
        except BaseException as e:
            self._settle(job, index, error=e)
            return
        if encoding is None:
            self._settle(job, index, said.cached)
        else:
            encoding.add_done_callback(functools.partial(self._encoded, job, index))

    def _encoded(self, job: Job, index: int, encoding: Future) -> None:
        try:
            made = encoding.result()
        except BaseException as e:  # also a cancelled encoding (shutdown)
            self._settle(job, index, error=e)
            return
        self._settle(job, index, made)

    def _settle(self, job: Job, index: int, made: tuple[bytes, dict] | None = None,
                error: BaseException | None = None) -> None:
        """A sentence is made (or failed): into the reading's file, in order; the job goes on,
        finishes or fails."""
        now = range(0)  # sentences written to the file now
        if error is None and made is not None:
            try:
                now = job.writer.add(index, *made)
            except BaseException as e:
                error = e
        for i in now:
            self.journal.append((time.monotonic(), job.key, i))
        written = now.stop if now else None
        made_ms = made[1]["duration_ms"] if made is not None and error is None else None
        self._schedule.settle(job.track, index, made_ms, written)
        if error is not None:
            self._fail(job, error)
        elif written == len(job.specs):
            try:
                self._finisher_pool().submit(self._complete, job)
            except RuntimeError as e:  # shut down meanwhile
                self._fail(job, e)
        elif now and now.start == 0:
            try:  # the first sentence's timings at once: its listener starts now (later: _progress)
                job.writer.progress()
            except Exception as e:
                self._fail(job, e)

    def _complete(self, job: Job) -> None:
        """The last sentence is in: the file becomes final (runs on the finisher thread)."""
        if not job.end_once():
            return
        # Recorded first: once the file is final, the reading is "ready" and its visitor (or a test)
        # may look at the admin's figures at once.
        self._record("generated", job.plan, audio_ms=job.speaker.audio_ms, sentences=job.speaker.sentences)
        try:
            job.writer.finish()
        except BaseException as e:
            self._end(job, e)
            return
        if self.max_bytes:
            try:
                removed = self.cache.evict(self.max_bytes)
                if removed["bytes"]:
                    log.info("cache over %d bytes: evicted %s", self.max_bytes, removed)
            except OSError:
                log.exception("could not trim the cache")
        self._end(job, None)

    def _fail(self, job: Job, error: BaseException) -> None:
        if job.end_once():  # else it is being finished or has failed already
            self._end(job, error)

    def _end(self, job: Job, error: BaseException | None) -> None:
        """Release what a job held and wake who waits for it (called once per job)."""
        if error is not None:
            job.error = error
            try:
                job.writer.abandon()
            except OSError:
                log.exception("could not remove the part of %s", job.key)
            if job.reported:
                self._report(job.plan, job.key, error)
        try:
            job.lock.release()
        finally:
            self._schedule.drop(job.track)
            with self._lock:
                if self._running.get(job.key) is job:
                    del self._running[job.key]
                    metrics.QUEUE.dec()
            job.done.set()

    def _report(self, plan: Plan, key: str, error: BaseException) -> None:
        """A visitor's reading failed: say so to the API and the admin."""
        if isinstance(error, LyssnaError):
            self._failed[key] = error.message
            self._record("failed", plan, error=error.message)
            log.warning("generation failed for %s: %s", key, error.message)
        else:  # never let a failure pass silently
            self._failed[key] = CRASHED
            self._record("failed", plan, error=f"{type(error).__name__}: {error}")
            log.error("generation crashed for %s: %s", key, error, exc_info=error)

    # -- helpers -------------------------------------------------------------------------------
    def _record(self, kind: str, plan: Plan, **fields) -> None:
        if self.activity is None:
            return
        try:
            self.activity.record(kind, url=plan.url, reading_id=reading_id(plan), **fields)
        except Exception:  # the log is for admins; it must never break a reading
            log.exception("could not record activity")

    def _should_redo_fallback(self, plan: Plan, key: str) -> bool:
        """Audio made in the fallback voice is replaced once the requested engine works again."""
        timings = self.cache.timings(key) or {}
        if not timings.get("fallback"):
            return False
        try:
            return self.engine_for(plan.engine).status().ok
        except LyssnaError:
            return False

    @staticmethod
    def _wait_or_give_up(deadline: float) -> None:
        if time.monotonic() > deadline:
            raise EngineError("Ljudet skapas redan av en annan process. / "
                              "Another process is already making this audio.", code="busy")
        time.sleep(0.1)

    def _encoder_pool(self) -> ThreadPoolExecutor:
        """Threads that encode sentences to MP3 (one per core; lameenc releases the GIL while it
        encodes, so sentences are encoded alongside each other and the next ones' synthesis)."""
        with self._lock:
            if self._encoders is None:
                audio.encode_segment(Speech(pcm=b"\0\0" * 64, sample_rate=audio.SEGMENT_SAMPLE_RATE))
                self._encoders = ThreadPoolExecutor(max_workers=self._cores, thread_name_prefix="lyssna-mp3")
            return self._encoders

    def _finisher_pool(self) -> ThreadPoolExecutor:
        """One thread that makes finished files final (fsync, rename) and trims the cache, so
        neither synthesis nor encoding waits for the disk."""
        with self._lock:
            if self._finisher is None:
                self._finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lyssna-finish")
            return self._finisher

    def _encode(self, spec: SegmentSpec, key: str, speech: Speech) -> tuple[bytes, dict]:
        """One sentence to a cached MP3 segment (runs on an encoder thread)."""
        seg = audio.encode_segment(speech, lead_ms=spec.lead_ms, tail_ms=spec.tail_ms)
        meta = {"duration_ms": seg.duration_ms, "speech_start_ms": seg.speech_start_ms,
                "speech_end_ms": seg.speech_end_ms, "sample_rate": seg.sample_rate,
                "words": [[w.offset, w.length, w.start_ms] for w in speech.words]}
        self.cache.save_segment(key, seg.mp3, meta)
        return seg.mp3, meta
