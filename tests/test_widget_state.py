"""The player's state never lies (issue 17), in real headless Chromium against the real app.

Opening, closing, page, selection and document readings are one state: whatever starts playback shows
the controls and the highlighting, and every change is announced as it really is. The seek slider spans
the audio's real length and its keys (5 s, 30 s, Home, End) move the highlighting with them. The
shortcut is advertised only where it works, a site missing from LYSSNA_SITES is told so (and the log
names the origin to add), and a `data-content` that matches nothing warns in the console.
"""
from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request

import pytest

from . import pdf_builder
from .browser import (  # noqa: F401 - fixtures
    EMPTY_PAGE,
    HIGHLIGHTED_JS,
    P,
    PageSite,
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

pytestmark = pytest.mark.browser
WIDTHS = [1280, 390]
STATE = f"() => {P}.state"
STATUS = f"{P}.shadowRoot.querySelector('[role=status]')"


def record_status(page) -> None:
    """From now on, every text the live region takes is kept in window.__said (what is announced)."""
    page.evaluate(f"""() => {{ window.__said = []; const s = {STATUS};
        new MutationObserver(() => window.__said.push(s.textContent))
            .observe(s, {{childList: true, characterData: true, subtree: true}}); }}""")


def said(page) -> list[str]:
    texts = page.evaluate("() => window.__said")
    return [t for i, t in enumerate(texts) if t and (i == 0 or t != texts[i - 1])]


def controls_shown(page) -> bool:
    """The open player's controls (on a narrow screen the others are behind "Fler kontroller")."""
    return control(page, "Stäng spelaren").is_visible() and \
        page.locator("lyssna-player").get_by_role("slider").is_visible()


def press_shortcut(page) -> None:
    """Alt+Shift+L as Chromium on Linux and Windows delivers it: a raw keydown, then the character as a
    *system* key, which is what fires a page's accesskey. (Playwright's keyboard.press sends no system
    character, so it would hide a conflicting accesskey.)"""
    cdp = page.context.new_cdp_session(page)
    key = {"modifiers": 1 | 8, "windowsVirtualKeyCode": 76, "code": "KeyL", "key": "L"}
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", **key})
    cdp.send("Input.dispatchKeyEvent", {"type": "char", **key, "text": "L", "unmodifiedText": "l", "isSystemKey": True})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})
    cdp.detach()


# --- one state: open, close, pause, resume -------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_closing_and_reopening_keeps_controls_highlighting_and_what_is_said(site, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site.origin}/player.html")
    button = player(page)
    record_status(page)
    button.click()
    wait_playing(page, 1.0)
    wait_highlight(page)
    assert controls_shown(page) and page.evaluate(STATE) == "playing"

    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    page.wait_for_function(f"() => {P}.audio.paused")
    closed_at = audio_state(page)["time"]
    assert not controls_shown(page) and page.evaluate(HIGHLIGHTED_JS) is None
    assert page.evaluate(STATE) == "closed"

    # The main button reopens: the page reading goes on where it was, with its controls and highlighting.
    player(page, "^Lyssna$").click()
    wait_playing(page, closed_at + 0.3)
    assert audio_state(page)["time"] >= closed_at
    assert controls_shown(page)
    wait_highlight(page)
    wait_status(page, "Spelar upp")
    player(page, "^Pausa$").click()
    wait_status(page, "Pausad")  # a pause after reopening is announced

    # Closed again, the shortcut reopens the same way, and pausing with it is announced too.
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    page.evaluate("() => document.activeElement.blur()")
    press_shortcut(page)
    page.wait_for_function(f"() => {P}.state === 'playing'")
    assert controls_shown(page)
    wait_highlight(page)
    wait_status(page, "Spelar upp")
    press_shortcut(page)
    wait_status(page, "Pausad")
    assert page.evaluate(STATE) == "paused" and audio_state(page)["paused"]
    assert said(page) == ["Förbereder uppläsning…", "Spelar upp", "Spelaren är stängd", "Spelar upp", "Pausad",
                          "Spelaren är stängd", "Spelar upp", "Pausad"]
    assert page.errors == []


