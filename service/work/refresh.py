"""The refresh schedule: re-check every page that has audio and regenerate only what changed.

Why it is cheap: per page URL we remember the validators of the last fetch (ETag, Last-Modified)
and a hash of the extracted text. A pass asks the site with a conditional GET (If-None-Match /
If-Modified-Since): a 304 costs no extraction at all. A 200 is extracted and hashed; only a changed
hash leads to generation, and generation re-synthesizes only the sentences whose sound changed. A
page the site answers 404 or 410 for is reported and its readings and audio are purged.

State lives in <CACHE_DIR>/refresh.sqlite3 (pages and the time of the last scheduled pass). The
pages to check are those with readings in the cache (see `known_pages`) plus those remembered here.
`lyssna refresh` runs one pass now; `lyssna worker` runs one every LYSSNA_REFRESH_HOURS.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from service.errors import LyssnaError
from service.reading.create import generate_page, read_fetched
from service.reading.fetch import FetchLimits, fetch_if_changed
from service.reading.services import Services
from service.reading.sites import match_site
from service.store.sqlite import connect, open_database

from .locks import shared_lock_for

log = logging.getLogger(__name__)

PARALLEL = 2  # pages checked at once: fetching one overlaps synthesizing another
MAX_VARIANTS = 4  # ways of asking for one page (selectors, voice, rate) renewed per pass
MAX_REPORTED = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    checked REAL,
    changed REAL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class PageState:
    """What the last fetch of a page told us."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    checked: float | None = None
    changed: float | None = None


class PageStates:
    """The refresh state in SQLite (any thread, any process on the machine)."""

    def __init__(self, cache_dir: str | Path):
        self.path = open_database(Path(cache_dir) / "refresh.sqlite3", _SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, rows=True)

    def get(self, url: str) -> PageState | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        return None if row is None else PageState(**dict(row))

    def save(self, state: PageState) -> None:
        with closing(self._connect()) as db:
            db.execute("INSERT OR REPLACE INTO pages (url, etag, last_modified, content_hash, checked, changed) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (state.url, state.etag, state.last_modified,
                                                    state.content_hash, state.checked, state.changed))

    def remove(self, url: str) -> None:
        with closing(self._connect()) as db:
            db.execute("DELETE FROM pages WHERE url = ?", (url,))

    def urls(self) -> list[str]:
        with closing(self._connect()) as db:
            return [r[0] for r in db.execute("SELECT url FROM pages")]

    def get_meta(self, key: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with closing(self._connect()) as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def claim(self, key: str, every_s: float, now: float) -> bool:
        """True (and the time recorded) when `key` was last claimed `every_s` ago or never: one
        process wins, however many ask at once."""
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None and now - float(row[0]) < every_s:
                db.execute("ROLLBACK")
                return False
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, repr(now)))
            db.execute("COMMIT")
            return True


@dataclass
class RefreshSummary:
    """What one pass found; `line()` says it in one sentence (Swedish / English)."""

    checked: int = 0
    not_modified: int = 0  # the site answered 304
    unchanged: int = 0  # fetched, but the text is the same
    regenerated: int = 0  # the text changed and new audio was made
    gone: int = 0  # 404 or 410: readings and audio purged
    failed: int = 0
    skipped: int = 0  # readings of sites no longer in LYSSNA_SITES
    sentences_synthesized: int = 0
    failures: list[dict] = field(default_factory=list)  # {"url", "message"}
    gone_urls: list[str] = field(default_factory=list)
    regenerated_urls: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def line(self) -> str:
        return (f"Kontrollerade / checked {self.checked}: {self.not_modified} ej ändrade (304) / "
                f"not modified, {self.unchanged} oförändrade / unchanged, {self.regenerated} förnyade / "
                f"regenerated, {self.gone} borttagna (404/410) / gone, {self.failed} misslyckade / "
                f"failed; {self.sentences_synthesized} meningar syntetiserade / sentences synthesized")

    def to_dict(self) -> dict:
        return asdict(self)


def content_hash(doc) -> str:
    """A hash of what would be read aloud (title, language, blocks), not of the page's markup, so
    a changed banner or timestamp in the HTML does not count as a change."""
    data = asdict(doc)
    data.pop("url", None)
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:40]


def known_pages(services: Services) -> dict[str, list[dict]]:
    """Page URL -> generation options for each voice and rate it has readings in.

    Readings of a selection (text sent by the player, no locators) are not pages and are left out.
    Each reading is asked for again as it was (its stored request: selectors, voice or none). For
    readings made before requests were stored, the engine's default voice is taken as "no voice",
    as the player asks, so a page with English blocks keeps reading them in an English voice.
    Only the MAX_VARIANTS most recently made ways of asking are renewed: a site's player asks
    in one or two, and requests with made-up selectors must not multiply the refresh's work.
    """
    config = services.config
    pages: dict[str, list[dict]] = {}
    for stored in sorted(services.store.all(), key=lambda r: r.created, reverse=True):
        plan = stored.plan
        if not plan.url or not plan.is_page:
            continue  # a selection or HTML a page sent: not what the site serves at this URL
        options: dict = {"rate": float(plan.rate or config["RATE"])}
        if stored.request is not None:  # as the page was asked for: selectors and voice (none = default)
            options.update(stored.request.as_dict())
        elif not (plan.engine == config["ENGINE"] and plan.voice == _default_voice(services, plan.engine)
                  and not config.get("VOICE")):  # a reading from before requests were kept: a guess
            options["voice"] = plan.voice_id
        variants = pages.setdefault(plan.url, [])
        if options not in variants and len(variants) < MAX_VARIANTS:
            variants.append(options)
    return pages


