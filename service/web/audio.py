"""Audio delivery through Flask: `GET /audio/<id>.mp3` for the dev server and the tests.

Production serves audio from `web/asgi.py` without a thread per listener; both carry out the
same answer from `audio_files.decide()`. A finished file is immutable (its name is a content hash);
audio still being made streams from its .part file and continues until the job finishes (the file
is renamed, same inode, when done, so the stream we hold simply reaches its end).
"""
from __future__ import annotations

import os
import time

from flask import Blueprint, Response, request
from werkzeug.wsgi import FileWrapper

from service.errors import LyssnaError
from service.reading.synthesis import Synthesizer
from service.store.audio_cache import AudioCache

from .audio_files import AudioAnswer, decide
from .state import services

bp = Blueprint("audio", __name__)

STREAM_POLL_S = 0.05
STREAM_FIRST_POLL_S = 0.005  # until the first bytes: a listener is waiting for sound to start
STREAM_IDLE_LIMIT_S = 120.0  # give up on a stream that made no progress for this long
WAIT_FOR_BYTES_S = 30.0  # a range of audio not made yet: how long to wait for its first byte


@bp.get("/audio/<reading_id>.mp3")
def get_audio(reading_id: str):
    svc = services()
    download = request.args.get("download") == "1"
    deadline = time.monotonic() + WAIT_FOR_BYTES_S
    answer = decide(svc, reading_id, request.headers.get, download=download)
    while answer.status == 0:  # a range of bytes still to be made
        if time.monotonic() > deadline:
            raise LyssnaError("Ljudet är inte klart än; försök igen. / The audio is not ready yet; try again.",
                              code="not_ready", status=503)
        time.sleep(STREAM_FIRST_POLL_S * 4)
        answer = decide(svc, reading_id, request.headers.get, download=download)
    return _respond(answer, svc.readings.cache, svc.readings.synthesizer)


def _respond(answer: AudioAnswer, cache: AudioCache, synthesizer: Synthesizer) -> Response:
    headers = dict(answer.headers)
    if answer.path is None and answer.growing_key is not None:  # the growing file, from its start
        stream = _listened(synthesizer, answer.growing_key, _stream_growing(cache, synthesizer, answer.growing_key))
        return Response(stream, status=answer.status,
                        headers=headers, direct_passthrough=True)
    if answer.path is None or request.method == "HEAD":  # 304, 416, or headers only
        return Response(b"", status=answer.status, headers=headers)
    if answer.growing_key is not None:  # bytes that exist of a growing file
        return Response(answer.read(), status=answer.status, headers=headers)
    f = open(answer.path, "rb")
    f.seek(answer.start)
    body = FileWrapper(_Limited(f, answer.length))
    return Response(body, status=answer.status, headers=headers, direct_passthrough=True)


class _Limited:
    """A file object that ends after `remaining` bytes (for a byte range of a finished file)."""

    def __init__(self, f, remaining: int):
        self.f, self.remaining = f, remaining

    def read(self, n: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        n = self.remaining if n < 0 else min(n, self.remaining)
        data = self.f.read(n)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.f.close()


def _listened(synthesizer: Synthesizer, key: str, chunks):
    """The stream, with the synthesizer told that someone listens while it is open (its
    sentences are then made before those of readings nobody streams)."""
    with synthesizer.listening(key):
        yield from chunks


def _stream_growing(cache: AudioCache, synthesizer: Synthesizer, key: str):
    """Yield the MP3 as it is written; the .part file is renamed (same inode) when it is done."""
    f = None
    idle_since = time.monotonic()
    try:
        while f is None:
            for path in (cache.part_path(key), cache.mp3_path(key)):
                try:
                    f = open(path, "rb")
                    break
                except FileNotFoundError:
                    continue
            if f is None:
                if synthesizer.failure(key) or time.monotonic() - idle_since > STREAM_IDLE_LIMIT_S:
                    return
                time.sleep(STREAM_FIRST_POLL_S)
        sent = 0
        while True:
            chunk = f.read(64 * 1024)
            if chunk:
                idle_since = time.monotonic()
                sent += len(chunk)
                yield chunk
                continue
            if cache.is_complete(key):
                # The file we hold is now the finished .mp3 (renamed) or the .mp3 itself.
                rest = f.read()
                if rest:
                    yield rest
                return
            if synthesizer.failure(key) or not (synthesizer.is_running(key) or _still_growing(f)):
                if cache.is_complete(key):
                    continue
                return
            if time.monotonic() - idle_since > STREAM_IDLE_LIMIT_S:
                return
            time.sleep(STREAM_POLL_S if sent else STREAM_FIRST_POLL_S)
    finally:
        if f is not None:
            f.close()


def _still_growing(f) -> bool:
    """An unlinked file (abandoned part) will never grow again."""
    try:
        return os.fstat(f.fileno()).st_nlink > 0
    except OSError:
        return False
