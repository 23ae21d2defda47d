"""Extraction: boilerplate inside the content area told by its form and where it stands.

Each rule is tested on small pages written for it, in both directions: what is left out, and the
look-alike that is the article and must still be read. Nothing is mocked.
"""
from __future__ import annotations

import pytest

from service.errors import ExtractError
from service.reading.extract import extract, parse

URL = "https://www.example.se/nyheter/artikel"
PROSE = ("Kommunen bygger om torget under våren, och under tiden går bussarna via Storgatan. "
         "Arbetet pågår vardagar mellan sju och sexton, och affärerna håller öppet som vanligt. ")


def page(body: str, lang: str = "sv") -> str:
    return f"<!doctype html><html lang='{lang}'><head><title>T</title></head><body>{body}</body></html>"


def texts(html: str, **kw) -> list[str]:
    return [b.text for b in extract(html, URL, **kw).blocks]


def paragraphs(n: int, tag: str = "Stycke") -> str:
    return "".join(f"<p>{tag} {i}. {PROSE}</p>" for i in range(n))


def cards(titles: list[str], heading: str = "h3", wrap: str = "div") -> str:
    return "".join(f"<{wrap} class='card'><{heading}><a href='/n/{i}'>{t}</a></{heading}>"
                   f"<p>En rad om {t.lower()}.</p></{wrap}>" for i, t in enumerate(titles))


RELATED = ["Ny förskola i Ekeby", "Vägarbete på Ringvägen", "Biblioteket får meröppet", "Val till nämnden"]


# ------------------------------------------------------------------------------- teaser cards ---
@pytest.mark.parametrize("where", ["after", "before"])
def test_teaser_cards_before_or_after_the_article_are_left_out(where):
    teasers = f"<section><h2>Läs också</h2>{cards(RELATED)}</section>"
    article = f"<h1>Torget byggs om</h1>{paragraphs(4)}"
    body = article + teasers if where == "after" else teasers + article
    got = texts(page(f"<main>{body}</main>"))
    assert got[0] == "Torget byggs om"
    assert [t for t in got if t.startswith("Stycke")] == [f"Stycke {i}. {PROSE.strip()}" for i in range(4)]
    assert not any(t in got for t in RELATED), got
    assert "Läs också" not in got  # the heading of a section left out goes with it


def test_linked_headings_between_the_articles_paragraphs_are_the_article():
    """A "five best ..." list: each item a linked heading and a line, with the article's text around it."""
    items = cards(["Bästa badplatsen", "Bästa glassen", "Bästa utsikten"], heading="h2")
    got = texts(page(f"<main><h1>Sommar i kommunen</h1>{paragraphs(2, 'Inledning')}{items}"
                     f"{paragraphs(2, 'Avslutning')}</main>"))
    for title in ("Bästa badplatsen", "Bästa glassen", "Bästa utsikten"):
        assert title in got
        assert f"En rad om {title.lower()}." in got


def test_a_page_of_teasers_is_read_as_a_listing():
    titles = [f"Nyhet nummer {i}" for i in range(6)]
    got = texts(page(f"<main><h1>Nyheter</h1><p>{PROSE}</p>{cards(titles, wrap='article')}</main>"))
    assert [t for t in got if t.startswith("Nyhet nummer")] == titles


def test_heading_linking_to_its_own_anchor_is_not_a_teaser():
    sections = "".join(f"<div><h2><a href='#del-{i}'>Del {i}</a></h2><p>Kort om del {i}.</p></div>"
                       for i in range(3))
    got = texts(page(f"<main><h1>Guide</h1>{paragraphs(2)}{sections}</main>"))
    assert [t for t in got if t.startswith("Del ")] == ["Del 0", "Del 1", "Del 2"]


# --------------------------------------------------------------------------------- form boxes ---
@pytest.mark.parametrize("field", ["<input type='email' name='e'>", "<input name='phone' type='tel'>",
                                   "<textarea name='msg'></textarea>", "<input name='q'>"])
