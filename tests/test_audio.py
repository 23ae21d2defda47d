"""The MP3 assembler, for real: espeak-ng speech, lameenc encoding, decoded again with miniaudio."""
from __future__ import annotations

import array
import math
import subprocess
import sys
from pathlib import Path

import miniaudio
import pytest

from service.models import Speech
from service.reading.audio import (
    LEAD_IN_MS,
    MP3_DELAY_SAMPLES,
    PAUSE_BLOCK_MS,
    PAUSE_HEADING_MS,
    PAUSE_SENTENCE_MS,
    AudioSegment,
    Mp3Assembler,
    encode_segment,
    level,
)
from service.reading.engines import get_engine
from service.store.mp3 import mp3_duration_ms

SENTENCES = [
    ("Öppettider för biblioteket", PAUSE_HEADING_MS),
    ("Biblioteket är öppet måndag till fredag.", PAUSE_SENTENCE_MS),
    ("På lördagar har vi stängt under sommaren.", PAUSE_BLOCK_MS),
    ("Välkommen!", PAUSE_SENTENCE_MS),
    ("Åtta älgar äter ängens örter.", 0),
]


def decode(mp3: bytes, sample_rate: int = 22050) -> array.array:
    decoded = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=sample_rate
    )
    assert decoded.sample_rate == sample_rate and decoded.nchannels == 1
    return decoded.samples


def window_rms(samples: array.array, start: int, length: int) -> float:
    part = samples[start : start + length]
    return math.sqrt(sum(s * s for s in part) / len(part)) if part else 0.0


def onset_ms(samples: array.array, sample_rate: int, from_ms: float, threshold: float = 300.0) -> float:
    """First 5 ms window at or after `from_ms` whose RMS exceeds `threshold`."""
    win = sample_rate * 5 // 1000
    i = int(from_ms * sample_rate / 1000)
    while i + win <= len(samples):
        if window_rms(samples, i, win) > threshold:
            return i * 1000 / sample_rate
        i += win // 5  # 1 ms steps
    raise AssertionError(f"no sound after {from_ms} ms")


@pytest.fixture(scope="module")
def assembled():
    """One reading built the way the service builds it, streamed chunk by chunk."""
    engine = get_engine("espeak")
    asm = Mp3Assembler(engine.sample_rate)
    chunks: list[bytes] = []
    times: list[tuple[int, int]] = []
    for text, pause in SENTENCES:
        start, end, data = asm.add(engine.synthesize(text))
        chunks.append(data)
        times.append((start, end))
        chunks.append(asm.pause(pause))
    chunks.append(asm.finish())
    return asm, chunks, times


def test_file_is_mono_48k_cbr_and_decodes(assembled):
    asm, chunks, _ = assembled
    mp3 = b"".join(chunks)
    header = mp3[:4]
    assert header[0] == 0xFF and header[1] & 0xE0 == 0xE0
    assert header[3] >> 6 == 3  # channel mode: mono
    # Constant 48 kbit/s: the size follows from the duration.
    assert abs(len(mp3) * 8 / asm.duration_ms - 48.0) < 0.5
    samples = decode(mp3)
    assert window_rms(samples, 0, len(samples)) > 500  # there is speech in it


def test_duration_matches_the_decoded_file(assembled):
    asm, chunks, _ = assembled
    decoded_ms = len(decode(b"".join(chunks))) * 1000 / 22050
    assert abs(asm.duration_ms - decoded_ms) <= decoded_ms * 0.02
    assert abs(asm.duration_ms - decoded_ms) < 27  # in fact within one 576-sample frame


def test_sentence_starts_match_the_sound(assembled):
    _, chunks, times = assembled
    samples = decode(b"".join(chunks))
    previous_end = 0.0
    errors = []
    for (start, end), (text, _) in zip(times, SENTENCES):
        heard = onset_ms(samples, 22050, previous_end + 20)
        assert abs(heard - start) <= 50, (text, start, heard)
        assert end > start
        errors.append(heard - start)
        previous_end = end
    # No systematic offset: the 50 ms MP3 encoder delay is accounted for, not just tolerated.
    assert abs(sum(errors) / len(errors)) <= 20, errors
    assert times[0][0] >= LEAD_IN_MS  # lead-in silence comes first


