"""Google's voice through gTTS: online, opt-in, and never allowed to silence a reading.

Configuration (app config key, or environment variable with the LYSSNA_ prefix):
- ``GTTS_TLD``: Google host, ``translate.google.<tld>`` (default ``com``).
- ``GTTS_TIMEOUT``: seconds one sentence may spend failing before `EngineUnavailable` (default
  0.8). Every request gets a connect and read timeout cut to what is left of this budget, and
  retries only happen inside it, so the fallback voice takes over within a second. A network
  where Google is slower than this needs a higher value, at the cost of a longer wait on failure.
- ``GTTS_BREAKER_FAILURES`` (default 3) and ``GTTS_BREAKER_COOLDOWN`` (seconds, default 30): the
  circuit breaker opens after that many failed sentences in a row and refuses to call Google
  until the cool-down has passed; then one probe request decides whether it closes again.

Why it is built this way:
- gTTS's own tokenizer cuts at every period (it splits "kl. 18.30" and "t.ex."); we split
  ourselves (`split_pieces`) and hand gTTS each ≤100-character piece with no pre-processors and
  an identity tokenizer, so gTTS builds exactly one request per piece.
- gTTS's `stream()` sends with ``verify=False`` and no timeout through a new session per request.
  We use gTTS to build the request (`_prepare_requests`: URL, headers, RPC body) and send it
  ourselves through one keep-alive session with TLS verification on and timeouts, then parse
  Google's batchexecute answer the way gTTS does.
- Google returns MP3 (24 kHz mono); `miniaudio` decodes it in-process (no ffmpeg). Speed other than
  normal is made here by time-stretching (WSOLA, pitch kept), since Google only offers "slow".
- Google gives no word timings: within each piece, words are timed in proportion to their
  characters over the piece's audible part (leading/trailing silence excluded). Good enough to
  highlight the right word most of the time; never exact.
"""
from __future__ import annotations

import base64
import random
import re
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.config import setting
from service.errors import EngineError
from service.models import Speech, WordEvent

from .base import STATE_CIRCUIT_OPEN, STATE_NOT_INSTALLED, STATE_OK, Engine, EngineStatus, EngineUnavailable

CONFIG_KEYS = ("GTTS_TLD", "GTTS_TIMEOUT", "GTTS_BREAKER_FAILURES", "GTTS_BREAKER_COOLDOWN")
MAX_PIECE = 100  # Google's limit per request
SAMPLE_RATE = 24000  # what Google sends; decoded at this rate
CONNECT_TIMEOUT = 0.5  # upper bounds; each request gets min(this, budget left)
READ_TIMEOUT = 0.75
BACKOFF_S = 0.05  # first retry delay; doubles, with jitter
MIN_ATTEMPT_S = 0.05  # do not start a request with less budget than this
SILENCE_THRESHOLD = 64
VOICES = ("sv", "en", "da", "nb", "fi", "de", "fr", "es", "ar", "so", "fa", "pl", "uk", "ru", "tr")

_GOOGLE_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')  # gTTS's own pattern for the audio line


# -- splitting -------------------------------------------------------------------------------------

# Words that end in a period without ending a sentence (lowercase, without the final period).
ABBREVIATIONS = frozenset(
    "kl ca bl.a t.ex t.o.m fr.o.m s.k m.m m.fl o.s.v osv dvs d.v.s etc jfr resp nr tel ang inkl exkl "
    "st f.d p.g.a pga o.d mfl mm obs tf vs s ff fig kap bil avd tfn e.d a.a pp jan feb mar apr jun "
    "jul aug sep sept okt nov dec mån tis ons tors fre lör sön".split()
)
_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”»)]*$")
_CLAUSE_END = re.compile(r"[,;:–—]+[\"'”»)]*$")
_DASH = re.compile(r"^[–—-]$")


def _is_abbreviation(token: str) -> bool:
    """'t.ex.', 'kl.', 'bl.a.', 'S.k.' — a token whose final period does not end a sentence."""
    if not token.endswith("."):
        return False
    core = token.rstrip(".").lstrip("(\"'«“").lower()
    return core in ABBREVIATIONS or ("." in core and len(core) <= 8) or (len(core) == 1 and core.isalpha())


