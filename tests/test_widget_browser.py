"""The player widget in real headless Chromium against the real app (DESIGN.md §2, §4).

Fixture page 01 is served from its own loopback origin, as a site would embed the player: the
script comes from the app's origin, the API is called cross-origin under CORS, and the app fetches
the page back from that origin. Nothing of ours is mocked.
"""
from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from .browser import launch, require_chromium
from .conftest import PAGES, expected_lines

pytestmark = pytest.mark.browser

PAGE_01 = PAGES / "01-sormland-jobbar-smartare.html"
SCREENSHOT = Path("/tmp/lyssna-player.png")
WAIT_MS = 90_000  # upper bound for generation to start on a busy machine; not a timing assertion

# The one rule we recommend to site owners so the upgrade from link to player moves nothing.
SITE_CSS = "lyssna-player { display: block; min-height: 2.75rem; }\n"
EMPTY_PAGE = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Tom sida</title></head>'
    "<body><main></main>{script}</body></html>"
)


class PageSite:
    """A site embedding the player: serves page 01 in a few variants from its own origin."""

    def __init__(self) -> None:
        self.app_origin = ""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - stdlib signature
                pass

            def do_GET(self):  # noqa: N802 - stdlib name
                path = urlsplit(self.path).path
                found = site.render(path)
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
        script = f'<script src="{self.app_origin}/widget.js" defer></script>'
        html = PAGE_01.read_text(encoding="utf-8")
        headers: dict[str, str] = {}
        if path == "/site.css":
            return SITE_CSS.encode(), "text/css; charset=utf-8", headers
        if path == "/01.html":  # only the script: the widget adds its own player
            html = html.replace("</body>", script + "\n</body>")
        elif path in ("/player.html", "/csp.html"):  # the documented markup with the no-JS link
            listen = f"{self.app_origin}/listen?url={quote(self.origin + path, safe='')}"
            player = f'<lyssna-player><a href="{listen}">Lyssna på sidan</a></lyssna-player>\n'
            html = html.replace("</head>", '<link rel="stylesheet" href="/site.css">\n</head>')
            html = html.replace('<h1 class="heading"', player + '<h1 class="heading"', 1)
            html = html.replace("</body>", script + "\n</body>")
            if path == "/csp.html":
                headers["Content-Security-Policy"] = self.csp()
        elif path == "/send-html.html":  # a page the service could not fetch sends itself
            options = 'data-send-html data-content=".rf-main-column" data-skip=".sidinfo" data-rate="1.25"'
            html = html.replace("</body>", script.replace("defer", "defer " + options) + "\n</body>")
        elif path == "/empty.html":  # nothing to read: the API answers with an error
            html = EMPTY_PAGE.format(script=script)
        else:
            return None
        return html.encode("utf-8"), "text/html; charset=utf-8", headers


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


@pytest.fixture
def app_config(app_config, page_site):
    """The conftest configuration, with the page site as the only allowed origin."""
    return {**app_config, "SITES": [page_site.origin]}


@pytest.fixture
def site(page_site, other_site, live_app):
    page_site.app_origin = other_site.app_origin = live_app
    return page_site


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


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
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


# --- helpers ------------------------------------------------------------------------------------

def player(page):
    """The upgraded player's toggle button (Playwright's locators pierce the open shadow root)."""
    page.wait_for_function("() => document.querySelector('lyssna-player')?.shadowRoot")
    return page.locator("lyssna-player").get_by_role("button", name=re.compile("^(Lyssna|Pausa)$"))


def status_text(page) -> str:
    return page.evaluate(
        "() => document.querySelector('lyssna-player').shadowRoot.querySelector('[aria-live]').textContent")


def wait_status(page, text: str) -> None:
    """The live region says `text` (audio events arrive as tasks after the state changes)."""
    page.wait_for_function(
        "t => document.querySelector('lyssna-player').shadowRoot.querySelector('[aria-live]')"
        ".textContent === t", arg=text)


def audio_state(page) -> dict:
    return page.evaluate("""() => { const a = document.querySelector('lyssna-player').audio;
        return a ? {paused: a.paused, time: a.currentTime, src: a.src} : null; }""")


def wait_playing(page, past_seconds: float = 1.0) -> None:
    page.wait_for_function(
        "s => { const a = document.querySelector('lyssna-player').audio;"
        " return a && !a.paused && a.currentTime > s; }", arg=past_seconds)


HIGHLIGHTED_JS = """() => {
  const h = window.CSS && CSS.highlights && CSS.highlights.get('lyssna-sentence');
  if (h && h.size) return {how: 'highlight', texts: [...h].map(r => r.toString())};
  const marked = document.querySelector('.lyssna-reading');
  return marked ? {how: 'class', texts: [marked.textContent]} : null;
}"""


