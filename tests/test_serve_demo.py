"""The README's run command, as a user meets it: `lyssna serve` (granian) prints its address,
answers there, and the demo page speaks in a real browser."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

from .browser import launch
from .conftest import free_port
from .helpers import stop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def served(tmp_path):
    """`python -m service.cli serve` on a free port with a fresh cache; yields the printed address."""
    port = free_port()
    env = {**os.environ, "LYSSNA_PORT": str(port), "LYSSNA_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": ROOT}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+?)/\s", line)
        assert match, f"no address printed: {line!r}"
        origin = match.group(1)
        assert origin == f"http://127.0.0.1:{port}"
        hint = proc.stdout.readline()  # empty LYSSNA_SITES: what to add, before anyone is refused
        assert "LYSSNA_SITES är tom" in hint and "LYSSNA_SITES=https://" in hint, hint
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # a full pipe would stop the server
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(origin + "/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        yield origin
    finally:
        stop(proc)


def test_served_demo_page_speaks_in_a_browser(served):
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.goto(served + "/")
            page.get_by_role("button", name="Lyssna", exact=True).click()
            page.wait_for_function(
                "() => { const a = document.querySelector('lyssna-player').audio;"
                " return a && !a.paused && a.currentTime > 1.0; }", timeout=30000)
            highlighted = page.evaluate(
                "() => { const h = CSS.highlights.get('lyssna-sentence');"
                " return h ? [...h][0].toString() : document.querySelector('.lyssna-reading')?.textContent; }")
            assert highlighted and "Sörmland" in highlighted
        finally:
            browser.close()


@pytest.mark.parametrize("setting, value", [("LYSSNA_SITES", "www.kommun.se"),
                                            ("LYSSNA_SITES", "https://www.kommun.se, kommun.se/sida"),
                                            ("LYSSNA_POSTED_HTML_SITES", "intranat")])
def test_a_site_entry_without_a_scheme_stops_serve_before_it_listens(tmp_path, setting, value):
    """Checked before anything listens: exit 2 with the setting named and what to write instead,
    not a crash after 'listening'."""
    port = free_port()
    env = {**os.environ, "LYSSNA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": ROOT, setting: value}
    r = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert setting in r.stderr and "https://" in r.stderr and "Traceback" not in r.stderr
    assert "lyssnar" not in r.stdout  # it never said it was listening
