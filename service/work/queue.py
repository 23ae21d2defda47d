"""Background jobs with huey: the same page generation on a click and ahead of time.

`SqliteHuey` in the cache directory by default (no server needed); `RedisHuey` when
LYSSNA_REDIS_URL is set, so workers on many machines share one queue. A worker process builds the
pipeline once from its environment and runs `generate_page` tasks; the audio key's file lock keeps
two workers from making the same audio at once.

So that an admin page can tell "waiting in the queue" from "being made" from "nobody is there":
- a task being executed has a marker `lyssna:running:<task id>` in huey's key-value store (set by
  the worker when it starts the task, removed when it ends; a killed worker leaves it behind, and
  its missing heartbeat tells that it is stale);
- every `lyssna worker` writes a heartbeat every few seconds (`Heartbeats`: a small file per worker
  in <CACHE_DIR>/workers, or a Redis hash with LYSSNA_REDIS_URL).
The same heartbeat thread starts the scheduled refresh pass when LYSSNA_REFRESH_HOURS is set.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from huey import RedisHuey, SqliteHuey, signals
from huey.consumer import Consumer
from huey.api import Huey, TaskWrapper

from service import config as config_mod
from service.reading.services import Pipeline, build_pipeline
from service.errors import LyssnaError
from service.reading.request import ReadingRequest, choose_engine, load_document

log = logging.getLogger(__name__)

QUEUE_NAME = "lyssna"
RUNNING_PREFIX = "lyssna:running:"
HEARTBEAT_S = 3.0  # a worker says it is alive this often
HEARTBEAT_TTL_S = 15.0  # and is presumed gone after this long without a word
WORKER_ID_ENV = "LYSSNA_WORKER_ID"  # set by run_worker; inherited by its worker processes

_pipeline: Pipeline | None = None
_pipeline_lock = threading.Lock()


def worker_pipeline() -> Pipeline:
    """This process's pipeline, built once from LYSSNA_* environment variables."""
    global _pipeline
    with _pipeline_lock:
        if _pipeline is None:
            _pipeline = build_pipeline(config_mod.load_config(), check_cache=False)
        return _pipeline


def generate_page(url: str, options: dict | None = None) -> dict:
    """The queued task: `generate_page_with` on this worker process's pipeline; with Redis it holds
    a Redis lock for the audio key, so workers on other machines wait instead of repeating work."""
    pipeline = worker_pipeline()
    shared = _shared_lock(pipeline.config)
    return generate_page_with(pipeline, url, options, shared_lock=shared)


def refresh_pages() -> None:
    """The scheduled refresh pass (LYSSNA_REFRESH_HOURS), run by one worker process. Returns
    nothing, so huey keeps no result nobody reads; the summary is in refresh.sqlite3."""
    from .refresh import run_pass

    summary = run_pass(worker_pipeline())
    log.info("refresh pass: %s", summary.line())


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
        outcome, reading = pipeline.readings.create_now(doc, engine, voice, req.rate, shared_lock,
                                                        request={"content": req.content, "skip": req.skip,
                                                                 "voice": req.voice})
    except LyssnaError as e:
        return {"url": url, "outcome": "failed", "error": e.code, "message": e.message,
                "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}
    return {"url": url, "outcome": outcome, "reading_id": reading["id"],
            "duration_ms": reading["duration_ms"], "sentence_count": reading["sentence_count"],
            "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}


@dataclass
class Queue:
    """The huey instance for a configuration and its registered tasks."""

    huey: Huey
    generate: TaskWrapper  # call generate(url, options) to enqueue; returns a huey Result
    refresh: TaskWrapper  # call refresh() to enqueue one refresh pass

    def running_markers(self, task_ids: list[str]) -> dict[str, dict]:
        """task id -> who runs it ({"worker", "pid", "t"}) for the tasks being executed now."""
        keys = [RUNNING_PREFIX + t for t in task_ids]
        found = _peek_many(self.huey, keys)
        return {k[len(RUNNING_PREFIX):]: v for k, v in found.items()}

    def results(self, task_ids: list[str]) -> dict[str, object]:
        """task id -> stored result (a dict, or huey's Error) for the tasks that have one; the
        results stay in the store until `forget` (so several readers can race safely)."""
        return _peek_many(self.huey, list(task_ids))

    def forget(self, task_id: str) -> None:
        self.huey.delete(task_id)
        self.huey.delete(RUNNING_PREFIX + task_id)


def _peek_many(huey: Huey, keys: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in range(0, len(keys), 400):  # SQLite's parameter limit
        chunk = keys[i:i + 400]
        if not chunk:
            continue
        for key, raw in huey.storage.peek_many(chunk).items():
            key = key.decode() if isinstance(key, bytes) else key
            try:
                out[key] = huey.serializer.deserialize(raw)
            except Exception:  # a value another version wrote: not ours to judge
                continue
    return out


def make_queue(config: dict, *, immediate: bool = False) -> Queue:
    """SqliteHuey in the cache directory, or RedisHuey when REDIS_URL is set."""
    if config.get("REDIS_URL"):
        huey: Huey = RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], immediate=immediate)
    else:
        path = Path(config["CACHE_DIR"]) / "jobs.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(path), immediate=immediate, timeout=30)
    task = huey.task(retries=2, retry_delay=1, name="generate_page")(generate_page)
    refresh = huey.task(retries=0, name="refresh_pages")(refresh_pages)

    @huey.signal(signals.SIGNAL_EXECUTING)
    def _started(signal, task, *args, **kwargs):  # runs in the worker process
        if task.name == "generate_page":
            huey.put(RUNNING_PREFIX + task.id, {"worker": os.environ.get(WORKER_ID_ENV, ""),
                                                 "pid": os.getpid(), "t": time.time()})

    @huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR, signals.SIGNAL_INTERRUPTED)
    def _ended(signal, task, *args, **kwargs):
        if task.name == "generate_page":
            huey.delete(RUNNING_PREFIX + task.id)

    return Queue(huey, task, refresh)


