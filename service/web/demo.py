"""The bundled demo page (fixture page 01 with the player embedded), at /demo/ of the service.

Its address is known from configuration (LYSSNA_PUBLIC_URL), never from a request's Host header:
a reading of exactly that address is made from the bundled page, and no other URL ever is. The
player on the demo page is told that address, so the demo also works when the service is reached
by another name (localhost for 127.0.0.1).
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from importlib import resources
from urllib.parse import urlsplit

from flask import current_app, url_for

DEMO_PATH = "/demo/"


@lru_cache(maxsize=1)
def _template() -> str:
    return resources.files("service").joinpath("templates/demo.html").read_text(encoding="utf-8")


def demo_url() -> str:
    """The demo page's canonical address: LYSSNA_PUBLIC_URL + /demo/."""
    return current_app.config["PUBLIC_URL"] + DEMO_PATH


def demo_html() -> str:
    """The demo page; its player reads the demo's address and its listen link points back here."""
    page = demo_url()
    listen = url_for("pages.listen", url=page)
    return _template().replace("@@LISTEN_URL@@", escape(listen)).replace("@@PAGE_URL@@", escape(page))


def demo_html_for(url: str) -> str | None:
    """The bundled demo page when `url` is the demo's own address (and the demo is on); else None."""
    if not current_app.config.get("DEMO"):
        return None
    try:
        parts = urlsplit(url)
        wanted = urlsplit(demo_url())
    except ValueError:  # not a URL at all: the request's own check says so
        return None
    same = (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query) == \
        (wanted.scheme.lower(), wanted.netloc.lower(), wanted.path.rstrip("/"), "")
    return demo_html() if same else None

