"""Configuration defaults and normalisation; values come from LYSSNA_* environment variables."""
from __future__ import annotations

import json
import os
from pathlib import Path

DEFAULTS: dict = {
    "SITES": "",  # comma separated origins whose pages may be read
    "CACHE_DIR": "audio_cache",
    "CACHE_MAX_MB": None,  # size cap; least-recently-used audio is evicted beyond it
    "LEXICON": None,  # pronunciation lexicon (SQLite); default <CACHE_DIR>/lexicon.sqlite3
    "ENGINE": "espeak",
    "VOICE": None,  # engine's default voice when unset
    "RATE": 1.0,
    "PAGE_MEMO_S": 30,  # a page read this recently is served without fetching it again  # speech rate when a request gives none (0.5–2.0)
    "PIPER_VOICE": None,
    "REDIS_URL": None,
    "REFRESH_HOURS": None,  # `lyssna worker` re-checks every known page this often (unset: never)
    "ADMIN_PASSWORD": None,
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": 2,  # generation threads per process
    "FETCH_MAX_BYTES": 5_000_000,
    "FETCH_CONNECT_TIMEOUT": 5.0,
    "FETCH_TIMEOUT": 15.0,
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,  # request bodies (pages sent as html)
    "DEMO": True,  # serve the demo page at /
}


def normalise(config: dict) -> None:
    """Turn env-style strings into the types the app uses, in place."""
    sites = config.get("SITES") or []
    if isinstance(sites, str):
        sites = [s.strip() for s in sites.split(",") if s.strip()]
    config["SITES"] = list(sites)
    config["CACHE_DIR"] = str(Path(os.path.expanduser(str(config["CACHE_DIR"]))).resolve())
    config["LEXICON"] = lexicon_path(config)
    for name in ("PORT", "WORKERS", "FETCH_MAX_BYTES", "MAX_CONTENT_LENGTH"):
        config[name] = int(config[name])
    for name in ("FETCH_CONNECT_TIMEOUT", "FETCH_TIMEOUT", "RATE", "PAGE_MEMO_S"):
        config[name] = float(config[name])
    hours = config.get("REFRESH_HOURS")
    config["REFRESH_HOURS"] = float(hours) if hours not in (None, "", 0, "0") else None
    if config["REFRESH_HOURS"] is not None and config["REFRESH_HOURS"] <= 0:
        raise ValueError("LYSSNA_REFRESH_HOURS must be a positive number of hours")
    if not 0.5 <= config["RATE"] <= 2.0:
        raise ValueError("LYSSNA_RATE must be between 0.5 and 2.0")
    if isinstance(config.get("DEMO"), str):
        config["DEMO"] = config["DEMO"].lower() not in ("0", "false", "no", "off")


def lexicon_path(config: dict) -> str:
    """Where the pronunciation lexicon lives: LYSSNA_LEXICON, else inside the cache directory."""
    if config.get("LEXICON"):
        return str(Path(os.path.expanduser(str(config["LEXICON"]))).resolve())
    return str(Path(config["CACHE_DIR"]) / "lexicon.sqlite3")


def load_config(overrides: dict | None = None) -> dict:
    """Defaults, then LYSSNA_* environment variables (JSON-parsed where they parse, as Flask's
    from_prefixed_env does), then `overrides`; normalised. For processes without Flask (workers, CLI)."""
    config = dict(DEFAULTS)
    for key, value in os.environ.items():
        if key.startswith("LYSSNA_"):
            try:
                value = json.loads(value)
            except ValueError:
                pass
            config[key[len("LYSSNA_"):]] = value
    if overrides:
        config.update(overrides)
    normalise(config)
    return config
