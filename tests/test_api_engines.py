"""The whole API flow with each engine: Piper (stand-in voice), gTTS (fake Google) and the fallback."""
from __future__ import annotations

import time
import uuid

import pytest

from .fakes import fake_google, make_piper_voice
from .helpers import all_sentences, decode_mp3, rms, wait_ready

PAGE = "06-kokningsrekommendation-upphavd.html"


def read(client, url, **extra):
    r = client.post("/api/v1/readings", json={"url": url, **extra})
    assert r.status_code in (200, 202), r.get_json()
    return wait_ready(client, r.get_json()["id"])


def check_audio(client, reading):
    samples, _, duration = decode_mp3(client.get(reading["audio_url"]).data)
    assert abs(duration - reading["duration_ms"]) <= 0.02 * reading["duration_ms"]
    assert rms(samples) > 100
    spans = [(s["start_ms"], s["end_ms"]) for s in all_sentences(reading)]
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:]))


@pytest.fixture
def gtts_config(app_config):
    # A settings set of its own (GTTS_TLD) gives this test its own engine and circuit breaker.
    return {**app_config, "ENGINE": "gtts", "GTTS_TLD": f"t{uuid.uuid4().hex[:6]}",
            "GTTS_BREAKER_FAILURES": 2, "GTTS_BREAKER_COOLDOWN": 0.5}


class TestPiper:
    @pytest.fixture
    def app_config(self, app_config, tmp_path):
        return {**app_config, "ENGINE": "piper", "PIPER_VOICE": str(make_piper_voice(tmp_path / "voices"))}

    def test_reading_with_piper(self, client, fixture_site):
        reading = read(client, f"{fixture_site}/{PAGE}")
        assert reading["voice"].startswith("piper:")
        assert "fallback" not in reading
        check_audio(client, reading)
        health = client.get("/healthz").get_json()
        assert health["engines"]["piper"]["state"] == "ok" and health["status"] == "ok"
        voices = client.get("/api/v1/voices").get_json()["voices"]
        assert voices[0]["engine"] == "piper" and voices[0]["default"]
        assert any(v["id"] == "espeak:sv" for v in voices)

    def test_a_request_can_choose_another_engines_voice(self, client, fixture_site):
        reading = read(client, f"{fixture_site}/{PAGE}", voice="espeak:sv")
        assert reading["voice"] == "espeak:sv"


def test_missing_piper_voice_is_reported_and_readings_use_espeak(tmp_path, app_config, fixture_site):
    from service import create_app

    app = create_app({**app_config, "ENGINE": "piper", "PIPER_VOICE": str(tmp_path / "nope.onnx")})
    client = app.test_client()
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["engines"]["piper"]["state"] == "missing_voice"
    reading = read(client, f"{fixture_site}/{PAGE}")
    assert reading["voice"] == "espeak:sv"


class TestGtts:
    @pytest.fixture
    def app_config(self, gtts_config):
        return gtts_config

    def test_reading_with_google(self, client, fixture_site):
        with fake_google("ok") as google:
            reading = read(client, f"{fixture_site}/{PAGE}")
        assert reading["voice"] == "gtts:sv" and "fallback" not in reading
        assert google.calls and all(c.verify is True and c.timeout for c in google.calls)
        assert all(len(t) <= 100 for t in google.texts)
        check_audio(client, reading)

    @pytest.mark.parametrize("mode", ["429", "500", "hang", "refuse"])
    def test_google_failing_continues_in_espeak_and_is_not_cached_as_gtts(self, app, client, fixture_site, mode):
        url = f"{fixture_site}/{PAGE}"
        with fake_google(mode):
            t0 = time.monotonic()
            r = client.post("/api/v1/readings", json={"url": url})
            first_audio = client.get(r.get_json()["audio_url"], buffered=False)
            next(first_audio.response)  # first bytes of playable audio
            waited = time.monotonic() - t0
            first_audio.close()
            reading = wait_ready(client, r.get_json()["id"])
        assert waited < 3.0  # the issue: fallback within 1 s of Google failing (plus fetch + extract)
        assert reading["voice"] == "espeak:sv"
        assert reading["fallback"]["requested"] == "gtts:sv"
        check_audio(client, reading)
        # Once Google answers again (breaker cool-down passed), the page is read by Google.
        time.sleep(0.6)
        with fake_google("ok"):
            again = client.post("/api/v1/readings", json={"url": url})
            assert again.status_code == 202  # the fallback audio was not kept as the gtts reading
            fixed = wait_ready(client, again.get_json()["id"])
        assert fixed["voice"] == "gtts:sv" and "fallback" not in fixed
        check_audio(client, fixed)

    def test_health_shows_the_open_circuit(self, app_config, fixture_site):
        from service import create_app

        client = create_app({**app_config, "GTTS_BREAKER_COOLDOWN": 60}).test_client()
        with fake_google("500"):
            read(client, f"{fixture_site}/{PAGE}")
            read(client, f"{fixture_site}/13-eldningsforbud.html")  # the second failure opens it
            health = client.get("/healthz").get_json()
        assert health["engines"]["gtts"]["state"] == "circuit_open"
        assert health["status"] == "degraded"
