"""The JSON API (DESIGN.md §2): create and read Readings, list the voices, describe itself.

The description is an OpenAPI 3.1 document kept in the repository (service/static/openapi.json)
and served as it is; tests/test_openapi.py holds it to the routes, and the schemathesis run to
the answers."""
from __future__ import annotations

from functools import partial
from importlib import resources

from flask import Blueprint, Response, current_app, jsonify, request, send_file

from service.errors import BadRequest, NotFound, TooLarge
from service.reading.create import create_reading
from service.reading.engines import engine_statuses
from service.reading.voices import is_enabled

from .demo import demo_html_for
from .state import services, state

bp = Blueprint("api", __name__)


def client_address() -> str:
    """The visitor's address (through LYSSNA_TRUSTED_PROXIES only), for per-client limits."""
    return request.remote_addr or "?"


def json_body(*, force: bool = False) -> object | None:
    """The request's JSON (any content type when `force`), or None when it is not JSON.

    JSON nested deeper than Python's parser can recurse (100,000 brackets) is malformed input like
    any other: BadRequest, not the RecursionError that would otherwise escape as a 500."""
    try:
        return request.get_json(force=force, silent=True)
    except RecursionError:
        raise BadRequest("JSON-kroppen är för djupt nästlad. / The JSON body is nested too deeply.",
                         code="malformed") from None


def reading_for(data: object, *, use_memo: bool = True, limited: bool = True) -> dict:
    """`create_reading` for this request: the demo's own address reads the bundled demo page, and
    a visitor (`limited`) starts at most LYSSNA_CLIENT_READINGS_PER_MINUTE new readings a minute
    and is counted as a listen (an admin's regeneration is not)."""
    url = data.get("url") if isinstance(data, dict) else None
    demo = demo_html_for(url.strip()) if isinstance(url, str) else None
    admit = None
    if limited:
        per_minute = int(current_app.config.get("CLIENT_READINGS_PER_MINUTE") or 0)
        admit = partial(state().limits.admit_reading, client_address(), per_minute)
    with services().readings.synthesizer.preparing():  # readings well ahead wait for this click
        return create_reading(services(), data, demo_html=demo, use_memo=use_memo, admit=admit,
                              listen=limited)


def reading_response(data: object, *, use_memo: bool = True, limited: bool = True) -> Response:
    """200 with the Reading when its audio is cached, 202 while it is being made."""
    reading = reading_for(data, use_memo=use_memo, limited=limited)
    resp = jsonify(reading)
    resp.status_code = 200 if reading["status"] == "ready" else 202
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/api/v1/voices")
def voices():
    """Voices usable now, by engine; the default engine's default voice first."""
    config = current_app.config
    out = []
    for name, status in engine_statuses(config).items():
        if not status.ok or not is_enabled(config, name):
            continue
        engine = services().engine_for(name)
        for v in status.voices:
            if not is_enabled(config, name, v):
                continue
            item = {"id": f"{name}:{v}", "engine": name, "voice": v,
                    "default": name == config["ENGINE"] and v == engine.default_voice,
                    "online": bool(getattr(engine, "online", False))}
            if v in status.models:  # Piper: which installed voice speaks it, e.g. sv_SE-nst-medium
                item["model"] = status.models[v]
            out.append(item)
    out.sort(key=lambda v: (not v["default"], v["engine"] != config["ENGINE"], v["id"]))
    resp = jsonify({"voices": out})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/api/v1/readings", methods=["POST", "OPTIONS"])
def post_reading():
    if request.method == "OPTIONS":
        return Response(status=204)
    # The body as it arrived (chunked bodies have no Content-Length; werkzeug stops at
    # MAX_CONTENT_LENGTH with 413), counted against the client's posted bytes.
    body = request.get_data(cache=True)
    if request.content_length is None and len(body) >= int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) > 0:
        raise TooLarge("Förfrågan är för stor. / The request is too large.")  # a chunked body cut at the cap
    state().limits.admit_bytes(client_address(), len(body),
                               float(current_app.config.get("CLIENT_POSTED_MB_PER_MINUTE") or 0))
    # Any content type: the widget sends text/plain so a cross-origin POST needs no preflight.
    data = json_body(force=True)
    if data is None:
        raise BadRequest("Kroppen måste vara giltig JSON med url. / The body must be valid JSON with a url.",
                         code="malformed")
    return reading_response(data)


@bp.get("/api/v1/readings/<reading_id>")
def get_reading(reading_id: str):
    reading = services().readings.get(reading_id)
    if reading is None:
        raise NotFound("Uppläsningen finns inte. / The reading does not exist.")
    resp = jsonify(reading)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/api/v1/openapi.json")
def openapi():
    """This API as an OpenAPI 3.1 document: every route, body, parameter and answer."""
    path = resources.files("service").joinpath("static/openapi.json")
    return send_file(str(path), mimetype="application/json", conditional=True, max_age=300)
