"""Which engine and voice speak a request, limited to what the operator enabled; and hearing a
short text in the service's voice (the lexicon editor's "play this word").

Egress is the operator's choice: an online engine (Google) is used only when LYSSNA_ENGINE or
LYSSNA_VOICES names it. A request naming any other engine or voice is refused before that engine
is even created, so nothing leaves the machine because a client asked.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from service.errors import EngineError

from . import audio
from .engines import ENGINES, OFFLINE_ENGINES, Engine, fallback_engine
from .engines.base import EngineUnavailable


def enabled_voices(config: Mapping[str, Any]) -> list[str]:
    """The engines ("espeak") and voices ("piper:sv") requests may use: LYSSNA_VOICES, or by default
    the offline engines and the configured LYSSNA_ENGINE."""
    given = config.get("VOICES")
    if given:
        return list(given)
    return list(dict.fromkeys([*OFFLINE_ENGINES, config["ENGINE"]]))


def is_enabled(config: Mapping[str, Any], engine: str, voice: str | None = None) -> bool:
    """Whether a request may use `engine` (any of its voices when `voice` is None) or engine:voice."""
    for entry in enabled_voices(config):
        name, _, only = entry.partition(":")
        if name == engine and (not only or voice is None or only == voice):
            return True
    return False


def choose_engine(voice: str | None, config: Mapping[str, Any],
                  engine_for: Callable[[str], Engine]) -> tuple[Engine, str | None]:
    """The engine and voice for a request: "engine:voice", a bare voice of the default engine, or none.

    An engine that cannot speak right now (Piper voice missing) gives way to the fallback voice.
    """
    name, _, bare = (voice or "").rpartition(":")
    name = name or config["ENGINE"]
    if name not in ENGINES:
        raise EngineError(f"Rösten {voice!r} finns inte. / The voice {voice!r} is not available.",
                          code="unknown_voice", status=400)
    if not is_enabled(config, name, bare or None):
        raise EngineError(f"Rösten {voice or name!r} är inte påslagen i den här tjänsten. / "
                          f"The voice {voice or name!r} is not enabled on this service.",
                          code="voice_not_enabled", status=400)
    try:
        engine = engine_for(name)
    except EngineUnavailable:
        engine = fallback_engine()
        bare = ""  # the requested voice belongs to the engine that is not there
    if bare and bare not in engine.voices():
        raise EngineError(f"Rösten {voice!r} finns inte. / The voice {voice!r} is not available.",
                          code="unknown_voice", status=400)
    if not bare and engine.name == name and not is_enabled(config, name, engine.default_voice):
        raise EngineError(f"Rösten {engine.voice_id()!r} är inte påslagen i den här tjänsten. / "
                          f"The voice {engine.voice_id()!r} is not enabled on this service.",
                          code="voice_not_enabled", status=400)
    return engine, bare or None


def say(engine: Engine, spoken: str, lang: str = "sv") -> bytes:
    """The MP3 of an already spoken text ("play this word"), in the engine's voice for `lang`."""
    voice = lang if lang in engine.voices() else None
    return audio.encode_segment(engine.synthesize(spoken, voice, 1.0), lead_ms=audio.LEAD_IN_MS).mp3
