"""Background jobs with huey: the same page generation on a click and ahead of time.

`SqliteHuey` in the cache directory by default (no server needed); `RedisHuey` when
LYSSNA_REDIS_URL is set, so workers on many machines share one queue. A worker process builds the
pipeline once from its environment and runs `generate_page` tasks; the audio key's file lock keeps
two workers from making the same audio at once.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from dataclasses import dataclass

from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper

from . import config as config_mod
from .context import Pipeline, build_pipeline
from .errors import LyssnaError
from .pipeline import ReadingRequest, choose_engine, load_document

QUEUE_NAME = "lyssna"

_pipeline: Pipeline | None = None
_pipeline_lock = threading.Lock()


def worker_pipeline() -> Pipeline:
    """This process's pipeline, built once from LYSSNA_* environment variables."""
    global _pipeline
    with _pipeline_lock:
        if _pipeline is None:
            _pipeline = build_pipeline(config_mod.load_config())
        return _pipeline


def generate_page(url: str, options: dict | None = None) -> dict:
    """The queued task: `generate_page_with` on this worker process's pipeline; with Redis it holds
    a Redis lock for the audio key, so workers on other machines wait instead of repeating work."""
    pipeline = worker_pipeline()
    shared = _shared_lock(pipeline.config)
    return generate_page_with(pipeline, url, options, shared_lock=shared)


_locks: dict[str, object] = {}


def _shared_lock(config: dict):
    """With Redis (workers on several machines) a Redis lock per audio key; else None: the cache's
    flock already keeps two processes on one machine from making the same audio."""
    url = config.get("REDIS_URL")
    if not url:
        return None
    if url not in _locks:
        from .locks import redis_lock_factory

        _locks[url] = redis_lock_factory(url)
    return _locks[url]


def generate_page_with(pipeline: Pipeline, url: str, options: dict | None = None,
                       shared_lock=None) -> dict:
    """Fetch, extract, plan and make the audio of one page; a summary a person can read.

    Never raises for a page's own problems (not allowed, not found, nothing to read): those are
    outcomes to report, not reasons to retry. Anything else propagates, so huey retries it.
    """
    options = dict(options or {})
    stats = pipeline.readings.generator.stats
    before = stats["sentences"]
    try:
        req = ReadingRequest.from_mapping({"url": url, **options})
        if req.rate is None:
            req.rate = pipeline.config["RATE"]
        engine, voice = choose_engine(req.voice or pipeline.config.get("VOICE") or None,
                                      pipeline.config, pipeline.engine_for)
        doc = load_document(req, pipeline.config, pipeline.sites)
        outcome, reading = pipeline.readings.create_now(doc, engine, voice, req.rate, shared_lock)
    except LyssnaError as e:
        return {"url": url, "outcome": "failed", "error": e.code, "message": e.message,
                "sentences_synthesized": stats["sentences"] - before}
    return {"url": url, "outcome": outcome, "reading_id": reading["id"],
            "duration_ms": reading["duration_ms"], "sentence_count": reading["sentence_count"],
            "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}


@dataclass
class Queue:
    """The huey instance for a configuration and its registered task."""

    huey: Huey
    generate: TaskWrapper  # call generate(url, options) to enqueue; returns a huey Result


def make_queue(config: dict, *, immediate: bool = False) -> Queue:
    """SqliteHuey in the cache directory, or RedisHuey when REDIS_URL is set."""
    if config.get("REDIS_URL"):
        huey: Huey = RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], immediate=immediate)
    else:
        path = Path(config["CACHE_DIR"]) / "jobs.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(path), immediate=immediate, timeout=30)
    task = huey.task(retries=2, retry_delay=1, name="generate_page")(generate_page)
    return Queue(huey, task)


def run_worker(config: dict, workers: int) -> None:
    """Consume jobs with `workers` processes (espeak-ng and Piper then use every core)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    queue = make_queue(config)
    consumer = queue.huey.create_consumer(workers=workers, worker_type="process", periodic=False,
                                          initial_delay=0.05, max_delay=0.5, backoff=1.5)
    consumer.run()
