"""The admin blueprint and its security, in one place; the areas (login, dashboard, pre-generation,
pages, lexicon) add their views to `bp`.

- no LYSSNA_ADMIN_PASSWORD, no admin: every /admin URL answers 404;
- login compares the password in constant time and under the lockout (`auth.authenticate`, shared
  with the JSON admin API): per address and service-wide, with exponential back-off;
- the session cookie is HttpOnly, SameSite=Lax (links from mail work; POSTs need the token
  anyway), limited to /admin, Secure on https requests (behind a reverse proxy: when a trusted
  proxy says so, see `proxies`); it carries a random session id that the server must know
  (`store.sessions`): logging out revokes it wherever the cookie was copied, a password change
  revokes every session, and it expires on the server after SESSION_MAX_AGE_S;
- every POST carries the session's CSRF token (a random per-session value, compared in constant
  time); a missing or wrong token is refused with 400;
- pages send a strict Content-Security-Policy: scripts and styles only from our own static files.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timezone
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface

from service.errors import BadRequest, NotAuthenticated
from service.store.timeline import zone

from .. import auth
from ..state import state
from . import i18n

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static/admin",
               root_path=str(Path(__file__).resolve().parents[2]), static_url_path="/static")

SESSION_MAX_AGE_S = 12 * 3600
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
PUBLIC_ENDPOINTS = {"admin.login", "admin.language", "admin.static"}


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request itself came over https, and
    limited to /admin under the prefix the service is served at (SCRIPT_NAME)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (request and request.is_secure))

    def get_cookie_path(self, app: Flask) -> str:
        return (request.script_root if request else "") + super().get_cookie_path(app)


def password() -> str | None:
    value = current_app.config.get("ADMIN_PASSWORD")
    return str(value) if value not in (None, "") else None


def password_tag() -> str:
    """Changes when the password changes, so old sessions stop working (not the password itself)."""
    return auth.password_tag(current_app.secret_key, password() or "")


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def start_session() -> None:
    """A fresh session (and CSRF token) after a login: no fixation; its id is known to the server."""
    tag = password_tag()
    end_session()  # a session this browser had before is not left live on the server (its language stays)
    session.permanent = False
    session.update(admin=True, sid=state().sessions.open(tag, SESSION_MAX_AGE_S), tag=tag,
                   csrf=secrets.token_urlsafe(32))


def end_session() -> None:
    """Log out: the server forgets the session id, so no copy of the cookie works any more."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        state().sessions.revoke(session_id)
    clear_session()


def clear_session() -> None:
    """Forget everything of the session but the language the admin chose (not a secret)."""
    chosen = session.get("lang")
    session.clear()
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen


def logged_in() -> bool:
    session_id = session.get("sid")
    if not session.get("admin") or not isinstance(session_id, str):
        return False
    tag = password_tag()
    if not hmac.compare_digest(str(session.get("tag", "")).encode(), tag.encode()):
        return False
    return state().sessions.valid(session_id, tag)


@bp.before_request
def guard():
    """404 without a password; login for everything but the login page; CSRF on every POST."""
    if not password():
        abort(404)
    if request.endpoint == "admin.static":
        return None
    if session.get("admin") and not logged_in():
        clear_session()  # ended elsewhere (logout, a new password, expiry): forget it here too
    if request.endpoint not in PUBLIC_ENDPOINTS and not session.get("admin"):
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        raise NotAuthenticated("Logga in först. / Log in first.")  # (the error page shows one language)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        given = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise BadRequest("Formuläret var för gammalt eller kom inte härifrån; ladda om sidan och försök "
                             "igen. / The form was stale or did not come from here; reload the page and try "
                             "again.", code="stale_form")
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
            "fmt_time": fmt_time, **i18n.helpers()}


def page(template: str, http_status: int = 200, /, **context) -> Response:
    """An admin page from templates/admin/."""
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
            return f"{i18n.number(int(n))} B" if unit == "B" else f"{i18n.number(float(n))} {unit}"
        n /= 1024
    return str(n)


def fmt_time(ts: float | None) -> str:
    """"2026-12-02 14:05 CET": local time (Europe/Stockholm), with the zone's abbreviation."""
    if not ts:
        return "–"
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(zone()).strftime("%Y-%m-%d %H:%M %Z")
