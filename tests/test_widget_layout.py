"""The player stays in reach and never covers the page (issue 17), in real Chromium at 390 and 1280 px.

Narrow screens get one row (play/pause, seek, time, "more", close) with the rest behind a disclosure;
the docked player keeps the bottom of the page free (padding and scroll-padding, the page's own kept);
the inline player shows a small sticky control while it reads out of view.
"""
from __future__ import annotations

import pytest

from .browser import (  # noqa: F401 - fixtures
    P,
    context,
    control,
    other_site,
    page,
    page_site,
    player,
    site,
    wait_playing,
    wait_status,
)
from .conftest import PAGES
from .test_widget_a11y import axe_violations

pytestmark = pytest.mark.browser

FOOTER = """<footer><h2>Kontakt</h2><ul>{links}</ul>
<p id="last">Regionförbundet Sörmland, Box 1, 611 22 Nyköping.
<a id="last-link" href="#top">Till toppen</a></p></footer>"""
LINKS = "".join(f'<li><a href="#f{k}">Sidfotslänk {k}</a></li>' for k in range(8))
# The page's own bottom padding in each way a site sets it: none, a style sheet, an inline style.
OWN_PADDING = {
    "none": ("", "", "0px", "auto"),
    "sheet": ("<style>html{padding-bottom:40px;scroll-padding-bottom:12px}</style>", "", "40px", "12px"),
    "inline": ("", "padding-bottom: 3em", "48px", "auto"),
}
BAR = f"{P}.shadowRoot.querySelector('.bar')"
FIXED = f"{P}.shadowRoot.querySelector('.dock:not([hidden])')"  # the docked bar or the sticky control
STICKY = "lyssna-player .st"
PADDING_JS = "() => parseFloat(getComputedStyle(document.documentElement).paddingBottom)"
AWAY_JS = f"() => {{ {P}.highlighter.userScrolledAway = true; scrollTo(0, 1e9); }}"  # the visitor went away


def docked_page(site, name: str = "none", position: str = "fixed") -> str:
    """Page 01 with a footer of links, the page's own padding `name`, and the player docked (or inline)."""
    sheet, inline, _, _ = OWN_PADDING[name]
    html = (PAGES / "01-sormland-jobbar-smartare.html").read_text(encoding="utf-8")
    html = html.replace('accesskey="L"', "").replace("</head>", sheet + "</head>", 1)
    if inline:
        html = html.replace('<html lang="sv"', f'<html lang="sv" style="{inline}"', 1)
    script = f'<script src="{site.app_origin}/widget.js" defer data-position="{position}"></script>'
    html = html.replace("</body>", FOOTER.format(links=LINKS) + script + "</body>")
    path = f"/layout-{name}-{position}.html"
    site.extra[path] = (html.encode(), "text/html; charset=utf-8", {})
    return f"{site.origin}{path}"


def px(value: str) -> float:
    return float(value.removesuffix("px"))


def room(page) -> dict:
    return page.evaluate("""() => { const h = document.documentElement, s = getComputedStyle(h);
        return {inline: h.style.paddingBottom, padding: s.paddingBottom, scroll: s.scrollPaddingBottom}; }""")


def to_the_bottom(page) -> dict:
    """Scroll to the very bottom and measure there in the same task (late images make the page longer)."""
    return page.evaluate(f"""() => {{ const h = document.documentElement; scrollTo(0, h.scrollHeight);
        const last = document.getElementById('last').getBoundingClientRect();
        const fixed = {FIXED}.getBoundingClientRect(), bottom = scrollY + h.clientHeight >= h.scrollHeight - 1;
        return {{bottom, last: last.bottom, fixed: fixed.top, height: fixed.height}}; }}""")


def wait_room(page, own: float) -> None:
    """Until the page's bottom padding is its own plus at least the fixed player's height."""
    page.wait_for_function(f"p => ({PADDING_JS})() >= p + {FIXED}.offsetHeight", arg=own)


def last_is_above_the_player(page) -> None:
    """Scrolled to the very bottom, the page's last element is wholly above the docked bar."""
    page.evaluate(f"() => {P}.highlighter.userScrolledAway = true")
    there = to_the_bottom(page)
    assert there["bottom"] and there["height"] > 0 and there["last"] <= there["fixed"], there


FOCUSED_JS = f"""() => {{
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  if (e.tagName === 'LYSSNA-PLAYER') return {{player: true}};
  const r = e.getBoundingClientRect(), fixed = {FIXED}.getBoundingClientRect();
  if (!r.width || !r.height) return {{empty: true}};
  const hit = document.elementFromPoint(Math.min(r.left + r.width / 2, innerWidth - 1), r.top + r.height / 2);
  return {{id: e.id, what: e.outerHTML.slice(0, 80), top: r.top, bottom: r.bottom, fixedTop: fixed.top,
           seen: !!hit && (hit === e || e.contains(hit) || hit.contains(e))}};
}}"""


