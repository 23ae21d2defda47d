"""The admin web UI at /admin: server-rendered pages that work without JavaScript.

Security, in one place:
- no LYSSNA_ADMIN_PASSWORD, no admin: every /admin URL answers 404;
- login compares the password in constant time (`auth.password_matches`); repeated failures from
  one address lock it out (`FailureLog`, shared with the JSON admin API);
- the session cookie is HttpOnly, SameSite=Lax (links from mail work; POSTs need the token
  anyway), limited to /admin, Secure on https requests,
  and tied to the password (changing it logs everyone out) and to a maximum age;
- every POST carries the session's CSRF token (a random per-session value, compared in constant
  time); a missing or wrong token is refused with 400;
- pages send a strict Content-Security-Policy: scripts and styles only from our own static files.

`init_app(app)` registers the blueprint and puts `activity` (service.store.activity.Activity) and
`batches` (service.work.batches.Batches) into `app.extensions["lyssna"]`.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, request, session, url_for)
from flask.sessions import SecureCookieSessionInterface

from service.reading import audio
from service.store.activity import Activity
from .auth import password_matches
from service.work.batches import Batches
from service.store.audio_cache import read_json, valid_key
from service.errors import LyssnaError
from service.reading.request import page_options

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static/admin",
               root_path=str(Path(__file__).resolve().parent.parent),
               static_url_path="/static")

SESSION_MAX_AGE_S = 12 * 3600
MAX_PREVIEW_CHARS = 500
MAX_URL_LIST_CHARS = 2_000_000
PAGES_SHOWN = 200
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
PUBLIC_ENDPOINTS = {"admin.login", "admin.static"}


# -- wiring --------------------------------------------------------------------------------------


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request itself came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (request and request.is_secure))


def init_app(app: Flask) -> None:
    """Register /admin and create the activity log and the batch runner for this app."""
    cache_dir = Path(app.config["CACHE_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = stable_secret(cache_dir / "admin_secret.key")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_PATH"] = app.config.get("SESSION_COOKIE_PATH") or "/admin"
    app.session_interface = AdminSessionInterface()
    ly = app.extensions["lyssna"]
    activity = ly.get("activity") or Activity(cache_dir / "activity.sqlite3")
    ly["activity"] = activity
    ly.setdefault("batches", Batches(ly["pipeline"], activity))
    app.register_blueprint(bp)


def stable_secret(path: Path) -> bytes:
    """A random key kept in a file (mode 0600), so sessions survive restarts and every process of
    the service agrees on it. The first process to create it wins; the others read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # atomic, and fails if another process got there first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


def _ly() -> dict:
    return current_app.extensions["lyssna"]


def _password() -> str | None:
    return current_app.config.get("ADMIN_PASSWORD") or None


