"""Find and launch a real Chromium for the widget tests, without downloading anything.

The machine and CI have no internet, so the browser must already be installed: a path in
`LYSSNA_CHROMIUM`, a Chromium/Chrome on PATH, or one Playwright downloaded earlier. When none is
there the tests skip on a developer machine and fail in CI (DESIGN.md §4).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import in_ci

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# On this closed network Chromium must not try to phone home, and as root it needs --no-sandbox.
# The resolver rule makes every host except loopback unresolvable, so a fixture page's
# third-party <script src="//…"> fails at once instead of sending DNS queries out.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _playwright_chromium() -> str | None:
    """The Chromium Playwright installed itself (`playwright install chromium`), if any."""
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-*/headless_shell")
    for pattern in patterns:
        found = sorted(root.glob(pattern), reverse=True)
        if found:
            return str(found[0])
    return None


def find_chromium() -> str | None:
    """Path of a usable Chromium executable, or None."""
    configured = os.environ.get("LYSSNA_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return _playwright_chromium()


def require_chromium() -> str:
    """The Chromium path, or skip the test (fail in CI) with a message saying how to get one."""
    path = find_chromium()
    if path:
        return path
    message = (
        "No Chromium found for the widget browser tests: set LYSSNA_CHROMIUM, install Debian's "
        "'chromium' package, or run 'playwright install chromium'."
    )
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def launch(playwright, **kwargs):
    """Launch headless Chromium (Playwright gives it a fresh temporary profile)."""
    return playwright.chromium.launch(
        executable_path=require_chromium(), headless=True, args=LAUNCH_ARGS, **kwargs
    )


# --- a site that embeds the player, and the app on its own origin -------------------------------

def start_app(cache_dir: str, sites: list[str]) -> tuple[object, str]:
    """The real app behind a threaded WSGI server on a free loopback port: (server, origin)."""
    import threading

    from werkzeug.serving import make_server

    from service import create_app

    app = create_app({"TESTING": True, "SITES": sites, "CACHE_DIR": cache_dir})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


# The one rule we recommend to site owners so the upgrade from link to player moves nothing.
SITE_CSS = "lyssna-player { display: block; min-height: 2.75rem; }\n"
EMPTY_PAGE = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Tom sida</title></head>'
    "<body><main></main>{script}</body></html>"
)


class PageSite:
    """A site embedding the player from the app's origin: fixture pages in a few variants.

    /01.html        page 01 with only the script (the widget inserts its player)
    /player.html    the documented markup: <lyssna-player> with the no-JS link, site CSS
    /csp.html       the same under a strict Content-Security-Policy
    /twice.html     the script included twice
    /en.html        page 01 declared English
    /down.html      the API origin points at a closed port
    /send-html.html data-send-html and other script options
    /empty.html     nothing to read
    /pages/NAME     any fixture page with the script
    """

    def __init__(self, app_origin: str = "") -> None:
        import http.server
        import threading
        from urllib.parse import urlsplit

        self.app_origin = app_origin
        self.extra: dict[str, tuple[bytes, str, dict]] = {}  # path -> (body, content type, headers), set by tests
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - stdlib signature
                pass

            def handle(self):
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):  # the browser moved on
                    pass

            def do_GET(self):  # noqa: N802 - stdlib name
                found = site.render(urlsplit(self.path).path)
                if found is None:
                    self.send_error(404)
                    return
                body, content_type, headers = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def csp(self) -> str:
        app = self.app_origin
        return (f"default-src 'self'; script-src {app}; connect-src {app}; media-src {app}; "
                "style-src 'self'")

    def render(self, path: str) -> tuple[bytes, str, dict] | None:
        from urllib.parse import quote

        from .conftest import PAGES

        script = f'<script src="{self.app_origin}/widget.js" defer></script>'
        html = (PAGES / "01-sormland-jobbar-smartare.html").read_text(encoding="utf-8")
        headers: dict[str, str] = {}
        if path in self.extra:
            return self.extra[path]
        if path == "/site.css":
            return SITE_CSS.encode(), "text/css; charset=utf-8", headers
        if path.startswith("/pages/") and (PAGES / path[7:]).suffix == ".html" and (PAGES / path[7:]).is_file():
            html = (PAGES / path[7:]).read_text(encoding="utf-8").replace("</body>", script + "\n</body>")
        elif path in ("/01.html", "/en.html", "/twice.html"):  # only the script: the widget adds its player
            html = html.replace("</body>", script * (2 if path == "/twice.html" else 1) + "\n</body>")
            if path == "/en.html":
                html = html.replace('<html lang="sv"', '<html lang="en"', 1)
        elif path in ("/player.html", "/csp.html"):  # the documented markup with the no-JS link
            listen = f"{self.app_origin}/listen?url={quote(self.origin + path, safe='')}"
            player = f'<lyssna-player><a href="{listen}">Lyssna på sidan</a></lyssna-player>\n'
            html = html.replace("</head>", '<link rel="stylesheet" href="/site.css">\n</head>')
            html = html.replace('<h1 class="heading"', player + '<h1 class="heading"', 1)
            html = html.replace("</body>", script + "\n</body>")
            html = html.replace('accesskey="L"', "")  # a site that replaced ReadSpeaker's button
            if path == "/csp.html":
                headers["Content-Security-Policy"] = self.csp()
        elif path == "/send-html.html":  # a page the service could not fetch sends itself
            options = 'data-send-html data-content=".rf-main-column" data-skip=".sidinfo" data-rate="1.25"'
            html = html.replace("</body>", script.replace("defer", "defer " + options) + "\n</body>")
        elif path == "/down.html":  # the service is down: nothing listens on the API origin
            from .conftest import free_port

            down = f'<script src="{self.app_origin}/widget.js" defer data-api="http://127.0.0.1:{free_port()}"></script>'
            html = EMPTY_PAGE.format(script="<p>Lite text att läsa.</p>" + down)
        elif path == "/empty.html":  # nothing to read: the API answers with an error
            html = EMPTY_PAGE.format(script=script)
        else:
            return None
        return html.encode("utf-8"), "text/html; charset=utf-8", headers


# --- fixtures and helpers shared by the widget test modules (one browser and one app per module) ---

# Upper bound for generation to start on a busy machine (not a timing assertion); lower it to debug.
WAIT_MS = int(os.environ.get("LYSSNA_BROWSER_WAIT_MS", "90000"))
P = "document.querySelector('lyssna-player')"

HIGHLIGHTED_JS = """() => {
  const h = window.CSS && CSS.highlights && CSS.highlights.get('lyssna-sentence');
  if (h && h.size) return {how: 'highlight', texts: [...h].map(r => r.toString())};
  const marked = document.querySelector('.lyssna-reading');
  return marked ? {how: 'class', texts: [marked.textContent]} : null;
}"""
WORD_JS = """() => { const h = CSS.highlights.get('lyssna-word');
  return h && h.size ? [...h][0].toString() : null; }"""


@pytest.fixture(scope="module")
def page_site():
    site = PageSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def other_site():
    """A site that is NOT on the app's allow-list."""
    site = PageSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def site(page_site, other_site, tmp_path_factory):
    """The real app on its own origin, one per module so readings are cached between tests."""
    server, origin = start_app(str(tmp_path_factory.mktemp("cache")), [page_site.origin])
    page_site.app_origin = other_site.app_origin = origin
    yield page_site
    server.shutdown()


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1100, "height": 760}, locale="sv-SE")
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []
    page.console_errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # Resources that fail to load (the fixture pages' third-party assets on this closed network, a
    # service that is down) are logged by the browser itself; everything else would be ours.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and page.console_errors.append(m.text))
    return page


