"""Speech engines behind one small interface (`base.Engine`).

Each engine lives in `service/engines/<name>.py` and exposes `create(config=None) -> Engine`
(espeak's takes no arguments). Engine modules import their library only inside `create()`, so a
missing optional package (piper-tts) only affects that engine and is reported as
`EngineUnavailable` with code ``not_installed``.

Settings an engine reads are listed in its module's `CONFIG_KEYS` (e.g. ``PIPER_VOICE``); each is
taken from the `config` mapping given here (the Flask app config) or else from ``$LYSSNA_<KEY>``.
One instance exists per process per (engine, settings): the Piper model is loaded once and the
gTTS circuit breaker is shared by every reading in the process.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.config import ENGINE_NAMES, setting
from service.errors import EngineError
from service.models import Speech

from .base import STATE_ERROR, STATE_NOT_INSTALLED, STATE_OK, Engine, EngineStatus, EngineUnavailable

# name -> module; order is the order of preference shown to operators (the settings list the names).
ENGINES: dict[str, str] = {name: f"service.reading.engines.{name}" for name in ENGINE_NAMES}
DEFAULT_ENGINE = "espeak"  # embedded, offline, always there: the fallback voice
OFFLINE_ENGINES = ("espeak", "piper")  # speak without sending text anywhere (the others need LYSSNA_VOICES)

_instances: dict[tuple, Engine] = {}
_lock = threading.Lock()

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "OFFLINE_ENGINES",
    "Engine",
    "EngineStatus",
    "Spoken",
    "EngineUnavailable",
    "available_engines",
    "engine_status",
    "engine_statuses",
    "fallback_engine",
    "get_engine",
    "synthesize_with_fallback",
]

log = logging.getLogger(__name__)


def _module(key: str):
    try:
        return importlib.import_module(ENGINES[key])
    except ImportError as exc:  # engine modules import their library lazily; this is a broken install
        raise EngineUnavailable(
            f"Talmotorn {key} är inte installerad. / The engine {key} is not installed: {exc}",
            code=STATE_NOT_INSTALLED,
        ) from exc


def _normal_name(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in ENGINES:
        valid = ", ".join(ENGINES)
        raise EngineError(
            f"Okänd talmotor {name!r}; giltiga är {valid}. / Unknown engine {name!r}; valid are {valid}.",
            code="unknown_engine",
        )
    return key


def get_engine(name: str = DEFAULT_ENGINE, config: Mapping[str, Any] | None = None) -> Engine:
    """The engine called `name`, created once per process (per settings) and then reused.

    Raises EngineError when the name is unknown, EngineUnavailable when the engine cannot start
    (package not installed, voice file missing); a failed start is not cached, so a later call
    tries again (an operator may install the voice while the service runs).
    """
    key = _normal_name(name)
    module = _module(key)
    keys: tuple[str, ...] = tuple(getattr(module, "CONFIG_KEYS", ()))
    cache_key = (key,) + tuple(str(setting(config, k, "")) for k in keys)
    engine = _instances.get(cache_key)
    if engine is not None:
        return engine
    with _lock:
        engine = _instances.get(cache_key)
        if engine is None:
            engine = module.create(config) if keys else module.create()
            _instances[cache_key] = engine
    return engine


def fallback_engine() -> Engine:
    """The voice a reading continues in when its engine is unavailable (espeak-ng, Swedish)."""
    return get_engine(DEFAULT_ENGINE)


def engine_status(name: str, config: Mapping[str, Any] | None = None) -> EngineStatus:
    """State of one engine: ok, not_installed, missing_voice, circuit_open or error (never raises)."""
    try:
        key = _normal_name(name)
    except EngineError as exc:
        return EngineStatus(name, STATE_ERROR, exc.message)
    try:
        return get_engine(key, config).status()
    except EngineError as exc:
        state = exc.code if isinstance(exc, EngineUnavailable) else STATE_ERROR
        return EngineStatus(key, state, exc.message)
    except Exception as exc:  # a broken optional engine must not break the health check
        return EngineStatus(key, STATE_ERROR, f"{type(exc).__name__}: {exc}")


def engine_statuses(config: Mapping[str, Any] | None = None) -> dict[str, EngineStatus]:
    """Every known engine's status, in ENGINES order (for /healthz and /api/v1/voices)."""
    return {name: engine_status(name, config) for name in ENGINES}


def available_engines(config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Each known engine → "ok", or the reason it cannot be used (kept for existing callers)."""
    out: dict[str, str] = {}
    for name, status in engine_statuses(config).items():
        out[name] = STATE_OK if status.ok else (status.message or status.state)
    return out


@dataclass
class Spoken:
    """One synthesis and who actually spoke it (cache keys and the Reading's `voice` use this)."""

    speech: Speech
    engine: Engine  # the engine that made `speech`: the fallback when fell_back
    voice: str  # that engine's voice, e.g. "sv"
    fell_back: bool = False
    reason: str = ""  # EngineUnavailable.code when fell_back

    @property
    def voice_id(self) -> str:
        return self.engine.voice_id(self.voice)


def synthesize_with_fallback(
    engine: Engine, text: str, voice: str | None = None, rate: float = 1.0, fallback: Engine | None = None,
    langs: Sequence[tuple[int, int, str]] = (),
) -> Spoken:
    """`engine.synthesize`, or the fallback voice when the engine is unavailable right now.

    Only EngineUnavailable falls back (Google down, circuit open); bad input (EngineError 400)
    is raised as it is. The fallback speaks the same language if it can, else its default voice,
    at the same rate. The gTTS engine gives up within its budget (0.8 s) and fails at once while
    its breaker is open, so a reading goes on within a second.
    """
    chosen = voice or engine.default_voice
    try:
        return Spoken(engine.synthesize_mixed(text, chosen, rate, langs), engine, chosen)
    except EngineUnavailable as exc:
        other = fallback or fallback_engine()
        if other is engine:
            raise
        other_voice = other.voice_for_lang(chosen) or other.default_voice
        log.warning("%s unavailable (%s); speaking with %s:%s", engine.name, exc.code, other.name, other_voice)
        return Spoken(other.synthesize_mixed(text, other_voice, rate, langs), other, other_voice, True, exc.code)