def test_a_selection_reading_is_paused_closed_and_then_the_page_is_read(site, page):
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r))
    page.goto(f"{site.origin}/player.html")
    player(page)
    record_status(page)
    locator = "#svid12_5bf1a8e014c3d2e1f97a1b4 > div:nth-of-type(2) > p:nth-of-type(2)"
    page.evaluate("sel => { const p = document.querySelector(sel); p.scrollIntoView({block: 'center'});"
                  " getSelection().selectAllChildren(p); }", locator)
    pick = page.locator("lyssna-player").get_by_role("button", name="Lyssna på markerad text")
    pick.wait_for(state="visible")
    pick.click()
    wait_playing(page, 0.3)
    assert controls_shown(page) and page.evaluate(f"() => {P}.mode") == "text"
    wait_highlight(page)
    player(page, "^Pausa$").click()
    wait_status(page, "Pausad")
    player(page, "^Lyssna$").click()  # while open, the button resumes the passage: no new reading
    wait_status(page, "Spelar upp")
    assert len(requests) == 1 and page.evaluate(f"() => {P}.mode") == "text"

    # Closing ends the passage; the main button then reads the page, shown and highlighted.
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.reading && {P}.reading.blocks.length > 1")
    wait_playing(page, 0.3)
    assert len(requests) == 2 and "text" not in requests[1].post_data_json
    assert controls_shown(page) and page.evaluate(f"() => {P}.mode") == "page"
    wait_highlight(page)
    assert said(page) == ["Förbereder uppläsning…", "Spelar upp", "Pausad", "Spelar upp", "Spelaren är stängd",
                          "Förbereder uppläsning…", "Spelar upp"]


@pytest.fixture
def docs(site):
    site.extra["/docs/rapport.pdf"] = (pdf_builder.tagged_report(pages=1).data, "application/pdf", {})
    body = ("<h1>Sammanträden</h1><p>Handlingar till mötet finns här nedan för den som vill läsa dem.</p>"
            '<p><a href="/docs/rapport.pdf">Årsredovisning 2024</a></p>')
    html = EMPTY_PAGE.format(script=f'{body}<script src="{site.app_origin}/widget.js" defer></script>')
    site.extra["/docs-state.html"] = (html.encode(), "text/html; charset=utf-8", {})
    return site


def test_a_document_reading_takes_over_silently_and_closing_returns_to_the_page(docs, page):
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r))
    page.goto(f"{docs.origin}/docs-state.html")
    player(page).click()
    wait_playing(page, 0.3)
    record_status(page)
    page.get_by_role("button", name="Lyssna på dokumentet: Årsredovisning 2024").click()
    page.wait_for_function(f"() => {P}.mode === 'document' && {P}.state === 'playing'")
    assert controls_shown(page)
    # The page reading stopped for the document: that is no visitor's pause, so "Pausad" is not said.
    assert said(page) == ["Förbereder uppläsning…", "Spelar upp"]
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.mode === 'page' && {P}.state === 'playing'")
    assert [r.post_data_json["url"] for r in requests] == [f"{docs.origin}/docs-state.html",
                                                          f"{docs.origin}/docs/rapport.pdf",
                                                          f"{docs.origin}/docs-state.html"]


# --- closing stops asking about the reading ----------------------------------------------------------

POLL_WINDOW_MS = 2000  # five of the widget's 400 ms poll intervals: the window in which no request may come


class Making:
    """Readings other than `kept` are "being made" for as long as `making` says (their status answers say
    so), their audio waits if `hold_audio`, and every status request for them is recorded in `polls`."""

    STATUS = re.compile(r"/api/v1/readings/\w+$")

    def __init__(self, page, kept: str = "", hold_audio: bool = False) -> None:
        self.kept, self.making, self.polls, self.held = kept, True, [], []

        def poll(route):
            answer = route.fetch()
            reading = answer.json()
            if self.making:
                reading["status"] = "generating"
            route.fulfill(response=answer, json=reading)

        def audio(route):
            if hold_audio and self.ours(route.request.url):
                self.held.append(route)  # never answered: the player stays "loading"
            else:
                route.continue_()

        page.on("request", lambda r: self.is_poll(r) and self.polls.append(r.url))
        page.route(lambda url: bool(self.STATUS.search(url)) and self.ours(url), poll)
        page.route("**/audio/**", audio)

    def ours(self, url: str) -> bool:
        return not self.kept or self.kept not in url

    def is_poll(self, request) -> bool:
        return request.method == "GET" and bool(self.STATUS.search(request.url)) and self.ours(request.url)


