"""Shared fixtures: a real loopback HTTP server for the fixture pages, the real app, a live server.

Modelled on Flask's tutorial conftest and Datasette's Playwright fixtures: nothing of ours is mocked.
"""
from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"


def page_names() -> list[str]:
    return sorted(p.stem for p in PAGES.glob("*.html"))


def expected_lines(name: str) -> list[str]:
    return (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").splitlines()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def end_headers(self):
        # Fixture pages declare UTF-8 in <meta>; say it in the header too, like real servers.
        return super().end_headers()

    def guess_type(self, path):
        t = super().guess_type(path)
        if t == "text/html":
            return "text/html; charset=utf-8"
        return t


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_directory(directory: Path, handler_cls=_QuietHandler) -> tuple[_Server, str]:
    """Serve `directory` on a free loopback port in a daemon thread; returns (server, origin)."""
    handler = functools.partial(handler_cls, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def fixture_site():
    """Origin (e.g. http://127.0.0.1:PORT) of a real HTTP server serving tests/fixtures/pages/."""
    server, origin = serve_directory(PAGES)
    yield origin
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_config(tmp_path, fixture_site):
    return {
        "TESTING": True,
        "SITES": [fixture_site],
        "CACHE_DIR": str(tmp_path / "cache"),
    }


@pytest.fixture
def app(app_config):
    from service import create_app

    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_app(app):
    """The real app behind a real threaded WSGI server on a free loopback port; yields its origin."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module (skips, or fails in CI, when none is installed)."""
    from playwright.sync_api import sync_playwright

    from .browser import launch, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class PageSite:
    """A loopback site whose pages a test writes (`put`), allowed by the app under test."""

    def __init__(self, root: Path, origin: str):
        self.root, self.origin = root, origin

    def put(self, name: str, html: str) -> str:
        """Write (or rewrite) a page; returns its URL."""
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"


@pytest.fixture
def page_site_factory(tmp_path):
    """make(app) -> a PageSite on its own loopback server, allowed by `app`."""
    from service.reading.sites import parse_sites

    servers = []

    def make(app) -> PageSite:
        root = tmp_path / f"site{len(servers)}"
        root.mkdir()
        server, origin = serve_directory(root)
        servers.append(server)
        app.extensions["lyssna"].services.sites.extend(parse_sites(origin))
        return PageSite(root, origin)

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page_site(app, page_site_factory):
    return page_site_factory(app)
