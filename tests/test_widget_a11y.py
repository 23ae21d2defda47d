"""The player for people who depend on it: axe-core, zoom and narrow screens, motion, forced colours,
scrolling that respects the visitor, and the size budget (issue 6).

axe-core comes bundled in the `axe-playwright-python` wheel (axe.min.js), injected into the page:
nothing is downloaded at test time.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from .browser import (  # noqa: F401 - fixtures
    HIGHLIGHTED_JS,
    WORD_JS,
    P,
    context,
    control,
    other_site,
    page,
    page_site,
    player,
    site,
    wait_error,
    wait_highlight,
    wait_playing,
    wait_ready,
)

WIDGET = Path(__file__).resolve().parents[1] / "service" / "static" / "widget.js"
SIZE_BUDGET = 14 * 1024  # everything the widget loads, gzipped (issue 17 added layouts and state)


def test_widget_fits_the_size_budget_and_needs_no_unsafe_code(client):
    served = client.get("/widget.js")
    assert served.status_code == 200 and served.data == WIDGET.read_bytes()
    assert len(gzip.compress(served.data, 9)) <= SIZE_BUDGET
    source = served.data.decode()
    # Works under a strict CSP and never inserts page text as HTML.
    for unsafe in ("eval(", "new Function", "innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write",
                   "setAttribute(\"style\"", "cssText"):
        assert unsafe not in source, unsafe
    assert re.search(r"credentials:\s*\"omit\"", source)


def axe_violations(page) -> list[dict]:
    """axe-core on the player (its shadow DOM included); the host page's own faults are not ours."""
    axe_js = pytest.importorskip("axe_playwright_python").__file__.replace("__init__.py", "axe.min.js")
    page.evaluate(Path(axe_js).read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run({include: [['lyssna-player']]},
        {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
         resultTypes: ['violations']})""")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


@pytest.mark.browser
def test_axe_finds_nothing_closed_playing_or_failed(site, page):
    page.goto(f"{site.origin}/player.html")
    player(page)
    page.screenshot(path="/tmp/lyssna-closed.png", clip={"x": 0, "y": 0, "width": 1100, "height": 200})
    assert axe_violations(page) == []

    player(page).click()
    wait_playing(page)
    wait_highlight(page)
    page.wait_for_function(WORD_JS)
    assert axe_violations(page) == []

    page.goto(f"{site.origin}/empty.html")
    player(page).click()
    wait_error(page)
    page.screenshot(path="/tmp/lyssna-api-error.png", clip={"x": 0, "y": 0, "width": 1100, "height": 200})
    assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_in_any_state_of_the_player(site, other_site, page, width):
    """Closed, loading, playing, paused, ended, closed again, a selection reading and a refused site."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site.origin}/player.html")
    player(page)
    seen = {}

    def check(state: str | None, name: str = "") -> None:
        page.wait_for_function(f"s => ({P}.state || null) === s", arg=state)
        name = name or state or "initial"
        seen[name] = axe_violations(page)
        page.screenshot(path=f"/tmp/lyssna-state-{name.replace(' ', '-')}-{width}.png")

    check(None)
    held = []  # the reading's request waits here while the player shows that it is loading
    page.route("**/api/v1/readings", lambda route: held.append(route))
    player(page).click()
    while not held:
        page.wait_for_timeout(50)
    check("loading")
    held[0].continue_()
    page.unroute("**/api/v1/readings")
    wait_playing(page)
    wait_highlight(page)
    check("playing")
    control(page, "Pausa").click()
    check("paused")
    wait_ready(page)
    control(page, "Lyssna").click()
    page.wait_for_function(f"() => {P}.state === 'playing'")
    page.locator("lyssna-player").get_by_role("slider").press("End")  # to the end: the reading is over
    check("ended")
    control(page, "Stäng spelaren").click()
    check("closed")

    locator = "#svid12_5bf1a8e014c3d2e1f97a1b4 > div:nth-of-type(2) > p:nth-of-type(2)"
    page.evaluate("sel => { const p = document.querySelector(sel); p.scrollIntoView({block: 'center'});"
                  " getSelection().selectAllChildren(p); }", locator)
    pick = page.locator("lyssna-player").get_by_role("button", name="Lyssna på markerad text")
    pick.wait_for(state="visible")
    seen["selection offered"] = axe_violations(page)
    pick.click()
    page.wait_for_function(f"() => {P}.mode === 'text'")
    check("playing", "selection reading")

    page.goto(f"{other_site.origin}/player.html")  # a site missing from LYSSNA_SITES
    player(page).click()
    wait_error(page)
    check("error")
    assert set(seen) == {"initial", "loading", "playing", "paused", "ended", "closed", "selection offered",
                         "selection reading", "error"}
    assert {state: found for state, found in seen.items() if found} == {}


@pytest.mark.browser
@pytest.mark.parametrize("viewport, scale", [({"width": 320, "height": 640}, 1),
                                             ({"width": 1280, "height": 800}, 4)])
