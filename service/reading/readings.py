"""Readings: one per (page text, voice, rate). Looks audio up in the cache or makes it.

The pipeline runs here in one direction: a Document (from extraction) becomes a plan of spoken
sentences, the plan gets a content-addressed key, and a background job synthesizes, encodes and
writes it sentence by sentence so playback can start before the page is done.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from . import audio
from service.store.audio_cache import AudioCache
from .engines import Engine, fallback_engine, synthesize_with_fallback
from service.reading.engines.base import EngineUnavailable
from service.errors import EngineError, ExtractError, LyssnaError
from service.models import Document, Speech
from .speech import normalize_mapped, split_sentences

log = logging.getLogger(__name__)

FORMAT_VERSION = "3"  # bump when pauses/encoding change, so old audio is not reused


@dataclass
class PlannedSentence:
    text: str  # as written on the page
    spoken: str  # as given to the engine (lexicon applied, normalized)
    # Per spoken word: [spoken start, spoken end, written start, written end] (for word highlighting).
    spans: list[list[int]] = field(default_factory=list)


@dataclass
class PlannedBlock:
    kind: str
    lang: str
    locator: str
    voice: str
    sentences: list[PlannedSentence] = field(default_factory=list)


@dataclass
class SegmentSpec:
    """One sentence's sound: what is said, by which voice, with how much silence around it."""

    spoken: str
    voice: str
    lead_ms: int
    tail_ms: int


@dataclass
class Plan:
    """Everything that determines a Reading: the page's blocks as spoken, and how."""

    url: str
    title: str
    lang: str
    engine: str
    engine_version: str
    voice: str
    rate: float
    blocks: list[PlannedBlock]

    def segments(self) -> list[SegmentSpec]:
        """The sentences in order, with the pause that follows each (longer after a block)."""
        specs: list[SegmentSpec] = []
        n_blocks = len(self.blocks)
        for bi, block in enumerate(self.blocks):
            for si, sentence in enumerate(block.sentences):
                if si < len(block.sentences) - 1:
                    tail = audio.PAUSE_SENTENCE_MS
                elif bi < n_blocks - 1:
                    tail = audio.PAUSE_HEADING_MS if block.kind == "heading" else audio.PAUSE_BLOCK_MS
                else:
                    tail = 0
                lead = audio.LEAD_IN_MS if not specs else 0
                specs.append(SegmentSpec(sentence.spoken, block.voice, lead, tail))
        return specs

    def segment_key(self, spec: SegmentSpec, engine: Engine | None = None, voice: str | None = None) -> str:
        """Content address of one sentence's audio: its spoken text (after the lexicon) and sound.

        `engine`/`voice` name who actually speaks when that is not the plan's engine (a fallback),
        so fallback audio is never stored under the requested engine's key.
        """
        name, version = (engine.name, engine.version) if engine else (self.engine, self.engine_version)
        head = [FORMAT_VERSION, name, version, f"{self.rate:.3f}",
                audio.SEGMENT_SAMPLE_RATE, audio.BITRATE_KBPS, voice or spec.voice, spec.lead_ms,
                spec.tail_ms, spec.spoken]
        return hashlib.sha256(json.dumps(head, ensure_ascii=False).encode()).hexdigest()[:40]

    def audio_key(self) -> str:
        """Hash of what determines the sound, and nothing else (not the URL, not locators)."""
        h = hashlib.sha256(FORMAT_VERSION.encode())
        for spec in self.segments():
            h.update(self.segment_key(spec).encode())
        return h.hexdigest()[:40]

    def reading_id(self) -> str:
        """The audio key plus what the player needs to find the text on this page."""
        h = hashlib.sha256(self.audio_key().encode())
        h.update(self.url.encode())
        for b in self.blocks:
            h.update(json.dumps([b.kind, b.lang, b.locator, [s.text for s in b.sentences]],
                                ensure_ascii=False).encode())
        return h.hexdigest()[:32]


def plan_reading(doc: Document, engine: Engine, voice: str | None, rate: float,
                 lexicon=None) -> Plan:
    """Split blocks into sentences, apply the lexicon and normalize; choose a voice per language."""
    base_voice = voice or engine.default_voice
    voices = set(engine.voices())
    blocks: list[PlannedBlock] = []
    for block in doc.blocks:
        lang = (block.lang or doc.lang or "sv").split("-")[0].lower()
        block_voice = base_voice
        if lang != base_voice.split("-")[0] and lang in voices and voice is None:
            block_voice = lang
        sentences = []
        said = split_sentences(block.text, lang)
        pos = 0
        for i, sentence in enumerate(said):
            start = block.text.find(sentence, pos)
            start = pos if start < 0 else start
            # A cue belongs to the sentence it precedes (a gap's cue to the next; a trailing one to the last).
            cues = [(o - start, words) for o, words in block.cues
                    if o >= pos and (o < start + len(sentence) or i == len(said) - 1) and words.strip()]
            pos = start + len(sentence)
            spoken, spans = _speak(sentence, cues, lang, lexicon)
            if spoken and any(ch.isalnum() for ch in spoken):
                sentences.append(PlannedSentence(sentence, spoken, spans))
        if sentences:
            blocks.append(PlannedBlock(block.kind, lang, block.locator, block_voice, sentences))
    if not blocks:
        raise ExtractError("Sidan har ingen text att läsa upp. / The page has no text to read aloud.")
    return Plan(doc.url, doc.title, doc.lang, engine.name, engine.version, base_voice, rate, blocks)


