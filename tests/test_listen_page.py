"""`/listen` as a real page for visitors without JavaScript: headings, lists, quotes and tables as
such (caption, column and row headers), the player's `content`/`skip` parameters, and sentences
highlighted by CSS alone (`:target` after a "play from here" link, which starts the audio there).

Through the app, and in Chromium with JavaScript off; axe-core on the page in every state."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from .browser import page_violations

ARTICLE = """<html lang="sv"><head><title>Avgifter</title></head><body>
<nav><a href="/">Start</a> <a href="/om">Om oss</a></nav>
<main id="innehall"><h1>Avgifter för bygglov</h1>
<p class="ingress">Här finns avgifterna. Läs dem innan du söker.</p>
<div class="rs_skip"><p>Dela sidan på sociala medier.</p></div>
<h2>Så gör du</h2>
<ol><li>Fyll i blanketten.</li><li>Skicka in den.</li></ol>
<blockquote><p>Vi svarar inom fyra veckor.</p></blockquote>
<table><caption>Avgifter 2026</caption>
<thead><tr><th>Tjänst</th><th>Pris</th><th>När</th></tr></thead>
<tbody><tr><td>Bygglov</td><td>2 500 kr</td><td>Före beslut</td></tr>
<tr><th>Strandskydd</th><td>1 000 kr. Betalas i förskott.</td><td>Direkt</td></tr></tbody></table>
<h2>Kontakt</h2><p>Ring oss på vardagar.</p></main>
<aside id="puff"><h2>Läs också</h2><p>Nyheter om detaljplaner finns i en annan del av webbplatsen.</p></aside>
</body></html>"""


class Outline(HTMLParser):
    """The page's elements as (tag, attributes, text inside), the way a test can check its structure."""

    def __init__(self, html: str):
        super().__init__()
        self.open: list[list] = []
        self.elements: list[tuple[str, dict, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "link", "br", "img", "input"):
            self.open.append([tag, dict(attrs), ""])

    def handle_endtag(self, tag):
        while self.open:
            name, attrs, text = self.open.pop()
            self.elements.append((name, attrs, " ".join(text.split())))
            if self.open:
                self.open[-1][2] += " " + text
            if name == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2] += data

    def texts(self, tag: str, **attrs) -> list[str]:
        return [t for name, a, t in self.elements
                if name == tag and all(a.get(k) == v for k, v in attrs.items())]


def ready_listen(client, url: str, **params) -> str:
    """The listen page once the reading's audio is made (its play links need the sentences' times)."""
    deadline = time.monotonic() + 120
    while True:
        r = client.get("/listen", query_string={"url": url, **params})
        assert r.status_code == 200, r.get_data(as_text=True)
        html = r.get_data(as_text=True)
        reading = re.search(r'data-reading="([^"]+)"', html).group(1)
        if client.get(reading).get_json()["status"] == "ready":
            return client.get("/listen", query_string={"url": url, **params}).get_data(as_text=True)
        assert time.monotonic() < deadline, "the reading was never made"
        time.sleep(0.3)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.split("<h2>Texten", 1)[1]).split())


def test_headings_lists_quotes_and_tables_are_what_they_were_on_the_page(client, page_site):
    html = ready_listen(client, page_site.put("avgifter.html", ARTICLE))
    assert len(re.findall(r'<a class="from"', html)) >= 8  # a play link per passage
    page = Outline(re.sub(r'<a class="from".*?</a>', "", html))  # the text without them
    assert page.texts("h3") == ["Avgifter för bygglov", "Så gör du", "Kontakt"]
    assert page.texts("li") == ["Fyll i blanketten.", "Skicka in den."]
    items = re.findall(r"<ol>\s*((?:<li[^>]*>.*?</li>\s*)+)</ol>", html, re.S)
    assert [re.findall(r'<li[^>]* value="(\d+)"', group) for group in items] == [["1", "2"]]
    assert page.texts("blockquote") == ["Vi svarar inom fyra veckor."]
    # One table: its caption, a header row of column headers, a row header, each cell its own.
    assert len(page.texts("table")) == 1
    assert page.texts("caption") == ["Avgifter 2026"]
    assert page.texts("th", scope="col") == ["Tjänst", "Pris", "När"]
    assert page.texts("th", scope="row") == ["Strandskydd"]
    assert page.texts("td") == ["Bygglov", "2 500 kr", "Före beslut", "1 000 kr. Betalas i förskott.",
                                "Direkt"]
    assert len(page.texts("tr")) == 3
    # Every sentence is an anchor target, once; a sentence split over cells shares its number.
    ids = re.findall(r'\sid="(s\d+)"', html)
    assert len(ids) == len(set(ids)) == len(set(re.findall(r'data-sentence="(\d+)"', html)))


