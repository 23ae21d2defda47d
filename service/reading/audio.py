"""Assemble synthesized sentences into one MP3, incrementally, with timings true to the file.

pydub handles the PCM side (segments, silence, levels, resampling); `lameenc` encodes MP3 in-process
and releases the GIL while it does, so the synthesizer encodes several sentences at once in threads.
There is no ffmpeg on the machines, so pydub's MP3 import/export is never used.

Timing model. The MP3 is streamed while later sentences are still being synthesized, so no
LAME/Xing "Info" tag can be written (it sits at the start and needs the final frame count), and
`lameenc` writes none. Without that tag every decoder (browsers, miniaudio) plays the encoder delay
(LAME's 576 samples plus the 529-sample decoder delay = 1105 samples, 50 ms at 22 050 Hz) before the
first input sample. Instead of hiding it we report it: every time on the timeline is
``input position + MP3_DELAY_SAMPLES``, so `start_ms`/`end_ms` match what a listener hears.
After `finish()`, `duration_ms` is the exact decoded length (whole frames, counted from the bytes).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import lameenc

with warnings.catch_warnings():
    # pydub warns about a missing ffmpeg at import (we never need it) and imports the deprecated
    # stdlib `audioop` on Python 3.11/3.12.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment

from service.models import Speech
from service.store.mp3 import FrameCounter

BITRATE_KBPS = 48
# LAME's quality switch (0 best .. 9 fastest). 7 turns off LAME's noise-shaping search, which is
# where most of its time goes: encoding runs about 2.2x faster than at 5 (about 500x instead of
# 230x real time here). For this speech at 48 kbit/s it is not worse: on 6 minutes of espeak-ng
# Swedish, PESQ wideband (ITU-T P.862.2) was 3.82 at q7 against 3.67 at q5 and 3.63 at q2, and the
# SNR 23.7 dB against 20.8 dB. See benchmarks/engines.py for the speed.
QUALITY = 7
LEAD_IN_MS = 150  # silence before the very first sound
PAUSE_SENTENCE_MS = 350  # between sentences of one block
PAUSE_BLOCK_MS = 700  # between blocks
PAUSE_HEADING_MS = 800  # after a heading

MP3_DELAY_SAMPLES = 576 + 529  # LAME encoder delay + MP3 decoder delay, played as silence
MP3_SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)

TARGET_RMS_DBFS = -20.0  # speech loudness every sentence is brought towards
PEAK_CEILING_DBFS = -1.0  # never amplify beyond this peak
MAX_GAIN_DB = 12.0


def level(segment: AudioSegment) -> AudioSegment:
    """Bring a sentence towards TARGET_RMS_DBFS without letting peaks exceed PEAK_CEILING_DBFS.

    Engines differ in loudness (espeak is already close; piper and gtts vary), and listeners
    should not reach for the volume between sentences. Silence is left alone.
    """
    if segment.rms == 0:
        return segment
    gain = TARGET_RMS_DBFS - segment.dBFS
    gain = min(gain, PEAK_CEILING_DBFS - segment.max_dBFS, MAX_GAIN_DB)
    if abs(gain) < 0.5:
        return segment
    return segment.apply_gain(gain)


class Mp3Assembler:
    """Builds one mono MP3 (48 kbit/s CBR) from sentences and pauses, returning bytes as they are ready.

    Use: ``add(speech)`` per sentence, ``pause(ms)`` between them, ``finish()`` once at the end;
    concatenating every returned chunk gives the complete, valid file. Not thread-safe: one
    assembler belongs to one reading.
    """

    def __init__(
        self,
        sample_rate: int = 22050,
        *,
        bitrate_kbps: int = BITRATE_KBPS,
        lead_in_ms: int = LEAD_IN_MS,
        quality: int = QUALITY,
    ) -> None:
        if sample_rate not in MP3_SAMPLE_RATES:
            raise ValueError(f"MP3 cannot carry {sample_rate} Hz; use one of {MP3_SAMPLE_RATES}")
        self.sample_rate = sample_rate
        self._encoder = lameenc.Encoder()
        self._encoder.set_channels(1)
        self._encoder.set_in_sample_rate(sample_rate)
        self._encoder.set_out_sample_rate(sample_rate)
        self._encoder.set_bit_rate(bitrate_kbps)
        self._encoder.set_quality(quality)  # see QUALITY
        self._lead_in_ms = lead_in_ms
        self._samples = 0  # PCM samples fed to the encoder so far
        self._started = False
        self._finished = False
        self._frames = FrameCounter()
        self.bytes_out = 0

    # -- timeline ---------------------------------------------------------------------------------

    @property
    def offset_ms(self) -> float:
        """How much later than its input position a sample is heard (the MP3 delay)."""
        return MP3_DELAY_SAMPLES * 1000.0 / self.sample_rate

    @property
    def duration_ms(self) -> float:
        """Length of the MP3 as decoded: exact after finish(), the timeline so far before it."""
        if self._finished:
            return self._frames.duration_ms
        return (self._samples + MP3_DELAY_SAMPLES) * 1000.0 / self.sample_rate

    @property
    def finished(self) -> bool:
        return self._finished

    # -- building ---------------------------------------------------------------------------------

    def add(self, speech: Speech) -> tuple[int, int, bytes]:
        """Append one sentence; return (start_ms, end_ms, mp3 bytes ready now).

        start/end are positions in the final MP3 as a player reports `currentTime`. The sentence's
        word times are relative to start_ms.
        """
        out = self._lead_in()
        segment = AudioSegment(
            data=speech.pcm[: len(speech.pcm) // 2 * 2],
            sample_width=2,
            frame_rate=speech.sample_rate,
            channels=1,
        )
        if speech.sample_rate != self.sample_rate:
            segment = segment.set_frame_rate(self.sample_rate)
        segment = level(segment)
        start = self._timeline_ms(self._samples)
        out += self._encode(segment.raw_data)
        end = self._timeline_ms(self._samples)
        return int(round(start)), int(round(end)), out

    def pause(self, ms: float) -> bytes:
        """Append `ms` milliseconds of silence; return the mp3 bytes ready now."""
        out = self._lead_in()
        if ms > 0:
            out += self._silence(ms)
        return out

    def finish(self) -> bytes:
        """Flush the encoder; return the last bytes. The assembler cannot be used afterwards."""
        if self._finished:
            return b""
        out = self._lead_in() + self._take(self._encoder.flush())
        self._finished = True
        return out

    # -- internals --------------------------------------------------------------------------------

    def _timeline_ms(self, samples: int) -> float:
        return (samples + MP3_DELAY_SAMPLES) * 1000.0 / self.sample_rate

    def _lead_in(self) -> bytes:
        if self._finished:
            raise RuntimeError("Mp3Assembler already finished")
        if self._started:
            return b""
        self._started = True
        return self._silence(self._lead_in_ms)

    def _silence(self, ms: float) -> bytes:
        n = int(round(ms * self.sample_rate / 1000.0))
        return self._encode(b"\0\0" * n)  # exact sample count; AudioSegment.silent truncates ms

    def _encode(self, pcm: bytes) -> bytes:
        if not pcm:
            return b""
        self._samples += len(pcm) // 2
        return self._take(self._encoder.encode(pcm))

    def _take(self, data: bytes | bytearray) -> bytes:
        data = bytes(data)
        self.bytes_out += len(data)
        self._frames.feed(data)
        return data


@dataclass
class Segment:
    """One sentence encoded as a self-contained run of MP3 frames.

    Segments are made by a fresh encoder each, so they can be cached per sentence and joined by
    plain byte concatenation: the joins fall inside the silence around the speech (the encoder
    delay in front, the pause behind), where a fresh encoder's first frame is inaudible.
    """

    mp3: bytes
    duration_ms: float  # decoded length: whole frames
    speech_start_ms: float  # where the speech is heard, from the start of the segment
    speech_end_ms: float
    sample_rate: int


SEGMENT_SAMPLE_RATE = 22050  # every segment of a reading shares one rate, whatever the engine gives


def encode_segment(speech: Speech, *, lead_ms: int = 0, tail_ms: int = 0, quality: int = QUALITY,
                   sample_rate: int = SEGMENT_SAMPLE_RATE) -> Segment:
    """Encode one sentence with `lead_ms` of silence before and `tail_ms` after."""
    asm = Mp3Assembler(sample_rate, lead_in_ms=lead_ms, quality=quality)
    start_ms, end_ms, data = asm.add(speech)
    data += asm.pause(tail_ms)
    data += asm.finish()
    # Unrounded positions: the rounding is done once, on the reading's timeline.
    delay = asm.offset_ms
    speech_ms = speech.duration_ms * 1.0
    start = delay + lead_ms
    return Segment(data, asm.duration_ms, start, start + speech_ms, sample_rate)
