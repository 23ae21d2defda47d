"""Configuration: every LYSSNA_* setting in one table, and the one place the environment is read.

The web app, the command line, the job workers and the engines all get their settings from
`load_config` (or, for an engine created without a configuration, `setting`), so a setting means
the same thing everywhere and a bad value is refused with its name in the message. The README's
configuration table lists exactly these settings (a test keeps the two in step).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "LYSSNA_"


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


def _text(raw: str) -> str:
    return raw


def _whole(raw: str) -> int:
    return int(raw.strip())


def _number(raw: str) -> float:
    return float(raw.strip().replace(",", "."))


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off", "")


def _origins(raw: str) -> list[str]:
    """Comma separated, or a JSON array."""
    raw = raw.strip()
    if raw.startswith("["):
        value = json.loads(raw)
        if isinstance(value, list):
            return [str(v) for v in value]
    return [s.strip() for s in raw.split(",") if s.strip()]


@dataclass(frozen=True)
class Setting:
    name: str  # without the prefix: "SITES" is LYSSNA_SITES
    default: Any
    help: str
    parse: Callable[[str], Any] = _text  # from the environment's string


SETTINGS: tuple[Setting, ...] = (
    Setting("SITES", "", "Origins whose pages may be read (and the CORS allow-list), comma separated.", _origins),
    Setting("CACHE_DIR", "audio_cache", "Where audio, readings, the lexicon and the job queue are kept."),
    Setting("CACHE_MAX_MB", 2048, "Size cap of the audio cache in MB; least-recently-used audio goes beyond it "
                                  "(0: no cap).", _number),
    Setting("LEXICON", None, "The pronunciation lexicon (SQLite); default <cache dir>/lexicon.sqlite3."),
    Setting("ENGINE", "espeak", "Speech engine: espeak, piper or gtts."),
    Setting("VOICE", None, "Default voice (the engine's own default when unset)."),
    Setting("RATE", 1.0, "Default speech rate, 0.5–2.0, when a request gives none.", _number),
    Setting("PAGE_MEMO_S", 30, "A page read this recently is answered without fetching it again.", _number),
    Setting("HOST", "127.0.0.1", "Where `lyssna serve` listens."),
    Setting("PORT", 8000, "The port `lyssna serve` listens on.", _whole),
    Setting("WORKERS", 2, "Sentences synthesized at once per process, shared by every reading being made.", _whole),
    Setting("HTTP_WORKERS", 0, "Serving processes of `lyssna serve`; 0: one per core, at most 4.", _whole),
    Setting("HTTP_THREADS", 16, "Threads per serving process for the API and pages (audio needs none).", _whole),
    Setting("MAX_CONNECTIONS", 10_000, "Open connections per serving process, listeners included (more wait "
                                       "in the kernel's queue).", _whole),
    Setting("AUDIO_MEMORY_MB", 64, "Finished audio kept in memory per serving process, for the files played "
                                   "most (0: always from disk).", _number),
    Setting("FETCH_MAX_BYTES", 5_000_000, "Largest page fetched, counted after decompression.", _whole),
    Setting("DOCUMENT_MAX_BYTES", 30_000_000, "Largest document (PDF) fetched.", _whole),
    Setting("DOCUMENT_MAX_PAGES", 300, "Most pages of a document read; a longer one is refused.", _whole),
    Setting("FETCH_CONNECT_TIMEOUT", 5.0, "Seconds to connect to a site.", _number),
    Setting("FETCH_TIMEOUT", 15.0, "Seconds for a whole fetch, redirects included.", _number),
    Setting("MAX_CONTENT_LENGTH", 6 * 1024 * 1024, "Largest request body (a page sent as html).", _whole),
    Setting("DEMO", None, "Serve the demo page at /demo/ (default: only while LYSSNA_SITES is empty).", _flag),
    Setting("PUBLIC_URL", None, "The service's own public address, e.g. https://lyssna.kommun.se "
                                "(default http://HOST:PORT); never taken from a request's Host header."),
    Setting("TRUSTED_PROXIES", "", "Addresses or networks of reverse proxies whose X-Forwarded-* headers are "
                                   "believed, comma separated.", _origins),
    Setting("VOICES", None, "Engines or voices a request may choose, comma separated (espeak, piper:sv, gtts); "
                            "default the offline engines and LYSSNA_ENGINE.", _origins),
    Setting("POSTED_HTML_SITES", "", "Origins (also in LYSSNA_SITES) whose pages may be read from the HTML they "
                                     "send when the service cannot fetch them.", _origins),
    Setting("MAX_READING_MINUTES", 120, "Longest reading in minutes of speech; a longer page is read this far, "
                                        "then a notice says it stops.", _number),
    Setting("CLIENT_READINGS_PER_MINUTE", 60, "New readings one client address may start per minute (cached "
                                              "ones are not counted); 0: no limit.", _whole),
    Setting("CLIENT_POSTED_MB_PER_MINUTE", 20, "Request bodies one client address may post per minute, in MB; "
                                               "0: no limit.", _number),
    Setting("ADMIN_PASSWORD", None, "Turns the admin UI and API on; unset: no admin at all."),
    Setting("SECRET_KEY", None, "Signs admin sessions; default a random key in <cache dir>/admin_secret.key."),
    Setting("PIPER_VOICE", None, "Path to a Piper .onnx voice (its .onnx.json beside it); unset: the voices "
                                 "installed with `lyssna voices install`."),
    Setting("VOICES_DIR", None, "Where `lyssna voices` installs Piper voices and the piper engine finds them "
                                "(default <cache dir>/voices)."),
    Setting("VOICES_URL", "https://huggingface.co/rhasspy/piper-voices/resolve/main",
            "Where `lyssna voices install` gets Piper voices: the address of voices.json and the voice files."),
    Setting("PIPER_THREADS", None, "onnxruntime threads per sentence (default: all cores).", _whole),
    Setting("GTTS_TIMEOUT", 0.8, "Seconds Google gets per sentence before espeak takes over.", _number),
    Setting("GTTS_BREAKER_FAILURES", 3, "Failures in a row after which Google is not called for a while.", _whole),
    Setting("GTTS_BREAKER_COOLDOWN", 30.0, "Seconds Google is left alone after those failures.", _number),
    Setting("GTTS_TLD", "com", "Google domain used by gTTS."),
    Setting("REDIS_URL", None, "A shared Redis queue for workers on several machines."),
    Setting("METRICS", None, "Serve Prometheus metrics at /metrics to `Authorization: Bearer <this value>` "
                             "(or to anyone when it is `open`); unset: no /metrics."),
    Setting("REFRESH_HOURS", None, "`lyssna worker` re-checks every known page this often (unset: never).",
            _number),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of LYSSNA_<name> read with its setting's type, or None when it is unset or empty."""
    raw = (os.environ if environ is None else environ).get(PREFIX + name)
    if raw is None or raw == "":
        return None
    setting = BY_NAME.get(name)
    if setting is None:
        return raw
    try:
        return setting.parse(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={raw!r} kan inte användas: {setting.help} / "
                          f"{PREFIX}{name}={raw!r} is not a valid value: {setting.help}") from None


