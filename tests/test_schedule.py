"""Readings are made sentence by sentence across readings: first sentences first, listeners before
readings nobody streams, pre-generation last. The real scheduler, synthesizer, espeak-ng and app.

Orderings, never timings (the machine is shared and noisy). To have many readings waiting at once
a test keeps espeak-ng busy while it clicks: it holds the engine's one lock, as a lexicon preview
in another request would. The synthesizer's journal then tells in which order sentences reached
the readings' files.
"""
from __future__ import annotations

import os
import threading
import time
import urllib.request
from contextlib import contextmanager

from service.models import Block, Document
from service.reading.create import generate_page
from service.reading.engines import espeak, get_engine
from service.reading.part import PartWriter
from service.reading.schedule import HOLD_LEAD_MS, Scheduler, Tier, Track
from service.store.audio_cache import AudioCache

from .conftest import page_names
from .helpers import wait_ready

LONG_PAGES = ("09-spara-energi-hemma.html", "04-sortera-matavfall.html")  # 97 and 51 sentences


@contextmanager
def engine_busy():
    """espeak-ng is busy elsewhere in this process: readings asked for now pile up."""
    get_engine("espeak")  # loaded (under the same lock) before it is held
    with espeak._LOCK:
        yield


def click(client, url: str) -> str:
    r = client.post("/api/v1/readings", json={"url": url})
    assert r.status_code == 202, r.get_json()
    return r.get_json()["id"]


def written(synthesizer, keys: list[str]) -> dict[str, list[int]]:
    """Per audio key: the journal positions of its sentences 0, 1, 2 ... as they reached its file."""
    seen: dict[str, dict[int, int]] = {key: {} for key in keys}
    for position, (_when, key, index) in enumerate(synthesizer.journal):
        if key in seen:
            seen[key][index] = position
    return {key: [at[i] for i in sorted(at)] for key, at in seen.items()}


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


# -- through the app -------------------------------------------------------------------------------


def test_a_short_page_clicked_with_long_ones_is_read_before_they_finish(app, client, fixture_site, page_site):
    readings = app.extensions["lyssna"].services.readings
    short = page_site.put("kort.html", "<html lang='sv'><body><main><h1>Simhallen är stängd</h1>"
                                       "<p>Den öppnar igen på måndag.</p></main></body></html>")
    with engine_busy():
        ids = [click(client, f"{fixture_site}/{name}") for name in LONG_PAGES] + [click(client, short)]
    for reading_id in ids:
        assert wait_ready(client, reading_id)["status"] == "ready"
    keys = [readings.audio_key(i) for i in ids]
    order = written(readings.synthesizer, keys)
    *long_keys, short_key = keys
    assert len(order[short_key]) == 2
    # Made one page after another, the short page waited until a long one was done.
    assert all(order[short_key][-1] < order[key][-1] for key in long_keys)


def test_with_many_readings_waiting_each_gets_its_first_sentence_before_any_gets_its_tenth(app, client,
                                                                                          fixture_site):
    readings = app.extensions["lyssna"].services.readings
    with engine_busy():
        ids = [click(client, f"{fixture_site}/{name}.html") for name in page_names()]
    for reading_id in ids:
        wait_ready(client, reading_id)
    order = written(readings.synthesizer, [readings.audio_key(i) for i in ids])
    assert len(order) == len(ids) == 14 and all(len(positions) >= 10 for positions in order.values())
    last_first = max(positions[0] for positions in order.values())
    first_tenth = min(positions[9] for positions in order.values())
    assert last_first < first_tenth


