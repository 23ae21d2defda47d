"""`lyssna serve` checks the whole configuration before it listens: a value it cannot use stops it
with exit code 2 and a line naming the setting, what is wrong (Swedish, then English), and nothing
listens. Each category of bad value goes through the real command; a good configuration still starts."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import free_port
from .helpers import stop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def serve(tmp_path, settings: dict[str, str], timeout: float = 60) -> tuple[subprocess.CompletedProcess, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LYSSNA_")}
    env.update({"LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT, **settings})
    r = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                       cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    return r, port


def nothing_listens(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def a_file(tmp_path) -> str:
    (tmp_path / "a-file").write_text("not a directory")
    return str(tmp_path / "a-file" / "cache")


# (setting, bad value, words the Swedish half must have): one case per category of mistake.
BAD = [
    pytest.param("LYSSNA_CACHE_MAX_MB", "två gigabyte", "tal", id="not-a-number"),
    pytest.param("LYSSNA_WORKERS", "2.5", "heltal", id="not-a-whole-number"),
    pytest.param("LYSSNA_RATE", "3", "från 0.5 till 2", id="number-out-of-range"),
    pytest.param("LYSSNA_PORT", "70000", "från 1 till 65535", id="port-out-of-range"),
    pytest.param("LYSSNA_FETCH_TIMEOUT", "0", "större än 0", id="zero-where-it-must-be-positive"),
    pytest.param("LYSSNA_CLIENT_READINGS_PER_MINUTE", "-5", "från 0", id="negative-count"),
    pytest.param("LYSSNA_ENGINE", "festival", "okänd talmotor", id="unknown-engine"),
    pytest.param("LYSSNA_VOICE", "klingon", "ingen röst", id="voice-the-engine-lacks"),
    pytest.param("LYSSNA_VOICES", "espeak, festival", "okänd talmotor", id="unknown-engine-in-voices"),
    pytest.param("LYSSNA_VOICES", "piper", "LYSSNA_ENGINE", id="voices-leaving-out-the-engine"),
    pytest.param("LYSSNA_DEMO", "kanske", "true eller false", id="not-a-flag"),
    pytest.param("LYSSNA_REDIS_URL", "localhost:6379", "redis://", id="redis-url-without-scheme"),
    pytest.param("LYSSNA_VOICES_URL", "huggingface.co/rhasspy", "https://", id="voices-url-without-scheme"),
    pytest.param("LYSSNA_PUBLIC_URL", "https://lyssna.kommun.se/?x=1", "https://",
                 id="public-url-with-query"),
    pytest.param("LYSSNA_TRUSTED_PROXIES", "10.0.0.1, proxy.kommun.se", "IP-adress",
                 id="proxy-not-an-address"),
    pytest.param("LYSSNA_SITES", "https://www.kommun.se/nyheter", "ursprung", id="site-with-a-path"),
    pytest.param("LYSSNA_HOST", "http://0.0.0.0", "IP-adress", id="host-with-a-scheme"),
    pytest.param("LYSSNA_PIPER_VOICE", "/nowhere/sv.onnx", "Piper-röst", id="voice-file-missing"),
    pytest.param("LYSSNA_CACHE_DIR", a_file, "går inte att skapa", id="cache-dir-not-creatable"),
    pytest.param("LYSSNA_SITES", '["https://a.se"', "JSON", id="broken-json-list"),
]


@pytest.mark.parametrize("setting, value, said", BAD)
def test_a_setting_serve_cannot_use_stops_it_before_it_listens(tmp_path, setting, value, said):
    value = value(tmp_path) if callable(value) else value
    r, port = serve(tmp_path, {setting: value})
    assert r.returncode == 2, r.stdout + r.stderr
    line = next((x for x in r.stderr.splitlines() if setting in x), "")
    assert line.startswith(f"lyssna: {setting}="), r.stderr
    swedish, _, english = line.partition(" / ")
    assert said in swedish and "kan inte användas" in swedish and "cannot be used" in english, line
    assert "Traceback" not in r.stderr
    assert "lyssnar" not in r.stdout and "Listening" not in r.stdout + r.stderr  # never said it listens
    assert nothing_listens(port)


def test_every_bad_setting_is_named_at_once(tmp_path):
    """Fixing one value and starting again to find the next wastes an operator's morning."""
    r, _ = serve(tmp_path, {"LYSSNA_RATE": "snabb", "LYSSNA_PORT": "noll", "LYSSNA_ENGINE": "sam"})
    assert r.returncode == 2
    named = {line.removeprefix("lyssna: ").split("=", 1)[0] for line in r.stderr.splitlines()}
    assert named == {"LYSSNA_RATE", "LYSSNA_PORT", "LYSSNA_ENGINE"}, r.stderr


def test_secrets_are_not_echoed(tmp_path):
    r, _ = serve(tmp_path, {"LYSSNA_PIPER_VOICE": "/nowhere/x.onnx",
                            "LYSSNA_ADMIN_PASSWORD": "hemligt-lösen"})
    assert r.returncode == 2 and "hemligt-lösen" not in r.stdout + r.stderr


def test_a_good_configuration_with_every_kind_of_value_still_starts(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LYSSNA_")}
    env.update({"PYTHONPATH": ROOT, "LYSSNA_CACHE_DIR": str(tmp_path / "new" / "cache"),
                "LYSSNA_SITES": "https://www.kommun.se, http://localhost:8080, https://*.kommun.se",
                "LYSSNA_POSTED_HTML_SITES": '["https://www.kommun.se"]', "LYSSNA_RATE": "1,2",
                "LYSSNA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8, ::1", "LYSSNA_ENGINE": "espeak",
                "LYSSNA_VOICE": "sv", "LYSSNA_VOICES": "espeak, espeak:en, gtts", "LYSSNA_DEMO": "ja",
                "LYSSNA_PUBLIC_URL": "https://lyssna.kommun.se/", "LYSSNA_CACHE_MAX_MB": "0",
                "LYSSNA_REFRESH_HOURS": "0", "LYSSNA_HTTP_WORKERS": "1", "LYSSNA_GTTS_TLD": "se",
                "LYSSNA_VOICES_URL": "https://example.org/voices/", "LYSSNA_HOST": "127.0.0.1"})
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "lyssnar" in proc.stdout.readline()
        sites = proc.stdout.readline()  # the allowed origins, where an editor refused by the player looks
        assert "https://www.kommun.se, http://localhost:8080, https://*.kommun.se" in sites
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/", timeout=2) as r:
                    assert r.status == 200  # DEMO=ja turned the demo on although SITES is set
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        stop(proc)
