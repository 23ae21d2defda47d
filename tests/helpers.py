"""Small helpers for tests that drive the real app."""
from __future__ import annotations

import time
import warnings

import miniaudio

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # stdlib until 3.12, audioop-lts after (pydub needs it anyway)


def wait_ready(client, reading_id: str, timeout: float = 60.0) -> dict:
    """Poll GET /api/v1/readings/<id> until it is ready or failed."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/v1/readings/{reading_id}")
        assert r.status_code == 200, r.get_json()
        reading = r.get_json()
        if reading["status"] != "generating":
            return reading
        if time.monotonic() > deadline:
            raise AssertionError(f"reading {reading_id} still generating after {timeout}s")
        time.sleep(0.05)


def decode_mp3(data: bytes) -> tuple[list[int] | memoryview, int, float]:
    """Decode with miniaudio (a real MP3 decoder); returns (samples, sample_rate, duration_ms)."""
    decoded = miniaudio.decode(data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
    samples = decoded.samples
    return samples, decoded.sample_rate, len(samples) / decoded.sample_rate * 1000.0


def rms(samples) -> float:
    """Root mean square of 16-bit samples (array('h') or a slice of one)."""
    if len(samples) == 0:
        return 0.0
    return float(audioop.rms(samples.tobytes(), 2))


def all_sentences(reading: dict) -> list[dict]:
    return [s for b in reading["blocks"] for s in b["sentences"]]


def reading_text(reading: dict) -> str:
    return "\n".join(s["text"] for s in all_sentences(reading))


def until(condition, timeout: float = 10.0, step: float = 0.01) -> bool:
    """Whether `condition()` became true within `timeout` seconds (asked every `step`)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def stop(proc) -> None:
    """End a served process started by a test: politely, then for sure."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