def _password_tag() -> str:
    """Changes when the password changes, so old sessions stop working (not the password itself)."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, (_password() or "").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _logged_in() -> bool:
    if not session.get("admin"):
        return False
    if not hmac.compare_digest(str(session.get("tag", "")), _password_tag()):
        return False
    return time.time() - float(session.get("since", 0)) < SESSION_MAX_AGE_S


def _client() -> str:
    return request.remote_addr or "?"


@bp.before_request
def guard():
    """404 without a password; login for everything but the login page; CSRF on every POST."""
    if not _password():
        abort(404)
    if request.endpoint not in PUBLIC_ENDPOINTS and not _logged_in():
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        return _page("error.html", 401, title="Inloggning krävs",
                     message="Logga in först. / Log in first.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        given = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return _page("error.html", 400, title="Ogiltigt formulär",
                         message="Formuläret var för gammalt eller kom inte härifrån; ladda om sidan "
                                 "och försök igen. / The form was stale or did not come from here; "
                                 "reload the page and try again.")
    return None


@bp.after_request
def headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def template_helpers() -> dict:
    return {"csrf_token": csrf_token, "fmt_duration": fmt_duration, "fmt_bytes": fmt_bytes,
            "fmt_time": fmt_time}


@bp.errorhandler(LyssnaError)
def lyssna_error(e: LyssnaError):
    return _page("error.html", e.status, title="Något gick fel", message=e.message)


def _page(template: str, http_status: int = 200, /, **context) -> Response:
    return Response(render_template(f"admin/{template}", **context), status=http_status,
                    mimetype="text/html")


# -- formatting ----------------------------------------------------------------------------------


def fmt_duration(ms: float | None) -> str:
    """"1 h 02 min", "3 min 05 s", "12 s"; "–" for unknown."""
    if ms is None:
        return "–"
    s = int(round(ms / 1000))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


def fmt_bytes(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}".replace(".", ",")
        n /= 1024
    return str(n)


def fmt_time(ts: float | None) -> str:
    if not ts:
        return "–"
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) + " UTC"


# -- login ---------------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only our own admin pages, never another site (open redirect)."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if _logged_in():
            return redirect(next_url)
        return _page("login.html", next_url=next_url)
    failures = _ly()["auth_failures"]
    if failures.locked(_client()):
        return _page("login.html", 429, next_url=next_url,
                     error="För många misslyckade inloggningar; försök igen om några minuter. / "
                           "Too many failed logins; try again in a few minutes.")
    if not password_matches(request.form.get("password", ""), _password() or ""):
        failures.fail(_client())
        return _page("login.html", 401, next_url=next_url,
                     error="Fel lösenord. / Wrong password.")
    failures.clear(_client())
    session.clear()  # a fresh session (and CSRF token) after login: no fixation
    session.permanent = False
    session.update(admin=True, tag=_password_tag(), since=time.time(), csrf=secrets.token_urlsafe(32))
    return redirect(next_url)


@bp.post("/logout")
def logout():
    session.clear()
    flash("Du är utloggad. / You are logged out.")
    return redirect(url_for("admin.login"))


# -- dashboard -----------------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    ly = _ly()
    activity: Activity = ly["activity"]
    totals = activity.totals()
    hours = activity.per_hour(24)
    return _page("dashboard.html", cache=ly["cache"].stats(), totals=totals,
                 max_mb=current_app.config.get("CACHE_MAX_MB"), hours=hours,
                 hours_max=max([n for _, n in hours] + [1]),
                 queue=ly["batches"].queue_depth(), batches=ly["batches"].list(5),
                 failures=activity.recent(("failed", "batch_failed"), 10),
                 process_stats=dict(ly["readings"].generator.stats))


# -- pre-generation ------------------------------------------------------------------------------


def _pregenerate_page(http_status: int = 200, /, **context) -> Response:
    """The pre-generation page: the form, who would run a new batch, the refresh schedule, the runs."""
    from service.work.refresh import last_summary

    batches: Batches = _ly()["batches"]
    workers = batches.workers()
    return _page("pregenerate.html", http_status, batches=batches.list(20), mode=batches.mode(),
                 workers=sum(int(w.get("workers") or 1) for w in workers),
                 refresh_hours=current_app.config.get("REFRESH_HOURS"),
                 refresh=last_summary(current_app.config["CACHE_DIR"]), **context)


@bp.get("/pregenerate")
def pregenerate():
    return _pregenerate_page()


@bp.post("/pregenerate")
def pregenerate_start():
    from service.work.sitemaps import read_sitemap, read_url_list

    sitemap = request.form.get("sitemap", "").strip()
    text = request.form.get("urls", "")[:MAX_URL_LIST_CHARS]
    asked = {k: request.form.get(k, "") for k in ("content", "skip")}
    try:
        options = page_options(asked["content"], asked["skip"])
    except LyssnaError as e:
        return _pregenerate_page(e.status, error=e.message, sitemap=sitemap, urls=text, **asked)
    notes: list[str] = []
    if sitemap:
        try:
            result = read_sitemap(sitemap, current_app.config["SITES"],
                                  connect_timeout=current_app.config["FETCH_CONNECT_TIMEOUT"])
        except LyssnaError as e:
            return _pregenerate_page(e.status, error=e.message, sitemap=sitemap, urls=text, **asked)
        urls = result.urls
        label = sitemap
        notes += [f"{p.url}: {p.reason}" for p in result.errors]
        if result.skipped:
            notes.append(f"{result.skipped} adresser på andra webbplatser hoppades över. / "
                         f"{result.skipped} URLs on other sites were skipped.")
    elif text.strip():
        listed = read_url_list(text if "\n" in text else text + "\n")
        urls = list(listed)
        label = f"{len(urls)} adresser / URLs"
        notes += [f"Rad {bad.line}: {bad.text} – {bad.reason}" for bad in listed.invalid[:20]]
    else:
        return _pregenerate_page(400, error="Ange en webbplatskarta eller minst en adress. / "
                           "Give a sitemap or at least one URL.")
    if not urls:
        return _pregenerate_page(422, notes=notes,
                     error="Inga sidor att läsa in hittades. / No pages to generate were found.",
                     sitemap=sitemap, urls=text, **asked)
    batch_id = _ly()["batches"].start(urls, label=label, options=options)
    for note in notes[:20]:
        flash(note)
    return redirect(url_for("admin.batch", batch_id=batch_id), code=303)


def _batch_or_404(batch_id: str) -> dict:
    progress = _ly()["batches"].get(batch_id) if valid_key(batch_id) else None
    if progress is None:
        abort(404)
    return progress


@bp.get("/pregenerate/<batch_id>")
def batch(batch_id: str):
    return _page("batch.html", batch=_batch_or_404(batch_id))


@bp.get("/pregenerate/<batch_id>/status")
def batch_status(batch_id: str):
    """The progress as JSON, for the page's small polling script."""
    return jsonify(_batch_or_404(batch_id))


