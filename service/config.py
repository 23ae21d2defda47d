"""Configuration: every LYSSNA_* setting in one table, and the one place the environment is read.

Each setting declares how its value is read (`parse`: a number in a range, one of a set, a list of
networks, an address ...) and, where the value names something on this machine, how it is checked
(`check`: a directory that can be written, a voice the engine has). `load_config` parses, for the
app factory and every command alike; `check_ready` runs the checks before `lyssna serve` listens.

The web app, the command line, the job workers and the engines all get their settings from
`load_config` (or, for an engine created without a configuration, `setting`), so a setting means
the same thing everywhere and a bad value is refused with its name in the message. The README's
configuration table lists exactly these settings (a test keeps the two in step).
"""
from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFIX = "LYSSNA_"
ENGINE_NAMES = ("espeak", "piper", "gtts")  # service.reading.engines has a module for each, in this order


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


class Invalid(ValueError):
    """What is wrong with a value, in Swedish and in English; the caller names the setting."""

    def __init__(self, sv: str, en: str):
        super().__init__(f"{sv} / {en}")
        self.sv, self.en = sv, en


# -- kinds of values: each parses the environment's text (or checks a value given in code) --------


def _text(raw: Any) -> str | bytes:
    return raw if isinstance(raw, (str, bytes)) else str(raw)  # (a secret key may be bytes)


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("1", "true", "yes", "on", "ja"):
        return True
    if word in ("0", "false", "no", "off", "nej", ""):
        return False
    raise Invalid("skriv true eller false", "write true or false")


def _ranged(kind: type, low: float, high: float | None, above: bool) -> Callable[[Any], Any]:
    """A parser for a whole number (kind int) or a number (float) in [low, high] (low excluded if `above`)."""
    sv, en = ("ett heltal", "a whole number") if kind is int else ("ett tal", "a number")
    sv, en = (f"{sv} från {low:g} till {high:g}", f"{en} from {low:g} to {high:g}") if high is not None else \
        (f"{sv} större än {low:g}", f"{en} greater than {low:g}") if above else \
        (f"{sv} från {low:g} och uppåt", f"{en} of {low:g} or more")

    def parse(raw: Any) -> Any:
        try:
            if isinstance(raw, str):
                number = float(raw.strip().replace(",", ".")) if kind is float else int(raw.strip())
            elif isinstance(raw, (int, float)) and (kind is float or float(raw).is_integer()):
                number = kind(raw)
            else:
                raise ValueError
        except ValueError:
            number = None
        if number is None or number != number or (number <= low if above else number < low) \
                or (high is not None and number > high):
            raise Invalid(f"måste vara {sv}", f"must be {en}")
        return number
    return parse


def whole(low: int, high: int | None = None) -> Callable[[Any], int]:
    """A whole number, at least `low` and at most `high`."""
    return _ranged(int, low, high, above=False)


def number(low: float, high: float | None = None, *, above: bool = False) -> Callable[[Any], float]:
    """A number (a decimal comma is fine), at least `low` (more than `low` when `above`), at most `high`."""
    return _ranged(float, low, high, above)


def choice(*values: str) -> Callable[[Any], str]:
    """One of `values` (written in any case), e.g. choice("sv", "en")."""
    def parse(raw: Any) -> str:
        word = str(raw).strip().lower()
        if word not in values:
            raise Invalid(f"välj en av {', '.join(values)}", f"choose one of {', '.join(values)}")
        return word
    return parse


def _list(raw: Any) -> list[str]:
    """Comma separated, or a JSON array (or a list given in code)."""
    if isinstance(raw, (list, tuple)):
        return [str(v).strip() for v in raw if str(v).strip()]
    raw = str(raw).strip()
    if raw.startswith("["):
        try:
            value = json.loads(raw)
        except ValueError:
            raise Invalid("JSON-listan går inte att läsa", "the JSON list cannot be read") from None
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
    return [s.strip() for s in raw.split(",") if s.strip()]


def _networks(raw: Any) -> list[str]:
    entries = _list(raw)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise Invalid(f"{entry!r} är ingen IP-adress eller nätverk (t.ex. 10.0.0.5, 10.0.0.0/24)",
                          f"{entry!r} is no IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)") from None
    return entries


