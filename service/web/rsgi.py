"""The production server's application (granian, RSGI): audio natively, everything else through Flask.

Why: a listener's audio must not hold a thread. Here finished audio is sent by the server's Rust
core straight from the file (or from a small in-memory copy of files many people play), audio
still being made is streamed by a coroutine per listener (`growing.py`), and only the API and the
pages go to Flask, on a thread pool (`wsgi_bridge.py`). `lyssna serve` starts granian with
`create()` as the factory; the decisions about what to answer are `audio_files.decide()`'s, the
same as the Flask route's.
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


class LyssnaRSGI:
    """The RSGI application: /audio/<id>.mp3 here, the rest in Flask."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.state: WebState = app.extensions["lyssna"]
        readings = self.state.services.readings
        self.growing = GrowingFiles(readings.cache, lambda key: readings.synthesizer.failure(key) is not None)
        self.memory = AudioMemory(int(float(app.config.get("AUDIO_MEMORY_MB") or 0) * 1024 * 1024))
        self.flask = WSGIBridge(app, int(app.config["MAX_CONTENT_LENGTH"]),
                                int(app.config.get("HTTP_THREADS") or 16))
        self._known: dict[str, tuple[float, str, str, int]] = {}  # reading id -> (until, key, path, size)

    def __rsgi_init__(self, loop) -> None:
        pass

    def __rsgi_del__(self, loop) -> None:
        self.flask.close()

    async def __rsgi__(self, scope, protocol) -> None:
        if scope.proto != "http":
            return
        m = _AUDIO.fullmatch(scope.path)
        if m is None or scope.method not in ("GET", "HEAD"):
            await self.flask(scope, protocol)
            return
        status = 500
        try:
            status = await self._audio(m.group(1), scope, protocol)
        except LyssnaError as e:
            status = e.status
            protocol.response_bytes(e.status, [("Content-Type", "application/json")], error_json(e.code, e.message))
        finally:
            metrics.REQUESTS.labels("/audio/<reading_id>.mp3", scope.method, str(status)).inc()

    async def _audio(self, reading_id: str, scope, protocol) -> int:
        services = self.state.services
        download = "download=1" in scope.query_string.split("&")
        loop = asyncio.get_running_loop()
        known = self._known.get(reading_id)
        if known is not None and known[0] > loop.time() and not download:
            _, key, path, size = known  # a finished file: no file system work at all
            answer = finished(path, key, scope.headers.get, size=size)
        else:
            answer = decide(services, reading_id, scope.headers.get, download=download)
            if answer.path is not None and answer.growing_key is None and answer.end is not None:
                if len(self._known) > 10_000:
                    self._known.clear()
                size = answer.end if answer.status == 200 else os.stat(answer.path).st_size
                self._known[reading_id] = (loop.time() + KNOWN_FOR_S, answer.key, answer.path, size)
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_BYTES_S
        while answer.status == 0:  # a range of audio not made yet
            if asyncio.get_running_loop().time() > deadline:
                raise LyssnaError("Ljudet är inte klart än; försök igen. / The audio is not ready yet; try again.",
                                  code="not_ready", status=503)
            await asyncio.sleep(0.02)
            answer = decide(services, reading_id, scope.headers.get, download=download)
        if scope.method == "HEAD" or (answer.path is None and answer.growing_key is None):
            protocol.response_empty(answer.status, answer.headers)
        elif answer.path is None:  # the growing file, streamed from its start
            transport = protocol.response_stream(answer.status, answer.headers)
            metrics.STREAMS.inc()
            try:
                await self.growing.stream(answer.growing_key, transport.send_bytes, answer.start)
            finally:
                metrics.STREAMS.dec()
        elif answer.growing_key is not None:  # bytes that exist of a growing file
            protocol.response_bytes(answer.status, answer.headers, answer.read())
        else:
            self._finished(answer, protocol)
        return answer.status

    def _finished(self, answer: AudioAnswer, protocol) -> None:
        data = self.memory.get(answer.key, answer.path)
        if data is not None:
            protocol.response_bytes(answer.status, answer.headers, data[answer.start:answer.end])
        elif answer.status == 200:
            protocol.response_file(200, answer.headers, answer.path)
        else:
            protocol.response_file_range(answer.status, answer.headers, answer.path, answer.start, answer.end)


def create() -> LyssnaRSGI:
    """The factory granian calls in each worker process."""
    return LyssnaRSGI(create_app())
