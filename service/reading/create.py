"""The use case: make a reading from a request. One home for every way in.

The JSON API, the no-JavaScript listen page and the admin call `create_reading` (a visitor waits:
audio is made in the background and streams as it grows); queued jobs, admin batches and the
refresh schedule call `generate_page` (audio is made in the calling thread, and a page's own
problems are reported, not raised). Both read the page the same way: validate the request, choose
the engine, fetch, extract, plan, synthesize. Requests for one page that arrive together, in any
process, share one fetch, extraction and plan, and a page read moments ago is not fetched again
(page_flights.py).

What a URL's reading says is decided by the service alone: it is made from what the service
fetched from that URL (or its own bundled demo page). HTML a page posts is used only when the
service cannot fetch the page and the site is allowed to send it (LYSSNA_POSTED_HTML_SITES); such
a reading, like a visitor's selection, is kept apart from the page's own reading (another id,
never listed, refreshed or remembered), so no client can change what another visitor hears.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from service.errors import Busy, FetchError, LyssnaError, SelectionNotOnPage, SiteNotAllowed
from service.models import Block, ContentArea, Document, FetchedPage, StoredReading

from . import metrics
from .engines import Engine
from .extract import document_links, extract, page_text
from .fetch import FetchLimits, fetch
from .request import ReadingRequest
from .services import Services
from .sites import match_site, origin_of, parse_sites
from .speech import normalize
from .voices import choose_engine, say

Admit = Callable[[], None]  # called before new audio is made; raises when a client is over its limit

log = logging.getLogger(__name__)


def _request(services: Services, data: object) -> ReadingRequest:
    """The checked request, with the service's default rate filled in."""
    req = ReadingRequest.from_mapping(data)
    if req.rate is None:
        req.rate = services.config["RATE"]
    return req


def _engine(services: Services, req: ReadingRequest) -> tuple[Engine, str | None]:
    return choose_engine(req.voice or services.config.get("VOICE") or None, services.config,
                         services.engine_for)


def _allowed(services: Services, url: str) -> None:
    if match_site(url, services.sites) is None:
        try:
            named = f" ({origin_of(url)})"
        except ValueError:
            named = ""
        # Said to the page's visitor and its web editor alike: the setting names what to fix.
        raise SiteNotAllowed(f"Den här webbplatsen{named} får inte läsas upp av tjänsten: den saknas i "
                             f"LYSSNA_SITES. / This site{named} is not allowed by the service: it is missing "
                             "from LYSSNA_SITES.")


def _fetch(services: Services, url: str) -> FetchedPage:
    try:
        return fetch(url, services.sites, FetchLimits.from_config(services.config))
    except FetchError as e:
        metrics.FETCH_ERRORS.labels(e.code).inc()
        raise


def read_fetched(services: Services, fetched: str | FetchedPage, url: str, content: str | None = None,
                 skip: str | None = None) -> Document:
    """What a fetched page or document says: HTML through extraction (`content`/`skip` choose the
    area), a PDF through the document reader (the whole document; selectors do not apply)."""
    if isinstance(fetched, FetchedPage) and fetched.is_document:
        from .documents import extract_pdf  # loads the PDF library only when a document comes

        doc = extract_pdf(fetched.data, url, max_pages=int(services.config["DOCUMENT_MAX_PAGES"]))
        if doc.area is None:
            doc.area = ContentArea("document", "document", "Hela dokumentet. / The whole document.")
        return doc
    html = fetched if isinstance(fetched, str) else fetched.html
    return extract(html, url, content=content, skip=skip)


def _request_key(req: ReadingRequest) -> str:
    """What makes two requests for a page the same: the page memo's and the single flight's key."""
    return json.dumps([req.url, req.content, req.skip, req.voice, req.rate])


def _read_page(services: Services, req: ReadingRequest, chosen: tuple[Engine, str | None],
               known: str | FetchedPage | None = None, admit: Admit | None = None) -> StoredReading:
    """Fetch, extract, plan and store a page (or document) in the `chosen` voice: one run for
    everyone who asks at once (page_flights.py). `admit`: see `Readings.prepare`.

    `known`: the page as the service already has it (the bundled demo page's HTML, or a fetch the
    refresh pass just made); never HTML a client sent."""
    engine, voice = chosen
    if known is None:
        _allowed(services, req.url)
        known = _fetch(services, req.url)
    with in_turn():
        doc = read_fetched(services, known, req.url, req.content, req.skip)
        return services.readings.prepare(doc, engine, voice, req.rate, req.options, source="page", admit=admit)


_TURN = threading.Semaphore(1)  # its waiters are woken in the order they came
TURN_WAIT_S = 1.0