def test_sign_up_and_feedback_boxes_inside_the_article_are_left_out(field):
    box = (f"<div class='box'><p>Få våra nyheter varje vecka direkt i din inkorg.</p>{field}"
           "<button>Skicka</button><p>Genom att anmäla dig godkänner du villkoren.</p></div>")
    got = texts(page(f"<article><h1>Torget byggs om</h1>{paragraphs(2)}{box}{paragraphs(2, 'Mer')}</article>"))
    assert not any("inkorg" in t or "villkoren" in t for t in got), got
    assert len([t for t in got if t.startswith(("Stycke", "Mer"))]) == 4


def test_a_calculator_with_its_table_is_read():
    calc = ("<div class='calc'><p>Räkna ut din avgift.</p><input type='number' name='inkomst'>"
            "<table><tr><th>Barn</th><th>Avgift</th></tr><tr><td>Första barnet</td><td>3 procent</td></tr>"
            "</table></div>")
    got = texts(page(f"<main><h1>Avgifter</h1>{paragraphs(2)}{calc}</main>"))
    assert "Räkna ut din avgift." in got
    assert any("Första barnet" in t for t in got)


def test_a_page_that_is_one_big_form_is_still_read():
    """ASP.NET-style pages wrap everything in one <form> with fields: the article is not a form box."""
    html = page(f"<form id='aspnetForm'><input type='text' name='q'><main><h1>Bygglov</h1>"
                f"{paragraphs(5)}</main></form>")
    assert texts(html)[0] == "Bygglov"
    assert len(texts(html)) == 6


# ------------------------------------------------------------------------------------ repeats ---
@pytest.mark.parametrize("item,lines", [
    ("<div class='slide'><p>Bild {i}: " + PROSE + "</p></div>", ["Bild {i}: " + PROSE.strip()]),  # carousel
    ("<blockquote><p>Citat {i}: " + PROSE + "</p></blockquote><p>Person {i}</p>",  # quotes with authors
     ["Citat {i}: " + PROSE.strip(), "Person {i}"]),
])
def test_a_part_of_the_page_shown_twice_is_read_once(item, lines):
    items = "".join(item.format(i=i) for i in range(3))
    got = texts(page(f"<main><h1>Galleri</h1>{paragraphs(3)}<div class='track'>{items}{items}</div></main>"))
    for i in range(3):
        for line in lines:
            assert got.count(line.format(i=i)) == 1


def test_a_line_that_recurs_in_every_item_of_a_list_is_read_with_each_item():
    items = "".join(f"<h2>Bok {i}</h2><p>Betyg {i}</p><p>Finns att låna på alla bibliotek i kommunen just nu.</p>"
                    for i in range(4))
    got = texts(page(f"<main><h1>Boktips</h1>{items}</main>"))
    assert [t for t in got if t.startswith("Betyg")] == [f"Betyg {i}" for i in range(4)]


def test_a_short_line_that_recurs_is_read_each_time():
    line = "Kontakta kundtjänst för mer information om detta."
    qa = "".join(f"<h2>Fråga {i}</h2><p>Svar {i} på frågan.</p><p>{line}</p>" for i in range(3))
    got = texts(page(f"<main><h1>Vanliga frågor</h1>{qa}</main>"))
    assert got.count(line) == 3


# -------------------------------------------------------------------------- headings at the end ---
def test_reading_does_not_end_on_a_heading():
    html = page(f"<main><h1>Nyhet</h1>{paragraphs(3)}<h2>Dela artikeln</h2>"
                "<a href='https://facebook.com/share'></a><h3>Följ oss</h3></main>")
    got = texts(html)
    assert got[-1].startswith("Stycke 2")


# ------------------------------------------------------------------- no "no text" when there is text ---
def test_article_inside_a_menu_that_was_never_closed_is_read():
    html = page(f"<header><nav><ul><li><a href='/'>Start</a></li></ul><div class='menu'>"
                f"<article><h1>Solceller på taket</h1>{paragraphs(6)}</article></div></nav></header>")
    got = texts(html)
    assert "Solceller på taket" in got
    assert sum(t.startswith("Stycke") for t in got) == 6
    assert "Start" not in got


def test_a_real_menu_is_still_not_read():
    menu = "".join(f"<li><a href='/{i}'>Menyval nummer {i} med en lång etikett</a></li>" for i in range(40))
    got = texts(page(f"<nav><h1>Meny</h1><ul>{menu}</ul></nav><main><h1>Sida</h1>{paragraphs(2)}</main>"))
    assert not any(t.startswith("Menyval") for t in got)


