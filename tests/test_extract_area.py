"""Which area of a page is read, and the reading says which and why.

A site's ReadSpeaker link (readid / readclass) is a hint, not a blindfold: it is followed when it names
the article, and passed over (with the reason given) when it names nothing on the page, navigation,
a sidebar, or a stub of the article. The embedding page's own `content` selector wins when it gives text.
"""
from __future__ import annotations

import pytest

from service.reading.extract import extract

from .helpers import wait_ready

URL = "https://www.example.se/sida"
LINK = ('<div class="rsbtn rs_skip"><a href="https://app-eu.readspeaker.com/cgi-bin/rsent?customerid=1&amp;'
        '{param}&amp;url=x">Lyssna</a></div>')
SENTENCES = [f"Mening nummer {i} i artikeln om den nya simhallen, som öppnar efter sommaren i år." for i in range(8)]
ARTICLE = "<h1>Ny simhall</h1>" + "".join(f"<p>{s}</p>" for s in SENTENCES)


def page(body: str) -> str:
    return f"<!doctype html><html lang='sv'><head><title>T</title></head><body>{body}</body></html>"


def area(html: str, **kw) -> tuple[str, str, str, list[str]]:
    doc = extract(html, URL, **kw)
    assert doc.area is not None
    return doc.area.source, doc.area.code, doc.area.reason, [b.text for b in doc.blocks]


def test_no_link_no_selector_is_the_automatic_area():
    source, code, reason, got = area(page(f"<main>{ARTICLE}</main>"))
    assert (source, code) == ("auto", "auto")
    assert reason.startswith("Huvudinnehållet") and "/ The main content" in reason
    assert got[1:] == SENTENCES


def test_a_readid_naming_the_article_is_followed_and_named():
    html = page(LINK.format(param="readid=artikel") + f"<div id='artikel'>{ARTICLE}</div>"
                "<div><p>Annan text på sidan som inte hör till artikeln, men är lång nog att räknas.</p></div>")
    source, code, reason, got = area(html)
    assert (source, code) == ("readspeaker", "readspeaker")
    assert "readid=artikel" in reason
    assert got == ["Ny simhall", *SENTENCES]


def test_a_readclass_naming_the_article_is_followed():
    html = page(LINK.format(param="readclass=las") + f"<div class='las'>{ARTICLE}</div>")
    source, code, reason, _ = area(html)
    assert source == "readspeaker" and "readclass=las" in reason


@pytest.mark.parametrize("param", ["readid=finns-inte", "readclass=saknas"])
def test_a_link_naming_nothing_on_the_page_gives_the_main_content(param):
    source, code, reason, got = area(page(LINK.format(param=param) + f"<main>{ARTICLE}</main>"))
    assert (source, code) == ("auto", "readid_missing")
    assert param in reason and "finns inte" in reason
    assert got == ["Ny simhall", *SENTENCES]


@pytest.mark.parametrize("named", [
    "<nav id='x'><ul>{links}</ul></nav>",  # navigation by tag
    "<div id='x' role='navigation'><ul>{links}</ul></div>",  # by role
    "<div id='x' class='sidebar'><h2>Genvägar</h2><p>Här finns en text om genvägar som är lång nog, "
    "så att den annars skulle kunna läsas som en artikel.</p><ul>{links}</ul></div>",  # by class
    "<div id='x'><h2>Snabblänkar</h2><ul>{links}</ul></div>",  # by being mostly links
])
def test_a_readid_naming_navigation_or_a_sidebar_gives_the_main_content(named):
    links = "".join(f"<li><a href='/{i}'>Länk nummer {i} till en annan sida</a></li>" for i in range(12))
    html = page(LINK.format(param="readid=x") + named.format(links=links) + f"<main>{ARTICLE}</main>")
    source, code, reason, got = area(html)
    assert (source, code) == ("auto", "readid_chrome")
    assert "navigering eller en sidospalt" in reason and "readid=x" in reason
    assert got == ["Ny simhall", *SENTENCES]


def test_a_readid_naming_the_heading_and_lede_gives_the_whole_article():
    body = "".join(f"<div class='portlet'><p>{s}</p></div>" for s in SENTENCES)
    html = page(f"<main>{LINK.format(param='readid=topp')}<div id='topp'><h1>Ny simhall</h1>"
                f"<p class='ingress'>Öppnar i höst.</p></div>{body}</main>")
    source, code, reason, got = area(html)
    assert (source, code) == ("auto", "readid_stub")
    assert "liten del av artikeln" in reason
    assert got == ["Ny simhall", "Öppnar i höst.", *SENTENCES]


