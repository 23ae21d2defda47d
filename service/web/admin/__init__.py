"""The admin web UI at /admin: server-rendered pages that work without JavaScript.

`base` holds the blueprint and its security (login, CSRF, headers); each area adds its views:
`login`, `dashboard` (and settings), `pregenerate`, `pages`, `lexicon`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from service.store.files import stable_secret

from ..state import state
from . import dashboard, lexicon, login, pages, pregenerate  # noqa: F401 - they add their views to bp
from .base import AdminSessionInterface, bp, password, password_tag


def init_app(app: Flask) -> None:
    """Register /admin with its session settings (a stable secret key unless one is configured);
    sessions made under another password than the configured one end now."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = stable_secret(Path(app.config["CACHE_DIR"]) / "admin_secret.key")
    with app.app_context():
        if password():
            state().sessions.revoke_all_but(password_tag())
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_PATH"] = app.config.get("SESSION_COOKIE_PATH") or "/admin"
    app.session_interface = AdminSessionInterface()
    app.register_blueprint(bp)
