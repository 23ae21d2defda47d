"""Content-addressed audio cache on disk.

Layout under the cache directory::

    audio/<key>.mp3        finished audio (never changed in place)
    audio/<key>.json       its sentence timings; present only once the .mp3 is complete
    audio/<key>.part       MP3 being written, append-only, by the process holding <key>.lock
    audio/<key>.part.json  timings made so far (replaced atomically after every sentence)
    audio/<key>.lock       flock held while generating, so no two processes make the same audio
    segments/<key>.mp3     one sentence's audio (self-contained MP3 frames), keyed by what it sounds like
    segments/<key>.json    its timing inside the segment; written after the .mp3, so it marks completeness
    by-reading/<id>.mp3    symlink to ../audio/<key>.mp3 once a reading's audio is finished, so a front
                           server (nginx) serves /audio/<id>.mp3 straight from disk; dangling after
                           eviction, when the front server asks the service, which makes it again

Finished files are written to a temporary name and renamed, so a reader never sees half a file.
The stored readings that point at this audio live beside it in readings/ (`ReadingStore`).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .files import read_json, valid_key, write_atomic, write_json_atomic
from .flock import FileLock, try_flock
from .mp3 import mp3_duration_ms


def _truncated(mp3: Path, duration_ms: float) -> bool:
    """A finished file that decodes shorter than its recorded duration lost its tail (disk full,
    a copy cut short); counting MP3 frames tells without decoding."""
    try:
        return mp3_duration_ms(mp3.read_bytes()) < duration_ms - 100
    except OSError:
        return True


class AudioCache:
    """File operations on the cache directory; no knowledge of how audio is made."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()
        self.audio_dir = self.root / "audio"
        self.segments_dir = self.root / "segments"
        self.by_reading_dir = self.root / "by-reading"
        for d in (self.audio_dir, self.segments_dir, self.by_reading_dir):
            d.mkdir(parents=True, exist_ok=True)

    # -- paths ---------------------------------------------------------------------------------
    def mp3_path(self, key: str) -> Path:
        return self.audio_dir / f"{key}.mp3"

    def timings_path(self, key: str) -> Path:
        return self.audio_dir / f"{key}.json"

    def part_path(self, key: str) -> Path:
        return self.audio_dir / f"{key}.part"

    def part_timings_path(self, key: str) -> Path:
        return self.audio_dir / f"{key}.part.json"


    # -- finished audio ------------------------------------------------------------------------
    def is_complete(self, key: str) -> bool:
        return self.timings_path(key).exists() and self.mp3_path(key).exists()

    def timings(self, key: str) -> dict | None:
        """Finished timings, else the partial ones, else None."""
        done = read_json(self.timings_path(key))
        if done is not None and self.mp3_path(key).exists():
            return done
        return read_json(self.part_timings_path(key))

    def discard(self, key: str) -> None:
        """Forget finished audio (readers that have it open keep their copy until they close it)."""
        for p in (self.timings_path(key), self.mp3_path(key)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def touch(self, key: str) -> None:
        """Record use (mtime of the timings file) for later least-recently-used eviction."""
        try:
            os.utime(self.timings_path(key))
        except FileNotFoundError:
            pass

    # -- generation ----------------------------------------------------------------------------
    def try_lock(self, key: str) -> FileLock | None:
        """Take the generation lock for `key` without waiting; None when someone else holds it."""
        return try_flock(self.audio_dir / f"{key}.lock")

    def is_locked(self, key: str) -> bool:
        """Whether another process (or thread) is making this audio now; never creates a lock file."""
        if not (self.audio_dir / f"{key}.lock").exists():
            return False
        lock = self.try_lock(key)
        if lock is None:
            return True
        lock.release()
        return False

    def start_part(self, key: str):
        """Open a fresh, empty .part file for appending (the caller holds the lock)."""
        for p in (self.part_path(key), self.part_timings_path(key)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        return open(self.part_path(key), "wb", buffering=0)

    def write_part_timings(self, key: str, timings: dict) -> None:
        # Progress only: rewritten after every sentence and thrown away at the end, so no fsync.
        write_json_atomic(self.part_timings_path(key), timings, durable=False)

    def finish(self, key: str, part_file, timings: dict) -> None:
        """Make the part final: fsync, rename to .mp3, then write timings (the 'complete' marker)."""
        part_file.flush()
        os.fsync(part_file.fileno())
        part_file.close()
        os.replace(self.part_path(key), self.mp3_path(key))
        write_json_atomic(self.timings_path(key), timings)
        try:
            self.part_timings_path(key).unlink()
        except FileNotFoundError:
            pass

    def abandon(self, key: str, part_file=None) -> None:
        if part_file is not None:
            part_file.close()
        for p in (self.part_path(key), self.part_timings_path(key)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    # -- sentence segments ---------------------------------------------------------------------
    def load_segment(self, key: str) -> tuple[bytes, dict] | None:
        """A cached sentence segment (mp3 bytes, meta), or None when missing or damaged."""
        meta = read_json(self.segments_dir / f"{key}.json")
        if meta is None:
            return None
        try:
            data = (self.segments_dir / f"{key}.mp3").read_bytes()
        except FileNotFoundError:
            return None
        if len(data) != meta.get("bytes"):
            return None  # truncated or replaced: make it again
        return data, meta

    def save_segment(self, key: str, mp3: bytes, meta: dict) -> None:
        write_atomic(self.segments_dir / f"{key}.mp3", mp3, durable=False)
        write_json_atomic(self.segments_dir / f"{key}.json", {**meta, "bytes": len(mp3)}, durable=False)

    # -- reading links (for a front server) ----------------------------------------------------
    def reading_link(self, reading_id: str) -> Path:
        return self.by_reading_dir / f"{reading_id}.mp3"

    def link_reading(self, reading_id: str, key: str) -> None:
        """Point by-reading/<id>.mp3 at the finished audio (replaced atomically; a no-op when it does)."""
        if not (valid_key(reading_id) and valid_key(key)):
            return
        link, target = self.reading_link(reading_id), f"../audio/{key}.mp3"
        try:
            if os.readlink(link) == target:
                return
        except OSError:
            pass
        tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, link)

    def linked_key(self, reading_id: str) -> str | None:
        """The audio key a reading's link points at (its audio may since have been evicted)."""
        try:
            key = os.path.basename(os.readlink(self.reading_link(reading_id)))[: -len(".mp3")]
        except (OSError, ValueError):
            return None
        return key if valid_key(key) else None

    def unlink_reading(self, reading_id: str) -> None:
        if valid_key(reading_id):
            self.reading_link(reading_id).unlink(missing_ok=True)

    # -- housekeeping --------------------------------------------------------------------------
    def cleanup(self) -> dict[str, int]:
        """Start-up integrity check: drop temp files and orphaned parts; drop incomplete audio."""
        removed = {"temporary": 0, "orphaned_parts": 0, "incomplete": 0}
        now = time.time()
        for d in (self.audio_dir, self.segments_dir, self.root / "readings"):
            for p in d.glob(".*.tmp"):
                if now - p.stat().st_mtime > 60:
                    p.unlink(missing_ok=True)
                    removed["temporary"] += 1
        for part in self.audio_dir.glob("*.part"):
            key = part.name[: -len(".part")]
            if valid_key(key) and not self.is_locked(key):
                self.abandon(key)
                removed["orphaned_parts"] += 1
        for mp3 in self.audio_dir.glob("*.mp3"):
            key = mp3.stem
            if self.is_locked(key):
                continue
            timings = read_json(self.timings_path(key))
            if timings is None or _truncated(mp3, timings.get("duration_ms", 0)):
                self.discard(key)
                removed["incomplete"] += 1
        return removed

    def stats(self) -> dict[str, int]:
        files = list(self.audio_dir.glob("*.mp3"))
        segments = list(self.segments_dir.glob("*.mp3"))
        audio_bytes = sum(_size(f) for f in files)
        segment_bytes = sum(_size(f) for f in segments)
        return {"entries": len(files), "bytes": audio_bytes + segment_bytes, "audio_bytes": audio_bytes,
                "segments": len(segments), "segment_bytes": segment_bytes}

    # -- eviction and purging ------------------------------------------------------------------
    def evict(self, max_bytes: int, *, protect_recent_s: float = 600.0) -> dict[str, int]:
        """Delete least-recently-used audio and sentence segments until the cache fits `max_bytes`.

        Never touches audio being generated (locked) or used in the last `protect_recent_s`
        seconds (a visitor may be listening: every play touches its entry). Readings stay: their
        audio is made again on the next request.
        """
        items: list[tuple[float, int, list[Path], str | None]] = []
        total = 0
        for mp3 in self.audio_dir.glob("*.mp3"):
            key = mp3.stem
            meta = self.timings_path(key)
            size = _size(mp3)
            total += size
            items.append((_mtime(meta) or _mtime(mp3), size, [meta, mp3], key))
        for mp3 in self.segments_dir.glob("*.mp3"):
            meta = self.segments_dir / f"{mp3.stem}.json"
            size = _size(mp3)
            total += size
            items.append((_mtime(meta) or _mtime(mp3), size, [meta, mp3], None))
        removed = {"entries": 0, "segments": 0, "bytes": 0}
        if total <= max_bytes:
            return removed
        target = int(max_bytes * 0.9)  # leave room, so eviction does not run after every page
        now = time.time()
        for used, size, paths, key in sorted(items, key=lambda i: i[0]):
            if total <= target:
                break
            if now - used < protect_recent_s or (key is not None and self.is_locked(key)):
                continue
            for p in paths:  # the marker (json) first: a reader never sees audio without it vanish
                p.unlink(missing_ok=True)
            total -= size
            removed["bytes"] += size
            removed["entries" if key else "segments"] += 1
        return removed

    def discard_unless_busy(self, key: str) -> None:
        """Forget finished audio unless it is being made right now (a purge must not break that)."""
        if valid_key(key) and not self.is_locked(key):
            self.discard(key)

    def purge_all(self) -> int:
        """Forget all audio, segments and reading links; returns how many files went."""
        n = 0
        for d in (self.audio_dir, self.segments_dir, self.by_reading_dir):
            for p in d.iterdir():
                if p.suffix == ".lock":
                    continue
                key = p.name.split(".", 1)[0]
                if d is self.audio_dir and valid_key(key) and self.is_locked(key):
                    continue
                p.unlink(missing_ok=True)
                n += 1
        return n


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except FileNotFoundError:
        return 0


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except FileNotFoundError:
        return 0.0