def tab_to_the_last_link(page) -> list[str]:
    """Tab on to the page's last link; every element focused on the way is wholly visible above the player."""
    checked = []
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if not focused or "player" in focused or "empty" in focused:
            continue
        assert focused["top"] >= 0 and focused["bottom"] <= focused["fixedTop"] and focused["seen"], focused
        checked.append(focused["id"] or focused["what"])
        if focused["id"] == "last-link":
            break
    assert checked and checked[-1] == "last-link"
    return checked


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("own", ["none", "sheet", "inline"])
def test_docked_player_keeps_the_page_bottom_free_and_gives_it_back(site, page, width, own):
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(docked_page(site, own))
    _, inline, padding, scroll = OWN_PADDING[own]
    button = player(page)
    # Closed, the docked button alone still takes space at the bottom: the page makes room for it.
    wait_room(page, px(padding))
    last_is_above_the_player(page)
    button.click()
    wait_playing(page)
    control(page, "Pausa").click()  # else the reading moves the page on its own
    page.wait_for_function(f"() => {P}.audio.paused")
    height = page.evaluate(f"() => {BAR}.offsetHeight")
    wait_room(page, px(padding))
    now = room(page)
    assert px(now["padding"]) - px(padding) < height + 24  # no more than the player and its margin
    own_scroll = 0 if scroll == "auto" else px(scroll)
    assert px(now["scroll"]) >= own_scroll + height  # focus scrolls above it, too
    last_is_above_the_player(page)
    # Gone from the page: the page's own padding (inline or from its style sheet) is back exactly.
    page.evaluate(f"() => {P}.remove()")
    page.wait_for_function("p => getComputedStyle(document.documentElement).paddingBottom === p", arg=padding)
    own_inline = inline.removeprefix("padding-bottom: ")
    assert room(page) == {"inline": own_inline, "padding": padding, "scroll": scroll}


@pytest.mark.parametrize("width", [390, 1280])
def test_tabbing_through_the_page_never_leaves_the_focus_under_the_docked_player(site, page, width):
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(docked_page(site))
    player(page).click()
    wait_playing(page)
    control(page, "Pausa").click()  # the reading would move the page itself; the visitor is tabbing now
    page.wait_for_function(f"() => {P}.audio.paused")
    more = control(page, "Fler kontroller")
    if more.is_visible():  # narrow: the tallest the player gets
        more.click()
    page.evaluate("() => { document.activeElement.blur(); scrollTo(0, 0); }")
    assert len(tab_to_the_last_link(page)) >= 10  # the whole page, footer links and all


@pytest.mark.parametrize("width", [390, 320])
def test_narrow_screens_get_one_row_and_the_rest_behind_more(site, page, width):
    page.set_viewport_size({"width": width, "height": 700})
    page.goto(f"{site.origin}/player.html")
    player(page).click()
    wait_playing(page)
    row_js = f"""() => [...{BAR}.querySelectorAll('button, input, select, a, .t')].filter(e => e.offsetWidth)
        .map(e => {{ const r = e.getBoundingClientRect();
                     return [e.getAttribute('aria-label') || e.textContent.trim(), Math.round(r.top + r.height / 2)]; }})"""
    row = page.evaluate(row_js)
    assert [name for name, _ in row][:1] == ["Pausa"] and "Fler kontroller" in [name for name, _ in row]
    assert {"Föregående mening", "Stoppa", "Ladda ner ljudfilen"}.isdisjoint(name for name, _ in row)
    if width == 390:  # one row: play/pause, seek, time, more, close
        assert len({middle for _, middle in row}) == 1 and len(row) == 5, row
        assert page.evaluate(f"() => {BAR}.offsetHeight") < 2 * 44
    # The status is still announced, only not shown.
    assert page.get_by_role("status").inner_text() in ("Spelar upp", "")
    assert page.evaluate(f"() => {P}.shadowRoot.querySelector('[role=status]').textContent") == "Spelar upp"
    # Keyboard: play/pause, seek, more, close; "more" opens the rest, in reading order after play/pause.
    page.locator("lyssna-player").get_by_role("slider").focus()
    page.keyboard.press("Tab")
    more = control(page, "Fler kontroller")
    assert more.evaluate("e => e.matches(':focus')") and more.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert more.get_attribute("aria-expanded") == "true"
    for name in ("Föregående mening", "Nästa mening", "Stoppa"):
        box = control(page, name).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    download = page.locator("lyssna-player").get_by_role("link", name="Ladda ner ljudfilen")
    assert download.is_visible() and page.locator("lyssna-player").get_by_label("Hastighet").is_visible()
    page.keyboard.press("Shift+Tab")
    assert download.evaluate("e => e.matches(':focus')")
    spill = page.evaluate(f"() => [{BAR}.scrollWidth - {BAR}.clientWidth, {BAR}.getBoundingClientRect().right]")
    assert spill[0] <= 0 and spill[1] <= width  # nothing spills sideways (the fixture page itself is wider)
    control(page, "Stoppa").click()
    wait_status(page, "Stoppad")


