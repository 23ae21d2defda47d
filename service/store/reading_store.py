"""Stored readings: readings/<id>.json in the cache directory, one typed `StoredReading` each.

A stored reading says what a Reading reads (its plan: the page's sentences as written and as
spoken, with their locators) and which audio it uses (`audio_key` in the `AudioCache`). Many
readings can share one audio file: the same text on two URLs sounds the same.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from service.models import StoredReading

from .files import read_json, valid_key, write_json_atomic


class ReadingStore:
    """Save, load and list stored readings (any thread, any process: files are replaced atomically)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.dir = Path(root).resolve() / "readings"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, reading_id: str) -> Path:
        return self.dir / f"{reading_id}.json"

    def save(self, reading: StoredReading) -> None:
        write_json_atomic(self.path(reading.id), reading.to_json(), durable=False)

    def load(self, reading_id: str) -> StoredReading | None:
        """The reading, or None when the id is unknown, malformed or its file damaged."""
        if not valid_key(reading_id):
            return None
        return StoredReading.from_json(reading_id, read_json(self.path(reading_id)))

    def exists(self, reading_id: str) -> bool:
        return valid_key(reading_id) and self.path(reading_id).exists()

    def all(self) -> Iterator[StoredReading]:
        """Every stored reading, in no particular order (damaged files are passed over)."""
        for path in self.dir.glob("*.json"):
            reading = StoredReading.from_json(path.stem, read_json(path))
            if reading is not None:
                yield reading

    def for_url(self, url: str) -> list[StoredReading]:
        """The readings of one page, newest first."""
        found = [r for r in self.all() if r.url == url]
        found.sort(key=lambda r: r.created, reverse=True)
        return found

    def remove(self, reading_id: str) -> None:
        if valid_key(reading_id):
            self.path(reading_id).unlink(missing_ok=True)

    def count(self) -> int:
        return sum(1 for _ in self.dir.glob("*.json"))

    def purge_all(self) -> int:
        """Forget every stored reading; returns how many files went."""
        n = 0
        for path in self.dir.iterdir():
            path.unlink(missing_ok=True)
            n += 1
        return n