def player(page, name: str = "^(Lyssna|Pausa)$"):
    """The upgraded player's toggle button (Playwright's locators pierce the open shadow root)."""
    page.wait_for_function(f"() => {P}?.shadowRoot")
    return page.locator("lyssna-player").get_by_role("button", name=re.compile(name))


def control(page, name: str):
    return page.locator("lyssna-player").get_by_role("button", name=name, exact=True)


def status_text(page) -> str:
    return page.evaluate(f"() => {P}.shadowRoot.querySelector('[aria-live]').textContent")


def wait_status(page, text: str) -> None:
    page.wait_for_function(f"t => {P}.shadowRoot.querySelector('[aria-live]').textContent === t", arg=text)


def wait_error(page) -> None:
    page.wait_for_function(f"() => {P}.shadowRoot.querySelector('[role=status]').classList.contains('e')")


def audio_state(page) -> dict | None:
    return page.evaluate(f"""() => {{ const a = {P}.audio;
        return a ? {{paused: a.paused, time: a.currentTime, src: a.src, rate: a.playbackRate}} : null; }}""")


def wait_playing(page, past_seconds: float = 0.5) -> None:
    page.wait_for_function(f"s => {{ const a = {P}.audio; return a && !a.paused && a.currentTime > s; }}",
                           arg=past_seconds)


def wait_ready(page) -> None:
    page.wait_for_function(f"() => {P}.reading && {P}.reading.status === 'ready'")


def wait_highlight(page) -> dict:
    page.wait_for_function(HIGHLIGHTED_JS)
    return page.evaluate(HIGHLIGHTED_JS)


def squash(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def page_violations(page) -> list[dict]:
    """axe-core (bundled in the `axe-playwright-python` wheel) on the whole page: WCAG 2.1 A/AA and
    best practices; each violation's id and the elements it found (at most five)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        axe_js = pytest.importorskip("axe_playwright_python").__file__.replace("__init__.py", "axe.min.js")
        page.evaluate(Path(axe_js).read_text(encoding="utf-8"))
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}, "
                           "resultTypes: ['violations']})", AXE_RULES)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