def _break_class(token: str, following: str) -> int:
    """How good a cut after `token` (before `following`) is: 0 sentence, 1 clause, 2 word, 9 never."""
    if _is_abbreviation(token):
        return 9  # "kl. 18.30", "t.ex. böcker": the abbreviation stays with what follows
    if token[-1:].isdigit() and following[:1].isdigit():
        return 9  # digit groups: "10 000", "08-123 45 67"
    if _SENTENCE_END.search(token):
        return 0 if (following[:1].isupper() or not following[:1].isalnum()) else 1
    if _CLAUSE_END.search(token) or _DASH.match(following):
        return 1
    return 2


def split_pieces(text: str, limit: int = MAX_PIECE) -> list[tuple[int, str]]:
    """Cut `text` into (offset, piece) with every piece ≤ `limit` characters.

    Cuts only between words, preferring sentence ends, then clause ends (comma, semicolon, colon,
    dash), then any space; never right after an abbreviation ("kl. 18.30", "t.ex.", "bl.a."), never
    between digit groups ("10 000"), and never inside a token, so times and numbers ("18.30",
    "3,5") stay whole. Only a single token
    longer than `limit` (a long URL) is cut inside. Offsets index `text`, for word timings.
    """
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    pieces: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        start = tokens[i][0]
        if tokens[-1][1] - start <= limit:
            pieces.append((start, text[start : tokens[-1][1]]))
            break
        best: tuple[int, int] | None = None  # (class, index of last token in piece)
        j = i
        while j < len(tokens) and tokens[j][1] - start <= limit:
            if j + 1 < len(tokens):
                cls = _break_class(text[tokens[j][0] : tokens[j][1]], text[tokens[j + 1][0] : tokens[j + 1][1]])
                # A better class wins unless it leaves a very short piece; later wins within a class.
                short = tokens[j][1] - start < limit // 4
                if cls < 9 and (best is None or cls < best[0] and not short or cls == best[0]):
                    best = (cls, j)
            j += 1
        if j == i:  # one token longer than the limit: cut it (nothing better exists)
            end = start + limit
            pieces.append((start, text[start:end]))
            tokens[i] = (end, tokens[i][1])
            continue
        last = best[1] if best is not None else j - 1
        pieces.append((start, text[start : tokens[last][1]]))
        i = last + 1
    return pieces


# -- circuit breaker -------------------------------------------------------------------------------