def squash(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def wait_highlight(page) -> dict:
    page.wait_for_function(HIGHLIGHTED_JS)
    return page.evaluate(HIGHLIGHTED_JS)


def page_01_lines() -> list[str]:
    return [squash(line) for line in expected_lines("01-sormland-jobbar-smartare")]


# --- tests --------------------------------------------------------------------------------------

def test_click_plays_highlights_the_sentence_and_pauses(site, page):
    requests = []
    page.on("request", lambda r: requests.append(r))
    page.goto(f"{site.origin}/01.html")
    button = player(page)
    # Nothing but the script itself is fetched from the service before the visitor asks.
    assert [r.url for r in requests if r.url.startswith(site.app_origin)] == [f"{site.app_origin}/widget.js"]
    assert button.inner_text().strip() == "Lyssna"

    button.click()
    wait_playing(page)
    posts = [r for r in requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].url == f"{site.app_origin}/api/v1/readings"
    body = posts[0].post_data_json
    assert body["url"] == f"{site.origin}/01.html" and "html" not in body
    assert audio_state(page)["src"].startswith(f"{site.app_origin}/audio/")
    wait_status(page, "Spelar upp")
    assert button.inner_text().strip() == "Pausa"

    found = wait_highlight(page)
    assert found["how"] == "highlight", "Chromium has the Highlight API and the sentence is in the page"
    (first,) = found["texts"]
    assert len(squash(first)) > 10 and any(squash(first) in line for line in page_01_lines()), first
    # As the audio moves on, so does the highlight: the next sentence, also text of page 01.
    page.wait_for_function(f"first => {{ const h = ({HIGHLIGHTED_JS})(); return h && h.texts[0] !== first; }}",
                           arg=first)
    (second,) = page.evaluate(HIGHLIGHTED_JS)["texts"]
    assert len(squash(second)) > 10 and any(squash(second) in line for line in page_01_lines()), second
    page.locator("lyssna-player").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))

    button.click()
    page.wait_for_function("() => document.querySelector('lyssna-player').audio.paused")
    paused_at = audio_state(page)["time"]
    page.wait_for_timeout(600)
    assert audio_state(page)["time"] == paused_at
    wait_status(page, "Pausad")
    assert button.inner_text().strip() == "Lyssna"
    assert page.errors == []


