"""The production server's application (granian, ASGI): audio natively, everything else through Flask.

Why: a listener's audio must not hold a thread. Here finished audio is sent from a small in-memory
copy of the files played most (one copy into the server's Rust core; measured faster than its file
reads), otherwise straight from the file by that core (ASGI `pathsend`) or by one `pread`; audio still being made is streamed by a coroutine per listener (`growing.py`) that
waits while the listener is slow (ASGI's flow control: a listener who does not read holds no more
than the socket's buffers), and only the API and the pages go to Flask, on a thread pool
(`wsgi_bridge.py`). `lyssna serve` starts granian with `create()` as the factory; what to answer
is `audio_files.decide()`'s, the same as the Flask route's.
"""
from __future__ import annotations

import asyncio
import collections
import os
import re
import threading

from flask import Flask

from service.errors import LyssnaError
from service.reading import metrics
from service.reading.warm import warm_up

from .app import create_app
from .audio_files import AudioAnswer, decide, finished
from .errors import error_json
from .growing import GrowingFiles
from .state import WebState
from .wsgi_bridge import WSGIBridge

_AUDIO = re.compile(r"/audio/([0-9a-f]{32})\.mp3")
WAIT_FOR_BYTES_S = 30.0
KNOWN_FOR_S = 10.0  # a finished file's path and size are remembered this long (they never change)
MEMORY_FILE_MAX = 4 * 1024 * 1024  # files larger than this are always sent from disk


class AudioMemory:
    """Recently played finished audio files, in memory (least recently used go first): a range
    request for a file in memory costs no file system work at all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._files: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, path: str) -> bytes | None:
        with self._lock:
            data = self._files.get(key)
            if data is not None:
                self._files.move_to_end(key)
                return data
        if self.max_bytes <= 0:
            return None
        try:
            if os.stat(path).st_size > min(MEMORY_FILE_MAX, self.max_bytes):
                return None
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        with self._lock:
            if key not in self._files:
                self._files[key] = data
                self.size += len(data)
                while self.size > self.max_bytes and self._files:
                    _, old = self._files.popitem(last=False)
                    self.size -= len(old)
        return data


class LyssnaASGI:
    """The ASGI application: /audio/<id>.mp3 here, the rest in Flask."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.state: WebState = app.extensions["lyssna"]
        readings = self.state.services.readings
        synthesizer = readings.synthesizer
        self.growing = GrowingFiles(readings.cache, synthesizer.failure, synthesizer.is_running, synthesizer.listening)
        self.memory = AudioMemory(int(float(app.config.get("AUDIO_MEMORY_MB") or 0) * 1024 * 1024))
        self.flask = WSGIBridge(app, int(app.config["MAX_CONTENT_LENGTH"]),
                                int(app.config.get("HTTP_THREADS") or 16))
        self._known: dict[str, tuple[float, str, str, int]] = {}  # reading id -> (until, key, path, size)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        m = _AUDIO.fullmatch(scope["path"])
        if m is None or scope["method"] not in ("GET", "HEAD"):
            await self.flask(scope, receive, send)
            return
        status = 500
        try:
            status = await self._audio(m.group(1), scope, receive, send)
        except LyssnaError as e:
            status = e.status
            await _respond(send, e.status, [("Content-Type", "application/json")], error_json(e.code, e.message))
        finally:
            metrics.REQUESTS.labels("/audio/<reading_id>.mp3", scope["method"], str(status)).inc()

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.flask.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _audio(self, reading_id: str, scope, receive, send) -> int:
        services = self.state.services
        headers = _Headers(scope["headers"])
        download = b"download=1" in scope["query_string"].split(b"&")
        loop = asyncio.get_running_loop()
        known = self._known.get(reading_id)
        if known is not None and known[0] > loop.time() and not download:
            _, key, path, size = known  # a finished file: no file system work at all
            answer = finished(path, key, headers.get, size=size)
        else:
            answer = decide(services, reading_id, headers.get, download=download)
            if answer.path is not None and answer.growing_key is None and answer.end is not None:
                if len(self._known) > 10_000:
                    self._known.clear()
                size = answer.end if answer.status == 200 else os.stat(answer.path).st_size
                self._known[reading_id] = (loop.time() + KNOWN_FOR_S, answer.key, answer.path, size)
        deadline = loop.time() + WAIT_FOR_BYTES_S
        while answer.status == 0:  # a range of audio not made yet
            if loop.time() > deadline:
                raise LyssnaError("Ljudet är inte klart än; försök igen. / The audio is not ready yet; try again.",
                                  code="not_ready", status=503)
            await asyncio.sleep(0.02)
            answer = decide(services, reading_id, headers.get, download=download)
        if scope["method"] == "HEAD" or (answer.path is None and answer.growing_key is None):
            await _respond(send, answer.status, answer.headers, b"")
        elif answer.path is None:  # the growing file, streamed from its start
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": _encode(answer.headers)})
            metrics.STREAMS.inc()
            try:
                whole = await _unless_gone(self.growing.stream(answer.growing_key, _body_sender(send), answer.start),
                                           receive)
            finally:
                metrics.STREAMS.dec()
            if whole:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif answer.growing_key is not None:  # bytes that exist of a growing file
            await _respond(send, answer.status, answer.headers, answer.read())
        else:
            await self._finished(answer, scope, send)
        return answer.status

    async def _finished(self, answer: AudioAnswer, scope, send) -> None:
        data = self.memory.get(answer.key, answer.path)
        if data is not None:  # one copy, by the server's core: faster than its file reads
            await _respond(send, answer.status, answer.headers,
                           data if answer.status == 200 else data[answer.start:answer.end])
        elif answer.status == 200 and "http.response.pathsend" in scope.get("extensions", {}):
            await send({"type": "http.response.start", "status": 200, "headers": _encode(answer.headers)})
            await send({"type": "http.response.pathsend", "path": answer.path})  # read by the server's core
        else:
            fd = os.open(answer.path, os.O_RDONLY)
            try:
                data = os.pread(fd, answer.length, answer.start)
            finally:
                os.close(fd)
            await _respond(send, answer.status, answer.headers, data)


class _Headers:
    """An ASGI request's headers by lower-case name (the first of repeated ones)."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw

    def get(self, name: str) -> str | None:
        wanted = name.encode("latin-1")
        for key, value in self._raw:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def _respond(send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": body})


async def _unless_gone(work, receive) -> bool:
    """Run `work` until done (True) or until the client disconnects (False: stopped at once, so a
    listener who left holds no file, no priority and no coroutine; the server does not say so when
    a send fails, only `receive` does)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait((task, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (task, gone):
            t.cancel()
        await asyncio.gather(task, gone, return_exceptions=True)
    if not task.done() or task.cancelled():
        return False
    task.result()  # what the work raised, raised here
    return True


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _body_sender(send):
    async def send_bytes(data: bytes) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": True})
    return send_bytes


def create() -> LyssnaASGI:
    """The factory granian calls in each worker process (warmed up before it takes requests)."""
    app = LyssnaASGI(create_app())
    warm_up(app.state.services)
    return app