def test_usable_at_320_px_and_400_percent_zoom(site, chromium, viewport, scale):
    """400 % zoom of a 1280 px window is a 320 CSS px layout; every control must fit and work."""
    css = {"width": viewport["width"] // scale, "height": viewport["height"] // scale}
    ctx = chromium.new_context(viewport=css, device_scale_factor=scale)
    try:
        page = ctx.new_page()
        page.goto(f"{site.origin}/player.html")
        player(page).click()
        wait_playing(page)
        control(page, "Fler kontroller").click()  # narrow: the rest of the controls are behind "more"
        boxes = page.evaluate(f"""() => [...{P}.shadowRoot.querySelectorAll('.bar button, .bar select, .bar input, .bar a')]
            .map(e => {{ const r = e.getBoundingClientRect(); return [e.getAttribute('aria-label') || e.textContent, r.left, r.right, r.width]; }})""")
        assert len(boxes) == 9  # 6 buttons (with "more"), seek, speed, download
        for name, left, right, width in boxes:
            assert left >= 0 and right <= css["width"] and width >= 24, (name, left, right)
        bar = page.evaluate(f"() => {{ const b = {P}.shadowRoot.querySelector('.bar'); return [b.scrollWidth, b.clientWidth]; }}")
        assert bar[0] <= bar[1]  # nothing spills sideways
        assert page.evaluate("() => document.documentElement.scrollWidth") <= css["width"] + 1 or \
            page.evaluate(f"() => {P}.getBoundingClientRect().right") <= css["width"]
        page.screenshot(path=f"/tmp/lyssna-{css['width']}px-x{scale}.png")
        control(page, "Stoppa").click()
        page.wait_for_function(f"() => {P}.audio.paused")
    finally:
        ctx.close()


SCROLL_SPY = """window.__scrolls = [];
const into = Element.prototype.scrollIntoView, by = window.scrollBy;
Element.prototype.scrollIntoView = function (o) { window.__scrolls.push(o && o.behavior); return into.call(this, o); };
window.scrollBy = function (o) { window.__scrolls.push(o && o.behavior); return by.call(window, o); };"""


@pytest.mark.browser
@pytest.mark.parametrize("motion, behaviour", [("reduce", "auto"), ("no-preference", "smooth")])
def test_follows_the_reading_with_motion_as_the_visitor_prefers(site, page, motion, behaviour):
    page.add_init_script(SCROLL_SPY)
    page.set_viewport_size({"width": 1100, "height": 400})
    page.emulate_media(reduced_motion=motion)
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_ready(page)
    # Start near the end: that sentence is below the fold, so the page follows it.
    last = page.evaluate(f"() => {P}.entries.length - 3")
    page.evaluate(f"k => {P}.jump(k)", last)
    page.wait_for_function("() => window.__scrolls.length > 0")
    assert set(page.evaluate("() => window.__scrolls")) == {behaviour}


@pytest.mark.browser
def test_does_not_scroll_back_when_the_visitor_scrolled_away(site, page):
    page.add_init_script(SCROLL_SPY)
    page.set_viewport_size({"width": 1100, "height": 400})
    page.emulate_media(reduced_motion="reduce")  # our scrolling is instant, so the visitor's comes after
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_ready(page)
    page.evaluate(f"k => {P}.jump(k)", page.evaluate(f"() => {P}.entries.length - 4"))
    page.wait_for_function("() => window.__scrolls.length > 0 && scrollY > 0")
    page.mouse.move(500, 200)
    page.mouse.wheel(0, -20000)  # the visitor goes back to the top on purpose
    page.wait_for_function("() => scrollY === 0")
    scrolls = page.evaluate("() => window.__scrolls.length")
    k = page.evaluate(f"() => {P}.entryIndex")
    page.evaluate(f"k => {P}.seekTo({P}.entries[k].start)", k + 1)  # the reading moves on by itself
    page.wait_for_function(f"k => {P}.entryIndex === k", arg=k + 1)
    assert page.evaluate("() => window.__scrolls.length") == scrolls and page.evaluate("() => scrollY") == 0
    control(page, "Nästa mening").click()  # asking the player to move: follow again
    page.wait_for_function("n => window.__scrolls.length > n", arg=scrolls)


@pytest.mark.browser
def test_forced_colours_mode_keeps_the_player_and_highlight_visible(site, page):
    page.emulate_media(forced_colors="active")
    page.goto(f"{site.origin}/01.html")
    player(page).click()
    wait_playing(page)
    assert wait_highlight(page)["how"] == "highlight"
    border = page.evaluate(f"() => getComputedStyle({P}.shadowRoot.querySelector('button')).borderTopStyle")
    assert border == "solid"
    page.screenshot(path="/tmp/lyssna-forced-colors.png", clip={"x": 0, "y": 0, "width": 1100, "height": 260})
