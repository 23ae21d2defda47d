"""Piper (`piper-tts`): neural, offline Swedish speech from a voice file the operator installs once.

Configuration (app config key, or environment variable with the LYSSNA_ prefix):
- ``PIPER_VOICE``: path to one voice's ``.onnx`` file; ``<file>.onnx.json`` must sit beside it.
  Unset: the voices `lyssna voices install` put in ``<CACHE_DIR>/voices/`` or LYSSNA_VOICES_DIR,
  one per language, Swedish the default; a block in Finnish is read by the Finnish voice if there is one.
- ``PIPER_THREADS``: onnxruntime intra-op threads per synthesis (default: all cores).

Why it is built this way:
- One engine per process (the registry caches it), shared by every thread; each voice's model is
  loaded once (the default at start, the others on first use). The
  onnxruntime session runs one sentence on all cores (intra-op threads); a semaphore allows
  ``cores // PIPER_THREADS`` sentences at once, so two synthesis threads never oversubscribe the
  CPU yet the first sentence of a reading gets the whole machine.
- Speed is `length_scale`: the voice's own value divided by `rate` (rate 1.5 → 1/1.5 as long).
- Word times come from Piper's phoneme alignments (the model's `Ceil` durations, exposed by
  ``include_alignments``; with the `onnx` package the model is patched in memory). Phoneme words
  (runs between spaces and punctuation) are matched to the words of the input text one to one; when
  espeak-ng says a different number of words (a number read as several words, two words run
  together) the clause is timed proportionally to characters instead. Without alignments the
  whole sentence is timed that way.
- The version token (cache keys) names piper-tts's version and every voice file with a hash of it,
  so replacing a voice (or installing another language) invalidates cached Piper audio.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import setting
from service.errors import EngineError
from service.models import Speech, WordEvent

from .base import (
    STATE_ERROR,
    STATE_MISSING_VOICE,
    STATE_NOT_INSTALLED,
    Engine,
    EngineStatus,
    EngineUnavailable,
)
from .piper_voices import installed_voices, speaking_voices, voices_dir

# VOICES_DIR / CACHE_DIR: where the installed voices live, so another place is another engine.
CONFIG_KEYS = ("PIPER_VOICE", "PIPER_THREADS", "VOICES_DIR", "CACHE_DIR")
INSTALL_HINT = "pip install 'lyssna[piper]'"
VOICE_HINT = "lyssna voices install sv_SE-nst-medium"

_WORD = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[,;:.!?…]+(?=\s|$)")
_PHONEME_BREAKS = set(" ,;:.!?…")  # not part of a word in Piper's phoneme stream
_MARKERS = {"^", "$", "_"}  # BOS, EOS, PAD

log = logging.getLogger(__name__)


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _load_session(model: Path, threads: int):
    """An onnxruntime session for `model`, patched in memory to output alignments when possible."""
    import onnxruntime

    source: str | bytes = str(model)
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        proto = onnx.load(str(model))
        add_alignment_output(proto)
        source = proto.SerializeToString()
    except ImportError:
        log.warning("onnx saknas: inga ordtider från Piper. / onnx missing: Piper word times estimated.")
    except ValueError as exc:  # already patched, or no Ceil node: use the file as it is
        log.debug("not patching %s for alignments: %s", model, exc)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    return onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])


@dataclass
class _Voice:
    """One voice file of the engine: its config at once, its onnxruntime session when first needed."""

    model: Path
    config: Any  # piper.config.PiperConfig
    fingerprint: str
    voice: Any = None  # piper.voice.PiperVoice once loaded
    has_alignments: bool = False

    @property
    def name(self) -> str:
        return self.model.name.removesuffix(".onnx")


class PiperEngine(Engine):
    """Piper voices, one per language (e.g. "sv", "fi"); the first model given is the default voice.

    The default voice's model is loaded at once (so a broken voice shows in /healthz); the others
    when a block in their language is first read. Each session is loaded once and shared."""

    name = "piper"

    def __init__(self, model: str | os.PathLike | Sequence[str | os.PathLike], threads: int | None = None) -> None:
        try:
            from piper.config import PiperConfig, SynthesisConfig
            from piper.voice import PiperVoice
        except ImportError as exc:
            raise EngineUnavailable(
                f"Piper är inte installerat; kör {INSTALL_HINT}. / "
                f"Piper is not installed; run {INSTALL_HINT}.",
                code=STATE_NOT_INSTALLED,
            ) from exc
        models = [model] if isinstance(model, (str, os.PathLike)) else list(model)
        cores = os.cpu_count() or 1
        self.threads = max(1, min(cores, int(threads or cores)))
        self._piper_voice = PiperVoice
        self._synthesis_config = SynthesisConfig
        self._by_lang: dict[str, _Voice] = {}
        for path in models:
            voice = _read_voice(Path(path).expanduser(), PiperConfig)
            self._by_lang.setdefault(voice_language(voice.config), voice)
        first = next(iter(self._by_lang.values()))
        self.default_voice = next(iter(self._by_lang))
        self._load(first)
        self.model_path = first.model
        self.voice_name = first.name
        self._config = first.config
        self._voice = first.voice
        self.has_alignments = first.has_alignments
        self.sample_rate = int(first.config.sample_rate)
        self._slots = threading.BoundedSemaphore(max(1, cores // self.threads))
        self._loading = threading.Lock()
        package = importlib.metadata.version("piper-tts")
        voices = "+".join(f"{v.name}-{v.fingerprint}" for v in self._by_lang.values())
        self.version = f"piper-tts-{package}+{voices}"

    def _load(self, voice: _Voice) -> None:
        """Load `voice`'s onnxruntime session (once); EngineUnavailable when the model is broken."""
        try:
            session = _load_session(voice.model, self.threads)
        except Exception as exc:  # onnxruntime raises its own types for a corrupt model
            raise EngineUnavailable(
                f"Piper-rösten {voice.model.name} kunde inte laddas. / "
                f"The Piper voice {voice.model.name} could not be loaded: {exc}",
                code=STATE_ERROR,
            ) from exc
        voice.has_alignments = len(session.get_outputs()) > 1
        voice.voice = self._piper_voice(session=session, config=voice.config)

    def _loaded(self, lang: str) -> _Voice:
        voice = self._by_lang[lang]
        if voice.voice is None:
            with self._loading:
                if voice.voice is None:
                    self._load(voice)
        return voice

    def voices(self) -> list[str]:
        return list(self._by_lang)

    def models(self) -> dict[str, str]:
        """Voice → the Piper voice speaking it, e.g. {"sv": "sv_SE-nst-medium"}."""
        return {lang: v.name for lang, v in self._by_lang.items()}

    def status(self) -> EngineStatus:
        status = super().status()
        status.models = self.models()
        return status

    def synthesize(self, text: str, voice: str | None = None, rate: float = 1.0) -> Speech:
        chosen = self._loaded(self.check_request(text, voice, rate))
        sample_rate = int(chosen.config.sample_rate)
        if not text.strip():
            return Speech(pcm=b"", sample_rate=sample_rate, words=[])
        syn = self._synthesis_config(length_scale=chosen.config.length_scale / float(rate))
        # "[[" would be read as raw phonemes by Piper; NUL ends espeak's C string. Offsets are kept.
        safe = text.replace("[[", "( ").replace("]]", " )").replace("\0", " ")
        pcm = bytearray()
        phonemes: list[tuple[str, int]] = []  # (phoneme, start sample) over the whole utterance
        aligned = True
        with self._slots:
            try:
                chunks = list(chosen.voice.synthesize(safe, syn, include_alignments=chosen.has_alignments))
            except Exception as exc:  # onnxruntime / phonemizer failures: not the request's fault
                raise EngineError(f"Piper misslyckades. / Piper failed: {exc}") from exc
        for chunk in chunks:
            start = len(pcm) // 2
            pcm += chunk.audio_int16_bytes
            if chunk.phoneme_alignments is None:
                aligned = False
                continue
            at = start
            for item in chunk.phoneme_alignments:
                phonemes.append((item.phoneme, at))
                at += int(item.num_samples)
            phonemes.append((".", at))  # a chunk ends a sentence
        total = len(pcm) // 2
        words = _word_events(text, phonemes if aligned else [], total, sample_rate)
        return Speech(pcm=bytes(pcm), sample_rate=sample_rate, words=words)


