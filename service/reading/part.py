"""One reading's growing MP3 (.part) and its partial timings, written in reading order.

Why: sentences of a reading are made by whichever synthesis slot and encoder thread is free, so
they arrive out of order; a listener must still get them in order, with timings beside them so the
player highlights while it plays. Sentences that arrive early wait here until those before them
are in the file; the finished file is renamed into place with its final timings.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from service.store.audio_cache import AudioCache


class PartWriter:
    """Appends sentences to audio/<key>.part in order; thread-safe. The caller holds the key's lock."""

    def __init__(self, cache: AudioCache, key: str, voice: Callable[[], dict]) -> None:
        self.cache = cache
        self.key = key
        self.voice = voice  # -> {"voice", "fallback"} when the fallback voice spoke, else {}
        self._file = cache.start_part(key)
        self._lock = threading.Lock()
        self._early: dict[int, tuple[bytes, dict]] = {}  # index -> sentence that came before its turn
        self._timings: list[list[int]] = []  # per sentence: [start ms, end ms] in the reading
        self._words: list[list[list[int]]] = []  # per sentence: [spoken offset, length, start ms]
        self._offset = 0.0  # ms of audio in the file
        self._progress_of = 0  # sentences the partial timings hold
        self._progress_ms = 0.0  # and how far into the audio they reach
        self.closed = False

    @property
    def written(self) -> int:
        """Sentences in the file so far."""
        return len(self._timings)

    def add(self, index: int, mp3: bytes, meta: dict) -> range:
        """Take sentence `index`; write it and any that waited for it. Returns the indexes written
        now (empty when it must wait for an earlier one, or the writer is closed)."""
        with self._lock:
            if self.closed:
                return range(0)
            first = len(self._timings)
            self._early[index] = (mp3, meta)
            while len(self._timings) in self._early:
                self._write(*self._early.pop(len(self._timings)))
            return range(first, len(self._timings))

    def _write(self, mp3: bytes, meta: dict) -> None:
        self._file.write(mp3)
        start = self._offset + meta["speech_start_ms"]
        self._timings.append([int(round(start)), int(round(self._offset + meta["speech_end_ms"]))])
        self._words.append([[o, n, int(round(start + ms))] for o, n, ms in meta.get("words", [])])
        self._offset += meta["duration_ms"]

    def progress(self, needed_to_ms: float | None = None) -> None:
        """Write the partial timings for players listening while the reading is made.

        `needed_to_ms`: only when those written last end before this point of the audio (a
        listener will soon be there); rewriting the growing JSON costs ~1 ms a time."""
        with self._lock:
            if self.closed or self._progress_of == len(self._timings):
                return
            if needed_to_ms is not None and self._progress_ms >= needed_to_ms:
                return
            self.cache.write_part_timings(self.key, self._document(complete=False))
            self._progress_of, self._progress_ms = len(self._timings), self._offset

    def finish(self) -> dict:
        """Rename the part into place with its final timings (fsynced); returns them."""
        with self._lock:
            final = self._document(complete=True)
            self.closed = True
            self.cache.finish(self.key, self._file, final)
            return final

    def abandon(self) -> None:
        """Throw the part away (the reading failed); later sentences are ignored."""
        with self._lock:
            self.closed = True
            self.cache.abandon(self.key, self._file)

    def _document(self, complete: bool) -> dict:
        doc = {"sentences": self._timings, "words": self._words,
               "duration_ms": int(round(self._offset)) if complete else int(self._offset), **self.voice()}
        if complete:
            doc["complete"] = True
        return doc