def _speak(sentence: str, cues: list[tuple[int, str]], lang: str, lexicon) -> tuple[str, list[list[int]]]:
    """A sentence as spoken, with the cues (words said but not written) said before their offsets.

    Each piece between cues is normalized on its own; a cue's words map to the written span of the
    first word after them, so the highlight shows the cell or item being introduced.
    """
    cuts = sorted({min(max(0, o), len(sentence)) for o, _ in cues} | {0, len(sentence)})
    said_before = {}
    for o, words in cues:
        said_before.setdefault(min(max(0, o), len(sentence)), []).append(words)
    spoken_parts: list[str] = []
    spans: list[list[int]] = []
    offset = 0
    for i, w_start in enumerate(cuts):
        w_end = cuts[i + 1] if i + 1 < len(cuts) else len(sentence)
        piece_spans: list[list[int]] = []
        texts: list[tuple[str, int]] = [(w, -1) for w in said_before.get(w_start, [])]
        if w_end > w_start:
            texts.append((sentence[w_start:w_end], w_start))
        for text, at in texts:
            # "[[" is espeak's phoneme syntax: only lexicon entries may use it, never page text.
            mapped = normalize_mapped(text.replace("[[", "[ ["), lang, lexicon=lexicon)
            said = mapped.spoken.strip()
            if not said:
                continue
            lead = len(mapped.spoken) - len(mapped.spoken.lstrip())
            if spoken_parts:
                offset += 1
            for s0, s1, w0, w1 in mapped.spans:
                piece_spans.append([s0 - lead + offset, s1 - lead + offset,
                                    w0 + at if at >= 0 else -1, w1 + at if at >= 0 else -1])
            spoken_parts.append(said)
            offset += len(said)
        spans.extend(piece_spans)
    # Cue words point at the first written word after them (or the last before, at the very end).
    for k, span in enumerate(spans):
        if span[2] < 0:
            nxt = next((x for x in spans[k:] if x[2] >= 0), None) or next(
                (x for x in reversed(spans[:k]) if x[2] >= 0), None)
            span[2:] = nxt[2:] if nxt else [0, len(sentence)]
    return " ".join(spoken_parts), spans


PROGRESS_EVERY_S = 0.25  # partial timings lag the partial MP3 by at most this while sentences flow
IDLE_S = 0.02  # a wait longer than this for the next sentence is a moment to write progress


class Generator:
    """Runs audio generation jobs in background threads, at most one per audio key."""

    def __init__(self, cache: AudioCache, engine_for, workers: int = 2, max_bytes: int | None = None,
                 activity=None):
        self.cache = cache
        self.activity = activity  # service.store.activity.Activity: what was generated or failed, for admins
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
        key = plan.audio_key()
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
            self.activity.record(kind, url=plan.url, reading_id=plan.reading_id(), **fields)
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
        key = plan.audio_key()
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
        specs = plan.segments()
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
                        key = plan.segment_key(spec)
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
                            key = plan.segment_key(spec, spoken.engine, spoken.voice)
                    else:
                        fb_voice = fallback.voice_for_lang(spec.voice) or fallback.default_voice
                        voice_state["voice"] = fallback.voice_id(fb_voice)
                        key = plan.segment_key(spec, fallback, fb_voice)
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