def test_pregeneration_yields_to_a_visitors_reading(app, client, fixture_site):
    services = app.extensions["lyssna"].services
    synthesizer = services.readings.synthesizer
    made: dict = {}
    ahead = threading.Thread(target=lambda: made.update(
        generate_page(services, f"{fixture_site}/{LONG_PAGES[0]}")))
    with engine_busy():
        ahead.start()
        wait_until(lambda: synthesizer.stats["jobs"] == 1)
        visitor = click(client, f"{fixture_site}/07-fardtjanst-avgifter.html")
        visitor_key = services.readings.audio_key(visitor)
        assert synthesizer.tier(visitor_key) == Tier.VISITOR
    assert wait_ready(client, visitor)["status"] == "ready"
    ahead.join(120)
    assert made["outcome"] == "new", made
    ahead_key = services.readings.audio_key(made["reading_id"])
    order = written(synthesizer, [ahead_key, visitor_key])
    assert len(order[visitor_key]) == 47 and len(order[ahead_key]) == 97
    # Of the pre-generated page, only what the slots had in hand when the visitor came, and what
    # they took while the visitor's last sentences were being encoded, reached its file before
    # the visitor's reading was complete; made side by side, it would have been about half.
    meanwhile = sum(1 for p in order[ahead_key] if p < order[visitor_key][-1])
    assert meanwhile <= 2 * (synthesizer.workers + (os.cpu_count() or 2))


def test_an_open_stream_marks_its_reading_as_listened_to(app, client, live_app, fixture_site):
    readings = app.extensions["lyssna"].services.readings
    synthesizer = readings.synthesizer
    with engine_busy():
        reading_id = click(client, f"{fixture_site}/13-eldningsforbud.html")
        key = readings.audio_key(reading_id)
        assert synthesizer.tier(key) == Tier.VISITOR
        got: list[bytes] = []
        stream = threading.Thread(target=lambda: got.append(
            urllib.request.urlopen(f"{live_app}/audio/{reading_id}.mp3", timeout=120).read()))
        stream.start()
        wait_until(lambda: synthesizer.tier(key) == Tier.LISTENING)
    stream.join(120)
    assert got and len(got[0]) > 10_000
    assert wait_ready(client, reading_id)["status"] == "ready"
    assert synthesizer.tier(key) is None  # done: out of the schedule


def test_a_failing_reading_is_reported_and_the_others_go_on(app, client, fixture_site, tmp_path):
    readings = app.extensions["lyssna"].services.readings
    engine = get_engine("espeak")
    broken = Document(url=f"{fixture_site}/trasig.html", title="", lang="sv",
                      blocks=[Block("paragraph", "Den här rösten finns inte.", "sv", "")])
    with engine_busy():
        good = click(client, f"{fixture_site}/06-kokningsrekommendation-upphavd.html")
        bad = readings.create(broken, engine, voice="ingen-sadan-rost")
    assert wait_ready(client, good)["status"] == "ready"
    failed = wait_ready(client, bad["id"])
    assert failed["status"] == "failed" and "ingen-sadan-rost" in failed["error"]
    key = readings.audio_key(bad["id"])
    assert not readings.cache.part_path(key).exists() and not readings.cache.is_locked(key)
    assert readings.synthesizer.tier(key) is None


# -- the parts -------------------------------------------------------------------------------------


def scheduler_with(*tracks: Track, max_in_flight: int = 10) -> Scheduler:
    schedule = Scheduler(max_in_flight)
    for track in tracks:
        schedule.add(track)
    return schedule


def test_listened_readings_come_before_readings_nobody_streams():
    nobody = Track("nobody", [3000.0] * 3, Tier.VISITOR)
    streamed = Track("streamed", [3000.0] * 3, Tier.VISITOR)
    schedule = scheduler_with(nobody, streamed)
    schedule.listen("streamed")
    assert schedule.next(0)[0] is streamed
    assert schedule.next(0)[0] is nobody  # then the one with the least audio ahead
    schedule.unlisten("streamed")
    assert schedule.tier_of("streamed") == Tier.VISITOR


def test_work_made_ahead_waits_while_a_visitors_reading_has_sentences_left():
    schedule = scheduler_with(Track("ahead", [1000.0] * 3, Tier.AHEAD), Track("visitor", [1000.0] * 3, Tier.VISITOR))
    assert [schedule.next(0)[0].key for _ in range(6)] == ["visitor"] * 3 + ["ahead"] * 3
    assert schedule.next(0) is None


