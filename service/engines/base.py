"""The one small interface every speech engine implements.

Modelled on huey's `storage.py`: one documented base class, small backends, one contract test.
An engine turns one piece of already-normalized text (typically a sentence) into raw PCM plus word
timings; assembling sentences into a file is `service.audio`'s job.
"""
from __future__ import annotations

import abc

from service.errors import EngineError
from service.models import Speech

MIN_RATE = 0.5
MAX_RATE = 2.0


class Engine(abc.ABC):
    """A text-to-speech engine.

    Attributes:
        name: short engine name used in config and voice ids, e.g. ``"espeak"``.
        version: a stable token identifying everything that changes the sound (library and data
            version), e.g. ``"espeak-ng-1.52.0"``; it goes into cache keys, so change it whenever
            the output for the same input would change.
        default_voice: the voice used when none is asked for (``"sv"``).
    """

    name: str = ""
    version: str = ""
    default_voice: str = "sv"

    @abc.abstractmethod
    def voices(self) -> list[str]:
        """Names of the voices this engine can speak with (values accepted as `voice`)."""

    @abc.abstractmethod
    def synthesize(self, text: str, voice: str | None = None, rate: float = 1.0) -> Speech:
        """Speak `text`; return 16-bit mono PCM and word events.

        `rate` is a speed multiplier: 1.0 is the engine's normal speed, accepted range 0.5–2.0.
        `Speech.words[i].offset/length` are Python ``str`` indices into `text`; `start_ms` is
        relative to the start of the returned PCM. Raises `EngineError` on bad input or failure.
        """

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