LISTS = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Listor</title></head>
<body><main><h1>Så söker du plats i förskolan</h1>
<p>Det här behöver du veta innan du söker plats för ditt barn.</p>
<ul><li>Barnet ska vara folkbokfört i kommunen.</li><li>Du ska ha en e-legitimation.</li></ul>
<ol start="4"><li>Logga in i e-tjänsten.</li><li>Välj förskolor.</li></ol>
<ol type="a"><li>Förskolan närmast hemmet.</li><li>En annan förskola.</li></ol>
<ol reversed><li>Tre dagar kvar.</li><li>Två dagar kvar.</li><li>En dag kvar.</li></ol>
<ol><li>3. Ett steg som redan har sitt nummer i texten.</li></ol>
</main></body></html>"""


def test_lists_keep_their_kind_and_their_numbers(client, page_site):
    """Bullets stay bullets; a numbered list is an <ol> whose items carry the numbers the page drew
    (start, letters, reversed), so the listen page shows what the reader says; an item that writes its
    own number is not numbered twice."""
    html = re.sub(r'<a class="from".*?</a>', "", ready_listen(client, page_site.put("listor.html", LISTS)))
    lists = re.findall(r"<(ul|ol)>\s*((?:<li[^>]*>.*?</li>\s*)+)</\1>", html, re.S)
    shown = [(tag, re.findall(r"<li([^>]*)>", group)) for tag, group in lists]
    numbers = [(tag, [(re.search(r'value="([^"]+)"', a) or [None, None])[1] for a in attrs],
                [(re.search(r'type="([^"]+)"', a) or [None, None])[1] for a in attrs]) for tag, attrs in shown]
    assert numbers == [
        ("ul", [None, None], [None, None]),
        ("ol", ["4", "5"], [None, None]),
        ("ol", ["1", "2"], ["a", "a"]),
        ("ol", ["3", "2", "1"], [None, None, None]),
        ("ul", [None], [None]),
    ]
    assert "3. Ett steg" in html and "3. 3." not in text_of(html)


def test_a_row_kept_from_before_cells_were_recorded_is_one_cell():
    from service.models import PlannedBlock, PlannedSentence
    from service.web.listen_view import parts

    row = PlannedBlock("table-row", "sv", "#t > table:nth-of-type(1) > tr:nth-of-type(1)", "sv",
                       [PlannedSentence("Bygglov, 2 500 kr.", "bygglov")])
    (table,) = parts([row], [], lambda s, n: "")
    assert table.shape == "table" and [[c.tag for c in r] for r in table.rows] == [["td"]]
    assert table.rows[0][0].pieces[0].text == "Bygglov, 2 500 kr."


def test_content_and_skip_choose_what_the_listen_page_reads(client, page_site):
    url = page_site.put("avgifter.html", ARTICLE)
    whole = text_of(ready_listen(client, url))
    assert "Ring oss på vardagar." in whole and "detaljplaner" not in whole
    aside = text_of(ready_listen(client, url, content="#puff"))
    assert "detaljplaner" in aside and "Avgifter för bygglov" not in aside
    html = ready_listen(client, url, content="#innehall", skip="table, blockquote")
    text = text_of(html)
    assert "Ring oss på vardagar." in text and "Vi svarar" not in text and "2 500 kr" not in text
    assert "<table" not in html
    # A "play from here" link keeps them, so the page read from there is the same reading.
    href = re.search(r'<a class="from" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query["content"] == ["#innehall"] and query["skip"] == ["table, blockquote"]
    assert float(query["t"][0]) >= 0 and re.search(r"#s\d+$", href)


@pytest.mark.parametrize("t", ["fem", "-1", "nan", "99999999"])
def test_a_start_time_that_is_no_time_is_a_400_page_in_swedish_and_english(client, page_site, t):
    r = client.get("/listen", query_string={"url": page_site.put("a.html", ARTICLE), "t": t})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "sekunder" in r.get_data(as_text=True) and "seconds" in r.get_data(as_text=True)


def test_the_audio_starts_where_the_play_link_says(client, page_site):
    url = page_site.put("avgifter.html", ARTICLE)
    html = ready_listen(client, url, t="12.5")
    assert re.search(r'<audio[^>]+src="/audio/\w+\.mp3#t=12\.50"', html)
    assert re.search(r'<audio[^>]+src="/audio/\w+\.mp3"', ready_listen(client, url))


# -- in Chromium -------------------------------------------------------------------------------------

def highlight(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_without_javascript_the_page_is_structured_and_play_from_here_highlights(
        client, page_site, live_app, chromium, width):
    url = page_site.put("avgifter.html", ARTICLE)
    ready_listen(client, url)
    ctx = chromium.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{live_app}/listen?url={url}")
        assert page.locator("script").count() == 1  # /listen.js, which does not run here
        assert page.get_by_role("heading", level=3, name="Så gör du").count() == 1
        assert page.get_by_role("list").get_by_role("listitem").count() == 2
        table = page.get_by_role("table", name="Avgifter 2026")
        assert [h.inner_text() for h in table.get_by_role("columnheader").all()] == ["Tjänst", "Pris", "När"]
        assert table.get_by_role("rowheader").inner_text() == "Strandskydd"
        assert table.get_by_role("cell", name="Direkt").count() == 1
        plain = highlight(page, "#s2")
        # A play link: the same page, its audio starting at that passage, the sentence highlighted.
        link = page.get_by_role("link", name=re.compile("^Spela härifrån: Ring oss"))
        link.focus()
        target = link.get_attribute("href").rsplit("#", 1)[1]
        focused = highlight(page, f"#{target}")
        assert focused != plain  # :focus on the link shows where it starts
        link.click()
        page.wait_for_url(re.compile(rf"t=[\d.]+#{target}$"))
        assert page.evaluate("location.hash") == f"#{target}"
        assert page.eval_on_selector(f"#{target}", "el => el.matches(':target')")
        assert highlight(page, f"#{target}") not in (plain, "rgba(0, 0, 0, 0)")
        assert highlight(page, "#s2") == plain
        src = page.eval_on_selector("audio", "a => a.getAttribute('src')")
        t = float(parse_qs(urlsplit(page.url).query)["t"][0])
        assert t > 1 and src.endswith(f"#t={t:.2f}")
        page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
        assert abs(page.evaluate("document.querySelector('audio').currentTime") - t) < 0.5
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways
        page.screenshot(path=f"/tmp/lyssna-listen-nojs-{width}.png", full_page=True)
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_on_the_listen_page(client, page_site, live_app, chromium, width):
    url = page_site.put("avgifter.html", ARTICLE)
    html = ready_listen(client, url)
    target = re.search(r'<a class="from" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    ctx = chromium.new_context(viewport={"width": width, "height": 800})  # axe itself needs JavaScript
    try:
        page = ctx.new_page()
        page.goto(f"{live_app}/listen?url={url}")
        assert page_violations(page) == []
        page.goto(live_app + target)  # a sentence highlighted by :target
        page.locator("a.from").nth(2).focus()  # and one by a focused play link
        assert page_violations(page) == []
    finally:
        ctx.close()


@pytest.mark.browser
def test_with_javascript_the_sentence_being_read_is_highlighted_in_every_cell(client, page_site, live_app,
                                                                              chromium):
    url = page_site.put("avgifter.html", ARTICLE)
    html = ready_listen(client, url)
    n = re.search(r'<td lang="sv"><a class="from" href="[^"]+"><span[^>]*>▶</span>'
                  r'<span class="sr">[^<]*</span></a><span data-sentence="(\d+)" id="s\d+">Bygglov</span>',
                  html).group(1)
    ctx = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{live_app}/listen?url={url}")
        href = re.search(rf'href="([^"]+#s{n})"', html).group(1).replace("&amp;", "&")
        start = float(parse_qs(urlsplit(href).query)["t"][0])
        page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
        page.evaluate(f"() => {{ const a = document.querySelector('audio'); a.muted = true;"
                      f" a.currentTime = {start + 0.3}; }}")
        page.wait_for_function(f"() => document.querySelectorAll('[data-sentence=\"{n}\"].now').length === 3")
        assert page.locator(".now").count() == 3  # the row's three cells: one sentence
    finally:
        ctx.close()


@pytest.mark.parametrize("row, cells", [
    ("<tr><td>Bygglov</td><td>2 500 kr</td></tr>", [("Bygglov", False), ("2 500 kr", False)]),
    ("<tr><th>Strandskydd</th><td>1 000 kr</td></tr>", [("Strandskydd", True), ("1 000 kr", False)]),
    ("<tr><td colspan='2'>Gratis</td><td>Alltid</td></tr>", [("Gratis", False), ("Alltid", False)]),
    ("<tr><td>Marklov</td><td hidden>dold</td><td></td><td>Före beslut</td></tr>",
     [("Marklov", False), ("Före beslut", False)]),
])
def test_extraction_keeps_where_each_cell_lies_in_the_rows_text(row, cells):
    """Hidden and empty cells leave nothing; a spanning cell is one cell; header cells say so."""
    from service.extract import extract

    html = (f"<html lang='sv'><body><main><h1>Avgifter</h1><p>Så mycket kostar det att söka lov hos oss.</p>"
            f"<table><thead><tr><th>Tjänst</th><th>Pris</th><th>När</th><th>Not</th></tr></thead>"
            f"<tbody>{row}</tbody></table></main></body></html>")
    rows = [b for b in extract(html, "https://www.kommun.se/a").blocks if b.kind == "table-row"]
    header, data = rows
    assert [(header.text[a:b], th) for a, b, th in header.cells] == [
        ("Tjänst", True), ("Pris", True), ("När", True), ("Not", True)]
    assert [(data.text[a:b], th) for a, b, th in data.cells] == cells
