"""The hostile corpus, category 4: admin authentication. Every case gets a fresh app (its own cache
directory, lockouts and sessions) behind a real loopback WSGI server, so a lockout or a global
back-off one case provokes never decides another. A case may restart its app with other settings
on the same cache directory (a password change). See tests/hostile/cases_admin.py for the rules.
"""
from __future__ import annotations

import threading

import pytest

from service import create_app

from .hostile.cases_admin import CASES, PASSWORD
from .hostile.client import LoopbackTarget, Runner

PROXY = "127.0.0.2"


class AdminApp:
    """The app of one case; `restart(settings)` starts it again with those settings changed."""

    def __init__(self, cache_dir: str, settings: dict):
        self.config = {"CACHE_DIR": cache_dir, "SITES": [], "DEMO": False, "TRUSTED_PROXIES": [PROXY],
                       "ADMIN_PASSWORD": PASSWORD, **settings}
        self.server = None
        self.target = LoopbackTarget(0, proxy=PROXY)
        self._start()

    def _start(self) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, create_app(dict(self.config)), threaded=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.target.port = self.server.server_port
        self.target.host = f"127.0.0.1:{self.server.server_port}"

    def before(self, run) -> None:
        pass

    def restart(self, settings: dict) -> None:
        self.close()
        self.config.update(settings)
        self._start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.category}:{c.id}")
def test_admin_case(case, tmp_path):
    app = AdminApp(str(tmp_path / "cache"), case.config or {})
    password = app.config["ADMIN_PASSWORD"]
    tokens = {"@PW@": password if isinstance(password, str) else "", "@SERVICEHOST@": "127.0.0.1"}
    try:
        Runner(app.target, tokens, app).run(case)
    finally:
        app.close()
