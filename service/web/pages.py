"""HTML pages and static delivery: the demo page, the no-JavaScript listen page, widget.js, health."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file, url_for

from service.errors import LyssnaError

bp = Blueprint("pages", __name__)


@lru_cache(maxsize=1)
def _demo_template() -> str:
    return resources.files("service").joinpath("templates/demo.html").read_text(encoding="utf-8")


def demo_html() -> str:
    """Fixture page 01 with the player embedded; the listen link points back at this service."""
    page_url = request.host_url  # e.g. http://127.0.0.1:8000/
    listen = url_for("pages.listen", url=page_url)
    return _demo_template().replace("@@LISTEN_URL@@", listen)


@bp.get("/")
def index():
    if not current_app.config.get("DEMO"):
        return Response("Lyssna\n", mimetype="text/plain")
    resp = Response(demo_html(), mimetype="text/html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/widget.js")
def widget():
    path = resources.files("service").joinpath("static/widget.js")
    resp = send_file(str(path), mimetype="text/javascript", conditional=True, max_age=300)
    resp.headers["Access-Control-Allow-Origin"] = "*"  # public script; no credentials involved
    resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return resp


@bp.get("/listen")
def listen():
    """Works without JavaScript: audio controls, the text being read, a download link."""
    from .api import create_reading

    url = request.args.get("url", "")
    params = {"url": url}
    for name in ("content", "skip", "voice"):
        if request.args.get(name):
            params[name] = request.args[name]
    try:
        reading, _ = create_reading(params)
    except LyssnaError as e:
        html = render_template("listen_error.html", message=e.message, url=url)
        return Response(html, status=e.status, mimetype="text/html")
    # Show every sentence of the plan, including those not yet spoken.
    stored = current_app.extensions["lyssna"]["cache"].load_reading(reading["id"])
    blocks = stored["plan"]["blocks"] if stored else []
    html = render_template("listen.html", reading=reading, blocks=blocks,
                           download_url=f"{reading['audio_url']}?download=1")
    return Response(html, mimetype="text/html")


@bp.get("/healthz")
def healthz():
    """Liveness, each engine's state (ok, not_installed, missing_voice, circuit_open) and the cache."""
    from service.reading.engines import engine_statuses

    config = current_app.config
    ly = current_app.extensions["lyssna"]
    statuses = engine_statuses(config)
    default = statuses.get(config["ENGINE"])
    fallback_ok = statuses["espeak"].ok
    ok = bool(default and default.ok) or fallback_ok
    body = {
        "status": "ok" if default and default.ok else ("degraded" if fallback_ok else "down"),
        "engine": config["ENGINE"],
        "engines": {name: s.as_dict() for name, s in statuses.items()},
        "voices": [f"{name}:{v}" for name, s in statuses.items() if s.ok for v in s.voices],
        "cache": ly["cache"].stats(),
    }
    resp = jsonify(body)
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


def listen_link(base: str, page_url: str) -> str:
    return f"{base.rstrip('/')}/listen?url={quote(page_url, safe='')}"