def _default_voice(services: Services, engine: str) -> str | None:
    try:
        return services.engine_for(engine).default_voice
    except LyssnaError:
        return None


def run_pass(services: Services, urls: list[str] | None = None, *, on_page=None) -> RefreshSummary:
    """Re-check `urls` (default: every known page) and regenerate what changed.

    `on_page(url, outcome)` is called after each page (for a progress display).
    """
    states = PageStates(services.config["CACHE_DIR"])
    known = known_pages(services)
    todo = list(dict.fromkeys(urls if urls is not None else sorted(set(known) | set(states.urls()))))
    summary = RefreshSummary(started=time.time())
    allowed = [u for u in todo if match_site(u, services.sites) is not None]
    summary.skipped = len(todo) - len(allowed)

    def one(url: str) -> tuple[str, str, dict]:
        try:
            outcome, details = check_page(services, states, url, known.get(url) or [{}])
        except Exception as e:  # one page must never stop the pass
            log.exception("refresh of %s failed", url)
            outcome, details = "failed", {"message": f"{type(e).__name__}: {e}"}
        if on_page is not None:
            on_page(url, outcome)
        return url, outcome, details

    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="lyssna-refresh") as pool:
        for url, outcome, details in pool.map(one, allowed):
            summary.checked += 1
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            summary.sentences_synthesized += int(details.get("sentences_synthesized", 0))
            if outcome == "failed" and len(summary.failures) < MAX_REPORTED:
                summary.failures.append({"url": url, "message": details.get("message", "")})
            elif outcome == "gone" and len(summary.gone_urls) < MAX_REPORTED:
                summary.gone_urls.append(url)
            elif outcome == "regenerated" and len(summary.regenerated_urls) < MAX_REPORTED:
                summary.regenerated_urls.append(url)
    summary.finished = time.time()
    states.set_meta("last_summary", json.dumps(summary.to_dict(), ensure_ascii=False))
    return summary


def check_page(services: Services, states: PageStates, url: str, variants: list[dict]) -> tuple[str, dict]:
    """One page: ("not_modified" | "unchanged" | "regenerated" | "gone" | "failed", details)."""
    config = services.config
    state = states.get(url) or PageState(url)
    now = time.time()
    try:
        answer = fetch_if_changed(url, services.sites, FetchLimits.from_config(config), etag=state.etag,
                                  last_modified=state.last_modified)
    except LyssnaError as e:
        return "failed", {"message": e.message}
    if answer.gone:
        purged = services.readings.purge_url(url)
        states.remove(url)
        log.info("refresh: %s is gone (HTTP %d); purged %d readings", url, answer.status, purged)
        return "gone", {"status": answer.status, "purged": purged}
    if answer.not_modified:
        state.checked = now
        state.etag, state.last_modified = answer.etag, answer.last_modified
        states.save(state)
        return "not_modified", {}
    fetched = answer.page
    try:  # what each variant reads: the same page may be read with different content selectors
        areas = {(v.get("content"), v.get("skip")) for v in variants}
        digest = "".join(content_hash(read_fetched(services, fetched, url, c, k)) for c, k in sorted(areas, key=str))
        digest = hashlib.sha256(digest.encode()).hexdigest()[:40] if len(areas) > 1 else digest
    except LyssnaError as e:
        return "failed", {"message": e.message}
    state.etag, state.last_modified, state.checked = answer.etag, answer.last_modified, now
    if digest == state.content_hash:
        states.save(state)
        return "unchanged", {}
    outcomes, synthesized = [], 0
    for options in variants:
        result = generate_page(services, url, options, shared_lock=shared_lock_for(config), fetched=fetched)
        outcomes.append(result)
        synthesized += int(result.get("sentences_synthesized", 0))
    failed = [r for r in outcomes if r["outcome"] == "failed"]
    if failed:  # keep the old validators: the next pass tries again
        return "failed", {"message": failed[0].get("message", ""), "sentences_synthesized": synthesized}
    state.content_hash, state.changed = digest, now
    states.save(state)
    outcome = "regenerated" if any(r["outcome"] == "new" for r in outcomes) else "unchanged"
    return outcome, {"sentences_synthesized": synthesized}


def last_summary(cache_dir: str | Path) -> dict | None:
    """The summary of the most recent pass (for the admin page), or None."""
    raw = PageStates(cache_dir).get_meta("last_summary")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def claim_scheduled_pass(config: dict, hours: float) -> bool:
    """Whether this worker should start the scheduled pass now: at most one pass per `hours`,
    whichever worker (on whichever machine, with Redis) asks first."""
    now = time.time()
    every = hours * 3600.0
    if config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(config["REDIS_URL"])
        return bool(client.set("lyssna:refresh:claimed", repr(now), nx=True, ex=max(1, int(every))))
    return PageStates(config["CACHE_DIR"]).claim("scheduled_pass", every, now)