@contextmanager
def in_turn() -> Iterator[None]:
    """Pages are read and planned one at a time per process, in the order they came.

    Why: reading and planning a page is some 45 ms of Python, which runs one thread at a time. 26
    pages clicked at once and planned side by side all finished together, at the end; one at a
    time, the first is ready after 45 ms (measured, 2 cores, 2 processes: median first audio
    0.44 s instead of 0.62 s, p90 unchanged). A page that takes long (a huge one) holds the others
    at most TURN_WAIT_S; then they go ahead side by side. Fetching is not in turn: it waits on
    the network, not on Python."""
    got = _TURN.acquire(timeout=TURN_WAIT_S)
    try:
        yield
    finally:
        if got:
            _TURN.release()


def _start_page(services: Services, req: ReadingRequest, chosen: tuple[Engine, str | None],
                known_html: str | None, admit: Admit | None) -> StoredReading:
    """`_read_page`, and its audio started before the others waiting for this run see it: they
    join the audio being made, without their own client's admission."""
    stored = _read_page(services, req, chosen, known_html, admit)
    services.readings.synthesizer.ensure(stored.plan, stored.audio_key)
    return stored


def _read_sent(services: Services, req: ReadingRequest, chosen: tuple[Engine, str | None], failed: FetchError,
               admit: Admit | None) -> StoredReading:
    """The HTML the page sent, when the service could not fetch the page (502) and the site may
    send its own (LYSSNA_POSTED_HTML_SITES); else the fetch's error. Never remembered or shared."""
    if req.html is None or isinstance(failed, SiteNotAllowed) or failed.status != 502:
        raise failed
    if match_site(req.url, parse_sites(services.config.get("POSTED_HTML_SITES") or [])) is None:
        raise failed
    engine, voice = chosen
    doc = extract(req.html, req.url, content=req.content, skip=req.skip)
    stored = services.readings.prepare(doc, engine, voice, req.rate, req.options, source="sent", admit=admit)
    services.readings.synthesizer.ensure(stored.plan, stored.audio_key)
    return stored


def create_reading(services: Services, data: object, *, demo_html: str | None = None,
                   use_memo: bool = True, admit: Admit | None = None, listen: bool = True) -> dict:
    """The Reading for a request (a JSON object as the API takes it): "ready" when its audio is
    cached, else "generating" with the audio made in the background. Raises LyssnaError.

    `demo_html`: the bundled demo page, when the request is for the demo's own address.
    `use_memo=False` fetches the page even if it was read moments ago (an admin says it changed),
    but joins a fetch of it already under way. `listen`: a visitor asked (the player, /listen),
    counted as a listen with its time to first audio; False for an admin's request.
    """
    asked_at = time.monotonic()
    req = _request(services, data)
    if req.text is not None:
        reading = _read_selection(services, req, admit)
        _count(services, reading, req.url, asked_at, listen)
        return reading
    chosen = _engine(services, req)  # a voice that is not enabled is refused before anything else
    if demo_html is None:
        _allowed(services, req.url)  # before the memo too: another process may allow other sites
    # A page read moments ago (PAGE_MEMO_S), or being read for another visitor right now, in this
    # process or another, is not fetched again: the crowd's clicks share one fetch, extraction and
    # plan. Only what the service fetched goes through there; HTML the page sent never does.
    work = partial(_start_page, services, req, chosen, demo_html, admit)
    try:
        stored = services.pages.read(_request_key(req), work, use_memo=use_memo)
    except FetchError as e:
        stored = _read_sent(services, req, chosen, e, admit)
    reading = services.readings.start(stored, admit)  # admitted if its audio is not made or being made
    _count(services, reading, req.url, asked_at, listen)
    return reading


def _count(services: Services, reading: dict, url: str, asked_at: float, listen: bool) -> None:
    """A reading asked for: in the metrics (hit: its audio was made already; else a miss); a
    visitor's (a listen) also in the admin's activity log, with its time to first audio."""
    ready = reading["status"] == "ready"
    metrics.READINGS.labels("hit" if ready else "miss").inc()
    if not listen:
        return
    # A cached reading's time to first audio is the answer's, known now: written with the listen.
    services.record("hit" if ready else "miss", url=url, reading_id=reading["id"],
                    first_audio_ms=(time.monotonic() - asked_at) * 1000.0 if ready else None)
    if not ready:
        _time_first_audio(services, reading, asked_at)


def _time_first_audio(services: Services, reading: dict, asked_at: float) -> None:
    """Time to first audio of a reading still being made: from the request's arrival to the moment
    its first sentence of audio is in the cache and the answer is out (whichever is later). Measured
    where the audio is made, in this process; audio made by another process for this request, and
    failed readings, are not measured."""
    answered = time.monotonic()

    def note(first_audio: float) -> None:
        try:
            services.activity.record_first_audio((max(first_audio, answered) - asked_at) * 1000.0)
        except Exception:  # the figures are for admins; they must never break a reading
            log.exception("could not record the time to first audio")

    readings = services.readings
    key = readings.audio_key(reading["id"])
    if key is not None and reading["status"] != "failed":
        if not readings.synthesizer.when_first_audio(key, note) and readings.cache.is_complete(key):
            note(time.monotonic())  # made in full meanwhile