class CircuitBreaker:
    """Stops calling a failing service: closed → open (after `threshold` failures in a row) →
    half-open after `cooldown` seconds, when one probe call is let through; its success closes the
    breaker, its failure opens it for another cool-down. Thread-safe; one per engine instance, and
    the registry keeps one engine per process, so all readings share it.
    """

    def __init__(self, threshold: int = 3, cooldown: float = 30.0, clock=time.monotonic) -> None:
        self.threshold = max(1, int(threshold))
        self.cooldown = float(cooldown)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        """"closed", "open" or "half_open" (cool-down over, the next call is a probe)."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._probing or self._clock() - self._opened_at >= self.cooldown:
                return "half_open"
            return "open"

    def retry_in(self) -> float:
        """Seconds until the breaker lets a probe through (0 when closed or half-open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one caller (the probe) gets True."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._probing or self._clock() - self._opened_at < self.cooldown:
                return False
            self._probing = True
            return True

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._probing or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._probing = False


# -- audio helpers ---------------------------------------------------------------------------------


def _decode_mp3(data: bytes):
    """Google's MP3 → int16 numpy samples at SAMPLE_RATE, mono."""
    import miniaudio
    import numpy as np

    decoded = miniaudio.decode(data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                               sample_rate=SAMPLE_RATE)
    return np.frombuffer(decoded.samples.tobytes(), dtype=np.int16)


def _audible(samples) -> tuple[int, int]:
    """(first, end) sample indices of the part above the silence threshold."""
    import numpy as np

    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE_THRESHOLD)
    if loud.size == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def time_stretch(samples, rate: float, sample_rate: int = SAMPLE_RATE):
    """Play `samples` `rate` times as fast without changing pitch (WSOLA, 30 ms frames)."""
    import numpy as np

    if abs(rate - 1.0) < 0.01 or samples.size == 0:
        return samples
    x = samples.astype(np.float32)
    frame = int(sample_rate * 0.03)
    hop_out = frame // 2
    hop_in = hop_out * rate
    tol = int(sample_rate * 0.008)
    window = np.hanning(frame).astype(np.float32)
    x = np.concatenate([np.zeros(tol, np.float32), x, np.zeros(frame + 2 * tol + hop_out, np.float32)])
    n_frames = int((samples.size / rate) // hop_out) + 1
    out = np.zeros(n_frames * hop_out + frame, np.float32)
    norm = np.zeros_like(out)
    prev = tol
    for k in range(n_frames):
        ideal = tol + int(round(k * hop_in))
        if ideal + frame + tol > x.size:
            break
        if k == 0:
            start = ideal
        else:
            natural = x[prev + hop_out : prev + hop_out + frame]
            region = x[ideal - tol : ideal + tol + frame]
            start = ideal - tol + int(np.argmax(np.correlate(region, natural, mode="valid")))
        out[k * hop_out : k * hop_out + frame] += x[start : start + frame] * window
        norm[k * hop_out : k * hop_out + frame] += window
        prev = start
    out = out / np.maximum(norm, 1e-3)
    length = int(round(samples.size / rate))
    return np.clip(out[:length], -32768, 32767).astype(np.int16)


# -- the engine ------------------------------------------------------------------------------------


@dataclass
class _Attempt:
    """Why the last request failed (for the log line and the error message)."""

    reason: str
    retry_after: float | None = None
    retryable: bool = True


class GttsEngine(Engine):
    """Google Translate's voice; raises EngineUnavailable fast whenever Google does not deliver."""

    name = "gtts"
    online = True
    sample_rate = SAMPLE_RATE

    def __init__(self, tld: str = "com", budget: float = 0.8, failures: int = 3, cooldown: float = 30.0) -> None:
        try:
            import gtts
            import miniaudio  # noqa: F401 - checked here so a missing decoder is a startup error
            import numpy  # noqa: F401
            import requests
        except ImportError as exc:
            raise EngineUnavailable(
                f"gTTS-rösten saknar paketet {exc.name}; kör pip install 'lyssna[gtts]'. / "
                f"The gTTS voice needs the package {exc.name}; run pip install 'lyssna[gtts]'.",
                code=STATE_NOT_INSTALLED,
            ) from exc
        self._gtts = gtts
        self._requests = requests
        self.tld = tld
        self.budget = float(budget)
        self.breaker = CircuitBreaker(failures, cooldown)
        self.version = f"gtts-{gtts.__version__}+{tld}"  # Google's voice may change unannounced
        self._local = threading.local()  # one keep-alive session per thread (Session is not thread-safe)

    def voices(self) -> list[str]:
        return list(VOICES)

    def status(self) -> EngineStatus:
        if self.breaker.state == "open":
            wait = int(self.breaker.retry_in()) + 1
            return EngineStatus(
                self.name, STATE_CIRCUIT_OPEN,
                f"Google svarar inte; nytt försök om {wait} s. / Google is failing; next try in {wait} s.",
                self.version, self.voices(),
            )
        return EngineStatus(self.name, STATE_OK, "", self.version, self.voices())

    # -- synthesis --------------------------------------------------------------------------------

    def synthesize(self, text: str, voice: str | None = None, rate: float = 1.0) -> Speech:
        import numpy as np

        voice = self.check_request(text, voice, rate)
        if not text.strip():
            return Speech(pcm=b"", sample_rate=self.sample_rate, words=[])
        if not self.breaker.allow():
            raise EngineUnavailable(
                "Googles röst är tillfälligt avstängd efter upprepade fel. / "
                "Google's voice is paused after repeated failures.",
                code=STATE_CIRCUIT_OPEN,
            )
        parts = []
        words: list[WordEvent] = []
        at = 0
        try:
            for offset, piece in split_pieces(text):
                samples = _decode_mp3(self._fetch(piece, voice))
                samples = time_stretch(samples, float(rate))
                first, end = _audible(samples)
                words += _estimate_words(text, offset, piece, at + first, at + end, self.sample_rate)
                parts.append(samples)
                at += samples.size
        except EngineUnavailable:
            self.breaker.failure()
            raise
        except Exception as exc:  # undecodable audio and the like: Google's fault, not the request's
            self.breaker.failure()
            raise EngineUnavailable(
                f"Googles svar gick inte att använda. / Google's answer could not be used: {exc}",
                code="upstream_failed",
            ) from exc
        self.breaker.success()
        pcm = np.concatenate(parts).astype(np.int16).tobytes() if parts else b""
        return Speech(pcm=pcm, sample_rate=self.sample_rate, words=words)

    def _session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._requests.Session()
            session.verify = True
            session.trust_env = False  # proxies are passed explicitly; no .netrc or CA override
            self._local.session = session
        return session

    def _request(self, piece: str, voice: str):
        """gTTS builds the request: URL, headers and RPC body for exactly this one piece."""
        tts = self._gtts.gTTS(
            piece, tld=self.tld, lang=voice, lang_check=False,
            pre_processor_funcs=[], tokenizer_func=lambda t: [t],
        )
        prepared = tts._prepare_requests()
        if len(prepared) != 1:  # cannot happen for pieces ≤ 100 characters
            raise EngineError(f"gTTS delade texten oväntat. / gTTS split the text unexpectedly: {piece!r}")
        return prepared[0]

    def _fetch(self, piece: str, voice: str) -> bytes:
        """One piece's MP3, retrying 429/5xx/network errors with backoff inside the time budget."""
        requests = self._requests
        prepared = self._request(piece, voice)
        deadline = time.monotonic() + self.budget
        attempt = 0
        last = _Attempt("no attempt")
        while True:
            left = deadline - time.monotonic()
            if left < MIN_ATTEMPT_S:
                break
            try:
                response = self._session().send(
                    prepared.copy(),
                    verify=True,
                    timeout=(min(CONNECT_TIMEOUT, left), min(READ_TIMEOUT, left)),
                    proxies=urllib.request.getproxies(),
                    allow_redirects=False,
                )
            except requests.exceptions.Timeout:
                last = _Attempt("timeout")
            except requests.exceptions.RequestException as exc:
                last = _Attempt(f"connection failed ({type(exc).__name__})")
            else:
                if response.status_code == 200:
                    audio = _parse_audio(response.content)
                    if audio:
                        return audio
                    last = _Attempt("no audio in Google's answer", retryable=False)
                elif response.status_code == 429 or response.status_code >= 500:
                    last = _Attempt(f"HTTP {response.status_code}", _retry_after(response.headers.get("Retry-After")))
                else:
                    last = _Attempt(f"HTTP {response.status_code}", retryable=False)
            if not last.retryable:
                break
            delay = BACKOFF_S * (2**attempt) * (1 + random.random() / 2)
            if last.retry_after is not None:
                delay = max(delay, last.retry_after)
            if time.monotonic() + delay + MIN_ATTEMPT_S > deadline:
                break
            time.sleep(delay)
            attempt += 1
        raise EngineUnavailable(
            f"Googles röst svarade inte ({last.reason}). / Google's voice did not answer ({last.reason}).",
            code="upstream_failed",
        )


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: our own backoff applies


def _parse_audio(body: bytes) -> bytes:
    """The MP3 inside Google's batchexecute answer (the line gTTS looks for), or b""."""
    for line in body.splitlines():
        decoded = line.decode("utf-8", "replace")
        if "jQ1olc" in decoded:
            match = _GOOGLE_AUDIO.search(decoded)
            if match:
                try:
                    return base64.b64decode(match.group(1).encode("ascii"))
                except ValueError:
                    return b""
    return b""


def _estimate_words(text: str, offset: int, piece: str, first: int, end: int, rate: int) -> list[WordEvent]:
    """Words of one piece timed in proportion to their characters over its audible samples."""
    matches = list(re.finditer(r"\w+", piece))
    total = sum(len(m.group()) for m in matches) or 1
    out, done = [], 0
    for m in matches:
        sample = first + (end - first) * done // total
        out.append(WordEvent(offset=offset + m.start(), length=len(m.group()), start_ms=int(sample * 1000 / rate)))
        done += len(m.group())
    return out


def create(config: Mapping[str, Any] | None = None) -> GttsEngine:
    """Factory used by `service.reading.engines.get_engine`."""
    return GttsEngine(
        tld=str(setting(config, "GTTS_TLD", "com")),
        budget=float(setting(config, "GTTS_TIMEOUT", 0.8)),
        failures=int(setting(config, "GTTS_BREAKER_FAILURES", 3)),
        cooldown=float(setting(config, "GTTS_BREAKER_COOLDOWN", 30.0)),
    )


__all__ = ["CircuitBreaker", "GttsEngine", "create", "split_pieces", "time_stretch"]
