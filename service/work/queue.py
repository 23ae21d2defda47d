"""The job queue (huey): the same page generation as a click, made ahead of time by workers.

`SqliteHuey` in the cache directory by default (no server needed); `RedisHuey` when
LYSSNA_REDIS_URL is set, so workers on many machines share one queue. A worker process builds its
`Services` once from its environment and runs `generate_page` tasks; the audio key's file lock
keeps two workers from making the same audio at once.

So that an admin page can tell "waiting in the queue" from "being made" from "nobody is there", a
task being executed has a marker `lyssna:running:<task id>` in huey's key-value store (set by the
worker when it starts the task, removed when it ends; a killed worker leaves it behind, and its
missing heartbeat tells that it is stale: see `service.work.worker`).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from huey import RedisHuey, SqliteHuey, signals
from huey.api import Huey, TaskWrapper

from service import config as config_mod
from service.reading.create import generate_page
from service.reading.services import Services, build_services

from .locks import shared_lock_for
from .refresh import run_pass

log = logging.getLogger(__name__)

QUEUE_NAME = "lyssna"
RUNNING_PREFIX = "lyssna:running:"
WORKER_ID_ENV = "LYSSNA_WORKER_ID"  # set by run_worker; inherited by its worker processes

_services: Services | None = None
_services_lock = threading.Lock()


def worker_services() -> Services:
    """This worker process's services, built once from LYSSNA_* environment variables."""
    global _services
    with _services_lock:
        if _services is None:
            _services = build_services(config_mod.load_config(), check_cache=False)
        return _services


def generate_page_task(url: str, options: dict | None = None, documents: bool = False) -> dict:
    """The queued task: the page generation of `service.reading.create` in this worker process;
    with Redis it holds a Redis lock for the audio key, so workers on other machines wait instead
    of repeating work. `documents`: the summary lists the page's same-site document links."""
    services = worker_services()
    return generate_page(services, url, options, shared_lock=shared_lock_for(services.config),
                         documents=documents)


def refresh_pages() -> None:
    """The scheduled refresh pass (LYSSNA_REFRESH_HOURS), run by one worker process. Returns
    nothing, so huey keeps no result nobody reads; the summary is in refresh.sqlite3."""
    summary = run_pass(worker_services())
    log.info("refresh pass: %s", summary.line())


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
    task = huey.task(retries=2, retry_delay=1, name="generate_page")(generate_page_task)
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
