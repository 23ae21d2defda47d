"""The Flask app factory: configuration, the process's services, blueprints, errors, CORS."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request

from service import config as config_mod
from service.reading import metrics
from service.reading.services import build_services
from service.reading.sites import is_allowed_origin
from service.store.logins import LoginAttempts
from service.store.sessions import AdminSessions
from service.work.batches import Batches

from . import admin, admin_api, api, audio, errors, pages
from .limits import ClientLimits
from .proxies import TrustedProxies
from .refused import RefusedOrigins
from .state import WebState

SERVICE_DIR = Path(__file__).resolve().parent.parent  # templates/ and static/ live here


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, root_path=str(SERVICE_DIR))
    app.config.update(config_mod.load_config(config))  # LYSSNA_* settings, then `config`
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO)

    services = build_services(app.config)
    sites = services.sites
    cache = Path(app.config["CACHE_DIR"])
    app.extensions["lyssna"] = WebState(services, Batches(services),
                                        LoginAttempts(cache / "admin_logins.sqlite3"),
                                        AdminSessions(cache / "admin_sessions.sqlite3"), ClientLimits())
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])

    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(audio.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(pages.bp)
    admin.init_app(app)

    @app.after_request
    def count(response):
        """Requests by route (the rule, not the URL: a bounded set of labels) and status."""
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response

    refused = RefusedOrigins()

    @app.after_request
    def cors(response):
        """CORS for exactly the allowed origins; never with credentials. Another origin may read only
        the refusal of its site (no data in it), so its page can say what to fix (see refused.py)."""
        origin = request.headers.get("Origin")
        if origin and (request.path.startswith("/api/") or request.path.startswith("/audio/")):
            response.headers.add("Vary", "Origin")
            if is_allowed_origin(origin, sites):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Expose-Headers"] = "Content-Length, Content-Range, ETag"
                if request.method == "OPTIONS":
                    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
                    response.headers["Access-Control-Max-Age"] = "86400"
            elif response.status_code == 403 and (response.get_json(silent=True) or {}).get("error") == \
                    "site_not_allowed" and refused.note(origin):
                response.headers["Access-Control-Allow-Origin"] = origin
        return response

    return app
