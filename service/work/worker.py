"""`lyssna worker`: processes that run queued jobs, say they are alive, and keep the refresh schedule.

Every `lyssna worker` writes a heartbeat every few seconds (`Heartbeats`: a small file per worker
in <CACHE_DIR>/workers, or a Redis hash with LYSSNA_REDIS_URL), so the admin can tell "waiting for
a worker" from "nobody is there" and a page whose worker died can be queued again. The same tick
starts the scheduled refresh pass when LYSSNA_REFRESH_HOURS is set.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path

from huey.consumer import Consumer

from service.reading.services import check
from service.store.audio_cache import AudioCache
from service.store.files import read_json, write_json_atomic

from .queue import WORKER_ID_ENV, Queue, make_queue
from .refresh import claim_scheduled_pass

log = logging.getLogger(__name__)

HEARTBEAT_S = 3.0  # a worker says it is alive this often
HEARTBEAT_TTL_S = 15.0  # and is presumed gone after this long without a word


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


class Keeper:
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


class WorkerConsumer(Consumer):
    """huey's consumer, ticking the keeper between its own checks (same thread as the forks)."""

    keeper: Keeper | None = None

    def loop(self, health_check_ts=None):
        health_check_ts = super().loop(health_check_ts)
        if self.keeper is not None:
            self.keeper.tick()
        return health_check_ts


def run_worker(config: dict, workers: int) -> None:
    """Consume jobs with `workers` processes (espeak-ng and Piper then use every core)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    check(AudioCache(config["CACHE_DIR"]))  # once here, not in every job process (see build_services)
    me = worker_id()
    os.environ[WORKER_ID_ENV] = me  # the worker processes inherit it for their running markers
    queue = make_queue(config)
    consumer = WorkerConsumer(queue.huey, workers=workers, worker_type="process", periodic=False,
                              initial_delay=0.05, max_delay=0.5, backoff=1.5)
    consumer.keeper = Keeper(config, queue, me, workers)
    try:
        consumer.run()
    finally:
        consumer.keeper.close()
