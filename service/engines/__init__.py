"""Speech engines behind one small interface (`base.Engine`).

Each engine lives in `service/engines/<name>.py` and exposes `create() -> Engine`. Modules are
imported lazily so that a missing optional library (piper, gtts) only affects that engine.
"""
from __future__ import annotations

import importlib
import threading

from service.engines.base import Engine
from service.errors import EngineError

# name -> module; order is the order of preference shown to operators.
ENGINES: dict[str, str] = {
    "espeak": "service.engines.espeak",
    # "piper" and "gtts" are added with their modules (issue: voices).
}

_instances: dict[str, Engine] = {}
_lock = threading.Lock()

__all__ = ["ENGINES", "Engine", "available_engines", "get_engine"]


def get_engine(name: str = "espeak") -> Engine:
    """The engine called `name`, created once per process and then reused.

    Raises EngineError when the name is unknown or the engine cannot start (missing library or
    voice); a failed start is not cached, so a later call tries again.
    """
    key = (name or "").strip().lower()
    if key not in ENGINES:
        valid = ", ".join(ENGINES)
        raise EngineError(
            f"Okänd talmotor {name!r}; giltiga är {valid}. / Unknown engine {name!r}; valid are {valid}.",
            code="unknown_engine",
        )
    engine = _instances.get(key)
    if engine is not None:
        return engine
    with _lock:
        engine = _instances.get(key)
        if engine is None:
            try:
                module = importlib.import_module(ENGINES[key])
            except ImportError as exc:
                raise EngineError(
                    f"Talmotorn {key} är inte installerad. / The engine {key} is not installed: {exc}"
                ) from exc
            engine = module.create()
            _instances[key] = engine
    return engine


def available_engines() -> dict[str, str]:
    """Each known engine → "ok", or the reason it cannot be used (for /healthz and the admin)."""
    status: dict[str, str] = {}
    for name in ENGINES:
        try:
            engine = get_engine(name)
            status[name] = "ok" if engine.voices() else "no voices"
        except EngineError as exc:
            status[name] = exc.message
        except Exception as exc:  # a broken optional engine must not break the health check
            status[name] = f"{type(exc).__name__}: {exc}"
    return status