def test_a_page_whose_only_text_is_outside_any_content_area_is_still_read():
    html = page("<header><p>Sidan är under arbete. Välkommen tillbaka i morgon.</p></header>")
    assert texts(html) == ["Sidan är under arbete. Välkommen tillbaka i morgon."]


def test_a_page_with_nothing_visible_says_so():
    with pytest.raises(ExtractError):
        extract(page("<nav><a href='/'>Start</a></nav><div hidden><p>Dold text.</p></div>"), URL)


def test_every_block_still_maps_to_its_element():
    teasers = f"<aside class='more'><h2>Mer att läsa</h2>{cards(RELATED)}</aside>"
    html = page(f"<main><h1>Torget</h1>{paragraphs(3)}{teasers}</main>")
    soup = parse(html)
    for block in extract(html, URL).blocks:
        assert block.text.split(".")[0] in soup.select_one(block.locator).get_text(" ")


# ---------------------------------------------------------------- furniture sections after the article ---
@pytest.mark.parametrize("heading,box", [
    ("Relaterat", "<ul><li><a href='/a'>Ny förskola i Ekeby</a> – bygget startar i mars</li>"
                  "<li><a href='/b'>Vägarbete på Ringvägen</a> – pågår till juni</li></ul>"),
    ("Om skribenten", "<p>Anna Berg är kommunikatör på kommunen och skriver om stadsbyggnad.</p>"),
    ("Related articles", "<p>Five things to know about the new square, and what happens next in town.</p>"),
    ("Mer från Kulturskolan", "<p>Kulturskolan har terminsstart i augusti med nya kurser i dans.</p>"),
    ("3 kommentarer", "<p>Kalle: Äntligen händer det något på torget!</p><p>Lisa: Bra, men bussarna?</p>"),
])
def test_a_furniture_section_after_the_article_is_left_out(heading, box):
    html = page(f"<main><h1>Torget byggs om</h1>{paragraphs(4)}<div class='x'><h2>{heading}</h2>{box}</div>"
                "</main>")
    got = texts(html)
    assert heading not in got
    assert got == ["Torget byggs om", *[f"Stycke {i}. {PROSE.strip()}" for i in range(4)]]


def test_the_same_heading_words_early_in_the_article_are_read():
    html = page(f"<main><h1>Så lämnar du synpunkter</h1><h2>Kommentarer</h2><p>{PROSE}</p>{paragraphs(4)}</main>")
    assert "Kommentarer" in texts(html)


def test_a_heading_that_only_starts_like_furniture_is_read():
    html = page(f"<main><h1>Detaljplan</h1>{paragraphs(4)}<h2>Kommentarer till detaljplanen</h2>"
                f"<p>Kommunen tog emot 40 synpunkter under samrådet, och de flesta gällde trafiken.</p></main>")
    got = texts(html)
    assert "Kommentarer till detaljplanen" in got
    assert got[-1].startswith("Kommunen tog emot 40 synpunkter")


def test_the_article_goes_on_after_a_read_also_list_in_its_flow():
    long_par = "Efter sommaren fortsätter arbetet på östra sidan av torget. " + PROSE + PROSE
    html = page(f"<main><h1>Torget byggs om</h1>{paragraphs(4)}<h3>Läs också</h3>"
                "<p><a href='/a'>Ny förskola i Ekeby</a></p><p><a href='/b'>Vägarbete</a> på Ringvägen</p>"
                f"<p>{long_par}</p></main>")
    got = texts(html)
    assert "Läs också" not in got and "Vägarbete på Ringvägen" not in got
    assert got[-1] == long_par.strip()


# ------------------------------------------------------------ short prose after the article's element ---
def article_then(after: str) -> str:
    return page(f"<main><div class='entry'><h1>Torget byggs om</h1>{paragraphs(6)}</div>{after}</main>")


ARTICLE = ["Torget byggs om", *[f"Stycke {i}. {PROSE.strip()}" for i in range(6)]]


