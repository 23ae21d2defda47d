"""The player widget in real headless Chromium against the real app (issue 6, DESIGN.md §2, §4).

Fixture page 01 is served from its own loopback origin, as a site would embed the player: the
script comes from the app's origin, the API is called cross-origin under CORS, and the app fetches
the page back from that origin. Nothing of ours is mocked. One browser and one app per module.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from .browser import (  # noqa: F401 - fixtures
    HIGHLIGHTED_JS,
    WORD_JS,
    P,
    audio_state,
    context,
    control,
    other_site,
    page,
    page_site,
    player,
    site,
    squash,
    status_text,
    wait_error,
    wait_highlight,
    wait_playing,
    wait_ready,
    wait_status,
)
from .conftest import expected_lines

pytestmark = pytest.mark.browser


def page_01_text() -> str:
    return " ".join(squash(line) for line in expected_lines("01-sormland-jobbar-smartare"))


def current(page) -> int:
    return page.evaluate(f"() => {P}.entryIndex")


def test_click_plays_and_highlights_the_sentence_and_the_word(site, page):
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
    assert body["url"] == f"{site.origin}/01.html" and "html" not in body and "text" not in body
    assert audio_state(page)["src"].startswith(f"{site.app_origin}/audio/")
    wait_status(page, "Spelar upp")
    assert button.inner_text().strip() == "Pausa"

    found = wait_highlight(page)
    assert found["how"] == "highlight", "Chromium has the Highlight API and the sentence is in the page"
    (first,) = found["texts"]
    assert len(squash(first)) > 10 and squash(first) in page_01_text(), first
    # The word being read is highlighted too, inside the sentence, and moves on with the audio.
    page.wait_for_function(WORD_JS)
    word = page.evaluate(WORD_JS)
    page.wait_for_function(f"w => {{ const x = ({WORD_JS})(); return x && x !== w; }}", arg=word)
    pair = page.evaluate(f"() => [({HIGHLIGHTED_JS})().texts[0], ({WORD_JS})()]")
    assert pair[1] and squash(pair[1]) in squash(pair[0]), pair
    # As the audio moves on, so does the sentence: the next one, also text of page 01.
    page.wait_for_function(f"f => {{ const h = ({HIGHLIGHTED_JS})(); return h && h.texts[0] !== f; }}", arg=first)
    (second,) = page.evaluate(HIGHLIGHTED_JS)["texts"]
    assert len(squash(second)) > 10 and squash(second) in page_01_text(), second
    # The lock screen knows what is playing.
    assert page.evaluate("() => navigator.mediaSession.metadata && navigator.mediaSession.metadata.album") \
        == "Lyssna på sidan"
    page.locator("lyssna-player").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/lyssna-playing.png")

    button.click()
    page.wait_for_function(f"() => {P}.audio.paused")
    paused_at = audio_state(page)["time"]
    page.wait_for_timeout(500)
    assert audio_state(page)["time"] == paused_at
    wait_status(page, "Pausad")
    assert button.inner_text().strip() == "Lyssna"
    button.click()  # resume where it paused
    wait_playing(page, paused_at + 0.2)
    assert page.errors == [] and page.console_errors == []


def test_stop_rewinds_and_removes_the_highlight(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_playing(page)
    wait_highlight(page)
    control(page, "Stoppa").click()
    page.wait_for_function(f"() => {P}.audio.paused")
    assert audio_state(page)["time"] == 0
    assert page.evaluate(HIGHLIGHTED_JS) is None and page.evaluate(WORD_JS) is None
    wait_status(page, "Stoppad")


def test_next_and_previous_sentence(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_ready(page)
    page.wait_for_function(f"() => {P}.entryIndex >= 1")
    control(page, "Pausa").click()
    k = current(page)
    texts = page.evaluate(f"""() => {P}.entries.map(e => {P}.reading.blocks[e.block].sentences[e.sentence].text)""")
    control(page, "Nästa mening").click()
    assert current(page) == k + 1 and not audio_state(page)["paused"]
    assert squash(page.evaluate(HIGHLIGHTED_JS)["texts"][0]) in squash(texts[k + 1])
    start = page.evaluate(f"k => {P}.entries[k].start", k + 1)
    assert audio_state(page)["time"] * 1000 >= start
    control(page, "Föregående mening").click()
    control(page, "Föregående mening").click()
    assert current(page) == k - 1
    assert squash(page.evaluate(HIGHLIGHTED_JS)["texts"][0]) in squash(texts[k - 1])


def test_speed_is_remembered_download_and_seek_to_the_end(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_playing(page)
    shadow = page.locator("lyssna-player")
    speed = shadow.get_by_label("Hastighet")
    assert [o.strip() for o in speed.locator("option").all_inner_texts()] == \
        ["0,75×", "1×", "1,25×", "1,5×", "1,75×", "2×"]
    speed.select_option("1.5")
    assert audio_state(page)["rate"] == 1.5
    download = shadow.get_by_role("link", name="Ladda ner ljudfilen")
    assert download.get_attribute("href") == audio_state(page)["src"] + "?download=1"
    wait_ready(page)
    with urllib.request.urlopen(download.get_attribute("href"), timeout=60) as answer:
        assert answer.headers["Content-Type"] == "audio/mpeg"
        assert answer.headers["Content-Disposition"].startswith("attachment")
        head = answer.read(3)
        assert head == b"ID3" or head[0] == 0xFF  # an MP3: tag or frame sync
    seek = shadow.get_by_role("slider", name="Position i uppläsningen")
    duration_ms = page.evaluate(f"() => {P}.reading.duration_ms")
    # The slider ends where the audio does (never past it), and says its position in words.
    page.wait_for_function(f"m => Math.abs({P}.shadowRoot.querySelector('input[type=range]').max * 1000 - m) < 500",
                           arg=duration_ms)
    words = r"(\d+ (timme|timmar|minut|minuter|sekund|sekunder) ?)+"
    assert re.fullmatch(f"{words} av {words}", seek.get_attribute("aria-valuetext"))
    # Jump to just before the end (the finished file is seekable): it plays out and says so.
    seek.fill(str(max(0, duration_ms // 1000 - 2)))
    page.wait_for_function(f"() => {P}.audio.ended")
    assert audio_state(page)["time"] * 1000 > duration_ms / 2
    wait_status(page, "Uppläsningen är klar")
    assert page.evaluate(HIGHLIGHTED_JS) is None
    # The speed survives a reload (localStorage) and applies to the next reading.
    page.reload()
    assert player(page).is_visible()
    assert page.locator("lyssna-player").get_by_label("Hastighet").input_value() == "1.5"
    player(page).click()
    wait_playing(page, 0.2)
    assert audio_state(page)["rate"] == 1.5


def test_position_is_remembered_for_the_session(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_ready(page)
    page.locator("lyssna-player").get_by_role("slider").fill("30")
    wait_playing(page, 30.2)
    control(page, "Pausa").click()
    page.wait_for_function(f"() => {P}.audio.paused")
    page.reload()
    player(page).click()
    wait_playing(page, 29)
    assert audio_state(page)["time"] >= 29
    status = f"{P}.shadowRoot.querySelector('[role=status]').textContent"
    try:
        page.wait_for_function(f"() => /^Fortsätter från 0:3\\d$/.test({status})")
    except Exception as exc:  # say what the status said instead (this check has failed now and then)
        raise AssertionError(f"status {page.evaluate(f'() => {status}')!r}, audio {audio_state(page)}") from exc


def test_click_or_enter_on_a_paragraph_starts_reading_there(site, page):
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_ready(page)
    wait_highlight(page)
    locators = page.evaluate(f"() => {P}.reading.blocks.map(b => b.locator)")
    target = locators[5]
    page.locator(target).click(position={"x": 3, "y": 3})
    page.wait_for_function(f"""sel => {{ const h = CSS.highlights.get('lyssna-sentence');
        return h && h.size && document.querySelector(sel).contains([...h][0].startContainer); }}""", arg=target)
    wait_playing(page)
    # Enter with the caret in another paragraph (caret browsing, a screen reader's cursor).
    other = locators[3]
    page.evaluate("""sel => { const t = document.createTreeWalker(document.querySelector(sel), NodeFilter.SHOW_TEXT)
        .nextNode(); getSelection().collapse(t, 0); }""", other)
    page.keyboard.press("Enter")
    page.wait_for_function(f"""sel => {{ const h = CSS.highlights.get('lyssna-sentence');
        return h && h.size && document.querySelector(sel).contains([...h][0].startContainer); }}""", arg=other)
    assert page.evaluate(f"() => {P}.entries[{P}.entryIndex].block") == 3


def test_selected_text_is_read_with_its_own_button(site, page):
    requests = []
    page.on("request", lambda r: requests.append(r))
    page.goto(f"{site.origin}/01.html")
    player(page)
    locator = "#svid12_5bf1a8e014c3d2e1f97a1b4 > div:nth-of-type(2) > p:nth-of-type(2)"
    chosen = page.evaluate("sel => { const p = document.querySelector(sel); p.scrollIntoView({block: 'center'});"
                           " getSelection().selectAllChildren(p); return getSelection().toString().trim(); }", locator)
    pick = page.locator("lyssna-player").get_by_role("button", name="Lyssna på markerad text")
    pick.wait_for(state="visible")
    page.screenshot(path="/tmp/lyssna-selection.png")
    pick.click()
    wait_playing(page, 0.3)
    (post,) = [r for r in requests if r.method == "POST"]
    body = post.post_data_json
    assert body["text"] == chosen and body["url"] == f"{site.origin}/01.html" and body.get("lang") == "sv"
    # The selection's sentences are highlighted where they are: inside the selected paragraph.
    page.wait_for_function(f"""sel => {{ const h = CSS.highlights.get('lyssna-sentence');
        return h && h.size && document.querySelector(sel).contains([...h][0].startContainer); }}""", arg=locator)
    assert squash(page.evaluate(HIGHLIGHTED_JS)["texts"][0]) in squash(chosen)
    assert page.evaluate(f"() => {P}.reading.blocks.length") == 1
    # When the passage has been heard, the player's own button reads the page again, not the passage.
    page.wait_for_function(f"() => {P}.reading.status === 'ready' && isFinite({P}.audio.duration)")
    page.evaluate(f"() => {{ const a = {P}.audio; a.currentTime = Math.max(0, a.duration - 0.3); }}")
    page.wait_for_function(f"() => {P}.audio.ended")
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.reading && {P}.reading.blocks.length > 1")
    second = [r for r in requests if r.method == "POST"][1].post_data_json
    assert "text" not in second and second["url"] == f"{site.origin}/01.html"
    assert page.errors == []


def test_keyboard_only_from_tab_to_stop_and_the_shortcut(site, page):
    page.goto(f"{site.origin}/player.html")
    player(page)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.tagName === 'LYSSNA-PLAYER'"):
            break
    focused_js = """() => { const b = document.activeElement.shadowRoot?.activeElement;
        return b && {name: b.getAttribute('aria-label') || b.textContent.trim(), outline: getComputedStyle(b).outlineStyle}; }"""
    assert page.evaluate(focused_js) == {"name": "Lyssna", "outline": "solid"}  # the focus is visible
    page.keyboard.press("Enter")
    wait_playing(page)
    assert page.evaluate(focused_js)["name"] == "Pausa"  # focus stayed where the visitor put it
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        now = page.evaluate(focused_js)
        assert now is None or now["outline"] == "solid"
        names.append(now and now["name"])
        if names[-1] == "Stoppa":
            break
    assert names[:3] == ["Föregående mening", "Nästa mening", "Stoppa"]
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {P}.audio.paused && {P}.audio.currentTime === 0")
    wait_status(page, "Stoppad")
    # The documented shortcut starts and pauses from anywhere on the page.
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Alt+Shift+L")
    wait_playing(page, 0.3)
    page.keyboard.press("Alt+Shift+L")
    page.wait_for_function(f"() => {P}.audio.paused")
    # Close hides the controls and puts the focus back on the main button.
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    assert page.evaluate(focused_js)["name"] == "Lyssna"
    assert not control(page, "Stoppa").is_visible()


def test_script_options_are_sent_with_the_page_html(site, page):
    requests = []
    page.on("request", lambda r: requests.append(r))
    page.goto(f"{site.origin}/send-html.html")
    player(page).click()
    wait_playing(page, 0.3)
    (post,) = [r for r in requests if r.method == "POST"]
    body = post.post_data_json
    assert body["url"] == f"{site.origin}/send-html.html"
    assert (body["content"], body["skip"], body["rate"]) == (".rf-main-column", ".sidinfo", 1.25)
    assert "Jobbar vi smartare i Sörmland" in body["html"] and body["html"].startswith("<html")
    assert wait_highlight(page)["how"] == "highlight"


def test_english_page_gets_english_strings(site, page):
    page.goto(f"{site.origin}/en.html")
    assert player(page, "^Listen$").is_visible()
    labels = page.evaluate(f"() => [...{P}.shadowRoot.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    assert {"Previous sentence", "Next sentence", "Stop", "Close the player", "Position in the reading"} <= set(labels)


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
    wait_error(page)
    region = page.evaluate(f"""() => {{ const r = {P}.shadowRoot.querySelector('[aria-live=polite]');
        return {{text: r.textContent, children: r.children.length}}; }}""")
    assert region == {"text": message, "children": 0}  # the server's words, as text only


def test_service_down_says_so_without_script_errors(site, page):
    page.goto(f"{site.origin}/down.html")
    player(page).click()
    wait_error(page)
    assert status_text(page) == "Tjänsten för uppläsning gick inte att nå. Försök igen senare."
    assert page.errors == []
    # The browser itself logs the refused connection; the widget logs nothing of its own.
    assert page.console_errors == []
    page.screenshot(path="/tmp/lyssna-error.png")


def test_site_not_on_the_allow_list_gets_a_plain_message(site, other_site, page):
    page.goto(f"{other_site.origin}/01.html")
    player(page).click()
    wait_error(page)
    # The service's own refusal, which names the setting to fix (tests/test_widget_state.py has more).
    assert "LYSSNA_SITES" in status_text(page) and other_site.origin in status_text(page)
    assert page.evaluate(f"() => {P}.audio.getAttribute('src')") is None  # no audio was requested


def test_works_under_a_strict_content_security_policy(site, page):
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation', e => window.__violations.push(
            {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
             after: !!window.__clicked}));""")
    console: list[str] = []
    page.goto(f"{site.origin}/csp.html")
    button = player(page)
    accent = page.evaluate(f"() => getComputedStyle({P}.shadowRoot.querySelector('button')).backgroundColor")
    assert accent == "rgb(11, 79, 138)"  # the player's own styles were applied
    page.evaluate("() => { window.__clicked = true; }")
    page.on("console", lambda m: console.append(m.text))  # from here on, all is the widget's doing
    button.click()
    wait_playing(page)
    assert wait_highlight(page)["how"] == "highlight"
    page.wait_for_function(WORD_JS)
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
    page.goto(f"{site.origin}/twice.html")
    player(page)
    page.add_script_tag(url=f"{site.app_origin}/widget.js")
    assert page.locator("lyssna-player").count() == 1
    player(page).click()
    wait_playing(page, 0.3)
    assert page.errors == []


def test_window_config_docks_the_player_at_the_bottom(site, page):
    """window.lyssnaConf = {position: "fixed"}: a bar fixed to the window that takes no page space."""
    page.add_init_script("window.lyssnaConf = {position: 'fixed'};")
    page.goto(f"{site.origin}/01.html")
    button = player(page)
    assert page.evaluate(f"() => {P}.getBoundingClientRect().height") == 0  # nothing moves in the page
    button.click()
    wait_playing(page)
    bar = page.evaluate(f"""() => {{ const b = {P}.shadowRoot.querySelector('.bar'), r = b.getBoundingClientRect();
        return {{position: getComputedStyle(b).position, bottom: innerHeight - r.bottom, left: r.left}}; }}""")
    assert bar["position"] == "fixed" and 0 <= bar["bottom"] <= 16 and bar["left"] <= 16
    page.screenshot(path="/tmp/lyssna-docked.png")