def _engine(raw: Any) -> str:
    name = str(raw).strip().lower()
    if name not in ENGINE_NAMES:
        raise Invalid(f"okänd talmotor; välj en av {', '.join(ENGINE_NAMES)}",
                      f"unknown engine; choose one of {', '.join(ENGINE_NAMES)}")
    return name


def _voices(raw: Any) -> list[str]:
    entries = _list(raw)
    for entry in entries:
        if entry.partition(":")[0] not in ENGINE_NAMES:
            names = ", ".join(ENGINE_NAMES)
            raise Invalid(f"{entry!r}: okänd talmotor; skriv motor eller motor:röst, motorn en av {names}",
                          f"{entry!r}: unknown engine; write engine or engine:voice, engine one of {names}")
    return entries


def url(*schemes: str, example: str, query: bool = True) -> Callable[[Any], str]:
    """An absolute address with one of `schemes` and a host (a unix socket: a path), without a
    trailing slash; with `query=False` no query or fragment."""
    def parse(raw: Any) -> str:
        given = str(raw).strip().rstrip("/")
        parts = urlsplit(given)
        if parts.scheme not in schemes or not (parts.netloc or parts.scheme == "unix" and parts.path) \
                or any(ch.isspace() for ch in given) or not query and (parts.query or parts.fragment):
            raise Invalid(f"måste vara en adress som {example}", f"must be an address such as {example}")
        return given
    return parse


def _host(raw: Any) -> str:
    host = str(raw).strip()
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            raise Invalid("måste vara en IP-adress eller ett värdnamn, t.ex. 0.0.0.0 eller 127.0.0.1",
                          "must be an IP address or a host name, e.g. 0.0.0.0 or 127.0.0.1") from None
    return host


def _domain(raw: Any) -> str:
    tld = str(raw).strip().lower()
    if not re.fullmatch(r"[a-z0-9-]{2,}(\.[a-z0-9-]{2,})?", tld):
        raise Invalid("måste vara en toppdomän som com eller se", "must be a top-level domain like com or se")
    return tld


# -- checks against this machine (`check_ready`): run by `lyssna serve` before it listens ----------


@dataclass(frozen=True)
class Ready:
    """What a check may look at: the parsed configuration, and each engine's voices (None when the
    engine cannot start here: then its voices are not checked, and readings fall back as they do)."""

    config: Mapping[str, Any]
    voices_of: Callable[[str], list[str] | None]
    origin: Callable[[str], object]  # an allow-list entry parsed as the service reads it (ValueError)


def _whole_origins(entries: Any, ready: Ready) -> None:
    """Each entry a whole origin (scheme, host, port unless the default), as the allow-list reads it."""
    for entry in entries:
        try:
            ready.origin(entry)
        except ValueError as e:
            reason = str(e).replace(f": {entry!r}", "")
            raise Invalid(f"{entry!r} är inget helt ursprung; skriv schema, värd och port om den inte är "
                          "standard, utan sökväg, t.ex. https://www.kommun.se",
                          f"{entry!r} is not a whole origin ({reason}); give scheme, host and a port "
                          "unless it is the default, without a path, e.g. https://www.kommun.se") from None


def _writable_dir(path: Any, ready: Ready) -> None:
    directory = Path(os.path.expanduser(str(path)))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".lyssna-check-"):
            pass
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise Invalid(f"katalogen {directory} går inte att skapa eller skriva i ({reason})",
                      f"the directory {directory} cannot be created or written to ({reason})") from None


def _parent_writable(path: Any, ready: Ready) -> None:
    parent = Path(os.path.expanduser(str(path))).parent
    if parent != Path(ready.config["CACHE_DIR"]):  # (that one is LYSSNA_CACHE_DIR's own check)
        _writable_dir(parent, ready)


def _voice_file(path: Any, ready: Ready) -> None:
    model = Path(os.path.expanduser(str(path)))
    if model.suffix != ".onnx" or not model.is_file() or not Path(f"{model}.json").is_file():
        raise Invalid(f"{model} är ingen Piper-röst (en .onnx-fil med .onnx.json bredvid)",
                      f"{model} is not a Piper voice (an .onnx file with its .onnx.json beside it)")


