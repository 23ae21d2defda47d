"""Hourly counters (kept per UTC hour) as the admin reads them: per local day and per local hour.

Why UTC hours underneath: every time zone the admin could choose is a whole number of hours from
UTC at any moment (Europe/Stockholm: +1 or +2), so each UTC hour lies inside exactly one local
hour and one local day. A local day therefore has 23, 24 or 25 UTC hours (daylight-saving days),
and summing the counters of the UTC hours that start inside it is exact. Stdlib only.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Stockholm"


@lru_cache(maxsize=8)
def zone(name: str = DEFAULT_ZONE) -> tzinfo:
    """The named zone; UTC (with one warning) where neither the system nor the tzdata package has it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("time zone %s is unknown here (no tzdata?); the admin shows UTC", name)
        return timezone.utc


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart: a local day or hour, the UTC hours in it, and their summed count."""

    start: datetime  # local, aware
    first_hour: int  # unix time // 3600 of the first UTC hour inside
    hours: int  # UTC hours inside: 24, or 23 / 25 on a daylight-saving day
    count: int


def hour_of(moment: datetime) -> int:
    """The counter key of the UTC hour `moment` lies in."""
    return int(moment.timestamp() // 3600)


def local_days(counts: Mapping[int, int], now: datetime, tz: tzinfo, days: int) -> list[Bucket]:
    """The last `days` local calendar days up to and including today, oldest first."""
    today = now.astimezone(tz).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start, end = _midnight(day, tz), _midnight(day + timedelta(days=1), tz)
        first, last = hour_of(start), hour_of(end)
        out.append(Bucket(start, first, last - first, sum(counts.get(h, 0) for h in range(first, last))))
    return out


def local_hours(counts: Mapping[int, int], now: datetime, tz: tzinfo, hours: int) -> list[Bucket]:
    """The last `hours` hours up to and including the current one, oldest first, each labelled by
    its local start (on the night clocks go back, 02:00 comes twice, with different offsets)."""
    current = hour_of(now)
    return [Bucket(datetime.fromtimestamp(h * 3600, timezone.utc).astimezone(tz), h, 1, counts.get(h, 0))
            for h in range(current - hours + 1, current + 1)]


def _midnight(day: date, tz: tzinfo) -> datetime:
    """The first moment of a local day (midnight; zones that skip midnight are not ours to serve)."""
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def percentile(values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie (nearest rank); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(round(fraction * 1000)) * len(ordered) // 1000))  # ceil(fraction * n)
    return ordered[min(rank, len(ordered)) - 1]
