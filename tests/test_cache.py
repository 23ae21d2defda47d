"""The audio cache on disk: atomic files, locks that work across processes, start-up cleanup."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from service.store.audio_cache import AudioCache
from service.store.files import valid_key
from service.store.reading_store import ReadingStore

KEY = "ab" * 20


def test_finished_audio_is_complete_only_with_its_timings(tmp_path):
    cache = AudioCache(tmp_path)
    lock = cache.try_lock(KEY)
    part = cache.start_part(KEY)
    part.write(b"\xff\xf3" + b"x" * 100)
    cache.write_part_timings(KEY, {"sentences": [[0, 10]], "duration_ms": 10})
    assert not cache.is_complete(KEY)
    assert cache.timings(KEY)["sentences"] == [[0, 10]]
    cache.finish(KEY, part, {"sentences": [[0, 10]], "duration_ms": 10, "complete": True})
    lock.release()
    assert cache.is_complete(KEY)
    assert cache.mp3_path(KEY).read_bytes().startswith(b"\xff\xf3")
    assert not cache.part_path(KEY).exists()
    assert cache.stats()["entries"] == 1 and cache.stats()["audio_bytes"] == 102


def test_lock_is_exclusive_across_processes(tmp_path):
    cache = AudioCache(tmp_path)
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from service.store.audio_cache import AudioCache;"
        "lock = AudioCache(sys.argv[2]).try_lock(sys.argv[3]); print('locked', flush=True);"
        "time.sleep(30)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", code, root, str(tmp_path), KEY],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        assert cache.try_lock(KEY) is None
        assert cache.is_locked(KEY)
    finally:
        proc.kill()
        proc.wait()
    # A killed holder frees the lock at once (flock dies with the process).
    lock = cache.try_lock(KEY)
    assert lock is not None
    lock.release()


def test_startup_cleanup_removes_leftovers_of_a_killed_worker(tmp_path):
    cache = AudioCache(tmp_path)
    part = cache.start_part(KEY)  # nobody holds the lock: a worker died here
    part.write(b"half a file")
    part.close()
    cache.write_part_timings(KEY, {"sentences": [], "duration_ms": 0})
    other = "cd" * 20
    cache.mp3_path(other).write_bytes(b"renamed but no timings")
    stale = cache.audio_dir / f".{other}.json.123.tmp"
    stale.write_bytes(b"{")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    removed = AudioCache(tmp_path).cleanup()
    assert removed == {"temporary": 1, "orphaned_parts": 1, "incomplete": 1}
    assert not cache.part_path(KEY).exists() and not cache.mp3_path(other).exists()


def test_keys_that_are_not_hex_never_touch_the_disk(tmp_path):
    assert not valid_key("../../etc/passwd")
    assert ReadingStore(tmp_path).load("../readings/x") is None


def test_eviction_removes_least_recently_used_and_spares_recent_and_locked(tmp_path):
    cache = AudioCache(tmp_path)
    keys = [f"{i:040x}" for i in range(1, 6)]
    now = time.time()
    for age, key in zip((5000, 4000, 3000, 2000, 10), keys):
        part = cache.start_part(key)
        part.write(b"\xff" * 100_000)
        cache.finish(key, part, {"sentences": [], "duration_ms": 0})
        t = now - age
        os.utime(cache.timings_path(key), (t, t))
    lock = cache.try_lock(keys[0])  # the oldest is being generated again right now
    removed = cache.evict(250_000)
    lock.release()
    assert removed["entries"] == 3
    assert cache.is_complete(keys[0])  # locked: spared
    assert not cache.is_complete(keys[1]) and not cache.is_complete(keys[2]) and not cache.is_complete(keys[3])
    assert cache.is_complete(keys[4])  # used seconds ago: spared


def test_startup_check_drops_truncated_audio(tmp_path):
    from service.reading import audio
    from service.reading.engines import get_engine

    cache = AudioCache(tmp_path)
    seg = audio.encode_segment(get_engine().synthesize("Hej och välkommen till Nyköping."))
    part = cache.start_part(KEY)
    part.write(seg.mp3[: len(seg.mp3) // 2])  # the disk filled up halfway
    cache.finish(KEY, part, {"sentences": [[0, 10]], "duration_ms": int(seg.duration_ms)})
    assert AudioCache(tmp_path).cleanup()["incomplete"] == 1
    assert not cache.is_complete(KEY)
