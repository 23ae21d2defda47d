"""Piper through the real piper-tts code on a stand-in voice: loading, speed, alignments, states."""
from __future__ import annotations

import re
import sys
import threading

import pytest

from service.errors import EngineError
from service.models import Speech
from service.reading.engines import engine_status, get_engine
from service.reading.engines.base import EngineUnavailable
from service.reading.engines.piper import PiperEngine, create
from tests.fakes import make_piper_voice

SENTENCE = "Åtta älgar åt smörgåsar på ön."


@pytest.fixture(scope="module")
def voice_path(tmp_path_factory):
    return make_piper_voice(tmp_path_factory.mktemp("piper"))


@pytest.fixture(scope="module")
def engine(voice_path) -> PiperEngine:
    return get_engine("piper", {"PIPER_VOICE": str(voice_path)})


def spoken(text: str, speech: Speech) -> list[tuple[str, int]]:
    return [(text[w.offset : w.offset + w.length], w.start_ms) for w in speech.words]


def test_voice_loads_through_piper_with_alignments(engine, voice_path):
    assert engine.has_alignments  # the Ceil durations were exposed by piper's in-memory patch
    assert engine.voices() == ["sv"] and engine.default_voice == "sv"
    assert engine.voice_name == voice_path.name.removesuffix(".onnx")
    assert engine.version.startswith("piper-tts-1.") and engine.voice_name in engine.version
    assert engine.sample_rate == 22050


def test_version_changes_when_the_voice_file_changes(engine, tmp_path):
    import onnx

    copy = make_piper_voice(tmp_path)
    assert PiperEngine(copy).version == engine.version  # same name, same bytes: same cache key
    model = onnx.load(str(copy))
    model.doc_string = "retrained"  # a new release of the voice under the same file name
    onnx.save(model, str(copy))
    assert PiperEngine(copy).version != engine.version
    other = make_piper_voice(tmp_path, name="sv_SE-other-x_low")
    assert "sv_SE-other-x_low" in PiperEngine(other).version


def test_rate_is_length_scale(engine):
    normal = engine.synthesize(SENTENCE).duration_ms
    double = engine.synthesize(SENTENCE, rate=2.0).duration_ms
    half = engine.synthesize(SENTENCE, rate=0.5).duration_ms
    assert double == pytest.approx(normal / 2, rel=0.1)
    assert half == pytest.approx(normal * 2, rel=0.1)


def test_word_times_follow_the_phoneme_durations(engine):
    speech = engine.synthesize(SENTENCE)
    words = spoken(SENTENCE, speech)
    assert [w for w, _ in words] == ["Åtta", "älgar", "åt", "smörgåsar", "på", "ön"]
    gaps = {w: nxt - start for (w, start), (_, nxt) in zip(words, words[1:])}
    # "smörgåsar" has three times the phonemes of "åt": its time on the timeline shows that.
    assert gaps["smörgåsar"] > 2 * gaps["åt"]


def test_words_espeak_reads_differently_still_get_ordered_times(engine):
    text = "Avgiften är 1234 kronor, betala senast fredag."
    speech = engine.synthesize(text)
    words = spoken(text, speech)
    assert [w for w, _ in words] == re.findall(r"\w+", text)
    times = [t for _, t in words]
    assert times == sorted(times) and times[-1] < speech.duration_ms


def test_several_sentences_in_one_call(engine):
    text = "Hej. Välkommen till kommunen! Vad kan vi hjälpa dig med?"
    speech = engine.synthesize(text)
    times = [t for _, t in spoken(text, speech)]
    assert len(times) == 10 and times == sorted(times)
    assert speech.duration_ms > engine.synthesize("Hej.").duration_ms * 3


def test_double_brackets_are_text_not_raw_phonemes(engine):
    text = "Skriv [[a]] här."
    speech = engine.synthesize(text)
    assert [w for w, _ in spoken(text, speech)] == ["Skriv", "a", "här"]


