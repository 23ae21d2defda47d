"""/metrics in Prometheus' format: off unless LYSSNA_METRICS is set, protected by its token, and
summed over every serving process."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from service import create_app

from .conftest import free_port
from .helpers import stop, wait_ready

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def value(text: str, name: str, **labels) -> float:
    """The sample of `name` with exactly these labels (0 when there is none)."""
    for line in text.splitlines():
        m = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if m and dict(re.findall(r'(\w+)="([^"]*)"', m.group(1))) == labels:
            return float(m.group(2))
    return 0.0


def test_no_metrics_unless_asked_for(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token_and_count_what_happened(tmp_path, fixture_site):
    app = create_app({"CACHE_DIR": str(tmp_path / "c"), "SITES": [fixture_site], "METRICS": "hemlig-token"})
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer fel"}).status_code == 401
    before = client.get("/metrics", headers={"Authorization": "Bearer hemlig-token"}).get_data(as_text=True)
    reading = client.post("/api/v1/readings", json={"url": f"{fixture_site}/01-sormland-jobbar-smartare.html"})
    made = wait_ready(client, reading.get_json()["id"])
    client.post("/api/v1/readings", json={"url": f"{fixture_site}/01-sormland-jobbar-smartare.html"})
    client.post("/api/v1/readings", json={"url": f"{fixture_site}/finns-inte.html"})
    r = client.get("/metrics", headers={"Authorization": "Bearer hemlig-token"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    text = r.get_data(as_text=True)
    assert value(text, "lyssna_readings_total", result="miss") >= 1
    assert value(text, "lyssna_readings_total", result="hit") >= 1
    assert value(text, "lyssna_fetch_errors_total", kind="http_error") >= 1
    assert value(text, "lyssna_http_requests_total", route="/api/v1/readings", method="POST", status="202") >= 1
    assert value(text, "lyssna_http_requests_total", route="/api/v1/readings", method="POST", status="502") >= 1
    # The reading's speech was synthesized here, by espeak-ng (its sentences' sound, without the
    # pauses between them), and its first audio was timed once.
    spoken = value(text, "lyssna_speech_seconds_total", engine="espeak") - value(before, "lyssna_speech_seconds_total", engine="espeak")
    assert 0.5 * made["duration_ms"] / 1000 < spoken <= made["duration_ms"] / 1000
    first = plain(text, "lyssna_first_audio_seconds_count") - plain(before, "lyssna_first_audio_seconds_count")
    assert first == 1
    assert plain(text, "lyssna_synthesis_queue") == 0  # nothing left to make
    assert plain(text, "lyssna_audio_streams") == 0


def plain(text: str, name: str) -> float:
    """A sample without labels."""
    return float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))


def test_open_metrics_need_no_token(tmp_path):
    app = create_app({"CACHE_DIR": str(tmp_path / "c"), "METRICS": "open"})
    assert app.test_client().get("/metrics").status_code == 200


def test_metrics_add_up_over_every_serving_process(tmp_path):
    port = free_port()
    env = {**os.environ, "LYSSNA_PORT": str(port), "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "LYSSNA_HTTP_WORKERS": "2", "LYSSNA_METRICS": "open", "PYTHONPATH": ROOT}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(origin + "/widget.js", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                time.sleep(0.2)
        for _ in range(40):  # new connections: both processes take some
            urllib.request.urlopen(origin + "/healthz", timeout=10).read()
        text = urllib.request.urlopen(origin + "/metrics", timeout=10).read().decode()
        assert value(text, "lyssna_http_requests_total", route="/healthz", method="GET", status="200") == 40
    finally:
        stop(proc)
