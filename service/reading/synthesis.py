"""Making a plan's audio: synthesize each sentence, encode it, and write the growing MP3.

A background job per audio key (at most one, also across processes: the cache's file lock) looks
every sentence up in the segment cache and synthesizes only what is missing, a few sentences ahead
on a thread of its own, while encoder threads turn them into MP3 in parallel. The MP3 is appended
to a .part file as sentences arrive, with partial timings beside it, so playback starts before the
page is done; a finished file is renamed into place with its timings (the "complete" marker).
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from service.errors import EngineError, LyssnaError
from service.models import Plan, Speech
from service.store.activity import Activity
from service.store.audio_cache import AudioCache

from . import audio
from .engines import Engine, fallback_engine, synthesize_with_fallback
from .engines.base import EngineUnavailable
from .plan import SegmentSpec, audio_key, reading_id, segment_key, segments

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.25  # partial timings lag the partial MP3 by at most this while sentences flow
IDLE_S = 0.02  # a wait longer than this for the next sentence is a moment to write progress


class Synthesizer:
    """Makes a plan's audio in background threads, at most one job per audio key (also across
    processes: the cache's file lock), or in the calling thread for queued work (`run_now`)."""

    def __init__(self, cache: AudioCache, engine_for, workers: int = 2, max_bytes: int | None = None,
                 activity: Activity | None = None):
        self.cache = cache
        self.activity = activity  # what was generated or failed, for admins
        self.max_bytes = max_bytes  # LYSSNA_CACHE_MAX_MB: evict least-recently-used audio beyond it
        self.engine_for = engine_for  # engine name -> Engine (raises EngineUnavailable)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lyssna-gen")
        self._encoders: ThreadPoolExecutor | None = None  # made on first use: see _encoder_pool
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}
        self._failed: dict[str, str] = {}
        # Counters of real work done by this process (for health, admin and tests).
        self.stats = {"jobs": 0, "sentences": 0, "audio_ms": 0}

    def ensure(self, plan: Plan) -> str:
        """Make sure the plan's audio exists or is being made; returns 'ready' or 'generating'."""
        key = audio_key(plan)
        if self.cache.is_complete(key):
            if not self._should_redo_fallback(plan, key):
                return "ready"
            self.cache.discard(key)
        with self._lock:
            if key in self._running:
                return "generating"
            if self.cache.is_locked(key):  # another process is making it
                return "generating"
            self._failed.pop(key, None)
            done = threading.Event()
            self._running[key] = done
        self._pool.submit(self._run, plan, key, done)
        return "generating"

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

    def run_now(self, plan: Plan, wait_s: float = 600.0, shared_lock=None) -> str:
        """Make the plan's audio in this thread: "new", or "unchanged" when it was already there.

        Used by job workers. If another process is making the same audio, wait for it.
        `shared_lock(key)` (optional) returns a non-blocking context manager that raises when
        held elsewhere: the job queue's lock (SQLite or Redis), for workers on several machines.
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
                self.stats["jobs"] += 1
            self._generate(plan, key)
            return "new"
        finally:
            lock.release()
            if held is not None:
                held.__exit__(None, None, None)

    @staticmethod
    def _wait_or_give_up(deadline: float) -> None:
        if time.monotonic() > deadline:
            raise EngineError("Ljudet skapas redan av en annan process. / "
                              "Another process is already making this audio.", code="busy")
        time.sleep(0.1)

    def failure(self, key: str) -> str | None:
        return self._failed.get(key)

    def is_running(self, key: str) -> bool:
        with self._lock:
            return key in self._running or self.cache.is_locked(key)

    def wait(self, key: str, timeout: float | None = None) -> bool:
        """Wait until this process's job for `key` ends (True) or timeout (False)."""
        with self._lock:
            ev = self._running.get(key)
        if ev is None:
            deadline = None if timeout is None else time.monotonic() + timeout
            while self.cache.is_locked(key):
                if deadline is not None and time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
            return True
        return ev.wait(timeout)

    def _run(self, plan: Plan, key: str, done: threading.Event) -> None:
        try:
            lock = self.cache.try_lock(key)
            if lock is None:
                return  # another process won the race; it will finish the file
            try:
                if not self.cache.is_complete(key):
                    with self._lock:
                        self.stats["jobs"] += 1
                    self._generate(plan, key)
            finally:
                lock.release()
        except LyssnaError as e:
            self._failed[key] = e.message
            self._record("failed", plan, error=e.message)
            log.warning("generation failed for %s: %s", key, e.message)
        except Exception as e:  # never let a worker thread die silently
            self._failed[key] = "Uppläsningen kunde inte skapas. / The audio could not be made."
            self._record("failed", plan, error=f"{type(e).__name__}: {e}")
            log.exception("generation crashed for %s: %s", key, e)
        finally:
            with self._lock:
                self._running.pop(key, None)
            done.set()

    def _encoder_pool(self) -> ThreadPoolExecutor:
        """Threads that encode sentences to MP3, shared by this process's jobs (one per core).

        lameenc releases the GIL while it encodes, so sentences of one reading are encoded in
        parallel with each other and with the synthesis of the next ones.
        """
        with self._lock:
            if self._encoders is None:
                audio.encode_segment(Speech(pcm=b"\0\0" * 64, sample_rate=audio.SEGMENT_SAMPLE_RATE))
                self._encoders = ThreadPoolExecutor(max_workers=os.cpu_count() or 2,
                                                    thread_name_prefix="lyssna-mp3")
            return self._encoders

    def _encode(self, spec: SegmentSpec, key: str, speech: Speech) -> tuple[bytes, dict]:
        """One sentence to a cached MP3 segment (runs on an encoder thread)."""
        seg = audio.encode_segment(speech, lead_ms=spec.lead_ms, tail_ms=spec.tail_ms)
        meta = {"duration_ms": seg.duration_ms, "speech_start_ms": seg.speech_start_ms,
                "speech_end_ms": seg.speech_end_ms, "sample_rate": seg.sample_rate,
                "words": [[w.offset, w.length, w.start_ms] for w in speech.words]}
        self.cache.save_segment(key, seg.mp3, meta)
        return seg.mp3, meta

    def _segments(self, plan: Plan, stop: threading.Event, voice_state: dict):
        """Yield (key, mp3 bytes, meta) per sentence, in order: from the cache, or made now.

        A thread of its own looks sentences up and synthesizes what the cache lacks, a few sentences
        ahead, and hands each new sentence to the encoder threads; this thread takes the results in
        order. espeak-ng (ctypes) and LAME run mostly outside the GIL, so synthesis and encoding
        use both cores. Only sentences whose sound changed are ever synthesized again.

        When the plan's engine is unavailable (Google down), the reading continues in the fallback
        voice from that sentence on, and `voice_state` records who spoke and why.
        """
        specs = segments(plan)
        ahead: queue.Queue = queue.Queue(maxsize=8)  # futures, in reading order
        encoders = self._encoder_pool()

        def put(item) -> bool:
            while not stop.is_set():  # never block forever once the consumer has given up
                try:
                    ahead.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def ready(value) -> Future:
            fut: Future = Future()
            fut.set_result(value)
            return fut

        def produce() -> None:
            try:
                try:
                    primary: Engine | None = self.engine_for(plan.engine)
                except EngineUnavailable as e:
                    primary = None
                    voice_state["fallback"] = e.code
                fallback = fallback_engine()
                for spec in specs:
                    if stop.is_set():
                        return
                    if primary is not None:
                        key = segment_key(plan, spec)
                        cached = self.cache.load_segment(key)
                        if cached is not None:
                            put((key, ready(cached)))
                            continue
                        spoken = synthesize_with_fallback(primary, spec.spoken, spec.voice, plan.rate, fallback)
                        speech = spoken.speech
                        if spoken.fell_back:
                            primary = None
                            voice_state["fallback"] = spoken.reason
                            voice_state["voice"] = spoken.voice_id
                            key = segment_key(plan, spec, spoken.engine, spoken.voice)
                    else:
                        fb_voice = fallback.voice_for_lang(spec.voice) or fallback.default_voice
                        voice_state["voice"] = fallback.voice_id(fb_voice)
                        key = segment_key(plan, spec, fallback, fb_voice)
                        cached = self.cache.load_segment(key)
                        if cached is not None:
                            put((key, ready(cached)))
                            continue
                        speech = fallback.synthesize(spec.spoken, fb_voice, plan.rate)
                    with self._lock:
                        self.stats["sentences"] += 1
                        self.stats["audio_ms"] += int(speech.duration_ms)
                    voice_state["_sentences"] = voice_state.get("_sentences", 0) + 1
                    voice_state["_audio_ms"] = voice_state.get("_audio_ms", 0) + int(speech.duration_ms)
                    if not put((key, encoders.submit(self._encode, spec, key, speech))):
                        return
                put(None)
            except BaseException as e:  # handed to the consumer, raised there
                put(e)

        threading.Thread(target=produce, name="lyssna-synth", daemon=True).start()
        while True:
            try:
                item = ahead.get(timeout=IDLE_S)
            except queue.Empty:
                yield None  # about to wait: the caller may catch up on its bookkeeping
                item = ahead.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                return
            key, fut = item
            try:
                mp3, meta = fut.result(timeout=IDLE_S)
            except TimeoutError:
                yield None
                mp3, meta = fut.result()
            yield key, mp3, meta

    def _generate(self, plan: Plan, key: str) -> None:
        part = self.cache.start_part(key)
        stop = threading.Event()
        voice_state: dict = {}
        try:
            timings: list[list[int]] = []
            words: list[list[list[int]]] = []  # per sentence: [spoken offset, length, start ms]
            offset = 0.0
            written = 0.0  # when the progress timings were last written
            behind = False  # sentences in the part file that the progress timings lack

            def progress() -> None:
                public = {k: v for k, v in voice_state.items() if not k.startswith("_")}
                self.cache.write_part_timings(key, {"sentences": timings, "words": words,
                                                    "duration_ms": int(offset), **public})

            for item in self._segments(plan, stop, voice_state):
                # Progress for players that listen while we generate: rewritten when the next
                # sentence is not ready yet, or at least every PROGRESS_EVERY_S. Rewriting the
                # growing JSON after every sentence cost ~5 % of a fast (espeak) reading.
                if item is None:
                    if behind:
                        progress()
                        written, behind = time.monotonic(), False
                    continue
                _key, mp3, meta = item
                part.write(mp3)
                start = offset + meta["speech_start_ms"]
                timings.append([int(round(start)), int(round(offset + meta["speech_end_ms"]))])
                words.append([[o, n, int(round(start + ms))] for o, n, ms in meta.get("words", [])])
                offset += meta["duration_ms"]
                behind = True
                if time.monotonic() - written >= PROGRESS_EVERY_S:
                    progress()
                    written, behind = time.monotonic(), False
            if not timings:
                raise EngineError("Inget att läsa upp. / Nothing to speak.")
            public = {k: v for k, v in voice_state.items() if not k.startswith("_")}
            final = {"sentences": timings, "words": words, "duration_ms": int(round(offset)),
                     "complete": True, **public}
            self.cache.finish(key, part, final)
        except BaseException:
            stop.set()
            self.cache.abandon(key, part)
            raise
        self._record("generated", plan, audio_ms=voice_state.get("_audio_ms", 0),
                     sentences=voice_state.get("_sentences", 0))
        if self.max_bytes:
            removed = self.cache.evict(self.max_bytes)
            if removed["bytes"]:
                log.info("cache over %d bytes: evicted %s", self.max_bytes, removed)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._encoders is not None:
            self._encoders.shutdown(wait=False, cancel_futures=True)
