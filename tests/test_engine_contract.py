"""One contract, every engine: what the reading pipeline relies on, whichever voice an operator picks.

espeak runs for real; piper runs through the real piper-tts code on a stand-in voice the tests
build (tests/fakes/piper_voice.py); gtts runs through gTTS and our HTTP client against a fake
Google on loopback (tests/fakes/google.py).
"""
from __future__ import annotations

import array
import math
import re

import pytest

from service.errors import EngineError
from service.models import Speech
from service.reading import audio
from service.reading.engines import ENGINES, engine_status, get_engine
from service.reading.engines.base import MAX_RATE, MIN_RATE, Engine, EngineUnavailable
from service.store.mp3 import mp3_duration_ms
from tests.fakes import fake_google, make_piper_voice

SENTENCE = "Kommunen erbjuder förskola och fritidshem för alla barn mellan ett och tolv år."
CLAUSES = "Biblioteket är öppet i dag, men simhallen är stängd; välkommen åter i morgon."


@pytest.fixture(scope="module")
def piper_config(tmp_path_factory) -> dict:
    return {"PIPER_VOICE": str(make_piper_voice(tmp_path_factory.mktemp("voice")))}


@pytest.fixture(scope="module")
def google():
    with fake_google() as fake:
        yield fake


@pytest.fixture(scope="module", params=list(ENGINES))
def setup(request, piper_config, google) -> tuple[str, dict]:
    """(engine name, config) for every registered engine."""
    config = {"espeak": {}, "piper": piper_config, "gtts": {"GTTS_TLD": "com"}}[request.param]
    return request.param, config


@pytest.fixture(scope="module")
def engine(setup) -> Engine:
    name, config = setup
    return get_engine(name, config)


def rms(pcm: bytes) -> float:
    samples = array.array("h")
    samples.frombytes(pcm)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def test_registry_gives_one_working_instance(setup, engine):
    name, config = setup
    assert engine.name == name
    assert get_engine(name, config) is engine  # loaded once per process, shared by all readings
    status = engine_status(name, config)
    assert status.state == "ok" and status.version == engine.version
    assert engine.default_voice in engine.voices()
    assert engine.voice_id() == f"{name}:{engine.default_voice}"
    assert engine.voice_for_lang("sv-SE") == engine.default_voice


def test_version_token_is_stable(setup, engine):
    name, config = setup
    assert engine.version and engine.version == engine.version.strip()
    engine.synthesize(SENTENCE)
    assert engine.version == get_engine(name, config).version
    module = __import__(ENGINES[name], fromlist=["create"])
    fresh = module.create(config) if getattr(module, "CONFIG_KEYS", ()) else module.create()
    assert fresh.version == engine.version  # a new process computes the same cache key


def test_swedish_sentence_is_audible_speech_of_plausible_length(engine):
    speech = engine.synthesize(SENTENCE)
    assert speech.sample_rate == engine.sample_rate
    assert speech.sample_rate in audio.MP3_SAMPLE_RATES
    assert len(speech.pcm) % 2 == 0
    # 13 words: seconds of speech, not milliseconds and not a minute.
    assert 2500 < speech.duration_ms < 10000
    assert rms(speech.pcm) > 1000


def test_output_encodes_to_mp3_of_the_same_length(engine):
    speech = engine.synthesize(SENTENCE)
    segment = audio.encode_segment(speech)
    assert mp3_duration_ms(segment.mp3) == pytest.approx(segment.duration_ms, abs=1)
    assert segment.speech_end_ms - segment.speech_start_ms == pytest.approx(speech.duration_ms, rel=0.01)


def test_rate_changes_duration(engine):
    normal = engine.synthesize(SENTENCE, rate=1.0).duration_ms
    fast = engine.synthesize(SENTENCE, rate=1.5).duration_ms
    slow = engine.synthesize(SENTENCE, rate=0.75).duration_ms
    assert fast < normal * 0.85 and slow > normal * 1.15


@pytest.mark.parametrize("text", [SENTENCE, CLAUSES])
@pytest.mark.parametrize("rate", [1.0, 1.5])
def test_word_timings_point_at_the_words_in_order_inside_the_audio(engine, text, rate):
    speech = engine.synthesize(text, rate=rate)
    assert [text[w.offset : w.offset + w.length] for w in speech.words] == re.findall(r"\w+", text)
    starts = [w.start_ms for w in speech.words]
    assert starts == sorted(starts)
    assert all(0 <= s < speech.duration_ms for s in starts)
    assert starts[0] < speech.duration_ms * 0.1  # speech starts right away
    assert starts[-1] > speech.duration_ms * 0.6  # words are spread over the sentence


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_blank_text_gives_empty_speech(engine, text):
    speech = engine.synthesize(text)
    assert speech == Speech(pcm=b"", sample_rate=engine.sample_rate, words=[])


@pytest.mark.parametrize("rate", [MIN_RATE - 0.01, MAX_RATE + 0.01, 0, float("nan"), "fast"])
def test_bad_rate_is_a_request_error_not_an_outage(engine, rate):
    with pytest.raises(EngineError) as info:
        engine.synthesize(SENTENCE, rate=rate)
    assert info.value.status == 400 and info.value.code == "bad_rate"
    assert not isinstance(info.value, EngineUnavailable)  # never "use the fallback" for bad input


def test_unknown_voice_is_a_request_error(engine):
    with pytest.raises(EngineError) as info:
        engine.synthesize(SENTENCE, voice="klingon")
    assert info.value.status == 400 and info.value.code == "unknown_voice"


def test_non_string_text_is_a_request_error(engine):
    with pytest.raises(EngineError) as info:
        engine.synthesize(None)  # type: ignore[arg-type]
    assert info.value.status == 400


def test_unknown_engine_is_refused_by_name():
    with pytest.raises(EngineError) as info:
        get_engine("festival")
    assert "espeak" in info.value.message and "piper" in info.value.message and "gtts" in info.value.message
