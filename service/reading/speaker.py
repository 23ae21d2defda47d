"""Who says one reading's sentences: its own engine, or the fallback voice from its first failure on.

Why: any synthesis slot may make any sentence of any reading, so what one reading's voice has been
through (its engine could not start, Google stopped answering mid-page) lives here, per reading,
instead of in a loop that made one reading from start to end. A sentence whose sound is already in
the segment cache is taken from there: only sentences whose sound changed are ever synthesized.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from service.models import Plan, Speech
from service.store.audio_cache import AudioCache

from . import metrics
from .engines import Engine, fallback_engine, synthesize_with_fallback
from .engines.base import EngineUnavailable
from .plan import SegmentSpec, segment_key

_UNRESOLVED = object()


@dataclass
class Said:
    """One sentence's sound: a cached segment (mp3, meta), or speech still to encode."""

    key: str  # the segment's content address (names the voice that actually spoke)
    cached: tuple[bytes, dict] | None = None
    speech: Speech | None = None


class Speaker:
    """One reading's voice; safe to use from several slots at once."""

    def __init__(self, plan: Plan, engine_for: Callable[[str], Engine], cache: AudioCache) -> None:
        self.plan = plan
        self.engine_for = engine_for
        self.cache = cache
        # "fallback" (why) and "voice" (who spoke instead) once the fallback voice spoke; these go
        # into the reading's timings.
        self.state: dict[str, str] = {}
        self.sentences = 0  # synthesized for this reading (not taken from the cache)
        self.audio_ms = 0
        self._lock = threading.Lock()
        self._primary: object = _UNRESOLVED

    def primary(self) -> Engine | None:
        """The plan's engine, or None once the reading continues in the fallback voice."""
        with self._lock:
            if self._primary is _UNRESOLVED:
                try:
                    self._primary = self.engine_for(self.plan.engine)
                except EngineUnavailable as e:
                    self._primary = None
                    self.state["fallback"] = e.code
            return self._primary  # type: ignore[return-value]

    def say(self, spec: SegmentSpec) -> Said:
        """The sentence's sound, from the segment cache or synthesized now."""
        plan = self.plan
        primary = self.primary()
        fallback = fallback_engine()
        if primary is not None:
            key = segment_key(plan, spec)
            cached = self.cache.load_segment(key)
            if cached is not None:
                return Said(key, cached=cached)
            spoken = synthesize_with_fallback(primary, spec.spoken, spec.voice, plan.rate, fallback, spec.langs)
            if spoken.fell_back:
                with self._lock:
                    self._primary = None
                    self.state["fallback"] = spoken.reason
                    self.state["voice"] = spoken.voice_id
                key = segment_key(plan, spec, spoken.engine, spoken.voice)
            return self._made(key, spoken.speech, spoken.engine.name)
        fb_voice = fallback.voice_for_lang(spec.voice) or fallback.default_voice
        with self._lock:
            self.state["voice"] = fallback.voice_id(fb_voice)
        key = segment_key(plan, spec, fallback, fb_voice)
        cached = self.cache.load_segment(key)
        if cached is not None:
            return Said(key, cached=cached)
        return self._made(key, fallback.synthesize_mixed(spec.spoken, fb_voice, plan.rate, spec.langs),
                          fallback.name)

    def voice(self) -> dict:
        """What the reading's timings say about its voice: {"voice", "fallback"} after a fallback."""
        with self._lock:
            return dict(self.state)

    def _made(self, key: str, speech: Speech, engine: str) -> Said:
        metrics.SPEECH.labels(engine).inc(speech.duration_ms / 1000.0)
        with self._lock:
            self.sentences += 1
            self.audio_ms += int(speech.duration_ms)
        return Said(key, speech=speech)
