"""A lock shared by workers on several machines (Redis), that a killed worker cannot leave behind.

On one machine the cache's flock is enough (the kernel drops it when a process dies). Across
machines, the lock lives in Redis with a short expiry that a keeper thread renews while the work
goes on; a worker killed with SIGKILL stops renewing and its lock is gone within `ttl_s`.
"""
from __future__ import annotations

import threading


class Busy(Exception):
    """Another worker holds the lock."""


class RedisLock:
    def __init__(self, client, name: str, ttl_s: float = 15.0):
        self._lock = client.lock(name, timeout=ttl_s, blocking=False)
        self._ttl = ttl_s
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    def __enter__(self) -> "RedisLock":
        if not self._lock.acquire(blocking=False):
            raise Busy(self._lock.name)
        self._keeper = threading.Thread(target=self._keep, daemon=True, name="lyssna-lock-keeper")
        self._keeper.start()
        return self

    def _keep(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            try:
                self._lock.reacquire()
            except Exception:  # lost it (expired or Redis gone): the flock still guards this machine
                return

    def __exit__(self, *exc) -> None:
        self._stop.set()
        try:
            self._lock.release()
        except Exception:
            pass


def redis_lock_factory(url: str, ttl_s: float = 15.0):
    """key -> a non-blocking context manager that raises Busy when another worker holds it."""
    import redis

    client = redis.Redis.from_url(url)
    return lambda key: RedisLock(client, f"lyssna:audio-lock:{key}", ttl_s)


_factories: dict[str, object] = {}


def shared_lock_for(config: dict):
    """With Redis (workers on several machines) a Redis lock per audio key; else None: the cache's
    flock already keeps two processes on one machine from making the same audio."""
    url = config.get("REDIS_URL")
    if not url:
        return None
    if url not in _factories:
        _factories[url] = redis_lock_factory(url)
    return _factories[url]