def test_concurrent_threads_share_one_voice_and_get_serial_results(engine):
    jobs = [(SENTENCE, 1.0), ("Biblioteket är stängt på midsommarafton.", 1.5), ("Hej då.", 0.75)] * 3
    serial = [engine.synthesize(t, rate=r) for t, r in jobs]
    results: list[Speech | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = engine.synthesize(jobs[i][0], rate=jobs[i][1])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == serial  # the stand-in is deterministic: any mix-up would show


def test_threads_setting_reaches_onnxruntime(voice_path):
    engine = get_engine("piper", {"PIPER_VOICE": str(voice_path), "PIPER_THREADS": "1"})
    assert engine.threads == 1
    assert engine._voice.session.get_session_options().intra_op_num_threads == 1


def test_voice_from_environment(voice_path, monkeypatch):
    monkeypatch.setenv("LYSSNA_PIPER_VOICE", str(voice_path))
    assert get_engine("piper").version == create({"PIPER_VOICE": str(voice_path)}).version


def test_no_voice_configured_is_a_clear_state(monkeypatch, tmp_path):
    monkeypatch.delenv("LYSSNA_PIPER_VOICE", raising=False)
    config = {"CACHE_DIR": str(tmp_path)}  # nothing installed in its voices/
    with pytest.raises(EngineUnavailable) as info:
        get_engine("piper", config)
    assert info.value.code == "missing_voice"
    assert "LYSSNA_PIPER_VOICE" in info.value.message
    assert "lyssna voices install sv_SE-nst-medium" in info.value.message
    assert str(tmp_path / "voices") in info.value.message
    assert engine_status("piper", config).state == "missing_voice"


def test_missing_voice_file_names_the_path(tmp_path):
    missing = tmp_path / "sv_SE-nst-medium.onnx"
    status = engine_status("piper", {"PIPER_VOICE": str(missing)})
    assert status.state == "missing_voice" and str(missing) in status.message


def test_missing_json_beside_the_model(tmp_path):
    model = make_piper_voice(tmp_path)
    model.with_name(model.name + ".json").unlink()
    status = engine_status("piper", {"PIPER_VOICE": str(model)})
    assert status.state == "missing_voice" and ".onnx.json" in status.message


def test_corrupt_model_is_an_error_state(tmp_path):
    model = make_piper_voice(tmp_path)
    model.write_bytes(b"not an onnx model")
    status = engine_status("piper", {"PIPER_VOICE": str(model)})
    assert status.state == "error" and model.name in status.message


def test_missing_package_names_the_extra(voice_path, monkeypatch):
    for name in ("piper", "piper.config", "piper.voice"):
        monkeypatch.setitem(sys.modules, name, None)  # what Python sees when piper-tts is absent
    with pytest.raises(EngineUnavailable) as info:
        PiperEngine(voice_path)
    assert info.value.code == "not_installed"
    assert "pip install 'lyssna[piper]'" in info.value.message
    assert isinstance(info.value, EngineError) and info.value.status == 503


def test_one_voice_per_language_each_loaded_when_first_used(tmp_path):
    sv = make_piper_voice(tmp_path / "sv")
    fi = make_piper_voice(tmp_path / "fi", "fi_FI-standin-x_low", lang="fi_FI", tone_hz=330.0)
    other_sv = make_piper_voice(tmp_path / "sv2", "sv_SE-other-x_low")
    engine = PiperEngine([sv, fi, other_sv])  # the first voice of a language speaks it
    assert engine.voices() == ["sv", "fi"] and engine.default_voice == "sv"
    assert engine.models() == {"sv": "sv_SE-standin-x_low", "fi": "fi_FI-standin-x_low"}
    assert engine.status().models == engine.models()
    assert engine._by_lang["fi"].voice is None  # not loaded before a Finnish sentence
    speech = engine.synthesize("Hyvää päivää.", "fi")
    assert engine._by_lang["fi"].voice is not None and speech.duration_ms > 0
    assert [speech.words[0].offset, speech.words[1].offset] == [0, 6]
    before = engine.version
    assert "fi_FI-standin-x_low" in before and "sv_SE-other-x_low" not in before
    make_piper_voice(tmp_path / "fi", "fi_FI-standin-x_low", lang="fi_FI", tone_hz=300.0)
    assert PiperEngine([sv, fi]).version != before  # another Finnish voice file: other cache keys