def test_a_reading_well_ahead_waits_while_a_click_is_prepared():
    ahead_of_listener = Track("a", [HOLD_LEAD_MS] * 5, Tier.VISITOR)
    schedule = scheduler_with(ahead_of_listener)
    schedule.next(0)
    schedule.next(0)  # now 2 × HOLD_LEAD_MS ahead
    token = schedule.preparing()
    assert schedule.next(0) is None
    newcomer = Track("b", [1000.0] * 2, Tier.VISITOR)
    schedule.add(newcomer)
    assert schedule.next(0)[0] is newcomer  # a reading with no audio yet is served meanwhile
    schedule.prepared(token)
    assert schedule.next(0)[0] is newcomer  # the least ahead first, as ever
    assert schedule.next(0)[0] is ahead_of_listener


def test_sentences_in_flight_are_capped_and_a_serial_reading_has_one_at_a_time():
    track = Track("a", [1000.0] * 5, Tier.VISITOR)
    schedule = scheduler_with(track, max_in_flight=2)
    assert [schedule.next(0)[1] for _ in range(2)] == [0, 1]
    assert schedule.next(0) is None
    schedule.settle(track, 0, 900.0, written=1)
    assert schedule.next(0)[1] == 2
    serial = Track("s", [1000.0] * 3, Tier.VISITOR, serial=True)
    wide = scheduler_with(serial)
    assert wide.next(0)[1] == 0 and wide.next(0) is None
    wide.settle(serial, 0, 1000.0, written=1)
    assert wide.next(0)[1] == 1


def test_the_part_file_gets_its_sentences_in_order_whatever_order_they_come_in(tmp_path):
    cache = AudioCache(tmp_path)
    key = "ab" * 20
    writer = PartWriter(cache, key, dict)
    meta = {"duration_ms": 1000.0, "speech_start_ms": 100.0, "speech_end_ms": 900.0,
            "words": [[0, 3, 10]]}
    assert list(writer.add(2, b"C", meta)) == []
    assert list(writer.add(1, b"B", meta)) == []
    assert list(writer.add(0, b"A", meta)) == [0, 1, 2]
    writer.progress(needed_to_ms=500)
    assert cache.timings(key)["sentences"] == [[100, 900], [1100, 1900], [2100, 2900]]
    writer.add(3, b"D", meta)
    writer.progress(needed_to_ms=2500)  # the timings written reach 3 s: no listener needs more yet
    assert len(cache.timings(key)["sentences"]) == 3
    writer.progress(needed_to_ms=3500)
    assert len(cache.timings(key)["sentences"]) == 4
    assert cache.part_path(key).read_bytes() == b"ABCD"
    final = writer.finish()
    assert final["complete"] and final["duration_ms"] == 4000
    assert cache.is_complete(key) and cache.mp3_path(key).read_bytes() == b"ABCD"


def test_whoever_waits_for_a_readings_first_audio_hears_of_it_once():
    """What the admin's time-to-first-audio figure is measured with (create._time_first_audio)."""
    track = Track("a", [1000.0] * 3, Tier.VISITOR)
    schedule = scheduler_with(track)
    heard: list[tuple[str, float]] = []
    assert schedule.when_first_audio("a", lambda at: heard.append(("early", at)))
    assert schedule.when_first_audio("elsewhere", lambda at: heard.append(("never", at))) is False
    schedule.next(0)
    schedule.next(0)
    schedule.settle(track, 1, 900.0, written=None)  # the second sentence first: nothing playable yet
    assert heard == []
    schedule.settle(track, 0, 900.0, written=2)
    assert heard == [("early", track.first_audio)]
    assert schedule.when_first_audio("a", lambda at: heard.append(("late", at)))  # already there: at once
    assert heard == [("early", track.first_audio), ("late", track.first_audio)]
    schedule.next(0)
    schedule.settle(track, 2, 900.0, written=3)
    assert len(heard) == 2  # once only