# -- pages (cached readings) ---------------------------------------------------------------------


@dataclass
class PageRow:
    """One reading in the cache as the pages list shows it (computed without side effects)."""

    id: str
    url: str
    title: str
    voice: str
    status: str  # ready | generating | failed | missing
    duration_ms: int
    sentences: int
    created: float
    older: int = 0  # earlier readings of the same page and voice (its text has changed since)


STATUS_TEXT = {"ready": "Klar", "generating": "Skapas", "failed": "Misslyckades", "missing": "Saknar ljud"}


def _page_rows(query: str, status: str) -> tuple[list[PageRow], int]:
    ly = _ly()
    cache, generator = ly["cache"], ly["readings"].generator
    rows: list[PageRow] = []
    needle = query.lower()
    for path in cache.readings_dir.glob("*.json"):
        stored = read_json(path)
        if not stored or "plan" not in stored:
            continue
        plan = stored["plan"]
        url = plan.get("url", "")
        if needle and needle not in url.lower() and needle not in (plan.get("title") or "").lower():
            continue
        key = stored.get("audio_key", "")
        if cache.is_complete(key):
            state = "ready"
        elif generator.failure(key) is not None:
            state = "failed"
        elif generator.is_running(key) or (valid_key(key) and (cache.audio_dir / f"{key}.lock").exists()
                                            and cache.is_locked(key)):  # another process makes it
            state = "generating"
        else:
            state = "missing"
        if status and state != status:
            continue
        timings = cache.timings(key) or {}
        rows.append(PageRow(path.stem, url, plan.get("title") or "", f"{plan.get('engine')}:{plan.get('voice')}",
                            state, int(timings.get("duration_ms", 0)),
                            sum(len(b["sentences"]) for b in plan.get("blocks", [])),
                            float(stored.get("created", 0))))
    # One row per page and voice: the newest reading. Older ones (the page's text changed since)
    # are only counted; visitors never get them again and eviction removes them in time.
    rows.sort(key=lambda r: (r.url, r.voice, -r.created))
    newest: list[PageRow] = []
    for row in rows:
        if newest and (newest[-1].url, newest[-1].voice) == (row.url, row.voice):
            newest[-1].older += 1
        else:
            newest.append(row)
    return newest[:PAGES_SHOWN], len(newest)


@bp.get("/pages")
def pages():
    query = request.args.get("q", "").strip()[:500]
    status = request.args.get("status", "")
    if status not in STATUS_TEXT:
        status = ""
    rows, total = _page_rows(query, status)
    return _page("pages.html", rows=rows, total=total, query=query, status=status,
                 status_text=STATUS_TEXT, shown=PAGES_SHOWN)


def _form_url() -> str:
    url = request.form.get("url", "").strip()
    if urlsplit(url).scheme not in ("http", "https"):
        abort(400)
    return url


@bp.post("/pages/regenerate")
def page_regenerate():
    """Fetch the page again and make audio for its current text, as a batch of one."""
    url = _form_url()
    readings = sorted(_ly()["cache"].readings_for_url(url), key=lambda r: r[1].get("created", 0))
    asked = readings[-1][1].get("request") if readings else None  # read it as it was asked for
    batch_id = _ly()["batches"].start([url], label=url, options=asked if isinstance(asked, dict) else None)
    return redirect(url_for("admin.batch", batch_id=batch_id), code=303)


@bp.post("/pages/delete")
def page_delete():
    url = _form_url()
    n = _ly()["cache"].purge_url(url)
    flash(f"{n} uppläsningar av {url} togs bort. / {n} readings of the page were deleted.")
    return redirect(url_for("admin.pages", q=request.form.get("q") or None), code=303)


@bp.post("/cache/purge")
def cache_purge():
    if request.form.get("confirm") != "yes":
        flash("Kryssa i rutan för att bekräfta. / Tick the box to confirm.")
        return redirect(url_for("admin.pages"), code=303)
    n = _ly()["cache"].purge_all()
    flash(f"Cachen tömdes: {n} filer togs bort. / The cache was emptied: {n} files deleted.")
    return redirect(url_for("admin.pages"), code=303)