def setting(config: Mapping[str, Any] | None, name: str, default: Any = None) -> Any:
    """One setting: from `config` when it holds a value, else the environment, else `default`
    (for code that may run without a loaded configuration, such as an engine created on its own)."""
    if config is not None and config.get(name) not in (None, ""):
        return config[name]
    value = from_environment(name)
    return default if value is None else value


def load_config(overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dict:
    """The defaults, then the LYSSNA_* environment, then `overrides`; checked and normalised.

    Raises ConfigError (a ValueError) naming the setting when a value cannot be used."""
    config = dict(DEFAULTS)
    for s in SETTINGS:
        value = from_environment(s.name, environ)
        if value is not None:
            config[s.name] = value
    if overrides:
        config.update(overrides)
    normalise(config)
    return config


def serving_processes(setting: int) -> int:
    """`lyssna serve`'s processes for an HTTP_WORKERS setting: 0 means one per core, at most 4."""
    return int(setting) or min(4, os.cpu_count() or 1)


def normalise(config: dict) -> None:
    """Turn values into the types the service uses, in place; ConfigError for what cannot be used."""
    for name in ("SITES", "TRUSTED_PROXIES", "POSTED_HTML_SITES"):
        value = config.get(name) or []
        config[name] = _origins(value) if isinstance(value, str) else list(value)
    if isinstance(config.get("VOICES"), str):
        config["VOICES"] = _origins(config["VOICES"])
    config["CACHE_DIR"] = str(Path(os.path.expanduser(str(config["CACHE_DIR"]))).resolve())
    config["LEXICON"] = lexicon_path(config)
    for name, kind in (("PORT", int), ("WORKERS", int), ("HTTP_WORKERS", int), ("HTTP_THREADS", int),
                       ("MAX_CONNECTIONS", int),
                       ("FETCH_MAX_BYTES", int), ("DOCUMENT_MAX_BYTES", int), ("DOCUMENT_MAX_PAGES", int),
                       ("MAX_CONTENT_LENGTH", int), ("FETCH_CONNECT_TIMEOUT", float),
                       ("FETCH_TIMEOUT", float), ("RATE", float), ("PAGE_MEMO_S", float),
                       ("MAX_READING_MINUTES", float), ("CLIENT_READINGS_PER_MINUTE", int),
                       ("CLIENT_POSTED_MB_PER_MINUTE", float)):
        try:
            config[name] = kind(config[name])
        except (TypeError, ValueError):
            raise ConfigError(f"{PREFIX}{name} måste vara ett tal / must be a number: {config[name]!r}") from None
    hours = config.get("REFRESH_HOURS")
    config["REFRESH_HOURS"] = float(hours) if hours not in (None, "", 0, "0") else None
    if config["REFRESH_HOURS"] is not None and config["REFRESH_HOURS"] <= 0:
        raise ConfigError("LYSSNA_REFRESH_HOURS must be a positive number of hours")
    if not 0.5 <= config["RATE"] <= 2.0:
        raise ConfigError("LYSSNA_RATE must be between 0.5 and 2.0")
    if isinstance(config.get("DEMO"), str):
        config["DEMO"] = _flag(config["DEMO"])
    if config.get("DEMO") is None:  # the one-command demo, not a site's service
        config["DEMO"] = not config["SITES"]
    config["DEMO"] = bool(config["DEMO"])
    config["PUBLIC_URL"] = public_url(config)
    for name in ("ADMIN_PASSWORD", "SECRET_KEY"):  # secrets are text, whatever they look like
        if config.get(name) is not None and not isinstance(config[name], (str, bytes)):
            config[name] = str(config[name])


def public_url(config: Mapping[str, Any]) -> str:
    """The service's own address (scheme://host[:port] and a path prefix when it sits under one),
    from LYSSNA_PUBLIC_URL or HOST/PORT; without a trailing slash."""
    given = str(config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not given:
        host = str(config.get("HOST") or "127.0.0.1")
        host = "localhost" if host in ("0.0.0.0", "::", "") else host
        return f"http://{host}:{int(config.get('PORT') or 8000)}"
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", given):
        raise ConfigError(f"LYSSNA_PUBLIC_URL must be an address such as https://lyssna.kommun.se, not {given!r}")
    return given


def lexicon_path(config: Mapping[str, Any]) -> str:
    """Where the pronunciation lexicon lives: LYSSNA_LEXICON, else inside the cache directory."""
    if config.get("LEXICON"):
        return str(Path(os.path.expanduser(str(config["LEXICON"]))).resolve())
    return str(Path(config["CACHE_DIR"]) / "lexicon.sqlite3")
