"""Streaming audio that is still being made, to any number of listeners, without a thread each.

Every listener of one audio file is a coroutine sending bytes as they appear; one watcher per file
(not per listener) looks at the file a few dozen times a second and wakes them when it grew or was
finished. The .part file is renamed to .mp3 (same inode) when done, so the file a listener holds
open simply reaches its end; a part abandoned by a failed job is unlinked and will not grow again.

In a crowd, listeners are paced: audio is made many times faster than it is played, and a slow
reader's socket takes megabytes (the kernel grows its buffer to 4 MB), so 1,000 listeners were
each sent the whole file as it was made: 1.4 GB in kernel buffers and an event loop too busy to
answer anyone else. Beyond CROWD listeners in a process, each gets LEAD_S seconds of audio ahead
and then PACE times playback speed (above the player's fastest, 2×); fewer, they get all at once.
"""
from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext

from service.reading.audio import BITRATE_KBPS
from service.store.audio_cache import AudioCache

# Small sends: the server queues a few chunks per listener besides its connection buffer, and a
# growing file is paced by synthesis anyway (8 KB is a quarter second of audio).
CHUNK = 8 * 1024
POLL_S = 0.02  # how often a watcher looks at a growing file
IDLE_LIMIT_S = 120.0  # a file that did not grow for this long is given up
NOT_RUNNING_GRACE_S = 3.0  # a file that does not appear while no job makes it is given up after this
CROWD = 32  # more listeners than this in a process: each is paced
LEAD_S = 10.0  # seconds of audio a paced listener gets at once ...
PACE = 4.0  # ... and then this many times playback speed
BYTES_PER_S = BITRATE_KBPS * 1000 / 8


class _Watch:
    """The state of one growing file, shared by its listeners."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.done = False
        self.listeners = 0


class GrowingFiles:
    """Stream growing audio files to listeners; one watcher task per file."""

    def __init__(self, cache: AudioCache, failure: Callable[[str], str | None],
                 is_running: Callable[[str], bool],
                 listening: Callable[[str], AbstractContextManager] = lambda key: nullcontext()) -> None:
        self.cache = cache
        self.failure = failure  # audio key -> why its job failed (in this process), or None
        self.is_running = is_running  # audio key -> whether a job (here or elsewhere) makes or queues it
        self.listening = listening  # audio key -> held while someone streams it: its sentences come first
        self._watches: dict[str, _Watch] = {}
        self.streams = 0  # listeners streaming now, all files

    async def stream(self, key: str, send: Callable[[bytes], Awaitable[None]], start: int = 0) -> None:
        """Send the audio from byte `start` as it is written, until it is finished."""
        self.streams += 1
        try:
            with self.listening(key):
                await self._stream(key, send, start)
        finally:
            self.streams -= 1

    async def _stream(self, key: str, send: Callable[[bytes], Awaitable[None]], start: int) -> None:
        fd = await self._open(key)
        if fd is None:
            return
        watch = self._watch(key)
        watch.listeners += 1
        offset = start
        began = time.monotonic()
        try:
            while True:
                changed = watch.changed  # taken before reading, so no wake-up falls between
                data = os.pread(fd, CHUNK, offset)
                if data:
                    offset += len(data)
                    await send(data)
                    if self.streams > CROWD:
                        allowed = (LEAD_S + PACE * (time.monotonic() - began)) * BYTES_PER_S
                        if offset - start > allowed:
                            await asyncio.sleep((offset - start - allowed) / (PACE * BYTES_PER_S))
                    continue
                if watch.done:
                    return
                try:
                    await asyncio.wait_for(changed.wait(), timeout=1.0)
                except asyncio.TimeoutError:
                    pass
        finally:
            os.close(fd)
            watch.listeners -= 1

    async def _open(self, key: str) -> int | None:
        """The growing file (or, once finished, the final one), waiting for it to appear: as long
        as its job is queued or running (a busy queue may take a while), not once it failed."""
        started = idle_since = checked = time.monotonic()
        while True:
            for path in (self.cache.part_path(key), self.cache.mp3_path(key)):
                try:
                    return os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    continue
            now = time.monotonic()
            if now - checked > 0.25:  # asking costs a lock and a stat: not on every poll
                checked = now
                if self.is_running(key):
                    idle_since = now
                elif self.failure(key) or now - idle_since > NOT_RUNNING_GRACE_S:
                    return None
            if now - started > IDLE_LIMIT_S:
                return None
            await asyncio.sleep(POLL_S / 2)

    def _watch(self, key: str) -> _Watch:
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = _Watch()
            asyncio.get_running_loop().create_task(self._run(key, watch))
        return watch

    async def _run(self, key: str, watch: _Watch) -> None:
        """Wake the listeners when the file grows or is finished; stop when nobody listens."""
        last, quiet_since = -1, time.monotonic()
        try:
            while True:
                await asyncio.sleep(POLL_S)
                size, alive = self._look(key)
                done = self.cache.is_complete(key) or bool(self.failure(key)) or not alive \
                    or time.monotonic() - quiet_since > IDLE_LIMIT_S
                if size != last or done:
                    if size != last:
                        last, quiet_since = size, time.monotonic()
                    watch.done = done
                    watch.changed.set()
                    watch.changed = asyncio.Event()
                if done or (watch.listeners <= 0 and time.monotonic() - quiet_since > 1.0):
                    return
        finally:
            watch.done = True
            watch.changed.set()
            if self._watches.get(key) is watch:
                del self._watches[key]

    def _look(self, key: str) -> tuple[int, bool]:
        """(bytes written so far, whether the file may still grow)."""
        try:
            st = os.stat(self.cache.part_path(key))
            return st.st_size, True
        except FileNotFoundError:
            pass
        try:
            return os.stat(self.cache.mp3_path(key)).st_size, True
        except FileNotFoundError:
            return 0, False  # neither: abandoned (a failed job unlinks its part)