# -- lexicon -------------------------------------------------------------------------------------


def _entry_form() -> dict:
    kind = request.form.get("kind", "text")
    return {"written": request.form.get("written", ""), "spoken": request.form.get("spoken", ""),
            "lang": (request.form.get("lang") or "sv").strip(),
            "case_sensitive": request.form.get("case_sensitive") == "1",
            "kind": kind if kind in ("text", "phonemes") else "text"}


def _lexicon_page(http_status: int = 200, /, **context) -> Response:
    query = request.args.get("q", "").strip()[:200]
    entries = _ly()["lexicon"].list(query=query or None)
    return _page("lexicon.html", http_status, entries=entries, query=query, **context)


@bp.get("/lexicon")
def lexicon():
    return _lexicon_page()


@bp.post("/lexicon")
def lexicon_add():
    fields = _entry_form()
    try:
        entry = _ly()["lexicon"].add(**fields)
    except ValueError as e:
        return _lexicon_page(400, error=str(e), form=fields)
    flash(f"Lade till ”{entry.written}”. / Added the entry.")
    return redirect(url_for("admin.lexicon"), code=303)


@bp.get("/lexicon/<int:entry_id>")
def lexicon_edit(entry_id: int):
    entry = _ly()["lexicon"].get(entry_id)
    if entry is None:
        abort(404)
    return _page("lexicon_edit.html", entry=entry, form=entry.to_dict())


@bp.post("/lexicon/<int:entry_id>")
def lexicon_update(entry_id: int):
    fields = _entry_form()
    try:
        entry = _ly()["lexicon"].update(entry_id, **fields)
    except KeyError:
        abort(404)
    except ValueError as e:
        entry = _ly()["lexicon"].get(entry_id)
        if entry is None:
            abort(404)
        return _page("lexicon_edit.html", 400, entry=entry, form=fields, error=str(e))
    flash(f"Sparade ”{entry.written}”. / Saved the entry.")
    return redirect(url_for("admin.lexicon_edit", entry_id=entry.id), code=303)


@bp.post("/lexicon/<int:entry_id>/delete")
def lexicon_delete(entry_id: int):
    if not _ly()["lexicon"].remove(entry_id):
        abort(404)
    flash("Uppslaget togs bort. / The entry was deleted.")
    return redirect(url_for("admin.lexicon"), code=303)


def _preview_text() -> tuple[str, str]:
    text = request.args.get("text", "")
    lang = request.args.get("lang") or "sv"
    if not text.strip() or len(text) > MAX_PREVIEW_CHARS or len(lang) > 20:
        abort(400)
    return text, lang


def spoken_preview(text: str, lang: str) -> tuple[str, str]:
    """(text after the lexicon, text as it will be spoken)."""
    from service.reading.speech import normalize

    applied = _ly()["lexicon"].apply(text, lang)
    return applied.text, normalize(applied.text, lang)


@bp.get("/lexicon/preview")
def lexicon_preview():
    """A page showing how a text will be said, with a player (works without JavaScript)."""
    text, lang = _preview_text()
    after, spoken = spoken_preview(text, lang)
    return _page("preview.html", text=text, lang=lang, after=after, spoken=spoken)


@bp.get("/lexicon/preview.mp3")
def lexicon_preview_mp3():
    """The MP3 of a text after the lexicon and normalization: "play this word"."""
    from .api import choose_engine

    text, lang = _preview_text()
    _after, spoken = spoken_preview(text, lang)
    engine, _voice = choose_engine(None)
    voice = lang if lang in engine.voices() else None
    seg = audio.encode_segment(engine.synthesize(spoken, voice, 1.0), lead_ms=audio.LEAD_IN_MS)
    return Response(seg.mp3, mimetype="audio/mpeg", headers={"Content-Length": str(len(seg.mp3))})


# -- settings ------------------------------------------------------------------------------------


@bp.get("/settings")
def settings():
    from service.reading.engines import engine_statuses

    config = current_app.config
    return _page("settings.html", engines=engine_statuses(config), default_engine=config["ENGINE"],
                 default_voice=config.get("VOICE"), sites=[p.origin for p in _ly()["sites"]],
                 cache_dir=config["CACHE_DIR"], max_mb=config.get("CACHE_MAX_MB"),
                 lexicon_path=config.get("LEXICON"), redis=bool(config.get("REDIS_URL")),
                 rate=config.get("RATE"), workers=config.get("WORKERS"))
