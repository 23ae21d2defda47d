"""The Flask app factory: configuration, the pipeline objects, blueprints, CORS."""
from __future__ import annotations

import logging

from flask import Flask, request

from . import config as config_mod
from .cache import AudioCache
from .auth import FailureLog
from .engines import DEFAULT_ENGINE, ENGINES, get_engine
from .engines.base import EngineUnavailable
from .lexicon import Lexicon
from .readings import Readings
from .sites import is_allowed_origin, parse_sites


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config_mod.DEFAULTS)
    app.config.from_prefixed_env("LYSSNA")
    if config:
        app.config.update(config)
    config_mod.normalise(app.config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO)

    cache = AudioCache(app.config["CACHE_DIR"])
    removed = cache.cleanup()
    if any(removed.values()):
        app.logger.info("cache integrity check removed %s", removed)
    if app.config["ENGINE"] not in ENGINES:
        raise ValueError(f"LYSSNA_ENGINE={app.config['ENGINE']!r} is not one of {', '.join(ENGINES)}")
    try:
        get_engine(app.config["ENGINE"], app.config)
    except EngineUnavailable as e:
        app.logger.warning("engine %s unavailable (%s); readings use %s until it works",
                           app.config["ENGINE"], e.message, DEFAULT_ENGINE)
    lexicon = Lexicon(app.config["LEXICON"])

    def engine_for(name: str):
        return get_engine(name, app.config)

    app.extensions["lyssna"] = {
        "cache": cache,
        "engine_for": engine_for,
        "lexicon": lexicon,
        "readings": Readings(cache, engine_for, app.config["WORKERS"], lexicon=lexicon),
        "sites": parse_sites(app.config["SITES"]),
        "auth_failures": FailureLog(),
    }

    from . import admin_api, api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(pages.bp)

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
