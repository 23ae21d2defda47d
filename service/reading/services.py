"""The long-lived objects of one process, built once from configuration (no Flask here).

The web app, the job workers and the command line all build the same `Services`, so a page is
read the same way whether a visitor clicked or an admin pre-generated the site.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from service.config import ConfigError
from service.store.activity import Activity
from service.store.audio_cache import AudioCache
from service.store.flights import Flights
from service.store.lexicon import Lexicon
from service.store.reading_store import ReadingStore

from .engines import DEFAULT_ENGINE, ENGINES, Engine, get_engine
from .engines.base import EngineUnavailable
from .memo import PageMemo
from .page_flights import PageFlights
from .readings import Readings
from .sites import SitePattern, parse_sites
from .voices import is_enabled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Configuration, storage and the pipeline's front door, shared by every request of a process."""

    config: dict
    cache: AudioCache
    store: ReadingStore
    lexicon: Lexicon
    activity: Activity
    readings: Readings
    sites: list[SitePattern]
    memo: PageMemo  # pages' visible text, for checking selections
    pages: PageFlights  # readings of pages read moments ago or being read now, shared by processes

    def engine_for(self, name: str) -> Engine:
        """The engine called `name` with this configuration (raises EngineUnavailable)."""
        return get_engine(name, self.config)

    def record(self, kind: str, **fields) -> None:
        """Note an event for the admin's statistics; never breaks the reading it is about."""
        try:
            self.activity.record(kind, **fields)
        except Exception:
            log.exception("could not record activity")


def check(cache: AudioCache) -> None:
    """The start-up integrity check: temporary leftovers and truncated files go."""
    removed = cache.cleanup()
    if any(removed.values()):
        log.info("cache integrity check removed %s", removed)


def build_services(config: dict, *, check_cache: bool = True) -> Services:
    """Open the cache (with its start-up integrity check), the lexicon and the engines.

    `check_cache=False` for the job processes of `lyssna worker`: their parent checks the cache once
    before starting them (every file is read, so once per process would cost seconds per start).
    """
    if config["ENGINE"] not in ENGINES:
        raise ConfigError(f"LYSSNA_ENGINE={config['ENGINE']!r} is not one of {', '.join(ENGINES)}")
    if not is_enabled(config, config["ENGINE"]):
        raise ConfigError(f"LYSSNA_VOICES does not include LYSSNA_ENGINE={config['ENGINE']!r}")
    cache = AudioCache(config["CACHE_DIR"])
    store = ReadingStore(config["CACHE_DIR"])
    if check_cache:
        check(cache)
    try:
        get_engine(config["ENGINE"], config)
    except EngineUnavailable as e:
        log.warning("engine %s unavailable (%s); readings use %s until it works",
                    config["ENGINE"], e.message, DEFAULT_ENGINE)
    lexicon = Lexicon(config["LEXICON"])

    def engine_for(name: str) -> Engine:
        return get_engine(name, config)

    max_mb = config.get("CACHE_MAX_MB")
    max_bytes = int(float(max_mb) * 1024 * 1024) if max_mb else None
    if max_bytes:
        cache.evict(max_bytes)
    activity = Activity(Path(config["CACHE_DIR"]) / "activity.sqlite3")
    readings = Readings(cache, store, engine_for, config["WORKERS"], lexicon=lexicon,
                        max_bytes=max_bytes, activity=activity, config=config)
    return Services(config, cache, store, lexicon, activity, readings, parse_sites(config["SITES"]),
                    PageMemo(), PageFlights(Flights(config["CACHE_DIR"]), readings, config))
