"""The espeak-ng engine, for real: Swedish audio, rate, word events, markup safety, threads."""
from __future__ import annotations

import array
import math
import re
import threading

import pytest

from service.errors import EngineError
from service.models import Speech
from service.reading.engines import available_engines, get_engine
from service.reading.engines.base import Engine

SENTENCE = "Kommunen erbjuder förskola och fritidshem för alla barn mellan ett och tolv år."
UMLAUTS = "Åtta älgar åt smörgåsar på ön, sedan gick de över ängen till Göteborg."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return get_engine("espeak")


def rms(pcm: bytes) -> float:
    samples = array.array("h")
    samples.frombytes(pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def spoken(text: str, speech: Speech) -> list[str]:
    return [text[w.offset : w.offset + w.length] for w in speech.words]


def test_engine_identity_and_registry(engine):
    assert engine.name == "espeak"
    assert engine.version.startswith("espeak-ng-1.")
    assert engine.default_voice == "sv"
    assert "sv" in engine.voices() and "en" in engine.voices()
    assert get_engine("espeak") is engine  # one instance per process
    assert engine.voice_id() == "espeak:sv"
    assert engine.voice_for_lang("sv-SE") == "sv"
    assert engine.voice_for_lang("EN") == "en"
    assert engine.voice_for_lang("xx-YY") is None
    assert available_engines()["espeak"] == "ok"


def test_unknown_engine_names_the_valid_ones():
    with pytest.raises(EngineError) as info:
        get_engine("festival")
    assert "espeak" in info.value.message


def test_swedish_sentence_is_real_speech(engine):
    speech = engine.synthesize(SENTENCE)
    assert speech.sample_rate == 22050
    assert len(speech.pcm) % 2 == 0
    # 13 words at espeak's normal 175 words per minute: a few seconds, not milliseconds or minutes.
    assert 2500 < speech.duration_ms < 8000
    assert rms(speech.pcm) > 1000  # clearly audible, not silence or noise floor


def test_silence_is_trimmed_at_both_ends(engine):
    speech = engine.synthesize("Hej.")
    samples = array.array("h")
    samples.frombytes(speech.pcm)
    edge = speech.sample_rate * 30 // 1000  # 30 ms
    assert max(abs(s) for s in samples[:edge]) > 64
    assert max(abs(s) for s in samples[-edge:]) > 64


def test_rate_changes_duration(engine):
    normal = engine.synthesize(SENTENCE, rate=1.0).duration_ms
    fast = engine.synthesize(SENTENCE, rate=1.5).duration_ms
    slow = engine.synthesize(SENTENCE, rate=0.75).duration_ms
    assert fast < normal < slow
    assert fast < normal * 0.85 and slow > normal * 1.15


@pytest.mark.parametrize("rate", [0.49, 2.01, 0, -1, float("nan"), "fast"])
def test_rate_outside_range_is_refused(engine, rate):
    with pytest.raises(EngineError):
        engine.synthesize(SENTENCE, rate=rate)


def test_unknown_voice_is_refused(engine):
    with pytest.raises(EngineError):
        engine.synthesize(SENTENCE, voice="klingon")


def test_word_events_point_at_the_words(engine):
    speech = engine.synthesize(UMLAUTS)
    assert spoken(UMLAUTS, speech) == re.findall(r"\w+", UMLAUTS)


def test_word_offsets_are_str_indices_after_non_ascii(engine):
    # å/ä/ö are 2 bytes in UTF-8 and "𝔸" is outside the BMP: offsets must still be str indices.
    text = "Ärendet 𝔸 gäller väg sju och öppnar måndag."
    words = spoken(text, engine.synthesize(text))
    for word in ("gäller", "väg", "sju", "öppnar", "måndag"):
        assert word in words


def test_word_events_are_monotonic_and_inside_the_audio(engine):
    speech = engine.synthesize(UMLAUTS)
    starts = [w.start_ms for w in speech.words]
    offsets = [w.offset for w in speech.words]
    assert starts == sorted(starts) and offsets == sorted(offsets)
    assert starts[0] < 100  # the first word starts right away: leading silence is trimmed
    assert all(0 <= s < speech.duration_ms for s in starts)
    # Words are spread over the sentence, not bunched at the start.
    assert starts[-1] > speech.duration_ms * 0.7


def test_markup_characters_are_read_as_text(engine):
    # With espeakSSML "<b>" would vanish as a tag and "&amp;" would become "&".
    text = "Skriv <b> och &amp; här."
    words = spoken(text, engine.synthesize(text))
    assert "b" in words and "amp" in words


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_blank_text_gives_empty_speech(engine, text):
    speech = engine.synthesize(text)
    assert speech.pcm == b"" and speech.words == []


def test_odd_characters_do_not_break_synthesis(engine):
    speech = engine.synthesize("Noll\0byte och ensam \ud800 surrogat.")
    assert speech.duration_ms > 500


def same_speech(got: Speech, want: Speech) -> bool:
    """Equal up to espeak-ng's own variation.

    espeak-ng is not bit-for-bit repeatable within a process: its pitch "flutter" phase and some
    wave-generator counters are static C variables that carry over from one utterance to the
    next (there is no API to reset them), so the same text comes out a few samples longer or
    shorter each time. Words must be identical; times may differ by a few milliseconds.
    """
    if [(w.offset, w.length) for w in got.words] != [(w.offset, w.length) for w in want.words]:
        return False
    if abs(got.duration_ms - want.duration_ms) > want.duration_ms * 0.02:
        return False
    return all(abs(g.start_ms - w.start_ms) <= 40 for g, w in zip(got.words, want.words))


def test_switching_voice_and_rate_leaves_no_state_behind(engine):
    before = engine.synthesize(SENTENCE)
    english = engine.synthesize("This is English.", voice="en", rate=1.8)
    assert english.duration_ms > 300
    assert same_speech(engine.synthesize(SENTENCE), before)


def test_concurrent_threads_get_the_same_audio_as_serial(engine):
    jobs = [(SENTENCE, 1.0), (UMLAUTS, 1.5), ("Biblioteket är stängt på midsommarafton.", 0.75)] * 3
    serial = [engine.synthesize(text, rate=rate) for text, rate in jobs]
    results: list[Speech | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            text, rate = jobs[i]
            results[i] = engine.synthesize(text, rate=rate)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, want in zip(results, serial):
        assert got is not None
        assert same_speech(got, want)  # each thread got its own sentence, at its own rate