def test_wide_screens_show_every_control_without_more(site, page):
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{site.origin}/player.html")
    player(page).click()
    wait_playing(page)
    assert not control(page, "Fler kontroller").is_visible()
    for name in ("Föregående mening", "Nästa mening", "Stoppa", "Stäng spelaren"):
        assert control(page, name).is_visible()
    assert page.locator("lyssna-player").get_by_role("status").inner_text() == "Spelar upp"
    assert not page.evaluate("() => document.documentElement.hasAttribute('style')")  # inline: page untouched


SCROLL_SPY = """window.__scrolls = [];
const into = Element.prototype.scrollIntoView;
Element.prototype.scrollIntoView = function (o) {
  window.__scrolls.push(o && o.behavior); return into.call(this, o); };"""


@pytest.mark.parametrize("width, motion, behaviour",
                         [(390, "reduce", "auto"), (1280, "no-preference", "smooth")])
def test_inline_player_out_of_view_leaves_a_small_sticky_control(site, page, width, motion, behaviour):
    page.add_init_script(SCROLL_SPY)
    page.set_viewport_size({"width": width, "height": 640})
    page.emulate_media(reduced_motion=motion)
    page.goto(docked_page(site, position="inline"))
    player(page).click()
    wait_playing(page)
    sticky = page.locator(STICKY)
    assert not sticky.is_visible()  # the player is in view
    page.mouse.move(width // 2, 300)
    page.mouse.wheel(0, 20000)  # the visitor scrolls away while it reads
    sticky.wait_for(state="visible")
    box, view = sticky.bounding_box(), page.viewport_size
    assert box["x"] + box["width"] <= view["width"] and box["y"] + box["height"] <= view["height"]
    assert box["width"] < view["width"] / 2 and box["height"] < 80  # small, in a corner
    # It takes room like the docked player: the page's end and focused links stay above it.
    wait_room(page, 0)
    there = to_the_bottom(page)
    assert there["bottom"] and there["last"] <= there["fixed"], there
    page.locator('a[href="#f0"]').focus()
    assert len(tab_to_the_last_link(page)) == 8 and sticky.is_visible()

    # Pausing through it pauses the reading; it stays to play on.
    sticky.get_by_role("button", name="Pausa uppläsningen").click()
    page.wait_for_function(f"() => {P}.audio.paused")
    wait_status(page, "Pausad")
    resume = sticky.get_by_role("button", name="Fortsätt lyssna")
    assert resume.is_visible()
    resume.click()
    wait_playing(page)
    page.keyboard.press("Tab")  # from its play button to "back to the player", focus visible
    back = sticky.get_by_role("button", name="Till spelaren")
    assert back.evaluate("e => e.matches(':focus-visible') && getComputedStyle(e).outlineStyle") == "solid"
    page.evaluate("() => { window.__scrolls = []; }")
    page.keyboard.press("Enter")
    sticky.wait_for(state="hidden")  # back in view: gone
    page.wait_for_function(f"() => {P}.getBoundingClientRect().top >= 0 && {P}.getBoundingClientRect().bottom <= innerHeight")
    assert player(page).evaluate("e => e.matches(':focus')")
    assert page.evaluate("() => window.__scrolls")[0] == behaviour  # scrolls as the visitor prefers
    page.wait_for_function("() => !document.documentElement.style.paddingBottom")  # the room is given back

    # Away again, and the reading stops: gone too.
    page.evaluate(AWAY_JS)
    sticky.wait_for(state="visible")
    page.emulate_media(forced_colors="active")
    assert sticky.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    page.evaluate(f"() => {P}.stop()")
    sticky.wait_for(state="hidden")


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_in_any_layout(site, page, width):
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(docked_page(site))
    button = player(page)
    assert axe_violations(page) == []  # docked, closed
    button.click()
    wait_playing(page)
    assert axe_violations(page) == []  # docked, open (one row at 390)
    more = control(page, "Fler kontroller")
    if more.is_visible():
        more.click()
        assert axe_violations(page) == []  # the rest shown
    page.goto(docked_page(site, position="inline"))
    player(page).click()
    wait_playing(page)
    page.evaluate(AWAY_JS)
    page.locator(STICKY).wait_for(state="visible")
    assert axe_violations(page) == []  # inline, with the sticky control