def voice_language(config: Any) -> str:
    """The language a voice speaks, as readings name it ("sv"), from its espeak voice ("sv", "en-us")."""
    return (config.espeak_voice or "sv").replace("_", "-").split("-", 1)[0].lower()


def _read_voice(model: Path, config_class: Any) -> _Voice:
    """A voice's files checked and its config parsed (cheap: the model is loaded later)."""
    config_path = model.with_name(model.name + ".json")
    for path in (model, config_path):
        if not path.is_file():
            raise EngineUnavailable(
                f"Piper-rösten saknas: {path}. Installera en röst ({VOICE_HINT}) eller sätt "
                f"LYSSNA_PIPER_VOICE. / The Piper voice file is missing: {path}. Install a voice "
                f"({VOICE_HINT}) or set LYSSNA_PIPER_VOICE.",
                code=STATE_MISSING_VOICE,
            )
    try:
        config = config_class.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        return _Voice(model, config, _fingerprint(model))
    except Exception as exc:  # a config that is not JSON, or lacks what Piper needs
        raise EngineUnavailable(
            f"Piper-rösten {model.name} kunde inte laddas. / "
            f"The Piper voice {model.name} could not be loaded: {exc}",
            code=STATE_ERROR,
        ) from exc


# -- alignments → word events ---------------------------------------------------------------------


