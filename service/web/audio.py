"""Audio delivery: `GET /audio/<id>.mp3`, a finished file with Range and ETag, or the MP3 as it grows.

A finished file is immutable (its name is a content hash), so browsers and proxies may keep it for
a year. Audio still being made streams from its .part file and continues until the job finishes;
the file is renamed (same inode) when done, so the stream we hold simply reaches its end.
"""
from __future__ import annotations

import os
import time

from flask import Blueprint, Response, request, send_file

from service.errors import LyssnaError, NotFound
from service.reading.synthesis import Synthesizer
from service.store.audio_cache import AudioCache

from .state import services

bp = Blueprint("audio", __name__)

STREAM_POLL_S = 0.05
STREAM_FIRST_POLL_S = 0.005  # until the first bytes: a listener is waiting for sound to start
STREAM_IDLE_LIMIT_S = 120.0  # give up on a stream that made no progress for this long


@bp.get("/audio/<reading_id>.mp3")
def get_audio(reading_id: str):
    readings = services().readings
    key = readings.audio_key(reading_id)
    if key is None:
        raise NotFound("Ljudfilen finns inte. / The audio does not exist.")
    cache = readings.cache
    if not cache.is_complete(key):
        reading = readings.get(reading_id)  # restarts generation if the audio went missing
        if reading and reading["status"] == "failed":
            raise LyssnaError(reading.get("error") or "Fel. / Error.", code="generation_failed", status=500)
    if cache.is_complete(key):
        cache.touch(key)
        resp = send_file(cache.mp3_path(key), mimetype="audio/mpeg", conditional=True, etag=key,
                         max_age=31536000, download_name=f"lyssna-{reading_id[:8]}.mp3",
                         as_attachment=request.args.get("download") == "1")
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        resp.headers["Accept-Ranges"] = "bytes"
        return resp
    stream = _listened(readings.synthesizer, key, _stream_growing(cache, readings.synthesizer, key))
    resp = Response(stream, mimetype="audio/mpeg")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Accel-Buffering"] = "no"
    return resp


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