def _voice_exists(voice: Any, ready: Ready) -> None:
    """A voice ("sv", or "engine:voice") that the engine has."""
    name, _, bare = str(voice).rpartition(":")
    name = name or ready.config["ENGINE"]
    if name not in ENGINE_NAMES:
        raise Invalid(f"okänd talmotor {name!r}", f"unknown engine {name!r}")
    have = ready.voices_of(name)
    if have is not None and bare not in have:
        raise Invalid(f"talmotorn {name} har ingen röst {bare!r}; den har {', '.join(have[:15])}",
                      f"the engine {name} has no voice {bare!r}; it has {', '.join(have[:15])}")


def _voices_exist(voices: Any, ready: Ready) -> None:
    """LYSSNA_VOICES: each engine:voice exists, and LYSSNA_ENGINE itself is enabled."""
    for entry in voices:
        if ":" in entry:
            _voice_exists(entry, ready)
    if not any(entry.partition(":")[0] == ready.config["ENGINE"] for entry in voices):
        engine = ready.config["ENGINE"]
        raise Invalid(f"måste ta med LYSSNA_ENGINE ({engine})", f"must include LYSSNA_ENGINE ({engine})")


@dataclass(frozen=True)
class Setting:
    name: str  # without the prefix: "SITES" is LYSSNA_SITES
    default: Any
    help: str
    parse: Callable[[Any], Any] = _text  # the environment's text (or a value given in code) -> the value
    # Checked against this machine before `lyssna serve` listens (a directory, an engine's voices).
    check: Callable[[Any, Ready], None] | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("SITES", "", "Origins whose pages may be read (and the CORS allow-list), comma separated.", _list,
            check=_whole_origins),
    Setting("CACHE_DIR", "audio_cache", "Where audio, readings, the lexicon and the job queue are kept.",
            check=_writable_dir),
    Setting("CACHE_MAX_MB", 2048, "Size cap of the audio cache in MB; least-recently-used audio goes beyond it "
                                  "(0: no cap).", number(0)),
    Setting("LEXICON", None, "The pronunciation lexicon (SQLite); default <cache dir>/lexicon.sqlite3.",
            check=_parent_writable),
    Setting("ENGINE", "espeak", "Speech engine: espeak, piper or gtts.", _engine),
    Setting("VOICE", None, "Default voice (the engine's own default when unset).", check=_voice_exists),
    Setting("RATE", 1.0, "Default speech rate, 0.5–2.0, when a request gives none.", number(0.5, 2.0)),
    Setting("PAGE_MEMO_S", 30, "A page read this recently is answered without fetching it again.", number(0)),
    Setting("HOST", "127.0.0.1", "Where `lyssna serve` listens.", _host),
    Setting("PORT", 8000, "The port `lyssna serve` listens on.", whole(1, 65535)),
    Setting("WORKERS", 2, "Sentences synthesized at once per process, shared by every reading being made.",
            whole(1)),
    Setting("HTTP_WORKERS", 0, "Serving processes of `lyssna serve`; 0: one per core, at most 4.",
            whole(0, 256)),
    Setting("HTTP_THREADS", 16, "Threads per serving process for the API and pages (audio needs none).",
            whole(1)),
    Setting("MAX_CONNECTIONS", 10_000, "Open connections per serving process, listeners included (more wait "
                                       "in the kernel's queue).", whole(1)),
    Setting("AUDIO_MEMORY_MB", 64, "Finished audio kept in memory per serving process, for the files played "
                                   "most (0: always from disk).", number(0)),
    Setting("FETCH_MAX_BYTES", 5_000_000, "Largest page fetched, counted after decompression.", whole(1)),
    Setting("DOCUMENT_MAX_BYTES", 30_000_000, "Largest document (PDF) fetched.", whole(1)),
    Setting("DOCUMENT_MAX_PAGES", 300, "Most pages of a document read; a longer one is refused.", whole(1)),
    Setting("FETCH_CONNECT_TIMEOUT", 5.0, "Seconds to connect to a site.", number(0, above=True)),
    Setting("FETCH_TIMEOUT", 15.0, "Seconds for a whole fetch, redirects included.", number(0, above=True)),
    Setting("MAX_CONTENT_LENGTH", 6 * 1024 * 1024, "Largest request body (a page sent as html).", whole(1)),
    Setting("DEMO", None, "Serve the demo page at /demo/ (default: only while LYSSNA_SITES is empty).", _flag),
    Setting("PUBLIC_URL", None, "The service's own public address, e.g. https://lyssna.kommun.se "
                                "(default http://HOST:PORT); never taken from a request's Host header.",
            url("http", "https", example="https://lyssna.kommun.se", query=False)),
    Setting("TRUSTED_PROXIES", "", "Addresses or networks of reverse proxies whose X-Forwarded-* headers are "
                                   "believed, comma separated.", _networks),
    Setting("VOICES", None, "Engines or voices a request may choose, comma separated (espeak, piper:sv, gtts); "
                            "default the offline engines and LYSSNA_ENGINE.", _voices, check=_voices_exist),
    Setting("POSTED_HTML_SITES", "", "Origins (also in LYSSNA_SITES) whose pages may be read from the HTML they "
                                     "send when the service cannot fetch them.", _list, check=_whole_origins),
    Setting("MAX_READING_MINUTES", 120, "Longest reading in minutes of speech; a longer page is read this far, "
                                        "then a notice says it stops.", number(0, above=True)),
    Setting("CLIENT_READINGS_PER_MINUTE", 60, "New readings one client address may start per minute (cached "
                                              "ones are not counted); 0: no limit.", whole(0)),
    Setting("CLIENT_POSTED_MB_PER_MINUTE", 20, "Request bodies one client address may post per minute, in MB; "
                                               "0: no limit.", number(0)),
    Setting("ADMIN_PASSWORD", None, "Turns the admin UI and API on; unset: no admin at all."),
    Setting("ADMIN_LANGUAGE", "sv", "The admin UI's language until an admin picks another.",
            choice("sv", "en")),
    Setting("SECRET_KEY", None, "Signs admin sessions; default a random key in <cache dir>/admin_secret.key."),
    Setting("PIPER_VOICE", None, "Path to a Piper .onnx voice (its .onnx.json beside it); unset: the voices "
                                 "installed with `lyssna voices install`.", check=_voice_file),
    Setting("VOICES_DIR", None, "Where `lyssna voices` installs Piper voices and the piper engine finds them "
                                "(default <cache dir>/voices).", check=_writable_dir),
    Setting("VOICES_URL", "https://huggingface.co/rhasspy/piper-voices/resolve/main",
            "Where `lyssna voices install` gets Piper voices: the address of voices.json and the voices.",
            url("http", "https", example="https://huggingface.co/rhasspy/piper-voices/resolve/main")),
    Setting("PIPER_THREADS", None, "onnxruntime threads per sentence (default: all cores).", whole(1)),
    Setting("GTTS_TIMEOUT", 0.8, "Seconds Google gets per sentence before espeak takes over.",
            number(0, above=True)),
    Setting("GTTS_BREAKER_FAILURES", 3, "Failures in a row after which Google is not called for a while.",
            whole(1)),
    Setting("GTTS_BREAKER_COOLDOWN", 30.0, "Seconds Google is left alone after those failures.", number(0)),
    Setting("GTTS_TLD", "com", "Google domain used by gTTS.", _domain),
    Setting("REDIS_URL", None, "A shared Redis queue for workers on several machines.",
            url("redis", "rediss", "unix", example="redis://redis.kommun.local:6379/0")),
    Setting("METRICS", None, "Serve Prometheus metrics at /metrics to `Authorization: Bearer <this value>` "
                             "(or to anyone when it is `open`); unset: no /metrics."),
    Setting("REFRESH_HOURS", None, "`lyssna worker` re-checks every known page this often (unset, 0: never).",
            number(0)),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def _refused(name: str, value: Any, problem: Invalid) -> str:
    """One line naming the variable, its value and what is wrong: Swedish, then English."""
    shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    shown = "(hemligt / secret)" if name in ("ADMIN_PASSWORD", "SECRET_KEY", "METRICS") else repr(shown)
    return (f"{PREFIX}{name}={shown} kan inte användas: {problem.sv}. / "
            f"{PREFIX}{name}={shown} cannot be used: {problem.en}.")