def _phoneme_clauses(phonemes: list[tuple[str, int]]) -> list[list[tuple[int, int]]]:
    """Phoneme words as (start, end) samples, grouped into clauses at punctuation."""
    clauses: list[list[tuple[int, int]]] = [[]]
    word_start: int | None = None
    for phoneme, at in phonemes:
        is_break = phoneme in _PHONEME_BREAKS or phoneme in _MARKERS
        if is_break and word_start is not None:
            clauses[-1].append((word_start, at))
            word_start = None
        elif not is_break and word_start is None:
            word_start = at
        if phoneme in _PHONEME_BREAKS and phoneme != " " and clauses[-1]:
            clauses.append([])
    if word_start is not None and phonemes:
        clauses[-1].append((word_start, phonemes[-1][1]))
    return [c for c in clauses if c]


def _text_clauses(text: str) -> list[list[tuple[int, int]]]:
    """Words of `text` as (offset, length), grouped into clauses at punctuation."""
    bounds = [m.end() for m in _CLAUSE_END.finditer(text)]
    clauses: list[list[tuple[int, int]]] = [[]]
    b = 0
    for m in _WORD.finditer(text):
        while b < len(bounds) and bounds[b] <= m.start():
            if clauses[-1]:
                clauses.append([])
            b += 1
        clauses[-1].append((m.start(), m.end() - m.start()))
    return [c for c in clauses if c]


def _proportional(words: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Start samples for `words` spread over [start, end) in proportion to their characters."""
    total = sum(length for _, length in words) or 1
    out, done = [], 0
    for _, length in words:
        out.append(start + (end - start) * done // total)
        done += length
    return out


def _word_events(text: str, phonemes: list[tuple[str, int]], total: int, rate: int) -> list[WordEvent]:
    text_clauses = _text_clauses(text)
    words = [w for clause in text_clauses for w in clause]
    if not words or total <= 0:
        return []
    starts: list[int]
    ph_clauses = _phoneme_clauses(phonemes) if phonemes else []
    ph_words = [w for clause in ph_clauses for w in clause]
    if ph_words and len(ph_words) == len(words):
        starts = [s for s, _ in ph_words]
    elif ph_clauses and len(ph_clauses) == len(text_clauses):
        starts = []
        for t_clause, p_clause in zip(text_clauses, ph_clauses):
            if len(t_clause) == len(p_clause):
                starts += [s for s, _ in p_clause]
            else:
                starts += _proportional(t_clause, p_clause[0][0], p_clause[-1][1])
    elif ph_words:
        starts = _proportional(words, ph_words[0][0], ph_words[-1][1])
    else:
        starts = _proportional(words, 0, total)
    events: list[WordEvent] = []
    last_ms = 0
    limit_ms = max(0, int(total * 1000 / rate) - 1)
    for (offset, length), sample in zip(words, starts):
        start_ms = min(limit_ms, max(last_ms, int(round(sample * 1000 / rate))))
        events.append(WordEvent(offset=offset, length=length, start_ms=start_ms))
        last_ms = start_ms
    return events


def create(config: Mapping[str, Any] | None = None) -> PiperEngine:
    """Factory used by `service.reading.engines.get_engine`: PIPER_VOICE, else the installed voices."""
    threads = setting(config, "PIPER_THREADS")
    threads = int(threads) if threads else None
    model = setting(config, "PIPER_VOICE")
    if model:
        return PiperEngine(model, threads)
    directory = voices_dir(config)
    installed = list(speaking_voices(installed_voices(directory)).values())
    if not installed:
        raise EngineUnavailable(
            f"Ingen Piper-röst är installerad i {directory}: kör {VOICE_HINT} eller sätt "
            f"LYSSNA_PIPER_VOICE till en .onnx-fil. / No Piper voice is installed in {directory}: "
            f"run {VOICE_HINT} or set LYSSNA_PIPER_VOICE to an .onnx file.",
            code=STATE_MISSING_VOICE,
        )
    return PiperEngine([v.model for v in installed], threads)