@pytest.fixture
def making(page):
    """Making(page, ...) for one test; its routes go before the page does (a poll may still be on its way)."""
    yield lambda **options: Making(page, **options)
    page.unroute_all(behavior="ignoreErrors")


def minutes(site, when: str) -> str:
    """A page linking to minutes that no test has read yet (one per `when`): its address."""
    pdf = pdf_builder.tagged_report(pages=1, seed={"asked": 7, "polled": 8}[when]).data
    site.extra[f"/docs/protokoll-{when}.pdf"] = (pdf, "application/pdf", {})
    body = ("<h1>Protokoll</h1><p>Protokollet från kommunstyrelsens senaste möte finns att läsa här nedan.</p>"
            f'<p><a href="/docs/protokoll-{when}.pdf">Protokoll från kommunstyrelsen</a></p>')
    html = EMPTY_PAGE.format(script=f'{body}<script src="{site.app_origin}/widget.js" defer></script>')
    site.extra[f"/minutes-{when}.html"] = (html.encode(), "text/html; charset=utf-8", {})
    return f"{site.origin}/minutes-{when}.html"


@pytest.mark.parametrize("when", ["asked", "polled"])
def test_closing_while_a_document_loads_stops_asking_about_it(site, page, making, when):
    """Closed while a reading was still being made, the widget went on polling for it in the background:
    whether it was closed while the reading was asked for (its answer came after) or already polled."""
    page.goto(minutes(site, when))
    player(page).click()
    wait_playing(page, 0.3)
    wait_ready(page)  # the page's own reading asks nothing more
    making = making(kept=page.evaluate(f"() => {P}.reading.id"), hold_audio=True)
    asked = []
    if when == "asked":
        page.route("**/api/v1/readings", lambda route: asked.append(route))
    start = page.get_by_role("button", name="Lyssna på dokumentet: Protokoll från kommunstyrelsen")
    with page.expect_request((lambda r: r.method == "POST") if when == "asked" else making.is_poll):
        start.click()
    assert page.evaluate(STATE) == "loading" and page.evaluate(f"() => {P}.mode") == "document"
    record_status(page)
    before = len(making.polls)
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    if when == "asked":
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            asked[0].continue_()  # the reading's answer comes after the close
        assert answer.value.status == 202  # being made: it would be polled
    page.wait_for_timeout(POLL_WINDOW_MS)  # an absence: nothing to wait for but the poll that must not come
    assert len(making.polls) - before <= 1, making.polls  # at most the one already on its way
    assert page.evaluate(STATE) == "closed"  # and its answer changed nothing

    # Reopened, the player starts cleanly: the page, not the half-made document, and nothing about it.
    page.unroute("**/api/v1/readings")
    after = len(making.polls)
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.mode === 'page' && {P}.state === 'playing'")
    wait_highlight(page)
    assert said(page) == ["Spelaren är stängd", "Förbereder uppläsning…", "Spelar upp"]
    assert len(making.polls) == after and page.evaluate(f"() => {P}.reading.id") == making.kept
    assert page.errors == []


def test_closing_while_a_page_reading_is_made_stops_polling_and_reopening_resumes_it(site, page, making):
    """A page reading plays while it is made; closed, nothing is asked; reopened, it goes on and is finished."""
    page.goto(f"{site.origin}/pages/05-ny-vardcentral-ekeby.html")
    making = making()
    with page.expect_request(making.is_poll):
        player(page).click()
    wait_playing(page, 0.5)
    assert page.evaluate(f"() => {P}.reading.status") != "ready"
    before = len(making.polls)
    control(page, "Stäng spelaren").click()
    wait_status(page, "Spelaren är stängd")
    page.wait_for_function(f"() => {P}.audio.paused")
    closed_at = audio_state(page)["time"]
    page.wait_for_timeout(POLL_WINDOW_MS)  # an absence: nothing to wait for but the poll that must not come
    assert len(making.polls) - before <= 1, making.polls

    making.making = False  # made meanwhile: reopening goes on where it was and learns that it is done
    after = len(making.polls)
    player(page, "^Lyssna$").click()
    wait_playing(page, closed_at + 0.2)
    wait_ready(page)
    assert len(making.polls) > after and page.evaluate(STATE) == "playing"
    wait_highlight(page)