def test_pauses_are_silent_and_sentences_end_on_time(assembled):
    _, chunks, times = assembled
    samples = decode(b"".join(chunks))
    sr = 22050
    for (start, end), (next_start, _), (_, pause) in zip(times, times[1:], SENTENCES):
        assert next_start - end >= pause - 1  # the planned pause is on the timeline
        # The middle of the pause is silent in the decoded file...
        gap_from = int((end + 60) * sr / 1000)
        gap_to = int((next_start - 40) * sr / 1000)
        assert window_rms(samples, gap_from, gap_to - gap_from) < 100
        # ...and the last 100 ms before end_ms still has sound (the sentence is not cut short).
        tail = int(100 * sr / 1000)
        assert window_rms(samples, int(end * sr / 1000) - tail, tail) > 100


def test_streamed_chunks_form_one_valid_file(assembled):
    asm, chunks, times = assembled
    assert sum(len(c) for c in chunks) == asm.bytes_out
    whole = b"".join(chunks)
    # What a listener had after the first sentence and its pause is itself playable and covers
    # that sentence: streaming while generating works.
    prefix = b"".join(chunks[:2])
    assert len(decode(prefix)) * 1000 / 22050 >= times[0][1]
    assert mp3_duration_ms(prefix) < mp3_duration_ms(whole)


def test_frame_parsing_matches_the_decoder(assembled):
    asm, chunks, _ = assembled
    mp3 = b"".join(chunks)
    decoded_ms = len(decode(mp3)) * 1000 / 22050
    frame_ms = 576 * 1000 / 22050
    assert abs(mp3_duration_ms(mp3) - decoded_ms) <= frame_ms
    assert mp3_duration_ms(mp3) == pytest.approx(asm.duration_ms, abs=0.01)