def test_a_short_readid_article_with_little_around_it_is_obeyed():
    html = page(f"<main>{LINK.format(param='readid=kort')}<div id='kort'><h1>Stängt idag</h1>"
                "<p>Simhallen är stängd idag på grund av ett fel på reningsverket.</p></div>"
                "<p>Kontakta oss på 010-123 45 67.</p></main>")
    source, code, _, got = area(html)
    assert (source, code) == ("readspeaker", "readspeaker")
    assert got == ["Stängt idag", "Simhallen är stängd idag på grund av ett fel på reningsverket."]


def test_the_embedding_pages_content_selector_wins():
    html = page(LINK.format(param="readid=artikel") + f"<div id='artikel'>{ARTICLE}</div>"
                "<div class='fakta'><p>Faktarutan: simhallen har en bassäng på 25 meter och ett äventyrsbad.</p></div>")
    source, code, _, got = area(html, content=".fakta")
    assert (source, code) == ("content", "content")
    assert got == ["Faktarutan: simhallen har en bassäng på 25 meter och ett äventyrsbad."]


@pytest.mark.parametrize("selector", [".finns-inte", "nav"])
def test_a_content_selector_without_text_gives_the_main_content(selector):
    html = page(f"<nav><a href='/'>Start</a></nav><main>{ARTICLE}</main>")
    source, code, reason, got = area(html, content=selector)
    assert (source, code) == ("auto", "content_empty")
    assert "data-content" in reason
    assert got == ["Ny simhall", *SENTENCES]


def test_the_last_resort_is_said_as_such():
    source, code, reason, got = area(page("<footer><p>Sidan flyttar snart till en ny adress.</p></footer>"))
    assert (source, code) == ("page", "page")
    assert "synliga text" in reason
    assert got == ["Sidan flyttar snart till en ny adress."]


def test_the_reading_tells_which_area_was_read(client, page_site):
    url = page_site.put("sim.html", page(LINK.format(param="readid=borta") + f"<main>{ARTICLE}</main>"))
    r = client.post("/api/v1/readings", json={"url": url})
    assert r.status_code == 202
    reading = wait_ready(client, r.get_json()["id"])
    assert reading["area"]["source"] == "auto"
    assert reading["area"]["code"] == "readid_missing"
    assert "readid=borta" in reading["area"]["reason"]
    again = client.get(f"/api/v1/readings/{reading['id']}").get_json()  # from the store, too
    assert again["area"] == reading["area"]


def test_a_readid_naming_the_first_part_of_a_long_article_gives_the_whole_article():
    """Not only a heading and lede: a link naming the first text portlet of a column whose next
    portlets hold four times as much of the same article."""
    first = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    rest = "".join(f"<div class='portlet'><p>Fortsättning {i}. {SENTENCES[i % 8]}</p><p>Mer {i}. {SENTENCES[7]}</p>"
                   "</div>" for i in range(14))
    html = page(f"<main>{LINK.format(param='readid=del1')}<div class='portlet' id='del1'><h1>Ny simhall</h1>"
                f"{first}</div>{rest}</main>")
    source, code, _, got = area(html)
    assert (source, code) == ("auto", "readid_stub")
    assert got[:7] == ["Ny simhall", *SENTENCES[:6]]
    assert sum(t.startswith("Fortsättning") for t in got) == 14


def test_a_readid_naming_an_article_apart_from_a_longer_text_is_obeyed():
    """The link names a real article; a longer text elsewhere on the page is not the article around it."""
    other = "".join(f"<p>Annan text {i}. {SENTENCES[i % 8]}</p>" for i in range(40))
    html = page(f"<div class='kolumn'>{LINK.format(param='readid=nyhet')}<div id='nyhet'><h1>Ny simhall</h1>"
                + "".join(f"<p>{s}</p>" for s in SENTENCES[:6]) + f"</div></div><div class='arkiv'>{other}</div>")
    source, code, _, got = area(html)
    assert (source, code) == ("readspeaker", "readspeaker")
    assert got == ["Ny simhall", *SENTENCES[:6]]
