"""Prometheus metrics: what an operator watches on a busy morning.

Defined once here and recorded where things happen (requests in the web layer, readings and
fetches in `create`, synthesis in `synthesis`); `/metrics` (web) shows them when LYSSNA_METRICS is
set. Under several serving processes `lyssna serve` points PROMETHEUS_MULTIPROC_DIR at a fresh
directory before any process imports prometheus_client, so every process writes its share and
`/metrics` adds them up.
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUESTS = Counter("lyssna_http_requests_total", "HTTP requests answered, by route and status.",
                   ["route", "method", "status"])
READINGS = Counter("lyssna_readings_total", "Readings asked for: hit (audio already made) or miss.", ["result"])
FIRST_AUDIO = Histogram("lyssna_first_audio_seconds",
                        "From a reading's audio being asked for to its first sentence being playable.",
                        buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0, 30.0))
SPEECH = Counter("lyssna_speech_seconds_total", "Seconds of speech synthesized, by engine.", ["engine"])
QUEUE = Gauge("lyssna_synthesis_queue", "Readings waiting for or being synthesized in this process.",
              multiprocess_mode="livesum")
STREAMS = Gauge("lyssna_audio_streams", "Listeners streaming audio that is still being made.",
                multiprocess_mode="livesum")
FETCH_ERRORS = Counter("lyssna_fetch_errors_total", "Pages that could not be fetched, by kind.", ["kind"])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def exposition() -> bytes:
    """Every metric in Prometheus' text format, summed over the serving processes when there are several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
