"""The admin overview: the dashboard (listens, cache, time to first audio, generation, queue,
failures) and the settings page.

Every figure on the dashboard is counted once, in one place, so the figures agree: the pages in
the cache are the pages list's own rows (`pages.newest_rows`: one per page and voice, its newest
reading); listens, cache hits and generated readings are the activity log's hourly counters,
summed into local days and hours (`store.timeline`: Europe/Stockholm, daylight saving included),
and each card's number is the sum of the chart beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import current_app

from service.reading.engines import engine_statuses
from service.store.activity import LISTENS, Activity
from service.store.timeline import Bucket, hour_of, local_days, local_hours, percentile, zone

from ..state import services, state
from .base import bp, page
from .i18n import number, t
from .pages import newest_rows

DAYS = 30  # listens per day, the hit rate, the most listened pages and time to first audio
HOURS = 24  # generation per hour
TOP_PAGES = 10
FIRST_AUDIO_BINS = (500, 1000, 2000, 5000, 10000)  # ms: the time-to-first-audio histogram's edges


@dataclass
class Bar:
    """One bar of a chart and its row in the chart's table."""

    label: str  # in the table and the bar's tooltip
    tick: str  # under the bar ("" for none)
    value: int
    part: int = 0  # of `value`, drawn darker (listens served from the cache)


@dataclass
class Chart:
    """A bar chart drawn on the server (SVG) with the same figures as a table."""

    key: str
    bars: list[Bar]
    step: int = 20  # px per bar in the SVG's own units
    top: int = field(init=False)

    def __post_init__(self) -> None:
        self.top = max([b.value for b in self.bars] + [1])

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)

    @property
    def width(self) -> int:
        return 34 + len(self.bars) * self.step

    def height_of(self, value: int) -> float:
        return round(value / self.top * 104, 1)


def _day_tick(bucket: Bucket) -> str:
    day = bucket.start
    return f"{day.day}/{day.month}" if day.weekday() == 0 else ""  # Mondays


def _hour_label(bucket: Bucket) -> str:
    return bucket.start.strftime("%Y-%m-%d %H:%M %Z")


def _seconds(ms: int) -> str:
    return number(ms // 1000) if ms % 1000 == 0 else number(ms / 1000)


def _ttfa_bins(samples: list[float]) -> list[Bar]:
    edges = (0, *FIRST_AUDIO_BINS)
    bars = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        n = sum(1 for ms in samples if ms >= low and (high is None or ms < high))
        label = (f"{_seconds(low)}–{_seconds(high)} s" if high is not None
                 else t(f"{_seconds(low)} s eller mer", f"{_seconds(low)} s or more"))
        bars.append(Bar(label, label, n))
    return bars


def figures(activity: Activity, now: datetime) -> dict:
    """Everything the dashboard shows from the activity log, for the local days up to `now`."""
    tz = zone()
    since_hour = hour_of(now) - (DAYS + 1) * 24  # a little more than the days shown
    listens = activity.hourly(LISTENS, since_hour)
    hits = activity.hourly(("hit",), since_hour)
    days = local_days(listens, now, tz, DAYS)
    from_cache = {b.first_hour: b.count for b in local_days(hits, now, tz, DAYS)}
    listen_chart = Chart("listens", [Bar(b.start.strftime("%Y-%m-%d"), _day_tick(b), b.count,
                                         from_cache[b.first_hour]) for b in days], step=20)
    made = local_hours(activity.hourly(("generated",), since_hour), now, tz, HOURS)
    generated = Chart("generated", [Bar(_hour_label(b), b.start.strftime("%H") if i % 3 == 0 else "", b.count)
                                    for i, b in enumerate(made)], step=26)
    since = days[0].start.timestamp()
    samples = activity.first_audio_ms(since)
    top = activity.top_pages(days[0].first_hour, TOP_PAGES)
    served = sum(b.part for b in listen_chart.bars)
    return {
        "zone": getattr(tz, "key", "UTC"),
        "since": days[0].start,
        "listens": listen_chart,
        "hit_ratio": served / listen_chart.total if listen_chart.total else None,
        "from_cache": served,
        "generated": generated,
        "top": top,
        "top_max": max([n for _, n in top] + [1]),
        "ttfa": {"n": len(samples), "median": percentile(samples, 0.5), "p95": percentile(samples, 0.95)},
        "ttfa_chart": Chart("ttfa", _ttfa_bins(samples), step=100),
    }


@bp.get("/")
def dashboard():
    svc = services()
    batches = state().batches
    rows = newest_rows("", "")
    return page("dashboard.html", cache=svc.readings.cache_stats(), totals=svc.activity.totals(),
                max_mb=current_app.config.get("CACHE_MAX_MB"),
                pages_total=len(rows), pages_ready=sum(1 for r in rows if r.status == "ready"),
                queue=batches.queue_depth(), batches=batches.list(5),
                failures=svc.activity.recent(("failed", "batch_failed"), 10),
                **figures(svc.activity, datetime.now(timezone.utc)))


@bp.get("/settings")
def settings():
    config = current_app.config
    return page("settings.html", engines=engine_statuses(config), default_engine=config["ENGINE"],
                default_voice=config.get("VOICE"), sites=[p.origin for p in services().sites],
                cache_dir=config["CACHE_DIR"], max_mb=config.get("CACHE_MAX_MB"),
                lexicon_path=config.get("LEXICON"), redis=bool(config.get("REDIS_URL")),
                rate=config.get("RATE"), workers=config.get("WORKERS"),
                zone_name=getattr(zone(), "key", "UTC"))