def parse_value(s: Setting, value: Any) -> Any:
    """`value` (the environment's text or a value given in code) as the setting's type; ConfigError else."""
    try:
        return s.parse(value)
    except Invalid as e:
        raise ConfigError(_refused(s.name, value, e)) from None
    except (TypeError, ValueError):
        raise ConfigError(_refused(s.name, value, Invalid(f"värdet passar inte: {s.help}",
                                                          f"the value does not fit: {s.help}"))) from None


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of LYSSNA_<name> read with its setting's type, or None when it is unset or empty."""
    raw = (os.environ if environ is None else environ).get(PREFIX + name)
    if raw is None or raw == "":
        return None
    setting = BY_NAME.get(name)
    return raw if setting is None else parse_value(setting, raw)


def setting(config: Mapping[str, Any] | None, name: str, default: Any = None) -> Any:
    """One setting: from `config` when it holds a value, else the environment, else `default`
    (for code that may run without a loaded configuration, such as an engine created on its own)."""
    if config is not None and config.get(name) not in (None, ""):
        return config[name]
    value = from_environment(name)
    return default if value is None else value


def load_config(overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dict:
    """The defaults, then the LYSSNA_* environment, then `overrides`; each parsed by its setting.

    Raises ConfigError (a ValueError) with one line per setting that cannot be used, each named."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    config.update({s.name: raw for s in SETTINGS if (raw := environ.get(PREFIX + s.name)) not in (None, "")})
    config.update(overrides or {})
    problems: list[str] = []
    for s in SETTINGS:
        value = s.default if config.get(s.name) == "" else config.get(s.name)
        if value is None:
            config[s.name] = None
            continue
        try:
            config[s.name] = parse_value(s, value)
        except ConfigError as e:
            problems.append(str(e))
    if problems:
        raise ConfigError("\n".join(problems))
    normalise(config)
    return config


def check_ready(config: Mapping[str, Any], voices_of: Callable[[str], list[str] | None],
                origin: Callable[[str], object]) -> None:
    """The settings' checks against this machine (directories, voices), for `lyssna serve` and the
    workers before they start; ConfigError with one line per setting that fails."""
    ready = Ready(config, voices_of, origin)
    problems = []
    for s in SETTINGS:
        if s.check is not None and config.get(s.name) not in (None, "", []):
            try:
                s.check(config[s.name], ready)
            except Invalid as e:
                problems.append(_refused(s.name, config[s.name], e))
    if problems:
        raise ConfigError("\n".join(problems))


def serving_processes(setting: int) -> int:
    """`lyssna serve`'s processes for an HTTP_WORKERS setting: 0 means one per core, at most 4."""
    return int(setting) or min(4, os.cpu_count() or 1)


def normalise(config: dict) -> None:
    """What follows from the parsed settings, in place: whole paths, the demo's and the public
    address's defaults, REFRESH_HOURS 0 as never."""
    config["CACHE_DIR"] = str(Path(os.path.expanduser(str(config["CACHE_DIR"]))).resolve())
    config["LEXICON"] = lexicon_path(config)
    config["REFRESH_HOURS"] = config.get("REFRESH_HOURS") or None
    if config.get("DEMO") is None:  # the one-command demo, not a site's service
        config["DEMO"] = not config["SITES"]
    config["PUBLIC_URL"] = public_url(config)


def public_url(config: Mapping[str, Any]) -> str:
    """The service's own address (scheme://host[:port] and a path prefix when it sits under one),
    from LYSSNA_PUBLIC_URL (parsed by its setting) or HOST/PORT; without a trailing slash."""
    if config.get("PUBLIC_URL"):
        return str(config["PUBLIC_URL"])
    host = str(config.get("HOST") or "127.0.0.1")
    host = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://{host}:{int(config.get('PORT') or 8000)}"


def lexicon_path(config: Mapping[str, Any]) -> str:
    """Where the pronunciation lexicon lives: LYSSNA_LEXICON, else inside the cache directory."""
    if config.get("LEXICON"):
        return str(Path(os.path.expanduser(str(config["LEXICON"]))).resolve())
    return str(Path(config["CACHE_DIR"]) / "lexicon.sqlite3")
