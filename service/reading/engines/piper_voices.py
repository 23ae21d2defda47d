"""Piper voices installed by `lyssna voices install`: where they live and which one speaks what.

Layout: ``<CACHE_DIR>/voices/<key>/<key>.onnx`` (LYSSNA_VOICES_DIR instead of ``<CACHE_DIR>/voices``
when set) with ``<key>.onnx.json`` (and the catalogue's other files, e.g. MODEL_CARD) beside it.
A directory appears under its key only once every file has been verified and the model loaded (the
installer renames it into place), so whatever is here is whole.
Names starting with "." are the installer's work in progress and never count as voices.

The Piper engine speaks one voice per language: Swedish first (the default voice), then the others
by language; of several voices for one language the best quality wins, then the first key.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import setting
from service.errors import EngineError

VOICES_DIR = "voices"
DEFAULT_LANGUAGE = "sv"
# Piper's quality names, best first.
QUALITIES = ("high", "medium", "low", "x_low")


@dataclass(frozen=True)
class InstalledVoice:
    """One installed Piper voice as the engine and `lyssna voices list` see it."""

    key: str  # e.g. "sv_SE-nst-medium"
    model: Path  # the .onnx file; its .onnx.json is beside it
    language: str  # the voice's language, lower case, e.g. "sv" (what readings ask for)
    code: str  # e.g. "sv_SE"
    quality: str
    size_bytes: int  # all the voice's files together

    @property
    def config_path(self) -> Path:
        return self.model.with_name(self.model.name + ".json")


def voices_dir(config: Mapping[str, Any] | None = None, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where installed voices live: ``<cache_dir>/voices`` when given, else LYSSNA_VOICES_DIR, else
    ``<CACHE_DIR>/voices`` (a container image keeps its baked-in voices outside the cache volume)."""
    if cache_dir is None and setting(config, "VOICES_DIR"):
        return Path(os.path.expanduser(str(setting(config, "VOICES_DIR")))).resolve()
    base = cache_dir if cache_dir is not None else setting(config, "CACHE_DIR", "audio_cache")
    return Path(os.path.expanduser(str(base))).resolve() / VOICES_DIR


def language_of(voice_config: Mapping[str, Any], key: str = "") -> tuple[str, str]:
    """(language, code) of a voice from its .onnx.json, e.g. ("sv", "sv_SE"); the key as last resort."""
    lang = voice_config.get("language") if isinstance(voice_config.get("language"), dict) else {}
    code = str(lang.get("code") or key.split("-", 1)[0] or "")
    family = lang.get("family") or (voice_config.get("espeak") or {}).get("voice") or code
    return str(family).replace("_", "-").split("-", 1)[0].lower(), code


def _read(directory: Path) -> InstalledVoice | None:
    key = directory.name
    model = directory / f"{key}.onnx"
    config_path = model.with_name(model.name + ".json")
    if not (model.is_file() and config_path.is_file()):
        return None
    try:
        voice_config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(voice_config, dict):
        return None
    language, code = language_of(voice_config, key)
    quality = str((voice_config.get("audio") or {}).get("quality") or key.rsplit("-", 1)[-1])
    size = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    return InstalledVoice(key, model, language, code, quality, size)


def _rank(voice: InstalledVoice) -> tuple:
    quality = QUALITIES.index(voice.quality) if voice.quality in QUALITIES else len(QUALITIES)
    return (voice.language != DEFAULT_LANGUAGE, voice.language, quality, voice.key)


def installed_voices(directory: Path) -> list[InstalledVoice]:
    """Every whole voice under `directory`, in the engine's order of preference (see module doc)."""
    if not directory.is_dir():
        return []
    found = [v for d in directory.iterdir() if d.is_dir() and not d.name.startswith(".")
             if (v := _read(d)) is not None]
    return sorted(found, key=_rank)


def speaking_voices(voices: list[InstalledVoice]) -> dict[str, InstalledVoice]:
    """Language → the voice that speaks it, from `installed_voices`' order; the first is the default."""
    chosen: dict[str, InstalledVoice] = {}
    for v in voices:
        chosen.setdefault(v.language, v)
    return chosen


def remove_voice(directory: Path, key: str) -> InstalledVoice:
    """Delete an installed voice; EngineError (code not_installed) when there is none by that key.

    The directory is first renamed to a hidden name, so a reader never sees half a voice."""
    target = directory / key
    voice = _read(target) if key and "/" not in key and not key.startswith(".") and target.is_dir() else None
    if voice is None:
        raise EngineError(f"Rösten {key} är inte installerad. / The voice {key} is not installed.",
                          code="not_installed", status=404)
    doomed = directory / f".removing-{key}-{os.getpid()}"
    os.replace(target, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return voice


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def installed_lines(voices: list[InstalledVoice], pinned: str | None = None) -> list[str]:
    """`lyssna voices list`: key, language, quality, size and what each voice is used for.

    `pinned`: LYSSNA_PIPER_VOICE, which when set is the only Piper voice used."""
    speaking = speaking_voices(voices)
    default = next(iter(speaking.values()), None)
    lines = []
    for v in voices:
        if pinned:
            use = "används inte (LYSSNA_PIPER_VOICE är satt) / unused (LYSSNA_PIPER_VOICE is set)"
        elif v is default:
            use = "standard / default"
        elif speaking.get(v.language) is v:
            use = f"läser / reads {v.language}"
        else:
            use = f"används inte, {speaking[v.language].key} läser {v.language} / unused"
        lines.append(f"{v.key}\t{v.code}\t{v.quality}\t{megabytes(v.size_bytes)}\t{use}")
    return lines