def _read_selection(services: Services, req: ReadingRequest, admit: Admit | None) -> dict:
    """Text a visitor selected: read only when it is on the page as the service fetches it, so
    the service never speaks arbitrary text on a site's behalf."""
    _allowed(services, req.url)
    text = " ".join(req.text.split())
    if _squash(text) not in _page_words(services, req.url):
        raise SelectionNotOnPage("Den markerade texten finns inte på sidan. / "
                                 "The selected text is not on the page.")
    lang = (req.lang or "sv").split("-")[0].lower()
    doc = Document(url=req.url, title="", lang=lang, blocks=[Block("paragraph", text, lang, "")])
    engine, voice = _engine(services, req)
    return services.readings.create(doc, engine, voice, req.rate, None, source="selection", admit=admit)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _squash(text: str) -> str:
    """Text as compared for a selection: no soft hyphens or zero-width characters, one space, any case."""
    return " ".join(text.translate(_INVISIBLE).split()).casefold()


def _page_words(services: Services, url: str) -> str:
    """The visible text of the page (squashed), fetched at most once per PAGE_MEMO_S seconds."""
    ttl = float(services.config.get("PAGE_MEMO_S") or 0)
    words = services.memo.page_text(url, ttl)
    if words is None:
        fetched = _fetch(services, url)
        words = _squash(" ".join(b.text for b in read_fetched(services, fetched, url).blocks)
                        if fetched.is_document else page_text(fetched.html))
        services.memo.remember_page_text(url, words)
    return words


def generate_page(services: Services, url: str, options: dict | None = None, shared_lock=None, *,
                  fetched: FetchedPage | None = None, documents: bool = False) -> dict:
    """Fetch, extract, plan and make the audio of one page in this thread; a summary a person can read.

    `options`: the request's other fields (content, skip, voice, rate). `fetched`: the page
    as the caller just fetched it (the refresh pass). `documents`: also list the page's links to
    documents on the same site (`"documents"` in the summary), for pre-generation to follow. `shared_lock(key)`: the job queue's lock
    across machines (see Synthesizer.run_now). Never raises for a page's own problems (not
    allowed, not found, nothing to read): those are outcomes to report, not reasons to retry.
    Anything else propagates, so the queue retries it.
    """
    stats = services.readings.synthesizer.stats
    before = stats["sentences"]
    asked = {k: v for k, v in (options or {}).items() if k not in ("html", "text", "lang")}  # pages only
    try:
        req = _request(services, {"url": url, **asked})
        if documents and fetched is None:
            _allowed(services, req.url)
            fetched = _fetch(services, req.url)
        # A fresh fetch (no reading from before), but one shared with a crowd's clicks or another
        # worker asking at the same moment, and left for the visitors' next clicks.
        work = partial(_read_page, services, req, _engine(services, req), fetched)
        stored = services.pages.read(_request_key(req), work, use_memo=False)
        outcome, reading = services.readings.make_now(stored, shared_lock)
    except Busy:
        raise  # not the page's problem: the queue tries again
    except LyssnaError as e:
        return {"url": url, "outcome": "failed", "error": e.code, "message": e.message,
                "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}
    summary = {"url": url, "outcome": outcome, "reading_id": reading["id"],
               "duration_ms": reading["duration_ms"], "sentence_count": reading["sentence_count"],
               "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}
    if documents and fetched is not None and not fetched.is_document:
        summary["documents"] = [u for u in document_links(fetched.html, fetched.url) if _same_site(services, u, url)]
    return summary


def _same_site(services: Services, link: str, page_url: str) -> bool:
    """A link on the page's own origin (and allowed): pre-generation never wanders to other sites."""
    try:
        return origin_of(link) == origin_of(page_url) and match_site(link, services.sites) is not None
    except (LyssnaError, ValueError):
        return False


def preview(services: Services, text: str, lang: str = "sv") -> tuple[str, str, list[int]]:
    """How a text will be said (for the lexicon editor): (after the lexicon, as spoken, the ids
    of the lexicon entries that matched)."""
    applied = services.lexicon.apply(text, lang)
    return applied.text, normalize(applied.text, lang), [e.id for e in applied.matched]


def preview_audio(services: Services, spoken: str, lang: str = "sv") -> bytes:
    """The MP3 of an already spoken text in the service's voice ("play this word")."""
    engine, _ = choose_engine(None, services.config, services.engine_for)
    return say(engine, spoken, lang)
