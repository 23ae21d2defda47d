"""espeak-ng, in-process through ctypes on the library shipped by the `espeakng-loader` wheel.

No subprocess, no system package: the wheel carries `libespeak-ng.so` and its data directory.
espeak-ng keeps all its state in globals (one voice, one set of parameters, one callback), so every
call into the library happens under one module-level lock; use processes for parallelism.

Behaviour worth knowing:
- Text is passed as UTF-8 *without* `espeakSSML`, so "<", ">" and "&" are read as text, never markup.
  Only a sentence with phrases in another language (`synthesize_mixed`) goes as SSML that this
  module writes itself: the text escaped, each phrase in `<voice xml:lang="..">`. espeak counts
  WORD positions in the SSML's characters (tags included), mapped back to the text's offsets.
- espeak's WORD events carry a 1-based position counted in characters (code points) of the UTF-8
  input, not bytes; `_words()` converts them to 0-based Python ``str`` offsets and clamps them.
- Empty or whitespace-only text gives an empty `Speech` (no samples, no words) rather than an error:
  there is nothing wrong with it, there is just nothing to say.
- Leading/trailing silence is trimmed to `KEEP_SILENCE_MS` on each side; word times are shifted by
  the same amount, so they stay relative to the returned PCM.
- Output is not bit-for-bit repeatable within a process: espeak-ng keeps its pitch-flutter phase
  and some wave-generator counters in static C variables that carry over between utterances (no
  API resets them). The same text varies by a few milliseconds; words and offsets do not.
"""
from __future__ import annotations

import array
import ctypes
import os
import threading
from collections.abc import Sequence

from service.errors import EngineError
from service.models import Speech, WordEvent

from .base import Engine

# espeak_AUDIO_OUTPUT / options / flags / events / parameters (speak_lib.h)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_SSML = 0x10
_PHONEMES = 0x100  # [[...]] in the text is espeak phoneme input (pronunciation lexicon entries)
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE = 1
_EE_OK = 0

NORMAL_WPM = 175  # espeakRATE_NORMAL
MIN_WPM = 80  # espeakRATE_MINIMUM
MAX_WPM = 450  # espeakRATE_MAXIMUM (without sonic speed-up)

SILENCE_THRESHOLD = 64  # |sample| at or below this counts as silence (about -54 dBFS)
KEEP_SILENCE_MS = 10  # silence kept before the first and after the last sound


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)

_LOCK = threading.Lock()  # guards the library, _STATE and the current collection
_STATE: dict = {}  # lib, sample_rate, version, voices, callback, current voice/rate


class _Collector:
    """Samples and word events of the synthesis in progress (only touched under _LOCK)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.words: list[tuple[int, int, int]] = []  # (text_position 1-based, length, sample)


_CURRENT: list[_Collector] = []


def _on_synth(wav, numsamples, events) -> int:
    """espeak's synth callback: runs in the calling thread during espeak_Synth."""
    collector = _CURRENT[-1] if _CURRENT else None
    if collector is None:
        return 0
    if wav and numsamples > 0:
        collector.chunks.append(ctypes.string_at(wav, numsamples * 2))
    if events:
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type == _EVENT_WORD:
                collector.words.append((ev.text_position, ev.length, ev.sample))
            i += 1
    return 0  # 0 = continue


def _load() -> dict:
    """Load and initialize the library once per process (caller holds _LOCK)."""
    if _STATE:
        return _STATE
    try:
        import espeakng_loader  # only this module imports the engine library
    except ImportError as exc:
        raise EngineError(
            "espeak-ng är inte installerat (paketet espeakng-loader saknas). / "
            "espeak-ng is not installed (package espeakng-loader missing)."
        ) from exc
    try:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_path = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        raise EngineError(
            f"espeak-ng kunde inte laddas. / espeak-ng could not be loaded: {exc}"
        ) from exc

    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
        ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int

    # buflength 0 = espeak's default 60 ms callback chunks.
    sample_rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(data_path), _INITIALIZE_DONT_EXIT
    )
    if sample_rate <= 0:
        raise EngineError(
            f"espeak-ng kunde inte startas (kod {sample_rate}). / "
            f"espeak-ng failed to initialize (code {sample_rate})."
        )
    callback = _SynthCallback(_on_synth)  # kept in _STATE: espeak holds a raw pointer to it
    lib.espeak_SetSynthCallback(callback)
    version = (lib.espeak_Info(None) or b"unknown").decode("ascii", "replace")
    _STATE.update(
        lib=lib,
        callback=callback,
        sample_rate=sample_rate,
        version=f"espeak-ng-{version}",
        voices=_list_voices(lib),
        voice=None,
        wpm=None,
    )
    return _STATE


def _list_voices(lib) -> list[str]:
    """Voice file names (e.g. "sv", "en", "en-US"): exactly what espeak_SetVoiceByName accepts."""
    names: set[str] = set()
    table = lib.espeak_ListVoices(None)
    i = 0
    while table and table[i]:
        ident = table[i].contents.identifier
        if ident:
            names.add(ident.decode("utf-8", "replace").rsplit("/", 1)[-1])
        i += 1
    return sorted(names)


def _trim(pcm: bytes, sample_rate: int) -> tuple[bytes, int]:
    """Cut silence beyond KEEP_SILENCE_MS at both ends; return (pcm, samples removed at start)."""
    samples = array.array("h")
    samples.frombytes(pcm)
    n = len(samples)
    first = 0
    while first < n and -SILENCE_THRESHOLD <= samples[first] <= SILENCE_THRESHOLD:
        first += 1
    if first == n:
        return b"", n  # nothing audible at all
    last = n - 1
    while last > first and -SILENCE_THRESHOLD <= samples[last] <= SILENCE_THRESHOLD:
        last -= 1
    keep = sample_rate * KEEP_SILENCE_MS // 1000
    start = max(0, first - keep)
    end = min(n, last + 1 + keep)
    return pcm[start * 2 : end * 2], start


