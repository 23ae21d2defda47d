"""What `GET /audio/<id>.mp3` answers, decided once for both servers that deliver audio.

The Flask route (tests, `lyssna serve --dev`) and the production ASGI server (`web/asgi.py`) both
ask `decide()` and only carry the answer out. Finished audio is an immutable file named by its
content hash: ETag, `If-None-Match` (304), one byte range (206, RFC 9110; several ranges or an
unreadable one get the whole file, an unsatisfiable one 416), `If-Range`. Audio still being made
has no length yet: a range of bytes that already exist is a 206 with an unknown complete length
(`bytes 0-1/*`), so Safari's first probe (`bytes=0-1`) is answered as soon as its bytes exist; a
request for the whole (or `bytes=0-`, as Chromium asks) streams the file as it grows.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from service.errors import LyssnaError, NotFound
from service.reading.services import Services

IMMUTABLE = "public, max-age=31536000, immutable"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
NO_AUDIO = "Ljudfilen finns inte. / The audio does not exist."

Header = Callable[[str], str | None]  # a request header by lower-case name, or None


@dataclass
class AudioAnswer:
    """A response to carry out: bytes [start, end) of the finished file `path`; or, with
    `growing_key` set, of audio still being made: with a `path`, bytes that already exist (read
    from the .part, or `alt_path` once it was renamed to the .mp3), without one, the whole file
    streamed as it grows. Status 0: wait a moment, decide again."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    path: str | None = None
    alt_path: str | None = None
    key: str = ""
    start: int = 0
    end: int | None = None
    growing_key: str | None = None

    @property
    def length(self) -> int:
        return 0 if self.end is None else self.end - self.start

    def read(self) -> bytes:
        """The bytes of a range answer, read now (small ranges and the dev server)."""
        for candidate in (self.path, self.alt_path):
            if candidate is None:
                continue
            try:
                fd = os.open(candidate, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                return os.pread(fd, self.length, self.start)
            finally:
                os.close(fd)
        raise NotFound(NO_AUDIO)


def decide(services: Services, reading_id: str, header: Header, *, download: bool = False) -> AudioAnswer:
    """The answer for one audio request (raises NotFound, or LyssnaError 500 for failed audio)."""
    cache = services.cache
    key = cache.linked_key(reading_id)  # finished before: no stored reading to read
    complete = key is not None and cache.is_complete(key)
    if not complete:
        state = services.readings.audio_state(reading_id)  # restarts generation if the audio went missing
        if state is None:
            raise NotFound(NO_AUDIO)
        key, status, error = state
        if status == "failed":
            raise LyssnaError(error or "Fel. / Error.", code="generation_failed", status=500)
        complete = status == "ready"
        if complete:
            cache.link_reading(reading_id, key)  # a front server (and this one) finds it on disk next time
    if complete:
        services.readings.note_play(key)
        name = f"lyssna-{reading_id[:8]}.mp3" if download else None
        return finished(str(cache.mp3_path(key)), key, header, download_name=name)
    return growing(str(cache.part_path(key)), str(cache.mp3_path(key)), key, header)


def finished(path: str, key: str, header: Header, *, download_name: str | None = None,
             size: int | None = None) -> AudioAnswer:
    """A finished, immutable file (of `size` bytes, when known): whole, a range, 304 or 416."""
    if size is None:
        try:
            size = os.stat(path).st_size
        except OSError:
            raise NotFound(NO_AUDIO) from None
    etag = f'"{key}"'
    base = [("Content-Type", "audio/mpeg"), ("Accept-Ranges", "bytes"), ("ETag", etag),
            ("Cache-Control", IMMUTABLE)]
    if download_name:
        base.append(("Content-Disposition", f'attachment; filename="{download_name}"'))
    if _matches(header("if-none-match"), etag):
        return AudioAnswer(304, base, key=key)
    span = _range(header("range"), size)
    if_range = header("if-range")
    if span is not None and if_range is not None and if_range.strip() != etag:
        span = None  # the client's copy is another version: send the whole file
    if span == "unsatisfiable":
        return AudioAnswer(416, [*base, ("Content-Range", f"bytes */{size}")], key=key)
    if span is None:
        return AudioAnswer(200, [*base, ("Content-Length", str(size))], path=path, key=key, start=0, end=size)
    start, end = span
    return AudioAnswer(206, [*base, ("Content-Range", f"bytes {start}-{end - 1}/{size}"),
                             ("Content-Length", str(end - start))], path=path, key=key, start=start, end=end)


def growing(part_path: str, mp3_path: str, key: str, header: Header) -> AudioAnswer:
    """Audio being made. A range of bytes that exist now (they never change: the file only grows)
    is a 206 with an unknown complete length; a range that starts beyond them is status 0: "wait
    and decide again"; anything else streams the file from its start as it grows (200)."""
    base = [("Content-Type", "audio/mpeg"), ("Accept-Ranges", "bytes"), ("Cache-Control", "no-store"),
            ("X-Accel-Buffering", "no")]
    wanted = _bounds(header("range"))
    if wanted is None or wanted == (0, None) or wanted[0] is None:
        return AudioAnswer(200, base, key=key, growing_key=key)  # a suffix range needs a length
    first, last = wanted
    have = _size(part_path) or _size(mp3_path)
    if first >= have:
        return AudioAnswer(0, key=key, growing_key=key)
    end = have if last is None else min(last + 1, have)
    return AudioAnswer(206, [*base, ("Content-Range", f"bytes {first}-{end - 1}/*"),
                             ("Content-Length", str(end - first))],
                       path=part_path, alt_path=mp3_path, key=key, start=first, end=end, growing_key=key)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def _bounds(value: str | None) -> tuple[int | None, int | None] | None:
    """(first, last) of a single `bytes=` range as written (None for an open side), or None."""
    if not value:
        return None
    m = _RANGE.fullmatch(value.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None  # several ranges or another unit: answered with the whole representation
    first = int(m.group(1)) if m.group(1) else None
    last = int(m.group(2)) if m.group(2) else None
    if first is not None and last is not None and last < first:
        return None  # invalid: ignored, as RFC 9110 allows
    return first, last


def _range(value: str | None, size: int) -> tuple[int, int] | str | None:
    """[start, end) of a single satisfiable range, "unsatisfiable", or None for the whole file."""
    bounds = _bounds(value)
    if bounds is None:
        return None
    first, last = bounds
    if first is None:  # the last `last` bytes
        if not last:
            return "unsatisfiable"
        return max(0, size - last), size
    if first >= size:
        return "unsatisfiable"
    return first, size if last is None else min(last + 1, size)
