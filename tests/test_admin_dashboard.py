"""The admin dashboard's figures (issue 17): listens per Swedish day (daylight-saving days have 23
and 25 hours), generation per local hour, most listened pages, time to first audio, and page
counts that agree with the pages list.

Pure bucketing is tested with fixed instants; the rest through the real app, the real fixture site
on loopback and real espeak-ng.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from service.store.activity import Activity
from service.store.timeline import hour_of, local_days, local_hours, percentile
from service.web.admin.dashboard import figures

from .helpers import wait_ready
from .test_admin_ui import (  # noqa: F401 - fixtures
    PASSWORD,
    admin_client,
    app,
    app_config,
    fixture_url,
    run_batch,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def every_hour(start: datetime, end: datetime) -> dict[int, int]:
    """One event in every UTC hour from start to end."""
    return {h: 1 for h in range(hour_of(start), hour_of(end))}


# -- bucketing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("now, short_day, hours", [
    (utc(2026, 3, 31, 12), 29, 23),  # clocks go forward on 29 March 2026: a 23-hour day
    (utc(2026, 10, 27, 12), 25, 25),  # clocks go back on 25 October 2026: a 25-hour day
])
def test_a_stockholm_day_has_23_or_25_hours_on_daylight_saving_days(now, short_day, hours):
    counts = every_hour(now - timedelta(days=10), now + timedelta(days=1))
    days = local_days(counts, now, STOCKHOLM, 5)
    assert [b.start.date() for b in days] == [now.date() - timedelta(days=n) for n in (4, 3, 2, 1, 0)]
    for b in days[:-1]:  # today is still under way
        expected = hours if b.start.day == short_day else 24
        assert (b.hours, b.count) == (expected, expected), b
    assert all(b.start.hour == 0 and b.start.minute == 0 for b in days)  # local midnights


@pytest.mark.parametrize("event, day", [
    (utc(2026, 12, 1, 22, 59), 1),  # 23:59 CET: still 1 December
    (utc(2026, 12, 1, 23, 30), 2),  # 00:30 CET: 2 December in Stockholm, 1 December in UTC
    (utc(2026, 7, 1, 21, 30), 1),  # 23:30 CEST
    (utc(2026, 7, 1, 22, 30), 2),  # 00:30 CEST
])
def test_an_event_counts_on_its_swedish_day_not_its_utc_day(event, day):
    days = local_days({hour_of(event): 1}, event + timedelta(days=2), STOCKHOLM, 4)
    assert [b.start.day for b in days if b.count] == [day]


def test_hours_are_labelled_in_swedish_time_and_the_repeated_hour_is_told_apart():
    autumn = local_hours(every_hour(utc(2026, 10, 24), utc(2026, 10, 26)), utc(2026, 10, 25, 3, 30), STOCKHOLM, 4)
    assert [b.start.strftime("%H:%M %Z") for b in autumn] == ["02:00 CEST", "02:00 CET", "03:00 CET", "04:00 CET"]
    spring = local_hours({}, utc(2026, 3, 29, 1, 10), STOCKHOLM, 2)  # 02:00 CET never happens
    assert [b.start.strftime("%H:%M %Z") for b in spring] == ["01:00 CET", "03:00 CEST"]
    assert [b.count for b in spring] == [0, 0]


def test_percentiles_by_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    values = [float(v) for v in range(100, 0, -1)]  # any order
    assert (percentile(values, 0.5), percentile(values, 0.95)) == (50.0, 95.0)
    assert percentile([1.0, 2.0, 3.0], 0.5) == 2.0


# -- the activity log ---------------------------------------------------------------------------


def test_listens_per_page_time_to_first_audio_and_the_window(tmp_path):
    activity = Activity(tmp_path / "activity.sqlite3")
    now = time.time()
    long_ago = now - 40 * 86400
    for url, n in (("http://x/a", 3), ("http://x/b", 5), ("http://x/c", 1)):
        for i in range(n):
            activity.record("hit" if i % 2 else "miss", url=url)
    activity.record("hit", url="http://x/old", at=long_ago)
    activity.record("generated", url="http://x/a")  # not a listen
    activity.record("miss")  # a listen without a page (counted per hour, not per page)
    since = hour_of(datetime.fromtimestamp(now - 30 * 86400, timezone.utc))
    assert activity.top_pages(since) == [("http://x/b", 5), ("http://x/a", 3), ("http://x/c", 1)]
    assert activity.top_pages(since, limit=1) == [("http://x/b", 5)]
    assert activity.top_pages(0)[-1] == ("http://x/old", 1)
    assert sum(activity.hourly(("hit", "miss"), since).values()) == 10
    activity.record_first_audio(420.0)
    activity.record_first_audio(1234.5, at=long_ago)
    assert activity.first_audio_ms(now - 30 * 86400) == [420.0]


def test_nothing_about_the_listener_is_stored(tmp_path):
    import sqlite3

    activity = Activity(tmp_path / "activity.sqlite3")
    activity.record("hit", url="http://x/a")
    activity.record_first_audio(100.0)
    db = sqlite3.connect(activity.path)
    columns = {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
               for table in ("page_listens", "first_audio")}
    assert columns == {"page_listens": ["hour", "url", "n"], "first_audio": ["id", "ts", "ms"]}


def test_the_cards_are_the_sums_of_their_charts(app, tmp_path):
    activity = Activity(tmp_path / "activity.sqlite3")
    now = utc(2026, 10, 27, 12)
    at = [utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 22, 59), utc(2026, 10, 25, 23, 0),  # 25 Oct: 02:30 CET..
          utc(2026, 10, 27, 11), now - timedelta(days=31)]  # .. 23:59; 26 Oct 00:00; today; too old
    for i, moment in enumerate(at):
        activity.record("hit" if i % 2 else "miss", url=f"http://x/{i}", at=moment.timestamp())
    activity.record("generated", at=(now - timedelta(minutes=5)).timestamp())
    activity.record("generated", at=(now - timedelta(hours=30)).timestamp())  # not in the last 24 hours
    with app.test_request_context():
        shown = figures(activity, now)
    per_day = {b.label: b.value for b in shown["listens"].bars}
    assert len(per_day) == 30 and list(per_day)[-1] == "2026-10-27"
    assert (per_day["2026-10-25"], per_day["2026-10-26"], per_day["2026-10-27"]) == (2, 1, 1)
    assert shown["listens"].total == 4 == sum(per_day.values())
    assert shown["from_cache"] == 2 and shown["hit_ratio"] == 0.5
    assert shown["generated"].total == 1 and len(shown["generated"].bars) == 24
    assert shown["generated"].bars[-1].label == "2026-10-27 13:00 CET"


# -- through the real app -----------------------------------------------------------------------


def card(html: str, name: str) -> str:
    found = re.search(rf'<dd id="card-{name}">(.*?)</dd>', html, re.S)
    assert found, name
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_a_visitors_listens_and_time_to_first_audio_reach_the_dashboard(app, admin_client, fixture_site):
    url = fixture_url(fixture_site, 1)
    visitor = app.test_client()
    first = visitor.post("/api/v1/readings", json={"url": url})
    assert first.status_code == 202  # made for this visitor: a miss
    wait_ready(visitor, first.get_json()["id"])
    again = visitor.post("/api/v1/readings", json={"url": url})
    assert again.status_code == 200  # served from the cache: a hit
    # An admin's regeneration (the JSON admin API) is not a listen.
    admin_api = app.test_client().post("/api/v1/admin/pages", json={"url": url},
                                       headers={"Authorization": f"Bearer {PASSWORD}"})
    assert admin_api.status_code in (200, 202)

    activity = app.extensions["lyssna"].services.activity
    samples = activity.first_audio_ms(0)
    assert len(samples) == 2 and all(ms >= 0 for ms in samples)
    html = admin_client.get("/admin/").text
    assert card(html, "listens").split()[0] == "2"
    assert card(html, "hits").split()[:5] == ["50", "%", "1", "av", "2"]
    assert "2 mätningar" in card(html, "ttfa")
    top = re.search(r'<table class="top">.*?</table>', html, re.S).group(0)
    assert url in top and re.search(r'<td class="num">2</td>', top)


def test_the_dashboards_page_count_is_the_pages_lists(app, admin_client, fixture_site):
    urls = [fixture_url(fixture_site, i) for i in (2, 3)]
    run_batch(app, admin_client, {"urls": "\n".join(urls)})
    visitor = app.test_client()
    # The same page at another rate (an older reading of the same page and voice) and a selection:
    # more readings and audio files, but still two pages.
    slower = visitor.post("/api/v1/readings", json={"url": urls[0], "rate": 0.8})
    wait_ready(visitor, slower.get_json()["id"])
    services = app.extensions["lyssna"].services
    text = services.store.for_url(urls[1])[0].plan.blocks[0].sentences[0].text
    picked = visitor.post("/api/v1/readings", json={"url": urls[1], "text": text})
    assert picked.status_code in (200, 202), picked.get_json()
    wait_ready(visitor, picked.get_json()["id"])

    # Counted once by hand: every page and voice with a reading in the store.
    by_hand = {(s.plan.url, s.plan.voice_id) for s in services.store.all() if s.plan.is_page}
    assert len(by_hand) == 2 < services.readings.cache_stats()["readings"]
    dashboard = admin_client.get("/admin/").text
    listed = admin_client.get("/admin/pages").text
    assert card(dashboard, "pages").split()[:2] == ["2", "2"]  # pages, of which with finished audio
    assert re.search(r'id="pages-count">2 sidor\.<', listed)
    assert listed.count("<audio controls") == 2
