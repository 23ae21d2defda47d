"""JSON API and audio delivery (DESIGN.md §2). The only place errors become HTTP responses."""
from __future__ import annotations

import json
import os
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from service.reading.engines import engine_statuses
from service.errors import BadRequest, LyssnaError
from service.reading.request import ReadingRequest, load_document
from service.reading.request import choose_engine as pipeline_choose_engine

bp = Blueprint("api", __name__)

STREAM_POLL_S = 0.05
STREAM_FIRST_POLL_S = 0.005  # until the first bytes: a listener is waiting for sound to start
STREAM_IDLE_LIMIT_S = 120.0  # give up on a stream that made no progress for this long

_HTTP_MESSAGES = {
    400: ("malformed", "Förfrågan kunde inte tolkas. / The request could not be understood."),
    404: ("not_found", "Det finns inget här. / Nothing was found here."),
    405: ("method_not_allowed", "Metoden stöds inte här. / This method is not allowed here."),
    413: ("too_large", "Förfrågan är för stor. / The request is too large."),
}


def lyssna():
    return current_app.extensions["lyssna"]


def error_response(code: str, message: str, status: int):
    resp = jsonify({"error": code, "message": message})
    resp.status_code = status
    return resp


@bp.app_errorhandler(LyssnaError)
def handle_lyssna_error(e: LyssnaError):
    return error_response(e.code, e.message, e.status)


@bp.app_errorhandler(HTTPException)
def handle_http_error(e: HTTPException):
    """JSON for the API and audio paths; Flask's own pages elsewhere."""
    if not (request.path.startswith("/api/") or request.path.startswith("/audio/")):
        return e
    code, message = _HTTP_MESSAGES.get(e.code or 500, ("error", e.description or "Fel. / Error."))
    return error_response(code, message, e.code or 500)


def demo_html_for(url: str) -> str | None:
    """The bundled demo page, when the URL is this service's own demo page."""
    if not current_app.config.get("DEMO"):
        return None
    parts = urlsplit(url)
    if parts.netloc == request.host and parts.path in ("", "/"):
        from .pages import demo_html

        return demo_html()
    return None


def choose_engine(voice: str | None):
    """The engine and bare voice for a request (see service.reading.request.choose_engine)."""
    return pipeline_choose_engine(voice, current_app.config, lyssna()["engine_for"])


def create_reading(data: object, *, use_memo: bool = True) -> tuple[dict, int]:
    req = ReadingRequest.from_mapping(data)
    ly = lyssna()
    if req.rate is None:
        req.rate = current_app.config["RATE"]
    memo_key = None
    if use_memo and req.html is None and req.text is None:
        # A page read moments ago is not fetched and extracted again: the second visitor's click
        # starts at once. Edits show up after PAGE_MEMO_S seconds.
        memo_key = json.dumps([req.url, req.content, req.skip, req.voice, req.rate])
        reading = _memo_lookup(ly, memo_key)
        if reading is not None:
            _record(ly, "hit", req.url, reading["id"])
            return reading, 200
    engine, voice = choose_engine(req.voice or current_app.config.get("VOICE") or None)
    doc = load_document(req, current_app.config, ly["sites"], demo_html_for(req.url))
    reading = ly["readings"].create(doc, engine, voice, req.rate,
                                    request={"content": req.content, "skip": req.skip, "voice": req.voice})
    if memo_key is not None:
        ly.setdefault("page_memo", {})[memo_key] = (time.monotonic(), reading["id"])
    hit = reading["status"] == "ready"
    _record(ly, "hit" if hit else "miss", req.url, reading["id"])
    return reading, 200 if hit else 202


def _memo_lookup(ly: dict, key: str) -> dict | None:
    ttl = float(current_app.config.get("PAGE_MEMO_S") or 0)
    memo = ly.setdefault("page_memo", {})
    found = memo.get(key)
    if not found or time.monotonic() - found[0] > ttl:
        if len(memo) > 10_000:
            memo.clear()
        return None
    reading = ly["readings"].get(found[1])
    if reading and reading["status"] == "ready" and "fallback" not in reading:
        return reading
    return None


