"""The use case: make a reading from a request. One home for every way in.

The JSON API, the no-JavaScript listen page and the admin call `create_reading` (a visitor waits:
audio is made in the background and streams as it grows); queued jobs, admin batches and the
refresh schedule call `generate_page` (audio is made in the calling thread, and a page's own
problems are reported, not raised). Both read the page the same way: validate the request, choose
the engine, fetch, extract, plan, synthesize.

What a URL's reading says is decided by the service alone: it is made from what the service
fetched from that URL (or its own bundled demo page). HTML a page posts is used only when the
service cannot fetch the page and the site is allowed to send it (LYSSNA_POSTED_HTML_SITES); such
a reading, like a visitor's selection, is kept apart from the page's own reading (another id,
never listed, refreshed or remembered), so no client can change what another visitor hears.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable

from service.errors import FetchError, LyssnaError, SelectionNotOnPage, SiteNotAllowed
from service.models import Block, Document

from . import metrics
from .engines import Engine
from .extract import extract, page_text
from .fetch import FetchLimits, fetch
from .request import ReadingRequest
from .services import Services
from .sites import match_site, parse_sites
from .speech import normalize
from .voices import choose_engine, say

Admit = Callable[[], None]  # called before new audio is made; raises when a client is over its limit


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
        raise SiteNotAllowed("Den här webbplatsen får inte läsas upp av tjänsten. / "
                             "This site is not allowed by the service.")


def _fetch(services: Services, url: str) -> str:
    try:
        return fetch(url, services.sites, FetchLimits.from_config(services.config)).html
    except FetchError as e:
        metrics.FETCH_ERRORS.labels(e.code).inc()
        raise


def page_html(services: Services, req: ReadingRequest) -> tuple[str, str]:
    """(the page's HTML, its source): fetched by the service ("page"), or the HTML the page sent
    ("sent") when the service could not fetch it and the site may send its own."""
    _allowed(services, req.url)
    try:
        return _fetch(services, req.url), "page"
    except FetchError as e:
        if req.html is None or isinstance(e, SiteNotAllowed) or e.status != 502:
            raise
        if match_site(req.url, parse_sites(services.config.get("POSTED_HTML_SITES") or [])) is None:
            raise
        return req.html, "sent"


def load_document(req: ReadingRequest, services: Services, known_html: str | None = None) -> tuple[Document, str]:
    """The page's blocks to read, and where the HTML came from ("page" or "sent", see `page_html`).

    `known_html`: the page as the service already has it (the bundled demo page, or a fetch the
    refresh pass just made); never HTML a client sent."""
    if known_html is not None:
        html, source = known_html, "page"
    else:
        html, source = page_html(services, req)
    return extract(html, req.url, content=req.content, skip=req.skip), source


def create_reading(services: Services, data: object, *, demo_html: str | None = None,
                   use_memo: bool = True, admit: Admit | None = None) -> dict:
    """The Reading for a request (a JSON object as the API takes it): "ready" when its audio is
    cached, else "generating" with the audio made in the background. Raises LyssnaError.

    `demo_html`: the bundled demo page, when the request is for the demo's own address.
    `use_memo=False` fetches the page even if it was read moments ago (an admin says it changed).
    """
    req = _request(services, data)
    if req.text is not None:
        return _read_selection(services, req, admit)
    memo_key = None
    if use_memo:
        # A page read moments ago is not fetched and extracted again: the second visitor's click
        # starts at once. Edits show up after PAGE_MEMO_S seconds.
        memo_key = json.dumps([req.url, req.content, req.skip, req.voice, req.rate])
        reading = _remembered(services, memo_key)
        if reading is not None:
            _count(services, "hit", req.url, reading["id"])
            return reading
    engine, voice = _engine(services, req)
    doc, source = load_document(req, services, demo_html)
    reading = services.readings.create(doc, engine, voice, req.rate, req.options, source=source, admit=admit)
    if memo_key is not None and source == "page":
        services.memo.remember(memo_key, reading["id"])
    _count(services, "hit" if reading["status"] == "ready" else "miss", req.url, reading["id"])
    return reading


def _count(services: Services, result: str, url: str, reading_id: str) -> None:
    """A reading asked for: in the admin's activity log and the metrics."""
    metrics.READINGS.labels(result).inc()
    services.record(result, url=url, reading_id=reading_id)


def _remembered(services: Services, key: str) -> dict | None:
    reading_id = services.memo.lookup(key, float(services.config.get("PAGE_MEMO_S") or 0))
    reading = services.readings.get(reading_id) if reading_id else None
    if reading and reading["status"] == "ready" and "fallback" not in reading:
        return reading
    return None


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
    reading = services.readings.create(doc, engine, voice, req.rate, None, source="selection", admit=admit)
    _count(services, "hit" if reading["status"] == "ready" else "miss", req.url, reading["id"])
    return reading


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _squash(text: str) -> str:
    """Text as compared for a selection: no soft hyphens or zero-width characters, one space, any case."""
    return " ".join(text.translate(_INVISIBLE).split()).casefold()


def _page_words(services: Services, url: str) -> str:
    """The visible text of the page (squashed), fetched at most once per PAGE_MEMO_S seconds."""
    ttl = float(services.config.get("PAGE_MEMO_S") or 0)
    words = services.memo.page_text(url, ttl)
    if words is None:
        words = _squash(page_text(_fetch(services, url)))
        services.memo.remember_page_text(url, words)
    return words


def generate_page(services: Services, url: str, options: dict | None = None, shared_lock=None, *,
                  fetched_html: str | None = None) -> dict:
    """Fetch, extract, plan and make the audio of one page in this thread; a summary a person can read.

    `options`: the request's other fields (content, skip, voice, rate). `fetched_html`: the page
    as the caller just fetched it (the refresh pass). `shared_lock(key)`: the job queue's lock
    across machines (see Synthesizer.run_now). Never raises for a page's own problems (not
    allowed, not found, nothing to read): those are outcomes to report, not reasons to retry.
    Anything else propagates, so the queue retries it.
    """
    stats = services.readings.synthesizer.stats
    before = stats["sentences"]
    asked = {k: v for k, v in (options or {}).items() if k not in ("html", "text", "lang")}  # pages only
    try:
        req = _request(services, {"url": url, **asked})
        engine, voice = _engine(services, req)
        doc, _source = load_document(req, services, fetched_html)
        outcome, reading = services.readings.create_now(doc, engine, voice, req.rate, shared_lock,
                                                        options=req.options)
    except LyssnaError as e:
        return {"url": url, "outcome": "failed", "error": e.code, "message": e.message,
                "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}
    return {"url": url, "outcome": outcome, "reading_id": reading["id"],
            "duration_ms": reading["duration_ms"], "sentence_count": reading["sentence_count"],
            "sentences_synthesized": stats["sentences"] - before, "pid": os.getpid()}


def preview(services: Services, text: str, lang: str = "sv") -> tuple[str, str, list[int]]:
    """How a text will be said (for the lexicon editor): (after the lexicon, as spoken, the ids
    of the lexicon entries that matched)."""
    applied = services.lexicon.apply(text, lang)
    return applied.text, normalize(applied.text, lang), [e.id for e in applied.matched]


def preview_audio(services: Services, spoken: str, lang: str = "sv") -> bytes:
    """The MP3 of an already spoken text in the service's voice ("play this word")."""
    engine, _ = choose_engine(None, services.config, services.engine_for)
    return say(engine, spoken, lang)