def _words(raw: list[tuple[int, int, int]], text: str, shift: int, total: int, sample_rate: int) -> list[WordEvent]:
    """Convert espeak WORD events to WordEvents (0-based str offsets, ms into the trimmed PCM).

    espeak sometimes reports spans that start on a space or overlap the previous word (digit
    groups, emoji read as several words); those are tidied so that every event covers visible
    text, offsets only move forward, and times never go back.
    """
    out: list[WordEvent] = []
    last_ms = 0
    prev_end = 0
    n_text = len(text)
    for position, length, sample in raw:
        offset = position - 1  # espeak counts characters from 1
        if offset < 0 or offset >= n_text:
            continue
        end = min(n_text, offset + max(1, length))
        while offset < end and text[offset].isspace():
            offset += 1
        while end > offset and text[end - 1].isspace():
            end -= 1
        if offset >= end or offset < prev_end:
            continue  # blank span, or a second event inside the word already reported
        at = min(max(0, sample - shift), total)
        start_ms = max(last_ms, int(round(at * 1000 / sample_rate)))
        last_ms, prev_end = start_ms, end
        out.append(WordEvent(offset=offset, length=end - offset, start_ms=start_ms))
    return out


class EspeakEngine(Engine):
    """Swedish (and other languages') speech from espeak-ng; ~hundreds × real time."""

    name = "espeak"
    default_voice = "sv"
    mixes_languages = True

    def __init__(self) -> None:
        with _LOCK:
            state = _load()
        self.version = state["version"]
        self.sample_rate = state["sample_rate"]
        self._voices = list(state["voices"])
        if self.default_voice not in self._voices:
            raise EngineError(
                "espeak-ng saknar svensk röst. / espeak-ng has no Swedish voice."
            )

    def voices(self) -> list[str]:
        return list(self._voices)

    def synthesize(self, text: str, voice: str | None = None, rate: float = 1.0) -> Speech:
        return self.synthesize_mixed(text, voice, rate, ())

    def synthesize_mixed(self, text: str, voice: str | None, rate: float,
                         langs: Sequence[tuple[int, int, str]]) -> Speech:
        voice = self.check_request(text, voice, rate)
        if not text.strip():
            return Speech(pcm=b"", sample_rate=self.sample_rate, words=[])
        wpm = int(round(min(MAX_WPM, max(MIN_WPM, NORMAL_WPM * float(rate)))))
        # NUL would end the C string early; lone surrogates become "?". Both keep str offsets.
        text = text.replace("\0", " ")
        phrases = [(a, b, x) for a, b, x in langs if 0 <= a < b <= len(text) and x in self._voices and x != voice]
        source, positions, flags = (text, None, 0) if not phrases else (*_ssml(text, phrases), _SSML)
        data = source.encode("utf-8", "replace") + b"\0"
        collector = _Collector()
        with _LOCK:
            state = _load()
            lib = state["lib"]
            if state["voice"] != voice:
                if lib.espeak_SetVoiceByName(voice.encode("utf-8")) != _EE_OK:
                    state["voice"] = None
                    raise EngineError(
                        f"espeak-ng kunde inte välja rösten {voice!r}. / "
                        f"espeak-ng could not select the voice {voice!r}."
                    )
                state["voice"] = voice
                state["wpm"] = None  # a new voice resets the rate
            if state["wpm"] != wpm:
                lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
                state["wpm"] = wpm
            _CURRENT.append(collector)
            try:
                result = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0,
                                          _CHARS_UTF8 | _PHONEMES | flags, None, None)
            finally:
                _CURRENT.pop()
        if result != _EE_OK:
            raise EngineError(
                f"espeak-ng misslyckades (kod {result}). / espeak-ng failed (code {result})."
            )
        pcm, shift = _trim(b"".join(collector.chunks), self.sample_rate)
        total = len(pcm) // 2
        raw = collector.words if positions is None else _unmapped(collector.words, positions)
        words = _words(raw, text, shift, total, self.sample_rate)
        return Speech(pcm=pcm, sample_rate=self.sample_rate, words=words)


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _ssml(text: str, phrases: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """`text` as SSML with each phrase in its language's voice, and for every SSML character the
    offset in `text` it stands for (tags stand for the character that follows them)."""
    out: list[str] = []
    positions: list[int] = []

    def put(piece: str, at: int) -> None:
        out.append(piece)
        positions.extend([at] * len(piece))

    pos = 0
    for a, b, lang in sorted(phrases):
        if a < pos:
            continue  # overlapping phrases: the first wins
        for i in range(pos, a):
            put(_ESCAPES.get(text[i], text[i]), i)
        put(f'<voice xml:lang="{lang}">', a)
        for i in range(a, b):
            put(_ESCAPES.get(text[i], text[i]), i)
        put("</voice>", b)
        pos = b
    for i in range(pos, len(text)):
        put(_ESCAPES.get(text[i], text[i]), i)
    return "".join(out), positions


def _unmapped(raw: list[tuple[int, int, int]], positions: list[int]) -> list[tuple[int, int, int]]:
    """espeak WORD events on the SSML source as events on the text (1-based positions, lengths)."""
    out = []
    n = len(positions)
    for position, length, sample in raw:
        first = position - 1
        if not 0 <= first < n:
            continue
        last = min(n - 1, first + max(1, length) - 1)
        start = positions[first]
        out.append((start + 1, max(1, positions[last] + 1 - start), sample))
    return out


def create() -> EspeakEngine:
    """Factory used by `service.reading.engines.get_engine`."""
    return EspeakEngine()