@pytest.mark.parametrize("after", [
    "<div class='profile'><p>Anna Berg är kommunikatör och skriver om stadsbyggnad, trafik och parker i kommunen "
    "sedan 2019.</p></div>",
    "<div class='legal'><p>Informationen på sidan är allmän och ersätter inte ett beslut från nämnden i ett "
    "enskilt ärende.</p></div>",
    "<section><h2>Vill du veta mer?</h2><p>Boka ett möte med en handläggare, så går vi igenom just din "
    "situation och vad som gäller för dig.</p></section>",
])
def test_short_prose_after_the_articles_element_is_left_out(after):
    assert texts(article_then(after)) == ARTICLE


def test_the_article_going_on_in_a_box_of_the_same_kind_is_read():
    """A CMS that puts each text portlet in its own box: the last paragraphs are the article's."""
    portlets = (f"<div class='sv-portlet sv-text-portlet'><h1>Torget byggs om</h1>{paragraphs(6)}</div>"
                "<div class='sv-portlet sv-text-portlet'><p>Till sist: arbetet är klart i oktober, och då "
                "invigs torget med en fest för alla.</p></div>")
    got = texts(page(f"<main>{portlets}</main>"))
    assert got[-1].startswith("Till sist: arbetet är klart i oktober")


@pytest.mark.parametrize("facts", [
    "<div class='fakta'><h2>Fakta om tjänsten</h2><dl><dt>Anställningsform</dt><dd>Tillsvidare</dd>"
    "<dt>Sista ansökningsdag</dt><dd>2025-05-31</dd></dl></div>",
    "<div class='fakta'><h2>Detaljer</h2><ul><li>Datum: 2025-03-14</li><li>Plats: Hörsalen</li>"
    "<li>Kostnad: 80 kr</li></ul></div>",
    "<div class='tabell'><table><tr><th>Kärl</th><th>Sommar</th></tr><tr><td>Brunt</td><td>Varje vecka</td>"
    "</tr></table></div>",
])
def test_facts_after_the_articles_element_are_read(facts):
    got = texts(article_then(facts))
    assert got[:7] == ARTICLE
    assert len(got) > 7


def test_a_long_stretch_after_the_articles_element_is_read():
    more = f"<div class='more'><h2>Bakgrund</h2>{paragraphs(4, 'Bakgrund')}</div>"
    got = texts(article_then(more))
    assert sum(t.startswith("Bakgrund ") for t in got) == 4


# ----------------------------------------------------------------------- metadata and disclosures ---
@pytest.mark.parametrize("line", ["Anna Berg • 20 okt 2025", "Dec 19, 2025 | 5 min read",
                                  "Publicerad 2025-03-01 | Nyheter", "On behalf of the council · 2025-03-01"])
def test_a_metadata_line_in_parts_is_left_out(line):
    got = texts(page(f"<main><h1>Torget</h1><p>{line}</p>{paragraphs(3)}</main>"))
    assert line not in got and len(got) == 4


def test_a_line_with_a_date_in_a_list_is_read():
    items = "".join(f"<li>2025-0{i}-01 | Protokoll från nämndens möte nummer {i}</li>" for i in range(1, 4))
    got = texts(page(f"<main><h1>Protokoll</h1>{paragraphs(2)}<ul>{items}</ul></main>"))
    assert "2025-01-01 | Protokoll från nämndens möte nummer 1" in got


@pytest.mark.parametrize("line", [
    "We may earn a commission from links on this page, but we only recommend products we back.",
    "As an Amazon Associate I earn from qualifying purchases.",
    "The following content is brought to you by Mashable partners.",
    "Inlägget innehåller annonslänkar.",
])
def test_an_affiliate_disclosure_is_left_out(line):
    got = texts(page(f"<main><h1>Bästa kaffebryggaren</h1><p>{line}</p>{paragraphs(3)}</main>", lang="en"))
    assert line not in got and len(got) == 4


def test_a_sentence_that_mentions_affiliate_links_in_passing_is_read():
    line = "I use this castile soap and this dish soap, in case you wondered (both are affiliate links)."
    got = texts(page(f"<main><h1>Cleaning</h1>{paragraphs(2)}<p>{line}</p>{paragraphs(2, 'Mer')}</main>", lang="en"))
    assert line in got
