"""The player offers a page's documents (issue 16), in real headless Chromium against the real app:
links to PDFs on the page's own site get an accessible "Lyssna" button that reads the document in the
same player; nothing the widget adds is HTML; `data-documents="off"` turns it off."""
from __future__ import annotations

import pytest

from . import pdf_builder
from .browser import (  # noqa: F401 - fixtures
    EMPTY_PAGE,
    P,
    audio_state,
    context,
    other_site,
    page,
    page_site,
    site,
    wait_playing,
    wait_status,
)

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.pwned=1">Protokoll'  # a link text that looks like markup


def links_page(site, documents: str = "") -> str:
    script = f'<script src="{site.app_origin}/widget.js" defer {documents}></script>'
    body = (
        "<h1>Sammanträden</h1><p>Handlingar till mötet.</p><ul>"
        '<li><a href="/docs/rapport.pdf">Årsredovisning 2024</a></li>'
        '<li><a href="/docs/ladda-ner?id=7" type="application/pdf">Kallelse</a></li>'
        f'<li><a href="/docs/protokoll.PDF">{HOSTILE.replace("<", "&lt;")}</a></li>'
        '<li><a href="https://other.example/doc.pdf">En annan webbplats</a></li>'
        '<li><a href="/sida.html">En vanlig sida</a></li>'
        '<li><a href="http://[::1/x.pdf">En trasig länk</a> <a href="javascript:void(0)">Ingen PDF</a></li></ul>'
    )
    return EMPTY_PAGE.format(script=f"<h1>Dokument</h1>{body}{script}").replace("<main></main>", "")


@pytest.fixture(scope="module")
def report():
    return pdf_builder.tagged_report(pages=2)


@pytest.fixture
def docs(site, report):
    site.extra["/docs/rapport.pdf"] = (report.data, "application/pdf", {})
    site.extra["/docs/ladda-ner"] = (report.data, "application/octet-stream", {})
    site.extra["/docs.html"] = (links_page(site).encode(), "text/html; charset=utf-8", {})
    site.extra["/docs-off.html"] = (links_page(site, 'data-documents="off"').encode(), "text/html; charset=utf-8", {})
    return site


def doc_buttons(page):
    return page.locator("button.lyssna-document")


def test_document_links_on_the_site_get_a_named_button(docs, page):
    page.goto(f"{docs.origin}/docs.html")
    page.wait_for_function(f"() => {P}?.shadowRoot")
    buttons = doc_buttons(page)
    page.wait_for_function("() => document.querySelectorAll('button.lyssna-document').length === 3")
    names = [buttons.nth(i).get_attribute("aria-label") for i in range(3)]
    assert names == ["Lyssna på dokumentet: Årsredovisning 2024", "Lyssna på dokumentet: Kallelse",
                     f"Lyssna på dokumentet: {HOSTILE}"]
    # Each sits right after its link; the other site's document and the plain page get none.
    after = page.evaluate("""() => [...document.querySelectorAll('button.lyssna-document')]
        .map(b => b.previousElementSibling.getAttribute('href'))""")
    assert after == ["/docs/rapport.pdf", "/docs/ladda-ner?id=7", "/docs/protokoll.PDF"]
    # A link text that looks like markup stays text: no element was made from it.
    assert page.evaluate("() => window.pwned") is None
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert not page.errors and not page.console_errors


def test_pressing_the_button_reads_the_document_in_the_player(docs, page):
    requests = []
    page.on("request", lambda r: r.method == "POST" and requests.append(r))
    page.goto(f"{docs.origin}/docs.html")
    page.wait_for_function("() => document.querySelectorAll('button.lyssna-document').length === 3")
    button = page.get_by_role("button", name="Lyssna på dokumentet: Årsredovisning 2024")
    button.focus()
    page.keyboard.press("Enter")  # a keyboard user, as a mouse user clicks
    wait_playing(page)
    (post,) = requests
    assert post.post_data_json == {"url": f"{docs.origin}/docs/rapport.pdf"}
    assert page.evaluate(f"() => {P}.reading.title") == "Årsredovisning 2024"
    assert page.evaluate(f"() => {P}.reading.area.source") == "document"
    wait_status(page, "Spelar upp")
    assert audio_state(page)["src"].startswith(f"{docs.app_origin}/audio/")
    # The player's own button now pauses the document.
    page.locator("lyssna-player").get_by_role("button", name="Pausa").click()
    page.wait_for_function(f"() => {P}.audio.paused")
    assert not page.errors and not page.console_errors


def test_data_documents_off_adds_no_buttons(docs, page):
    page.goto(f"{docs.origin}/docs-off.html")
    page.wait_for_function(f"() => {P}?.shadowRoot")
    page.wait_for_timeout(300)  # the buttons are added at once when they are added at all
    assert doc_buttons(page).count() == 0
