"""The one small interface every speech engine implements.

Modelled on huey's `storage.py`: one documented base class, small backends, one contract test.
An engine turns one piece of already-normalized text (typically a sentence) into raw PCM plus word
timings; assembling sentences into a file is `service.reading.audio`'s job.
"""
from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from service.errors import EngineError
from service.models import Speech

MIN_RATE = 0.5
MAX_RATE = 2.0

# EngineStatus.state values
STATE_OK = "ok"
STATE_NOT_INSTALLED = "not_installed"  # the engine's optional package is missing
STATE_MISSING_VOICE = "missing_voice"  # piper: LYSSNA_PIPER_VOICE unset or its files absent
STATE_CIRCUIT_OPEN = "circuit_open"  # gtts: Google failed repeatedly; not called until cool-down
STATE_ERROR = "error"  # anything else that stops the engine from starting


class EngineUnavailable(EngineError):
    """The engine cannot speak *now*, through no fault of the request: use the fallback voice.

    Raised quickly (well under a second) by `synthesize` when an online service fails or its
    circuit breaker is open, and by engine creation when a package or voice file is missing.
    `code` is one of the STATE_* values above or ``"upstream_failed"``.
    """

    code = "engine_unavailable"
    status = 503


@dataclass
class EngineStatus:
    """What /healthz and the admin show for one engine."""

    name: str
    state: str  # one of the STATE_* values
    message: str = ""  # Swedish / English sentence when not ok
    version: str = ""
    voices: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # voice → model, where an engine has them (piper)

    @property
    def ok(self) -> bool:
        return self.state == STATE_OK

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Engine(abc.ABC):
    """A text-to-speech engine.

    Attributes:
        name: short engine name used in config and voice ids, e.g. ``"espeak"``.
        version: a stable token identifying everything that changes the sound (library and data
            version), e.g. ``"espeak-ng-1.52.0"``; it goes into cache keys, so change it whenever
            the output for the same input would change.
        default_voice: the voice used when none is asked for (``"sv"``).
        sample_rate: rate of the PCM `synthesize` returns (engines may differ; audio resamples).
        online: True when speaking depends on a remote service (then expect EngineUnavailable).
    """

    name: str = ""
    version: str = ""
    default_voice: str = "sv"
    sample_rate: int = 22050
    online: bool = False
    mixes_languages: bool = False  # can say a phrase in another language's voice mid-sentence

    def status(self) -> EngineStatus:
        """Current state for health checks; engines with moving parts (a circuit breaker) override."""
        return EngineStatus(self.name, STATE_OK, "", self.version, self.voices())

    @abc.abstractmethod
    def voices(self) -> list[str]:
        """Names of the voices this engine can speak with (values accepted as `voice`)."""

    @abc.abstractmethod
    def synthesize(self, text: str, voice: str | None = None, rate: float = 1.0) -> Speech:
        """Speak `text`; return 16-bit mono PCM and word events.

        `rate` is a speed multiplier: 1.0 is the engine's normal speed, accepted range 0.5–2.0.
        `Speech.words[i].offset/length` are Python ``str`` indices into `text`; `start_ms` is
        relative to the start of the returned PCM. Raises `EngineError` on bad input (status 400)
        and `EngineUnavailable` when the engine cannot speak right now (use the fallback voice).
        """

    def synthesize_mixed(self, text: str, voice: str | None, rate: float,
                         langs: Sequence[tuple[int, int, str]]) -> Speech:
        """`synthesize`, with the phrases `langs` ((start, end, voice) in `text`) said in their own
        voices by engines that can switch mid-sentence (`mixes_languages`); others ignore them."""
        return self.synthesize(text, voice, rate)

    # -- helpers shared by implementations --------------------------------------------------------

    def voice_id(self, voice: str | None = None) -> str:
        """The public voice id, e.g. ``"espeak:sv"`` (what a Reading reports as `voice`)."""
        return f"{self.name}:{voice or self.default_voice}"

    def voice_for_lang(self, lang: str) -> str | None:
        """Best voice for a language tag such as ``"sv-SE"`` or ``"en"``; None if there is none.

        Tries the exact tag, then case-insensitively, then the primary subtag ("en-GB" → "en").
        """
        if not lang:
            return None
        available = self.voices()
        by_lower = {v.lower(): v for v in available}
        tag = lang.strip().replace("_", "-").lower()
        if tag in by_lower:
            return by_lower[tag]
        primary = tag.split("-", 1)[0]
        return by_lower.get(primary)

    def check_request(self, text: str, voice: str | None, rate: float) -> str:
        """Validate the common arguments; return the voice to use (default filled in)."""
        if not isinstance(text, str):
            raise EngineError(
                "Texten att läsa upp måste vara en sträng. / The text to speak must be a string.",
                code="bad_text",
                status=400,
            )
        try:
            rate_ok = MIN_RATE <= float(rate) <= MAX_RATE
        except (TypeError, ValueError):
            rate_ok = False
        if not rate_ok:
            raise EngineError(
                f"Ogiltig hastighet {rate!r}: tillåtet är {MIN_RATE}–{MAX_RATE}. / "
                f"Invalid rate {rate!r}: allowed is {MIN_RATE}–{MAX_RATE}.",
                code="bad_rate",
                status=400,
            )
        chosen = voice or self.default_voice
        if chosen not in self.voices():
            raise EngineError(
                f"Rösten {chosen!r} finns inte för {self.name}. / "
                f"The voice {chosen!r} does not exist for {self.name}.",
                code="unknown_voice",
                status=400,
            )
        return chosen