def test_frame_parsing_detects_truncation_and_skips_tags(assembled):
    _, chunks, _ = assembled
    mp3 = b"".join(chunks)
    full = mp3_duration_ms(mp3)
    half = mp3_duration_ms(mp3[: len(mp3) // 2])
    assert full * 0.45 < half < full * 0.55
    # An ID3v2 tag in front (10-byte header + 20 bytes of frames) changes nothing.
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x14" + b"\x00" * 20
    assert mp3_duration_ms(id3 + mp3) == full
    assert mp3_duration_ms(b"") == 0.0
    assert mp3_duration_ms(b"not an mp3 at all" * 100) == 0.0


def test_other_sample_rates_are_resampled_without_changing_duration():
    # A 16 kHz engine (e.g. a piper voice) feeding a 22.05 kHz reading: 1 s of tone stays 1 s.
    tone = array.array("h", (int(8000 * math.sin(2 * math.pi * 300 * i / 16000)) for i in range(16000)))
    asm = Mp3Assembler(22050)
    start, end, data = asm.add(Speech(pcm=tone.tobytes(), sample_rate=16000))
    assert end - start == pytest.approx(1000, abs=2)
    samples = decode(data + asm.pause(300) + asm.finish())
    assert onset_ms(samples, 22050, 0) == pytest.approx(start, abs=10)


def test_quiet_speech_is_levelled_and_loud_speech_not_clipped():
    engine = get_engine("espeak")
    speech = engine.synthesize("Biblioteket är öppet måndag till fredag.")
    quiet = array.array("h")
    quiet.frombytes(speech.pcm)
    quiet = array.array("h", (s // 10 for s in quiet))  # 20 dB quieter
    asm = Mp3Assembler(22050)
    data = asm.add(Speech(pcm=quiet.tobytes(), sample_rate=22050))[2] + asm.finish()
    samples = decode(data)
    original_rms = window_rms(array.array("h", speech.pcm), 0, len(speech.pcm) // 2)
    assert window_rms(samples, 0, len(samples)) > original_rms * 0.3  # brought back up
    assert max(abs(s) for s in samples) < 32767  # no clipping


def test_empty_speech_and_lifecycle():
    asm = Mp3Assembler(22050)
    start, end, data = asm.add(Speech(pcm=b"", sample_rate=22050))
    assert start == end
    assert asm.pause(0) == b""
    last = asm.finish()
    assert asm.finished and asm.finish() == b""
    with pytest.raises(RuntimeError):
        asm.add(Speech(pcm=b"\0\0" * 100, sample_rate=22050))
    total = data + last
    assert mp3_duration_ms(total) == pytest.approx(asm.duration_ms, abs=0.01)
    assert asm.duration_ms >= LEAD_IN_MS


def test_unsupported_sample_rate_is_refused():
    with pytest.raises(ValueError):
        Mp3Assembler(22000)


def test_importing_audio_prints_no_ffmpeg_warning():
    # pydub warns "Couldn't find ffmpeg or avconv" at import; we never use ffmpeg, so say nothing.
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import service.reading.audio"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "ffmpeg" not in result.stderr and "audioop" not in result.stderr


def test_segments_joined_by_concatenation_keep_exact_timings():
    """Per-sentence segments (the sentence cache) joined byte by byte: durations add up exactly
    and every sentence is heard where the timeline says, so cached sentences can be reused."""
    engine = get_engine("espeak")
    segments, expected = [], []
    offset = 0.0
    for i, (text, pause) in enumerate(SENTENCES):
        seg = encode_segment(engine.synthesize(text, "sv", 1.0), lead_ms=LEAD_IN_MS if i == 0 else 0,
                             tail_ms=pause)
        expected.append((offset + seg.speech_start_ms, offset + seg.speech_end_ms))
        offset += seg.duration_ms
        segments.append(seg.mp3)
    data = b"".join(segments)
    samples = decode(data)
    decoded_ms = len(samples) * 1000 / 22050
    assert abs(decoded_ms - offset) < 1.0
    assert abs(mp3_duration_ms(data) - offset) < 1.0
    for (start, end), (prev_start, prev_end) in zip(expected[1:], expected):
        assert start - prev_end >= PAUSE_SENTENCE_MS  # a real pause survives every join
    for start, _end in expected:
        assert abs(onset_ms(samples, 22050, start - 150) - start) <= 50
    for (_s, end), (next_start, _e) in zip(expected, expected[1:]):
        quiet = samples[int((end + 40) * 22.05): int((next_start - 40) * 22.05)]
        assert window_rms(quiet, 0, len(quiet)) < 100, "a join is audible inside a pause"


def test_encoding_keeps_speech_close_to_the_source():
    """The LAME settings (48 kbit/s, QUALITY) keep espeak speech faithful, and the delay we report
    is the real one: decoded samples line up with the (levelled) input MP3_DELAY_SAMPLES later."""
    engine = get_engine("espeak")
    speech = engine.synthesize("Biblioteket är öppet måndag till fredag, klockan tio till arton.")
    seg = encode_segment(speech, lead_ms=LEAD_IN_MS, tail_ms=PAUSE_SENTENCE_MS)
    decoded = decode(seg.mp3)
    levelled = level(AudioSegment(data=speech.pcm, sample_width=2, frame_rate=22050, channels=1))
    source = array.array("h", levelled.raw_data)
    start = MP3_DELAY_SAMPLES + round(LEAD_IN_MS * 22050 / 1000)
    assert abs(start * 1000 / 22050 - seg.speech_start_ms) < 0.05
    heard = decoded[start : start + len(source)]
    assert len(heard) == len(source)
    noise = sum((a - b) ** 2 for a, b in zip(source, heard))
    signal = sum(a * a for a in source)
    assert 10 * math.log10(signal / noise) > 18  # ~24 dB measured; one sample off gives ~10 dB
