"""Logging in and out of the admin UI."""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from ..auth import authenticate
from .base import bp, end_session, logged_in, page, password, start_session


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
    start_session()
    return redirect(next_url)


@bp.post("/logout")
def logout():
    end_session()
    flash("Du är utloggad. / You are logged out.")
    return redirect(url_for("admin.login"))