def test_stop_rewinds_and_removes_the_highlight(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_playing(page)
    wait_highlight(page)
    page.locator("lyssna-player").get_by_role("button", name="Stoppa").click()
    page.wait_for_function("() => document.querySelector('lyssna-player').audio.paused")
    assert audio_state(page)["time"] == 0
    assert page.evaluate(HIGHLIGHTED_JS) is None
    wait_status(page, "Stoppad")


def test_speed_download_seek_to_the_end(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_playing(page)
    shadow = page.locator("lyssna-player")
    shadow.get_by_label("Hastighet").select_option("1.5")
    assert page.evaluate("() => document.querySelector('lyssna-player').audio.playbackRate") == 1.5
    download = shadow.get_by_role("link", name="Ladda ner ljudfilen")
    assert download.get_attribute("href") == audio_state(page)["src"] + "?download=1"
    seek = shadow.get_by_role("slider", name="Position i uppläsningen")
    # Once the reading is ready the slider spans the whole reading and says where we are in words.
    page.wait_for_function("""() => { const p = document.querySelector('lyssna-player');
        return p.reading && p.reading.status === 'ready'; }""")
    duration_ms = page.evaluate("() => document.querySelector('lyssna-player').reading.duration_ms")
    page.wait_for_function("m => document.querySelector('lyssna-player').shadowRoot"
                           ".querySelector('input[type=range]').max == String(Math.ceil(m / 1000))",
                           arg=duration_ms)
    assert re.fullmatch(r"\d+:\d\d av \d+:\d\d", seek.get_attribute("aria-valuetext"))
    with urllib.request.urlopen(download.get_attribute("href"), timeout=60) as answer:
        assert answer.headers["Content-Type"] == "audio/mpeg"
        assert answer.headers["Content-Disposition"].startswith("attachment")
    # Jump to just before the end (the finished file is seekable): it plays out and says so.
    seek.fill(str(max(0, duration_ms // 1000 - 2)))
    page.wait_for_function("() => document.querySelector('lyssna-player').audio.ended")
    assert page.evaluate("() => document.querySelector('lyssna-player').audio.currentTime") * 1000 > duration_ms / 2
    wait_status(page, "Uppläsningen är klar")
    assert page.evaluate(HIGHLIGHTED_JS) is None
    assert shadow.get_by_role("button", name="Lyssna").is_visible()


def test_keyboard_tab_and_enter_start_space_pauses(site, page):
    page.goto(f"{site.origin}/player.html")
    player(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.tagName === 'LYSSNA-PLAYER'"):
            break
    focused = page.evaluate("""() => { const b = document.activeElement.shadowRoot.activeElement;
        return b && {text: b.textContent, outline: getComputedStyle(b).outlineStyle}; }""")
    assert focused == {"text": "Lyssna", "outline": "solid"}  # the focus is visible
    page.keyboard.press("Enter")
    wait_playing(page, 0.5)
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('lyssna-player').audio.paused")
    wait_status(page, "Pausad")


def test_script_options_are_sent_with_the_page_html(site, page):
    requests = []
    page.on("request", lambda r: requests.append(r))
    page.goto(f"{site.origin}/send-html.html")
    player(page).click()
    wait_playing(page, 0.5)
    (post,) = [r for r in requests if r.method == "POST"]
    body = post.post_data_json
    assert body["url"] == f"{site.origin}/send-html.html"
    assert (body["content"], body["skip"], body["rate"]) == (".rf-main-column", ".sidinfo", 1.25)
    assert "Jobbar vi smartare i Sörmland" in body["html"] and body["html"].startswith("<html")
    assert wait_highlight(page)["how"] == "highlight"


def test_api_error_message_is_shown_as_text(site, page):
    page.goto(f"{site.origin}/empty.html")
    request = urllib.request.Request(
        f"{site.app_origin}/api/v1/readings", method="POST",
        data=json.dumps({"url": f"{site.origin}/empty.html"}).encode(),
        headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=60)
    message = json.loads(answer.value.read())["message"]

    player(page).click()
    page.wait_for_function("() => document.querySelector('lyssna-player').shadowRoot"
                           ".querySelector('[aria-live]').classList.contains('error')")
    region = page.evaluate("""() => { const r = document.querySelector('lyssna-player').shadowRoot
        .querySelector('[aria-live=polite]'); return {text: r.textContent, children: r.children.length}; }""")
    assert region == {"text": message, "children": 0}  # the server's words, as text only


def test_site_not_on_the_allow_list_gets_a_plain_message(site, other_site, page):
    page.goto(f"{other_site.origin}/01.html")
    player(page).click()
    page.wait_for_function("() => document.querySelector('lyssna-player').shadowRoot"
                           ".querySelector('[aria-live]').classList.contains('error')")
    assert status_text(page) == "Tjänsten för uppläsning gick inte att nå. Försök igen senare."
    assert audio_state(page) is None  # no audio was requested


def test_works_under_a_strict_content_security_policy(site, page):
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(
            {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
             after: !!window.__clicked}));""")
    console: list[str] = []
    page.goto(f"{site.origin}/csp.html")
    button = player(page)
    accent = page.evaluate("""() => getComputedStyle(document.querySelector('lyssna-player')
        .shadowRoot.querySelector('button')).backgroundColor""")
    assert accent == "rgb(11, 79, 138)"  # the player's own styles were applied
    page.evaluate("() => { window.__clicked = true; }")
    page.on("console", lambda m: console.append(m.text))  # from here on, all is the widget's doing
    button.click()
    wait_playing(page)
    found = wait_highlight(page)
    assert found["how"] == "highlight"
    violations = page.evaluate("() => window.__violations")
    # Page 01's own inline scripts and styles are blocked by this policy; the widget causes nothing.
    ours = [v for v in violations if v["after"] or site.app_origin in (v["source"] or "") + v["blocked"]]
    assert ours == []
    assert not [c for c in console if "Content Security Policy" in c]


def test_upgrade_moves_nothing_on_the_page(site, context, chromium):
    """The player takes exactly the space the no-JS link had (with the recommended site CSS)."""
    def heading_top(ctx) -> float:
        p = ctx.new_page()
        p.goto(f"{site.origin}/player.html")
        if ctx is context:
            player(p)
        return p.evaluate("() => document.querySelector('h1').getBoundingClientRect().top + scrollY")

    no_js = chromium.new_context(viewport={"width": 1100, "height": 760}, java_script_enabled=False)
    try:
        assert heading_top(context) == heading_top(no_js)
    finally:
        no_js.close()


def test_without_javascript_the_link_leads_to_the_listen_page(site, chromium):
    ctx = chromium.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{site.origin}/player.html")
        link = page.locator("lyssna-player a")
        assert link.is_visible() and link.inner_text() == "Lyssna på sidan"
        href = link.get_attribute("href")
        assert href.startswith(f"{site.app_origin}/listen?url=")
        assert parse_qs(urlsplit(href).query)["url"] == [f"{site.origin}/player.html"]
        link.click()
        page.wait_for_url(f"{site.app_origin}/listen*")
        assert page.locator("audio[controls]").count() == 1
    finally:
        ctx.close()


def test_loading_the_script_twice_is_harmless(site, page):
    page.goto(f"{site.origin}/player.html")
    player(page)
    page.add_script_tag(url=f"{site.app_origin}/widget.js")
    assert page.locator("lyssna-player").count() == 1
    assert page.errors == []
