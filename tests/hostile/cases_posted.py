"""Category 2 — what a client sends never becomes a page's reading. Posted `html` is read only for
a site in LYSSNA_POSTED_HTML_SITES (site B) whose page the service cannot fetch, and such a
reading is never what another visitor of the URL hears; a selection (`text`) is read only when it
is text of the page as the service fetches it. The escape check: a later visitor hears the page.
"""
from __future__ import annotations

from .checks import hears, listener_sees_not, source_is, untouched, visitor_hears
from .model import BAD, FETCH_FAILED, FORBIDDEN, OK, api, case, one, step
from .sites import DEMO_MARK, FORGED, FORGED_HTML, HIDDEN, MARK

CAT = "client-content"
ON_PAGE = f"{MARK} på måndag efter renoveringen."  # a sentence of every article page
NOT_ON_PAGE = "selection_not_on_page"
SENT_ALLOWED = OK  # a page of site B that cannot be fetched, read from what it sent


def _page_wins(id: str, url: str, marker: str = MARK, html: str = FORGED_HTML, **fields):
    """Posted HTML for a page the service can fetch: the reading is the fetched page."""
    return one(id, CAT, api(url=url, html=html, **fields), OK,
               checks=(hears(marker, FORGED), source_is("page"), visitor_hears(url, marker, FORGED), untouched("C")))


def _not_sent(id: str, url: str, status, error=None, html: str = FORGED_HTML, **fields):
    """Posted HTML the service must not read: refused, and a visitor never hears it."""
    return one(id, CAT, api(url=url, html=html, **fields), status, error,
               checks=(visitor_hears(url, None, FORGED, status=status), untouched("C")))


def _sent_apart(id: str, url: str, visitor_status=FETCH_FAILED, **fields):
    """Site B may send its page when it cannot be fetched: read as "sent", never for the next visitor."""
    return one(id, CAT, api(url=url, html=FORGED_HTML, **fields), SENT_ALLOWED,
               checks=(hears(FORGED), source_is("sent"), visitor_hears(url, None, FORGED, status=visitor_status),
                       listener_sees_not(url, FORGED), untouched("C")))


def _selection_refused(id: str, text: str, url: str = "@A@/article.html", status=FORBIDDEN, error=NOT_ON_PAGE,
                       visitor=True, **fields):
    """A selection that is not on the page: refused; a visitor of the page does not hear it either."""
    hearing = (visitor_hears(url, None, text.strip()),) if visitor else ()
    return one(id, CAT, api(url=url, text=text, **fields), status, error, checks=(*hearing, untouched("C")))


def _selection_read(id: str, text: str, url: str = "@A@/article.html"):
    return one(id, CAT, api(url=url, text=text), OK,
               checks=(source_is("selection"), visitor_hears(url, "Sida A"), untouched("C")))