class Readings:
    """The service's front door for readings: create from a Document, look up by id."""

    def __init__(self, cache: AudioCache, engine_for, workers: int = 2, lexicon=None,
                 max_bytes: int | None = None, activity=None):
        self.cache = cache
        self.engine_for = engine_for
        self.lexicon = lexicon
        self.activity = activity
        self.generator = Generator(cache, engine_for, workers, max_bytes, activity)

    def create(self, doc: Document, engine: Engine, voice: str | None = None, rate: float = 1.0,
               request: dict | None = None) -> dict:
        """`request`: how the page was asked for (the "content" / "skip" selectors and "voice"),
        kept with the reading so a refresh pass or a regeneration reads the page the same way again."""
        plan = self._remember(doc, engine, voice, rate, request)
        self.generator.ensure(plan)
        return self.get(plan.reading_id())  # type: ignore[return-value]

    def create_now(self, doc: Document, engine: Engine, voice: str | None = None,
                   rate: float = 1.0, shared_lock=None, request: dict | None = None) -> tuple[str, dict]:
        """Like `create`, but makes the audio in this thread; returns ("new" | "unchanged", Reading)."""
        plan = self._remember(doc, engine, voice, rate, request)
        outcome = self.generator.run_now(plan, shared_lock=shared_lock)
        return outcome, self.get(plan.reading_id())  # type: ignore[return-value]

    def _remember(self, doc: Document, engine: Engine, voice: str | None, rate: float,
                  request: dict | None) -> Plan:
        plan = plan_reading(doc, engine, voice, rate, self.lexicon)
        reading_id = plan.reading_id()
        if self.cache.load_reading(reading_id) is None:
            stored = {"plan": _plan_to_dict(plan), "audio_key": plan.audio_key(), "created": int(time.time())}
            if request is not None:  # what was asked for, without the defaults ({} = all defaults)
                stored["request"] = {k: v for k, v in request.items() if k in ("content", "skip", "voice") and v}
            self.cache.save_reading(reading_id, stored)
        return plan

    def get(self, reading_id: str) -> dict | None:
        """The Reading as far as it has come (see DESIGN.md §2), or None if unknown."""
        stored = self.cache.load_reading(reading_id)
        if stored is None:
            return None
        key = stored["audio_key"]
        plan = stored["plan"]
        complete = self.cache.is_complete(key)
        timings = self.cache.timings(key) or {"sentences": [], "duration_ms": 0}
        if complete:
            status = "ready"
            self.cache.touch(key)
        elif self.generator.failure(key) is not None:
            status = "failed"
        elif self.generator.is_running(key):
            status = "generating"
        else:
            # Known reading whose audio is gone (evicted or a dead worker): make it again.
            plan_obj = _plan_from_dict(plan)
            status = self.generator.ensure(plan_obj)
        spans = timings.get("sentences", [])
        words = timings.get("words", [])
        blocks = []
        i = 0
        for b in plan["blocks"]:
            sentences = []
            for s in b["sentences"]:
                if i < len(spans):
                    start, end = spans[i]
                    sentences.append({"text": s["text"], "spoken": s["spoken"],
                                      "start_ms": start, "end_ms": end,
                                      "words": written_words(words[i] if i < len(words) else [],
                                                             s.get("spans", []))})
                i += 1
            if sentences:
                blocks.append({"kind": b["kind"], "lang": b["lang"], "locator": b["locator"],
                               "sentences": sentences})
        reading = {
            "id": reading_id,
            "status": status,
            "url": plan["url"],
            "title": plan["title"],
            "lang": plan["lang"],
            "voice": timings.get("voice") or f"{plan['engine']}:{plan['voice']}",
            "audio_url": f"/audio/{reading_id}.mp3",
            "duration_ms": int(timings.get("duration_ms", 0)),
            "sentence_count": sum(len(b["sentences"]) for b in plan["blocks"]),
            "blocks": blocks,
        }
        if timings.get("fallback"):
            reading["fallback"] = {"requested": f"{plan['engine']}:{plan['voice']}",
                                   "reason": timings["fallback"]}
        if status == "failed":
            reading["error"] = self.generator.failure(key)
        return reading

    def audio_key(self, reading_id: str) -> str | None:
        stored = self.cache.load_reading(reading_id)
        return None if stored is None else stored["audio_key"]


def written_words(events: list[list[int]], spans: list[list[int]]) -> list[dict]:
    """Engine word events (offsets in the spoken text) as words of the written sentence.

    Several spoken words can stand for one written word ("2015" → "tjugohundrafemton"); the
    written word starts with the first of them.
    """
    if not spans:
        return []
    starts = [sp[0] for sp in spans]
    out: list[dict] = []
    last = None
    for offset, _length, start_ms in events:
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            continue
        _s0, _s1, w0, w1 = spans[i]
        if (w0, w1) == last or w1 <= w0:
            continue
        last = (w0, w1)
        out.append({"offset": w0, "length": w1 - w0, "start_ms": start_ms})
    return out


def _plan_to_dict(plan: Plan) -> dict:
    """What `dataclasses.asdict(plan)` gives, without its deep copies (5 ms of a page's ~50 ms
    of bookkeeping): the dict is serialized at once, so sharing the plan's lists is safe."""
    out = dict(vars(plan))
    out["blocks"] = [{**vars(b), "sentences": [dict(vars(s)) for s in b.sentences]}
                     for b in plan.blocks]
    return out


def _plan_from_dict(d: dict) -> Plan:
    blocks = [PlannedBlock(b["kind"], b["lang"], b["locator"], b["voice"],
                           [PlannedSentence(**s) for s in b["sentences"]]) for b in d["blocks"]]
    return Plan(**{**d, "blocks": blocks})