# --- the seek slider ------------------------------------------------------------------------------

def spoken(seconds: int, units: list[str]) -> str:
    """What the slider should say: the JS's rule written once more, plainly."""
    parts = [(seconds // 3600, 0), (seconds // 60 % 60, 1), (seconds % 60, 2)]
    words = [f"{n} {units[2 * i + (n != 1)]}" for n, i in parts if n or (i == 2 and seconds < 60)]
    return " ".join(words)


SV_UNITS = "timme timmar minut minuter sekund sekunder".split()
EN_UNITS = "hour hours minute minutes second seconds".split()


def finished_file_paused(page, url: str, listen: str = "Lyssna", pause: str = "Pausa") -> float:
    """The page's reading, ready and loaded as the finished file, paused: its duration in seconds."""
    page.goto(url)
    player(page, f"^{listen}$").click()
    wait_ready(page)
    page.reload()  # now the answer is 'ready' at once: the finished file, with its real duration
    player(page, f"^{listen}$").click()
    page.wait_for_function(f"() => {P}.finishedFileLoaded && isFinite({P}.audio.duration) && {P}.state === 'playing'")
    player(page, f"^{pause}$").click()
    page.wait_for_function(f"() => {P}.state === 'paused'")
    return page.evaluate(f"() => {P}.audio.duration")


def slider_after(page, key: str) -> dict:
    page.locator("lyssna-player").get_by_role("slider").press(key)
    return page.evaluate(f"""() => {{
        const s = {P}.shadowRoot.querySelector('input[type=range]'), h = ({HIGHLIGHTED_JS})();
        return {{time: {P}.audio.currentTime, value: Number(s.value), max: Number(s.max),
                 text: s.getAttribute('aria-valuetext'), entry: {P}.entryIndex, marked: h && h.texts[0]}}; }}""")


SENTENCES_JS = f"() => {P}.entries.map(e => {P}.reading.blocks[e.block].sentences[e.sentence].text)"


def expected_entry(page, seconds: float) -> int:
    starts = page.evaluate(f"() => {P}.entries.map(e => e.start)")
    return max((k for k, start in enumerate(starts) if start <= seconds * 1000), default=-1)


@pytest.mark.parametrize("width", WIDTHS)
def test_slider_keys_move_by_5_and_30_seconds_and_reach_both_ends(site, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    duration = finished_file_paused(page, f"{site.origin}/player.html")
    total = spoken(int(duration), SV_UNITS)
    at = slider_after(page, "Home")
    assert at["time"] == 0 and at["max"] == pytest.approx(duration, abs=0.01)  # the real length, not past it
    assert at["entry"] == 0 and squash(at["marked"]) in squash(page.evaluate(SENTENCES_JS)[0])  # the first sentence
    for key, seconds in [("ArrowRight", 5), ("ArrowUp", 10), ("ArrowLeft", 5), ("ArrowDown", 0), ("ArrowDown", 0),
                         ("PageUp", 30), ("PageUp", 60), ("ArrowRight", 65), ("PageDown", 35)]:
        at = slider_after(page, key)
        assert at["time"] == pytest.approx(seconds, abs=0.01), key
        assert at["value"] == pytest.approx(seconds, abs=0.01)
        assert at["text"] == f"{spoken(seconds, SV_UNITS)} av {total}"
        if seconds:  # the highlighting follows the jump, even while paused
            assert at["entry"] == expected_entry(page, seconds), key
            sentences = page.evaluate(SENTENCES_JS)
            assert at["marked"] and squash(at["marked"]) in squash(sentences[at["entry"]])
        if seconds == 65:
            assert at["text"].startswith("1 minut 5 sekunder av ")
    assert slider_after(page, "ArrowRight")["text"].startswith("40 sekunder av ")

    # End is the end of the audio: while playing it finishes the reading and says so.
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.state === 'playing'")
    at = slider_after(page, "End")
    page.wait_for_function(f"() => {P}.state === 'ended'")
    wait_status(page, "Uppläsningen är klar")
    assert audio_state(page)["time"] == pytest.approx(duration, abs=0.05)
    assert page.evaluate(HIGHLIGHTED_JS) is None
    # Not frozen: Home and the button play again, and the highlighting moves with the audio.
    slider_after(page, "Home")
    player(page, "^Lyssna$").click()
    wait_playing(page, 0.2)
    first = wait_highlight(page)["texts"][0]
    slider_after(page, "PageUp")
    page.wait_for_function(f"f => {{ const h = ({HIGHLIGHTED_JS})(); return h && h.texts[0] !== f; }}", arg=first)
    assert page.evaluate(f"() => {P}.entryIndex") == expected_entry(page, audio_state(page)["time"])


FINISHED_JS = f"""() => {{ const p = {P}, b = p.shadowRoot.querySelector('button[part=button]');
    return {{state: p.state, status: {STATUS}.textContent, error: {STATUS}.classList.contains('e'),
             button: b.textContent, icon: b.querySelector('path').getAttribute('d'), open: p.isOpen,
             entry: p.entryIndex, word: p.wordIndex, marked: ({HIGHLIGHTED_JS})(),
             saved: sessionStorage.getItem('lyssna:' + location.href.split('#')[0])}}; }}"""


def test_end_while_paused_finishes_the_reading_as_playing_to_the_end_does(site, page):
    """The browser fires "ended" only during playback: End while paused went to the end but stayed "Pausad"."""
    duration = finished_file_paused(page, f"{site.origin}/player.html")
    player(page, "^Lyssna$").click()
    page.wait_for_function(f"() => {P}.state === 'playing'")
    slider_after(page, "End")
    wait_status(page, "Uppläsningen är klar")
    played_to_the_end = page.evaluate(FINISHED_JS)
    assert played_to_the_end["state"] == "ended" and played_to_the_end["marked"] is None

    slider_after(page, "Home")
    player(page, "^Lyssna$").click()
    wait_playing(page, 0.2)
    player(page, "^Pausa$").click()
    wait_status(page, "Pausad")
    assert slider_after(page, "PageUp")["marked"]  # paused, with a sentence marked
    record_status(page)
    at = slider_after(page, "End")
    assert at["time"] == pytest.approx(duration, abs=0.05) and at["value"] == pytest.approx(at["max"], abs=0.05)
    wait_status(page, "Uppläsningen är klar")
    assert page.evaluate(FINISHED_JS) == played_to_the_end  # said, shown and unmarked the same way
    assert said(page) == ["Uppläsningen är klar"]

    # As after a reading that played to its end, the button reads it again from the start.
    player(page, "^Lyssna$").click()
    wait_playing(page, 0.2)
    wait_status(page, "Spelar upp")
    assert audio_state(page)["time"] < duration / 2
    assert page.evaluate(f"() => {P}.entryIndex") == expected_entry(page, audio_state(page)["time"])


def test_home_while_paused_marks_the_first_sentence(site, page):
    """Like a seek anywhere else while paused, Home shows where it landed: the first sentence."""
    finished_file_paused(page, f"{site.origin}/player.html")
    slider_after(page, "PageUp")
    at = slider_after(page, "Home")
    assert at["time"] == 0 and at["entry"] == 0 and page.evaluate(STATE) == "paused"
    assert at["marked"] and squash(at["marked"]) in squash(page.evaluate(SENTENCES_JS)[0])
    # Stop, though, rewinds and leaves nothing marked.
    slider_after(page, "PageUp")
    control(page, "Stoppa").click()
    wait_status(page, "Stoppad")
    page.wait_for_function(f"() => {P}.audio.currentTime === 0")
    assert page.evaluate(HIGHLIGHTED_JS) is None


def test_end_after_a_streamed_reading_is_made_finishes_it(site, page):
    """A new reading plays while it is made. Once made, End goes to the end of the finished file (it used
    to restart the audio, or to leave the highlighting frozen on a seek past the end that never came)."""
    page.goto(f"{site.origin}/pages/13-eldningsforbud.html")
    player(page).click()
    page.wait_for_function(f"() => {P}.state === 'playing' && !{P}.finishedFileLoaded")  # streamed
    wait_ready(page)
    assert not page.evaluate(f"() => {P}.finishedFileLoaded")
    slider_after(page, "End")
    page.wait_for_function(f"() => {P}.state === 'ended'")
    wait_status(page, "Uppläsningen är klar")
    assert audio_state(page)["time"] == pytest.approx(page.evaluate(f"() => {P}.audio.duration"), abs=0.05)
    assert page.evaluate(f"() => {P}.pendingSeekMs") is None and page.evaluate(HIGHLIGHTED_JS) is None


def test_the_slider_speaks_english_on_an_english_page(site, page):
    duration = finished_file_paused(page, f"{site.origin}/en.html", "Listen", "Pause")
    slider_after(page, "Home")
    slider_after(page, "PageUp")
    slider_after(page, "PageUp")
    at = slider_after(page, "ArrowRight")
    assert at["text"] == f"1 minute 5 seconds of {spoken(int(duration), EN_UNITS)}"


# --- the shortcut that is shown is the one that works ---------------------------------------------

def shortcut_page(site, path: str, extra: str) -> str:
    script = f'<script src="{site.app_origin}/widget.js" defer></script>'
    html = EMPTY_PAGE.format(script=f"<h1>Nyheter</h1><p>Kommunen bygger en ny skola i centrum. Den öppnar "
                                    f"till hösten.</p>{extra}{script}")
    site.extra[path] = (html.encode(), "text/html; charset=utf-8", {})
    return f"{site.origin}{path}"


def advertised(page) -> dict:
    return page.evaluate(f"""() => {{ const b = {P}.shadowRoot.querySelector('button');
        return {{keys: b.getAttribute('aria-keyshortcuts'), title: b.getAttribute('title')}}; }}""")


@pytest.mark.parametrize("extra", [
    "",  # no accesskey at all
    '<a class="rsbtn_play" accesskey="L" href="//app-eu.readspeaker.com/cgi-bin/rsent?customerid=1">Lyssna</a>',
])
def test_the_advertised_shortcut_starts_the_player(site, page, extra):
    url = shortcut_page(site, "/key-free.html" if not extra else "/key-readspeaker.html", extra)
    page.goto(url)
    player(page)
    assert advertised(page) == {"keys": "Alt+Shift+L", "title": "Alt+Shift+L"}
    press_shortcut(page)
    page.wait_for_function(f"() => {P}.state === 'playing'")
    assert page.url == url  # the ReadSpeaker link was not followed
    assert controls_shown(page)


def test_a_page_that_keeps_alt_shift_l_is_not_promised_it(site, page):
    url = shortcut_page(site, "/key-taken.html", '<a id="login" accesskey="L" href="#inloggning">Logga in</a>')
    page.goto(url)
    player(page)
    assert advertised(page) == {"keys": None, "title": None}
    press_shortcut(page)
    page.wait_for_url(f"{url}#inloggning")  # the page's own shortcut did what the page meant
    page.wait_for_timeout(300)
    assert page.evaluate(STATE) is None and page.evaluate(f"() => {P}.audio") is None


# --- a refused site says so -------------------------------------------------------------------------

@pytest.fixture
def refused_site(site):
    """A site on a loopback origin of its own that no test has used: not in LYSSNA_SITES."""
    refused = PageSite(site.app_origin)
    yield refused
    refused.close()


def test_a_site_missing_from_lyssna_sites_is_told_so_and_the_log_names_it(refused_site, page, caplog):
    caplog.set_level(logging.WARNING, logger="service.web.refused")
    page.goto(f"{refused_site.origin}/player.html")
    player(page).click()
    wait_error(page)
    message = status_text(page)
    assert message.startswith(f"Den här webbplatsen ({refused_site.origin}) får inte läsas upp av tjänsten")
    assert "LYSSNA_SITES" in message and page.evaluate(STATE) == "error"
    assert page.evaluate(f"() => {STATUS}.classList.contains('e')")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        player(page, "^Lyssna$").click()  # asked again: the same answer, and no second log line
    assert answer.value.status == 403
    page.wait_for_function(f"() => {P}.state === 'error'")
    logged = [r.getMessage() for r in caplog.records if r.name == "service.web.refused"]
    assert len(logged) == 1 and f"LYSSNA_SITES={refused_site.origin}" in logged[0]
    assert page.errors == []


def api(site, method: str, path: str, origin: str, body: dict | None = None):
    request = urllib.request.Request(f"{site.app_origin}{path}", method=method, headers={"Origin": origin},
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_the_refusal_is_the_only_answer_another_origin_may_read(site, other_site):
    post = "POST", "/api/v1/readings", other_site.origin
    status, headers, body = api(site, *post, {"url": f"{other_site.origin}/01.html"})
    assert status == 403 and json.loads(body)["error"] == "site_not_allowed"
    assert headers["Access-Control-Allow-Origin"] == other_site.origin and "Origin" in headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in headers
    # Asked from that origin for a page that is allowed, the reading is made but not shown to it.
    status, headers, body = api(site, *post, {"url": f"{site.origin}/01.html"})
    assert status in (200, 202) and "Access-Control-Allow-Origin" not in headers
    reading = json.loads(body)["id"]
    status, headers, _ = api(site, "GET", f"/api/v1/readings/{reading}", other_site.origin)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    # Other errors stay hidden from it as before.
    status, headers, _ = api(site, "GET", "/api/v1/readings/" + "0" * 32, other_site.origin)
    assert status == 404 and "Access-Control-Allow-Origin" not in headers


def test_the_log_of_refused_origins_is_bounded(tmp_path, caplog):
    from service import create_app
    from service.web.refused import MAX_ORIGINS

    client = create_app({"TESTING": True, "SITES": [], "CACHE_DIR": str(tmp_path)}).test_client()
    caplog.set_level(logging.WARNING, logger="service.web.refused")
    for n in range(MAX_ORIGINS + 20):
        origin = f"https://site{n}.example"
        answer = client.post("/api/v1/readings", json={"url": f"{origin}/"}, headers={"Origin": origin})
        assert answer.status_code == 403 and answer.headers["Access-Control-Allow-Origin"] == origin
    for origin in ("null", "https://x.example/path"):  # no web origin: no header, no log line
        answer = client.post("/api/v1/readings", json={"url": "https://x.example/"}, headers={"Origin": origin})
        assert answer.status_code == 403 and "Access-Control-Allow-Origin" not in answer.headers
    lines = [r.getMessage() for r in caplog.records if r.name == "service.web.refused"]
    assert len(lines) == MAX_ORIGINS + 1 and "not logged" in lines[-1]
    assert all(f"LYSSNA_SITES=https://site{n}.example " in lines[n] for n in range(MAX_ORIGINS))


# --- data-content that matches nothing ----------------------------------------------------------------

def content_page(site, path: str, selector: str) -> str:
    script = f'<script src="{site.app_origin}/widget.js" defer data-content="{selector}"></script>'
    html = EMPTY_PAGE.format(script=f"<article><h1>Parkering</h1><p>Från den första maj kostar det att parkera "
                                    f"vid torget. Avgiften är tio kronor i timmen.</p></article>{script}")
    site.extra[path] = (html.encode(), "text/html; charset=utf-8", {})
    return f"{site.origin}{path}"


@pytest.mark.parametrize("n, selector, warned", [(1, "#nothing-here", True), (2, "main > .gone", True),
                                                 (3, "article", False)])
def test_a_content_selector_that_matches_nothing_warns_in_the_console(site, page, n, selector, warned):
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto(content_page(site, f"/content-{n}.html", selector))
    player(page).click()
    wait_playing(page, 0.2)
    reading = page.evaluate(f"() => {P}.reading.area")
    if not warned:
        assert warnings == [] and reading["source"] == "content"
        return
    assert reading["code"] == "content_empty"
    page.wait_for_function(f"() => {P}.state === 'playing'")
    assert len(warnings) == 2, warnings
    assert f'data-content "{selector}"' in warnings[0] and "the main content is read" in warnings[0]
    assert warnings[1] == f"Lyssna: {reading['reason']}"  # the server's own words for what it read
