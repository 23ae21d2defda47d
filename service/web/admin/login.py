"""Logging in and out of the admin UI, and where a login may lead (`next_path`)."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from flask import Response, flash, redirect, request, session, url_for

from service.errors import BadRequest

from ..auth import authenticate
from .base import bp, end_session, logged_in, page, password, start_session
from .i18n import LANGUAGES, pick

ADMIN_PREFIX = "/admin"


def next_path(value: str | None) -> str | None:
    """`value` when it is a path of this service's admin (`/admin`, `/admin/…`), else None.

    Refused, also when percent-encoded: anything not starting with /admin/ (another site,
    `//host`, `https:`), a backslash (browsers read `/\\host` as `//host`), control characters
    (tabs and CR/LF: browsers drop the first, the second would split the Location header), and
    `.` / `..` segments that step out of /admin."""
    if not value:
        return None
    path = value.split("?", 1)[0].split("#", 1)[0]
    if path != ADMIN_PREFIX and not path.startswith(ADMIN_PREFIX + "/"):
        return None
    for text in _decodings(value):
        if "\\" in text or any(unicodedata.category(c) == "Cc" for c in text):
            return None
    for text in _decodings(path):
        if {".", ".."} & set(text.split("/")):
            return None
    return value


def _decodings(text: str, rounds: int = 4) -> list[str]:
    """`text` and its percent-decodings, until nothing changes (a few rounds at most)."""
    out = [text]
    for _ in range(rounds):
        decoded = unquote(out[-1])
        if decoded == out[-1]:
            break
        out.append(decoded)
    return out


def after_login(path: str | None) -> Response:
    """To `path` (from `next_path`) under this service's own prefix, or to the dashboard."""
    return redirect(request.script_root + path if path else url_for("admin.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    wanted = next_path(request.values.get("next"))
    if request.method == "GET":
        if logged_in():
            return after_login(wanted)
        return page("login.html", next_url=wanted or "")
    if not authenticate(request.form.get("password", ""), password() or ""):
        return page("login.html", 401, next_url=wanted or "", error="Fel lösenord. / Wrong password.")
    start_session()
    return after_login(wanted)


@bp.post("/logout")
def logout():
    end_session()
    flash(pick("Du är utloggad. / You are logged out."))
    return redirect(url_for("admin.login"))


@bp.post("/language")
def language():
    """The admin's language for this session (kept through logging in and out), then back to the
    page the choice was made on."""
    chosen = request.form.get("lang", "")
    if chosen not in LANGUAGES:
        raise BadRequest("Okänt språk: välj svenska (sv) eller engelska (en). / "
                         "Unknown language: choose Swedish (sv) or English (en).", code="bad_language")
    session["lang"] = chosen
    back = next_path(request.form.get("next"))
    return redirect(request.script_root + back if back else url_for("admin.dashboard"), code=303)
