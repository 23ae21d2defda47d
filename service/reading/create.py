"""The use case: make a reading from a request. One home for every way in.

The JSON API, the no-JavaScript listen page and the admin call `create_reading` (a visitor waits:
audio is made in the background and streams as it grows); queued jobs, admin batches and the
refresh schedule call `generate_page` (audio is made in the calling thread, and a page's own
problems are reported, not raised). Both read the page the same way: validate the request, choose
the engine, fetch (or take the sent HTML or text), extract, plan, synthesize.
"""
from __future__ import annotations

import json
import os

from service.errors import EngineError, LyssnaError, SiteNotAllowed
from service.models import Block, Document

from . import audio
from .engines import ENGINES, Engine, fallback_engine
from .engines.base import EngineUnavailable
from .extract import extract
from .fetch import FetchLimits, fetch
from .request import ReadingRequest
from .services import Services
from .sites import match_site
from .speech import normalize



def choose_engine(voice: str | None, config: dict, engine_for) -> tuple[Engine, str | None]:
    """The engine and voice for a request: "engine:voice", a bare voice of the default engine, or none.

    An engine that cannot speak right now (Piper voice missing) gives way to the fallback voice.
    """
    name, _, bare = (voice or "").rpartition(":")
    name = name or config["ENGINE"]
    if name not in ENGINES:
        raise EngineError(f"Rösten {voice!r} finns inte. / The voice {voice!r} is not available.",
                          code="unknown_voice", status=400)
    try:
        engine = engine_for(name)
    except EngineUnavailable:
        engine = fallback_engine()
        bare = ""  # the requested voice belongs to the engine that is not there
    if bare and bare not in engine.voices():
        raise EngineError(f"Rösten {voice!r} finns inte. / The voice {voice!r} is not available.",
                          code="unknown_voice", status=400)
    return engine, bare or None


def load_document(req: ReadingRequest, services: Services, demo_html: str | None = None) -> Document:
    """Fetch (or take) the page's HTML and extract what should be read."""
    if demo_html is not None:
        html = demo_html
    else:
        if match_site(req.url, services.sites) is None:
            raise SiteNotAllowed("Den här webbplatsen får inte läsas upp av tjänsten. / "
                                 "This site is not allowed by the service.")
        if req.text is not None:
            lang = (req.lang or "sv").split("-")[0].lower()
            text = " ".join(req.text.split())
            return Document(url=req.url, title="", lang=lang, blocks=[Block("paragraph", text, lang, "")])
        if req.html is not None:
            html = req.html
        else:
            html = fetch(req.url, services.sites, FetchLimits.from_config(services.config)).html
    return extract(html, req.url, content=req.content, skip=req.skip)


def _request(services: Services, data: object) -> ReadingRequest:
    """The checked request, with the service's default rate filled in."""
    req = ReadingRequest.from_mapping(data)
    if req.rate is None:
        req.rate = services.config["RATE"]
    return req


def _engine(services: Services, req: ReadingRequest) -> tuple[Engine, str | None]:
    return choose_engine(req.voice or services.config.get("VOICE") or None, services.config,
                         services.engine_for)


def create_reading(services: Services, data: object, *, demo_html: str | None = None,
                   use_memo: bool = True) -> dict:
    """The Reading for a request (a JSON object as the API takes it): "ready" when its audio is
    cached, else "generating" with the audio made in the background. Raises LyssnaError.

    `demo_html`: the bundled demo page, when the request is for it. `use_memo=False` fetches the
    page even if it was read moments ago (an admin says it changed).
    """
    req = _request(services, data)
    memo_key = None
    if use_memo and req.html is None and req.text is None:
        # A page read moments ago is not fetched and extracted again: the second visitor's click
        # starts at once. Edits show up after PAGE_MEMO_S seconds.
        memo_key = json.dumps([req.url, req.content, req.skip, req.voice, req.rate])
        reading = _remembered(services, memo_key)
        if reading is not None:
            services.record("hit", url=req.url, reading_id=reading["id"])
            return reading
    engine, voice = _engine(services, req)
    doc = load_document(req, services, demo_html)
    reading = services.readings.create(doc, engine, voice, req.rate, req.options)
    if memo_key is not None:
        services.memo.remember(memo_key, reading["id"])
    services.record("hit" if reading["status"] == "ready" else "miss", url=req.url, reading_id=reading["id"])
    return reading


def _remembered(services: Services, key: str) -> dict | None:
    reading_id = services.memo.lookup(key, float(services.config.get("PAGE_MEMO_S") or 0))
    reading = services.readings.get(reading_id) if reading_id else None
    if reading and reading["status"] == "ready" and "fallback" not in reading:
        return reading
    return None


def generate_page(services: Services, url: str, options: dict | None = None, shared_lock=None) -> dict:
    """Fetch, extract, plan and make the audio of one page in this thread; a summary a person can read.

    `options`: the request's other fields (content, skip, voice, rate; html for a page already
    fetched). `shared_lock(key)`: the job queue's lock across machines (see Synthesizer.run_now).
    Never raises for a page's own problems (not allowed, not found, nothing to read): those are
    outcomes to report, not reasons to retry. Anything else propagates, so the queue retries it.
    """
    stats = services.readings.synthesizer.stats
    before = stats["sentences"]
    try:
        req = _request(services, {"url": url, **(options or {})})
        engine, voice = _engine(services, req)
        doc = load_document(req, services)
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
    voice = lang if lang in engine.voices() else None
    return audio.encode_segment(engine.synthesize(spoken, voice, 1.0), lead_ms=audio.LEAD_IN_MS).mp3
