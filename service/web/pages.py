"""HTML pages and static delivery: the demo page, the no-JavaScript listen page, widget.js, health."""
from __future__ import annotations

import hmac
from importlib import resources

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from service.errors import BadRequest, NotAuthenticated
from service.models import PageOptions
from service.reading import metrics
from service.reading.engines import engine_statuses
from service.reading.voices import is_enabled

from .api import reading_for
from .demo import DEMO_PATH, demo_html
from .listen_view import parts
from .state import services

HEALTH_STATS_MAX_AGE_S = 10.0  # /healthz's cache figures may be this old (counting walks the cache)

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    if not current_app.config.get("DEMO"):
        return Response("Lyssna\n", mimetype="text/plain")
    return redirect(DEMO_PATH.rstrip("/") + "/", code=302)


@bp.get(DEMO_PATH)
def demo():
    if not current_app.config.get("DEMO"):
        abort(404)
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


@bp.get("/listen.js")
def listen_script():
    """The listen page's sentence highlighting (the page works without it)."""
    path = resources.files("service").joinpath("static/listen.js")
    return send_file(str(path), mimetype="text/javascript", conditional=True, max_age=300)


@bp.get("/listen")
def listen():
    """Works without JavaScript: audio controls, the text being read as the page had it (headings,
    lists, tables), a download link, and a "play from here" link per passage: this page again with
    `t` (seconds), its audio starting there (a media fragment) and that sentence highlighted (:target).

    Errors (a site not allowed, nothing to read) become the plain error page in `errors`."""
    params = {"url": request.args.get("url", "")}
    for name in PageOptions.FIELDS:
        if request.args.get(name):
            params[name] = request.args[name]
    start = _seconds(request.args.get("t"))
    reading = reading_for(params, limited=True)
    # Show every sentence of the plan, including those not yet spoken.
    stored = services().readings.stored(reading["id"])
    blocks = stored.plan.blocks if stored else []
    starts_ms = [s["start_ms"] for b in reading["blocks"] for s in b["sentences"]]

    def play_href(seconds: float, n: int) -> str:
        return url_for("pages.listen", **params, t=f"{seconds:.2f}") + f"#s{n}"

    audio_src = reading["audio_url"] + (f"#t={start:.2f}" if start else "")
    html = render_template("listen.html", reading=reading, parts=parts(blocks, starts_ms, play_href),
                           playable=bool(starts_ms), audio_src=audio_src,
                           download_url=f"{reading['audio_url']}?download=1",
                           reading_url=url_for("api.get_reading", reading_id=reading["id"]),
                           script_url=url_for("pages.listen_script"))
    return Response(html, mimetype="text/html")


def _seconds(raw: str | None) -> float:
    """`t`: where the audio starts, in seconds (0 when not given)."""
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 24 * 3600:
        raise BadRequest("t ska vara en tid i sekunder, t.ex. 12.5. / "
                         "t must be a time in seconds, e.g. 12.5.")
    return value


@bp.get("/metrics")
def metrics_page():
    """Prometheus metrics, when LYSSNA_METRICS is set: to its bearer token, or to anyone if `open`."""
    wanted = current_app.config.get("METRICS")
    if not wanted:
        abort(404)
    if wanted != "open":
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), str(wanted).encode()):
            raise NotAuthenticated("Mätvärdena kräver Authorization: Bearer <LYSSNA_METRICS>. / "
                                   "The metrics need Authorization: Bearer <LYSSNA_METRICS>.")
    resp = Response(metrics.exposition(), mimetype="text/plain")
    resp.headers["Content-Type"] = metrics.CONTENT_TYPE
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/healthz")
def healthz():
    """Liveness, each engine's state (ok, not_installed, missing_voice, circuit_open) and the cache."""
    config = current_app.config
    statuses = engine_statuses(config)
    default = statuses.get(config["ENGINE"])
    fallback_ok = statuses["espeak"].ok
    ok = bool(default and default.ok) or fallback_ok
    body = {
        "status": "ok" if default and default.ok else ("degraded" if fallback_ok else "down"),
        "engine": config["ENGINE"],
        "engines": {name: s.as_dict() for name, s in statuses.items()},
        "voices": [f"{name}:{v}" for name, s in statuses.items() if s.ok for v in s.voices
                   if is_enabled(config, name, v)],
        "cache": services().readings.cache_stats(max_age_s=HEALTH_STATS_MAX_AGE_S),
    }
    resp = jsonify(body)
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