def _record(ly: dict, kind: str, url: str, reading_id: str) -> None:
    activity = ly.get("activity")
    if activity is None:
        return
    try:
        activity.record(kind, url=url, reading_id=reading_id)
    except Exception:  # admin statistics never break a reading
        current_app.logger.exception("could not record activity")


@bp.get("/api/v1/voices")
def voices():
    """Voices usable now, by engine; the default engine's default voice first."""
    config = current_app.config
    out = []
    for name, status in engine_statuses(config).items():
        if not status.ok:
            continue
        engine = lyssna()["engine_for"](name)
        for v in status.voices:
            out.append({"id": f"{name}:{v}", "engine": name, "voice": v,
                        "default": name == config["ENGINE"] and v == engine.default_voice,
                        "online": bool(getattr(engine, "online", False))})
    out.sort(key=lambda v: (not v["default"], v["engine"] != config["ENGINE"], v["id"]))
    resp = jsonify({"voices": out})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/api/v1/readings", methods=["POST", "OPTIONS"])
def post_reading():
    if request.method == "OPTIONS":
        return Response(status=204)
    # Any content type: the widget sends text/plain so a cross-origin POST needs no preflight.
    data = request.get_json(force=True, silent=True)
    if data is None:
        raise BadRequest("Kroppen måste vara giltig JSON med url. / The body must be valid JSON with a url.",
                         code="malformed")
    reading, status = create_reading(data)
    resp = jsonify(reading)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/api/v1/readings/<reading_id>")
def get_reading(reading_id: str):
    reading = lyssna()["readings"].get(reading_id)
    if reading is None:
        return error_response("not_found", "Uppläsningen finns inte. / The reading does not exist.", 404)
    resp = jsonify(reading)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/audio/<reading_id>.mp3")
def get_audio(reading_id: str):
    ly = lyssna()
    readings = ly["readings"]
    key = readings.audio_key(reading_id)
    if key is None:
        return error_response("not_found", "Ljudfilen finns inte. / The audio does not exist.", 404)
    cache = ly["cache"]
    if not cache.is_complete(key):
        reading = readings.get(reading_id)  # restarts generation if the audio went missing
        if reading and reading["status"] == "failed":
            return error_response("generation_failed", reading.get("error") or "Fel. / Error.", 500)
    if cache.is_complete(key):
        cache.touch(key)
        resp = send_file(cache.mp3_path(key), mimetype="audio/mpeg", conditional=True, etag=key,
                         max_age=31536000, download_name=f"lyssna-{reading_id[:8]}.mp3",
                         as_attachment=request.args.get("download") == "1")
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        resp.headers["Accept-Ranges"] = "bytes"
        return resp
    resp = Response(_stream_growing(cache, readings.generator, key), mimetype="audio/mpeg")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Accel-Buffering"] = "no"
    return resp


def _stream_growing(cache, generator, key: str):
    """Yield the MP3 as it is written; the .part file is renamed (same inode) when it is done."""
    f = None
    idle_since = time.monotonic()
    try:
        while f is None:
            for path in (cache.part_path(key), cache.mp3_path(key)):
                try:
                    f = open(path, "rb")
                    break
                except FileNotFoundError:
                    continue
            if f is None:
                if generator.failure(key) or time.monotonic() - idle_since > STREAM_IDLE_LIMIT_S:
                    return
                time.sleep(STREAM_FIRST_POLL_S)
        sent = 0
        while True:
            chunk = f.read(64 * 1024)
            if chunk:
                idle_since = time.monotonic()
                sent += len(chunk)
                yield chunk
                continue
            if cache.is_complete(key):
                # The file we hold is now the finished .mp3 (renamed) or the .mp3 itself.
                rest = f.read()
                if rest:
                    yield rest
                return
            if generator.failure(key) or not (generator.is_running(key) or _still_growing(f)):
                if cache.is_complete(key):
                    continue
                return
            if time.monotonic() - idle_since > STREAM_IDLE_LIMIT_S:
                return
            time.sleep(STREAM_POLL_S if sent else STREAM_FIRST_POLL_S)
    finally:
        if f is not None:
            f.close()


def _still_growing(f) -> bool:
    """An unlinked file (abandoned part) will never grow again."""
    try:
        return os.fstat(f.fileno()).st_nlink > 0
    except OSError:
        return False
