"""The bundled demo page: fixture page 01 with the player embedded, served at / when LYSSNA_DEMO is on."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from flask import current_app, request, url_for


@lru_cache(maxsize=1)
def _template() -> str:
    return resources.files("service").joinpath("templates/demo.html").read_text(encoding="utf-8")


def demo_html() -> str:
    """The demo page; its listen link points back at this service."""
    page_url = request.host_url  # e.g. http://127.0.0.1:8000/
    listen = url_for("pages.listen", url=page_url)
    return _template().replace("@@LISTEN_URL@@", listen)


def demo_html_for(url: str) -> str | None:
    """The bundled demo page, when the URL is this service's own demo page."""
    if not current_app.config.get("DEMO"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all: the request's own check says so
        return None
    if parts.netloc == request.host and parts.path in ("", "/"):
        return demo_html()
    return None
