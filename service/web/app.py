"""The Flask app factory: configuration, the pipeline objects, blueprints, CORS."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request

from service import config as config_mod
from service.reading.services import build_pipeline
from service.reading.sites import is_allowed_origin

SERVICE_DIR = Path(__file__).resolve().parent.parent  # templates/ and static/ live here


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, root_path=str(SERVICE_DIR))
    app.config.update(config_mod.DEFAULTS)
    app.config.from_prefixed_env("LYSSNA")
    if config:
        app.config.update(config)
    config_mod.normalise(app.config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO)

    pipeline = build_pipeline(app.config)
    app.extensions["lyssna"] = {
        "pipeline": pipeline,
        "cache": pipeline.cache,
        "engine_for": pipeline.engine_for,
        "lexicon": pipeline.lexicon,
        "readings": pipeline.readings,
        "sites": pipeline.sites,
        "auth_failures": pipeline.auth_failures,
        "activity": pipeline.activity,
    }

    from . import admin, admin_api, api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(pages.bp)
    admin.init_app(app)

    @app.after_request
    def cors(response):
        """CORS for exactly the allowed origins; never with credentials."""
        origin = request.headers.get("Origin")
        if origin and (request.path.startswith("/api/") or request.path.startswith("/audio/")):
            response.headers.add("Vary", "Origin")
            if is_allowed_origin(origin, app.extensions["lyssna"]["sites"]):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Expose-Headers"] = "Content-Length, Content-Range, ETag"
                if request.method == "OPTIONS":
                    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
                    response.headers["Access-Control-Max-Age"] = "86400"
        return response

    return app