CASES = [
    # -- posted html never replaces a page the service can fetch -----------------------------------
    _page_wins("html-for-fetchable-page", "@A@/article.html"),
    _page_wins("html-for-fetchable-page-of-posting-site", "@B@/article.html"),
    _page_wins("html-for-home-page", "@A@/"),
    _page_wins("html-with-query-string", "@A@/article.html?utm=1"),
    _page_wins("html-with-fragment", "@B@/article.html#main"),
    _page_wins("html-with-content-selector", "@A@/article.html", content="main"),
    _page_wins("html-with-skip-selector", "@B@/other.html", marker="Biblioteket", skip="nav"),
    _page_wins("html-huge-for-fetchable-page", "@A@/v/huge-html", marker="Nyhet huge-html",
               html=FORGED_HTML + "<p>utfyllnad</p>" * 100_000),
    one("html-for-the-demo", CAT, api(url="@DEMO@", html=FORGED_HTML), OK,
        checks=(hears(DEMO_MARK, FORGED), visitor_hears("@DEMO@", DEMO_MARK, FORGED))),
    one("html-with-base-and-refresh", CAT,
        api(url="@A@/article.html", html="<base href='@C@/'><meta http-equiv=refresh content='0;url=@C@/'>"
                                         + FORGED_HTML), OK,
        checks=(hears(MARK, FORGED), untouched("C"))),
    # -- posted html is refused where the site may not send it, or the failure is not "unreachable" --
    _not_sent("html-for-missing-page-of-site-a", "@A@/missing.html", FETCH_FAILED, "http_error"),
    _not_sent("html-for-server-error-of-site-a", "@A@/status/500", FETCH_FAILED, "http_error"),
    _not_sent("html-for-redirect-out-of-the-allow-list", "@B@/to?u=@C@/article.html", FORBIDDEN,
              "site_not_allowed"),
    _not_sent("html-for-oversize-page", "@B@/huge", (413,), "page_too_large"),
    _not_sent("html-for-site-not-allowed", "@C@/missing.html", FORBIDDEN, "site_not_allowed"),
    _not_sent("html-for-unlisted-origin", "http://intranat.kommun.example/", FORBIDDEN, "site_not_allowed"),
    _not_sent("html-for-posting-site-other-port", "http://127.0.0.1:1/", FORBIDDEN, "site_not_allowed"),
    one("html-not-a-string-list", CAT, api(url="@B@/missing.html", html=[FORGED_HTML]), BAD, "malformed"),
    one("html-not-a-string-object", CAT, api(url="@B@/missing.html", html={"html": FORGED_HTML}), BAD, "malformed"),
    one("html-not-a-string-number", CAT, api(url="@B@/missing.html", html=1), BAD, "malformed"),
    one("html-empty-for-missing-page", CAT, api(url="@B@/missing-empty.html", html=""), (400, 422),
        checks=(visitor_hears("@B@/missing-empty.html", status=FETCH_FAILED),)),
    # -- site B may send what it cannot serve: kept apart from the page -----------------------------
    _sent_apart("html-sent-for-missing-page", "@B@/missing-sent.html"),
    _sent_apart("html-sent-for-server-error", "@B@/status/503"),
    _sent_apart("html-sent-with-fragment", "@B@/missing-frag.html#x", visitor_status=FETCH_FAILED),
    _sent_apart("html-sent-with-content-selector", "@B@/missing-sel.html", content="main"),
    one("html-sent-then-page-appears", CAT,
        api(url="@B@/later/appears", html=FORGED_HTML), SENT_ALLOWED,
        checks=(source_is("sent"), visitor_hears("@B@/later/appears", "Nu finns sidan appears", FORGED))),
    one("html-sent-with-scripts", CAT,
        api(url="@B@/missing-script.html",
            html="<main><p>Skickad text.</p><script>var s = 'SKRIPT I SKICKAD HTML';</script></main>"), SENT_ALLOWED,
        checks=(hears("Skickad text", "SKRIPT I SKICKAD HTML"),
                visitor_hears("@B@/missing-script.html", None, "Skickad text", status=FETCH_FAILED))),
    # -- selections: only text of the page as the service fetches it ---------------------------------
    _selection_read("selection-on-page", ON_PAGE),
    _selection_read("selection-other-case-and-spacing", "SIMHALLEN   öppnar\n igen på MÅNDAG"),
    _selection_read("selection-with-zero-width-characters", "Sim\u200bhallen öpp\u00adnar igen"),
    _selection_refused("selection-not-on-page", f"{FORGED} i morgon."),
    _selection_refused("selection-of-another-page-of-the-site", "Biblioteket har nya öppettider"),
    _selection_refused("selection-page-text-plus-more", f"{ON_PAGE} {FORGED}."),
    _selection_refused("selection-in-script", HIDDEN[0], url="@A@/scripted.html"),
    _selection_refused("selection-in-style", HIDDEN[1], url="@A@/scripted.html"),
    _selection_refused("selection-in-comment", HIDDEN[2], url="@A@/scripted.html"),
    _selection_refused("selection-in-attribute", HIDDEN[3], url="@A@/scripted.html"),
    _selection_refused("selection-in-noscript", HIDDEN[4], url="@A@/scripted.html"),
    _selection_refused("selection-in-template", HIDDEN[5], url="@A@/scripted.html"),
    _selection_refused("selection-homoglyph", "Simh\u0430llen öppnar igen"),
    _selection_refused("selection-with-markup", "<b>Simhallen</b> öppnar igen"),
    _selection_refused("selection-with-entity", "Simhallen &ouml;ppnar igen"),
    _selection_refused("selection-words-run-together", "Simhallenöppnar igen"),
    _selection_refused("selection-with-nul", "Simhallen\x00öppnar igen", status=(400, 403),
                       error=(NOT_ON_PAGE, "malformed")),
    _selection_refused("selection-only-in-posted-html", FORGED, html=FORGED_HTML),
    _selection_refused("selection-for-site-not-allowed", "Sida C", url="@C@/article.html", error="site_not_allowed",
                       visitor=False),
    _selection_refused("selection-for-unreachable-page", ON_PAGE, url="@A@/missing.html", status=FETCH_FAILED,
                       error="http_error", visitor=False),
    _selection_refused("selection-sent-html-unreachable-page", FORGED, url="@B@/missing-sel2.html",
                       status=FETCH_FAILED, error="http_error", html=FORGED_HTML, visitor=False),
    _selection_refused("selection-on-the-demo", FORGED, url="@DEMO@", error=(NOT_ON_PAGE, "site_not_allowed")),
    _selection_refused("selection-too-long", "Simhallen " * 501, status=(413,), error="text_too_long"),
    one("selection-empty", CAT, api(url="@A@/article.html", text=""), BAD, "malformed"),
    one("selection-blank", CAT, api(url="@A@/article.html", text=" \n\t "), BAD, "malformed"),
    one("selection-number", CAT, api(url="@A@/article.html", text=42), BAD, "malformed"),
    one("selection-list", CAT, api(url="@A@/article.html", text=[FORGED]), BAD, "malformed"),
    case("selection-is-never-the-page", CAT,
         step(api(url="@A@/v/sel-apart", text=f"{MARK} för sel-apart."), OK),
         checks=(source_is("selection"), visitor_hears("@A@/v/sel-apart", "Nyhet sel-apart"))),
]
