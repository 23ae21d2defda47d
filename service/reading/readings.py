"""Readings, the front door: one per (page text, voice, rate); found in the cache or made.

`create` plans a Document, stores the reading and makes sure its audio exists or is being made;
`get` answers what the API returns, as far as the audio has come. A reading's status is decided
here and nowhere else (`status_of`).
"""
from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from service.models import Document, PageOptions, StoredReading
from service.store.activity import Activity
from service.store.audio_cache import AudioCache
from service.store.lexicon import Lexicon
from service.store.lexicon_effects import OutdatedMarks
from service.store.reading_store import ReadingStore

from .engines import Engine
from .plan import audio_key, plan_reading, reading_id
from .synthesis import Synthesizer

STATUSES = ("ready", "generating", "failed", "missing")
PLAY_NOTE_S = 60.0  # a played file's last-use time is updated at most this often


class Readings:
    """Create readings from Documents, look them up by id, and forget them."""

    def __init__(self, cache: AudioCache, store: ReadingStore, engine_for, workers: int = 2,
                 lexicon: Lexicon | None = None, max_bytes: int | None = None,
                 activity: Activity | None = None, config: Mapping[str, Any] | None = None):
        self.cache = cache
        self.store = store
        self.engine_for = engine_for
        self.lexicon = lexicon
        self.outdated = OutdatedMarks(store.dir.parent)  # readings a lexicon change has touched since
        self.config = config or {}  # read when planning: LYSSNA_MAX_READING_MINUTES
        self._played: dict[str, float] = {}  # audio key -> when its play was last recorded
        self._keys: dict[str, str] = {}  # reading id -> audio key, for audio requests
        self._stats: tuple[float, dict[str, int]] | None = None  # (when, figures) of cache_stats
        self._stats_lock = threading.Lock()
        self.synthesizer = Synthesizer(cache, engine_for, workers, max_bytes, activity)

    def create(self, doc: Document, engine: Engine, voice: str | None = None, rate: float = 1.0,
               options: PageOptions | None = None, *, source: str = "page",
               admit: Callable[[], None] | None = None) -> dict:
        """The Reading for a Document, its audio made in the background if it is not cached.

        `options`: how the page was asked for (selectors and voice), kept with the reading so a
        refresh pass or a regeneration reads the page the same way again. `source`: see
        `Plan.source`. `admit()`: see `prepare`."""
        return self.start(self.prepare(doc, engine, voice, rate, options, source=source, admit=admit))

    def prepare(self, doc: Document, engine: Engine, voice: str | None = None, rate: float = 1.0,
                options: PageOptions | None = None, *, source: str = "page",
                admit: Callable[[], None] | None = None) -> StoredReading:
        """Plan a Document and store the reading; no audio is made yet (see `start`).

        `admit()` is called first when new audio would have to be made, and may raise (a client
        over its limit): then nothing is stored. Cached audio is always served."""
        stored = self._plan(doc, engine, voice, rate, options, source)
        self._admit(stored, admit)
        self._keep(stored)
        return stored

    def start(self, stored: StoredReading, admit: Callable[[], None] | None = None) -> dict:
        """The Reading, its audio made in the background unless it is cached or being made (then
        `admit()` first, as in `prepare`)."""
        self._admit(stored, admit)
        self.synthesizer.ensure(stored.plan, stored.audio_key)
        return self.get(stored.id)  # type: ignore[return-value]

    def _admit(self, stored: StoredReading, admit: Callable[[], None] | None) -> None:
        if admit is not None and not self.cache.is_complete(stored.audio_key) \
                and not self.synthesizer.is_running(stored.audio_key):
            admit()

    def reusable(self, stored: StoredReading) -> bool:
        """Whether a reading made moments ago may answer the same request again: not failed, and
        not read in the fallback voice (the next request tries the requested one again)."""
        if self.status_of(stored) == "failed":
            return False
        return not (self.cache.timings(stored.audio_key) or {}).get("fallback")

    def create_now(self, doc: Document, engine: Engine, voice: str | None = None, rate: float = 1.0,
                   shared_lock=None, options: PageOptions | None = None) -> tuple[str, dict]:
        """Like `create`, but makes the audio in this thread; returns ("new" | "unchanged", Reading)."""
        return self.make_now(self.prepare(doc, engine, voice, rate, options), shared_lock)

    def make_now(self, stored: StoredReading, shared_lock=None) -> tuple[str, dict]:
        """Make a stored reading's audio in this thread; returns ("new" | "unchanged", Reading)."""
        outcome = self.synthesizer.run_now(stored.plan, shared_lock=shared_lock)
        return outcome, self.get(stored.id)  # type: ignore[return-value]

    def _plan(self, doc: Document, engine: Engine, voice: str | None, rate: float,
              options: PageOptions | None, source: str) -> StoredReading:
        plan = plan_reading(doc, engine, voice, rate, self.lexicon, source=source,
                            max_minutes=self.config.get("MAX_READING_MINUTES"))
        key = audio_key(plan)  # a hash over every sentence: once (a long document has thousands)
        return StoredReading(reading_id(plan, key), plan, key, int(time.time()), options)

    def _keep(self, stored: StoredReading) -> None:
        # A reading a lexicon change had made outdated, planned again as it was (the change was
        # undone), is the page's current reading again: saved anew, it is the newest.
        if self.outdated.clear(stored.id) or not self.store.exists(stored.id):
            self.store.save(stored)

    def is_outdated(self, stored: StoredReading) -> bool:
        """Whether a lexicon change since this reading was planned changes what it says."""
        return self.outdated.is_marked(stored.id)

    def stored(self, reading_id: str) -> StoredReading | None:
        return self.store.load(reading_id)

    def status_of(self, stored: StoredReading) -> str:
        """"ready", "failed", "generating" (here or in another process) or "missing" (known, but
        its audio is gone: evicted, or its worker died). Changes nothing."""
        key = stored.audio_key
        if self.cache.is_complete(key):
            return "ready"
        if self.synthesizer.failure(key) is not None:
            return "failed"
        if self.synthesizer.is_running(key):
            return "generating"
        return "missing"

    def get(self, reading_id: str) -> dict | None:
        """The Reading as far as it has come (see DESIGN.md §2), or None if unknown.

        A known reading whose audio went missing is made again."""
        stored = self.store.load(reading_id)
        if stored is None:
            return None
        key, plan = stored.audio_key, stored.plan
        status = self.status_of(stored)
        if status == "ready":
            self.cache.touch(key)
            self.cache.link_reading(reading_id, key)  # a front server may now serve it from disk
        elif status == "missing":
            status = self.synthesizer.ensure(plan)
        timings = self.cache.timings(key) or {"sentences": [], "duration_ms": 0}
        spans = timings.get("sentences", [])
        words = timings.get("words", [])
        blocks = []
        i = 0
        for b in plan.blocks:
            sentences = []
            for s in b.sentences:
                if i < len(spans):
                    start, end = spans[i]
                    sentence = {"text": s.text, "spoken": s.spoken, "start_ms": start, "end_ms": end,
                                "words": written_words(words[i] if i < len(words) else [], s.spans)}
                    if s.langs:
                        sentence["phrases"] = [{"start": a, "end": z, "lang": rest[0] if rest else v,
                                                "voice": f"{plan.engine}:{v}"} for a, z, v, *rest in s.langs]
                    sentences.append(sentence)
                i += 1
            if sentences:
                blocks.append({"kind": b.kind, "lang": b.lang, "voice": f"{plan.engine}:{b.voice}",
                               "locator": b.locator, "sentences": sentences})
        reading = {
            "id": reading_id,
            "status": status,
            "url": plan.url,
            "title": plan.title,
            "lang": plan.lang,
            "voice": timings.get("voice") or plan.voice_id,
            "audio_url": f"/audio/{reading_id}.mp3",
            "duration_ms": int(timings.get("duration_ms", 0)),
            "sentence_count": plan.sentence_count,
            "source": plan.source,
            "truncated": plan.truncated,
            "blocks": blocks,
        }
        if plan.area:
            reading["area"] = plan.area
        if timings.get("fallback"):
            reading["fallback"] = {"requested": plan.voice_id, "reason": timings["fallback"]}
        if status == "failed":
            reading["error"] = self.synthesizer.failure(key)
        return reading

    def note_play(self, key: str) -> None:
        """Record that finished audio is being played (for least-recently-used eviction), at most
        once a minute per file: a player asks for many byte ranges of the same file."""
        now = time.monotonic()
        if now - self._played.get(key, -PLAY_NOTE_S) < PLAY_NOTE_S:
            return
        if len(self._played) > 10_000:
            self._played.clear()
        self._played[key] = now
        self.cache.touch(key)

    def audio_key(self, reading_id: str) -> str | None:
        stored = self.store.load(reading_id)
        return None if stored is None else stored.audio_key

    def audio_state(self, reading_id: str) -> tuple[str, str, str | None] | None:
        """(audio key, status, error) of a reading, or None if unknown: what an audio request
        needs, cheaply (it runs on the server's event loop). Missing audio is made again."""
        key = self._keys.get(reading_id)  # a reading's audio key never changes
        stored = None
        if key is None:
            stored = self.store.load(reading_id)
            if stored is None:
                return None
            if len(self._keys) > 100_000:
                self._keys.clear()
            key = self._keys[reading_id] = stored.audio_key
        if self.cache.is_complete(key):
            return key, "ready", None
        error = self.synthesizer.failure(key)
        if error is not None:
            return key, "failed", error
        if self.synthesizer.is_running(key):
            return key, "generating", None
        stored = stored or self.store.load(reading_id)
        if stored is None:  # purged since
            self._keys.pop(reading_id, None)
            return None
        return key, self.synthesizer.ensure(stored.plan, stored.audio_key), None

    def purge_url(self, url: str) -> int:
        """Forget every reading of one page and its audio; returns how many readings."""
        found = self.store.for_url(url)
        for stored in found:
            self.cache.discard_unless_busy(stored.audio_key)
            self.cache.unlink_reading(stored.id)
            self.store.remove(stored.id)
        return len(found)

    def purge_all(self) -> int:
        """Forget all audio, segments and readings (not the lexicon, not the job queue); files removed."""
        return self.cache.purge_all() + self.store.purge_all()

    def cache_stats(self, max_age_s: float = 0.0) -> dict[str, int]:
        """Audio files, segments, bytes and stored readings (for /healthz and the admin).

        Counting walks the cache directory (tens of thousands of files in a full cache), so
        /healthz, which load balancers ask every few seconds, takes figures up to `max_age_s` old,
        and while one caller counts the others take the last figures instead of counting too."""
        known = self._stats
        if known is not None and max_age_s > 0:
            fresh = time.monotonic() - known[0] <= max_age_s
            if fresh or not self._stats_lock.acquire(blocking=False):  # else being counted now
                return known[1]
        else:
            self._stats_lock.acquire()
        try:
            figures = {**self.cache.stats(), "readings": self.store.count()}
            self._stats = (time.monotonic(), figures)
            return figures
        finally:
            self._stats_lock.release()


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
