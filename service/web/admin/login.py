"""Logging in and out of the admin UI."""
from __future__ import annotations

import secrets
import time

from flask import flash, redirect, request, session, url_for

from ..auth import authenticate
from .base import bp, logged_in, page, password, password_tag


def safe_next(value: str | None) -> str:
    """Only our own admin pages, never another site (open redirect)."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if logged_in():
            return redirect(next_url)
        return page("login.html", next_url=next_url)
    if not authenticate(request.form.get("password", ""), password() or ""):
        return page("login.html", 401, next_url=next_url, error="Fel lösenord. / Wrong password.")
    session.clear()  # a fresh session (and CSRF token) after login: no fixation
    session.permanent = False
    session.update(admin=True, tag=password_tag(), since=time.time(), csrf=secrets.token_urlsafe(32))
    return redirect(next_url)


@bp.post("/logout")
def logout():
    session.clear()
    flash("Du är utloggad. / You are logged out.")
    return redirect(url_for("admin.login"))