# -- worker heartbeats -----------------------------------------------------------------------------


class Heartbeats:
    """Which `lyssna worker` processes are alive: {"id", "host", "pid", "workers", "t"} each.

    Files in <CACHE_DIR>/workers (one per worker, rewritten every HEARTBEAT_S), or with Redis one
    hash shared by every machine. Entries older than HEARTBEAT_TTL_S count as gone.
    """

    REDIS_KEY = "lyssna:workers"

    def __init__(self, config: dict):
        self._redis = None
        self._dir = Path(config["CACHE_DIR"]) / "workers"
        if config.get("REDIS_URL"):
            import redis

            self._redis = redis.Redis.from_url(config["REDIS_URL"])

    def beat(self, worker_id: str, info: dict) -> None:
        data = {**info, "id": worker_id, "t": time.time()}
        if self._redis is not None:
            self._redis.hset(self.REDIS_KEY, worker_id, json.dumps(data))
            return
        from service.store.audio_cache import write_json_atomic

        self._dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self._dir / f"{_safe(worker_id)}.json", data, durable=False)

    def remove(self, worker_id: str) -> None:
        if self._redis is not None:
            self._redis.hdel(self.REDIS_KEY, worker_id)
        else:
            (self._dir / f"{_safe(worker_id)}.json").unlink(missing_ok=True)

    def alive(self) -> list[dict]:
        now = time.time()
        entries: list[dict] = []
        if self._redis is not None:
            for field, raw in self._redis.hgetall(self.REDIS_KEY).items():
                try:
                    data = json.loads(raw)
                except ValueError:
                    continue
                if now - float(data.get("t", 0)) <= HEARTBEAT_TTL_S:
                    entries.append(data)
                elif now - float(data.get("t", 0)) > 86400:
                    self._redis.hdel(self.REDIS_KEY, field)
            return entries
        from service.store.audio_cache import read_json

        if not self._dir.is_dir():
            return entries
        for path in self._dir.glob("*.json"):
            data = read_json(path)
            if not isinstance(data, dict):
                continue
            age = now - float(data.get("t", 0))
            if age <= HEARTBEAT_TTL_S:
                entries.append(data)
            elif age > 86400:
                path.unlink(missing_ok=True)
        return entries


def _safe(worker_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in worker_id)[:200]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Keeper:
    """The worker's heartbeat, and the refresh schedule (one pass every LYSSNA_REFRESH_HOURS).

    Ticked from the consumer's own main loop, never from a thread: huey forks its job processes
    (and re-forks dead ones) from that loop, and a fork taken while another thread holds a lock
    (logging, SQLite, a Redis pool) leaves the child waiting on it forever.
    """

    def __init__(self, config: dict, queue: Queue, me: str, workers: int) -> None:
        self.config, self.queue, self.me = config, queue, me
        self.beats = Heartbeats(config)
        self.hours = config.get("REFRESH_HOURS")
        self.info = {"host": socket.gethostname(), "pid": os.getpid(), "workers": workers,
                     "started": time.time()}
        self.due = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if now < self.due:
            return
        self.due = now + HEARTBEAT_S
        try:
            self.beats.beat(self.me, self.info)
            if self.hours:
                from .refresh import claim_scheduled_pass

                if claim_scheduled_pass(self.config, float(self.hours)):
                    log.info("refresh pass due (every %s h): queued", self.hours)
                    self.queue.refresh()
        except Exception:  # a missed beat is not worth stopping the worker for
            log.exception("heartbeat failed")

    def close(self) -> None:
        try:
            self.beats.remove(self.me)
        except Exception:
            pass


class _Consumer(Consumer):
    """huey's consumer, ticking the keeper between its own checks (same thread as the forks)."""

    keeper: _Keeper | None = None

    def loop(self, health_check_ts=None):
        health_check_ts = super().loop(health_check_ts)
        if self.keeper is not None:
            self.keeper.tick()
        return health_check_ts


def run_worker(config: dict, workers: int) -> None:
    """Consume jobs with `workers` processes (espeak-ng and Piper then use every core)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    from service.store.audio_cache import AudioCache
    from service.reading.services import check

    check(AudioCache(config["CACHE_DIR"]))  # once here, not in every job process (see build_pipeline)
    me = worker_id()
    os.environ[WORKER_ID_ENV] = me  # the worker processes inherit it for their running markers
    queue = make_queue(config)
    consumer = _Consumer(queue.huey, workers=workers, worker_type="process", periodic=False,
                         initial_delay=0.05, max_delay=0.5, backoff=1.5)
    consumer.keeper = _Keeper(config, queue, me, workers)
    try:
        consumer.run()
    finally:
        consumer.keeper.close()
