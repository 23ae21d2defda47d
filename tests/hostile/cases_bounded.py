"""Category 5 — bounded work. Huge or endless pages, huge bodies, slow sites and many new readings
from one client end in a clear 4xx/502 within the limits, never in a hang, a 5xx of our own or
unbounded work; a long page is read as far as LYSSNA_MAX_READING_MINUTES allows and says it stops.

The app under test: 3 new readings per client a minute, 2 MB posted per client a minute, 6 MiB
bodies, 5 MB pages, a 3 s fetch deadline, readings of at most 12 s of speech.
"""
from __future__ import annotations

from .checks import ready, retry_after, truncated, untouched
from .model import BAD, FETCH_FAILED, LIMITED, OK, TOO_LARGE, api, case, get, one, post_raw, step

CAT = "bounded-work"
HTML_1_5_MB = "<p>" + "utfyllnad " * 150_000 + "</p>"
BODY_7_MB = '{"url": "@A@/article.html", "html": "' + "x" * 7_000_000 + '"}'


def _page(id: str, path: str, status, error=None, checks=(), **fields):
    return one(id, CAT, api(url="@A@" + path, **fields), status, error, checks=(*checks, untouched("C")))


CASES = [
    # -- pages too large, announced or not, plain or compressed --------------------------------------
    _page("page-over-the-cap-announced", "/huge", TOO_LARGE, "page_too_large"),
    _page("page-over-the-cap-unannounced", "/huge-unannounced", TOO_LARGE, "page_too_large"),
    _page("page-gzip-bomb", "/bomb", TOO_LARGE, "page_too_large"),
    _page("page-deflate-bomb", "/deflate-bomb", TOO_LARGE, "page_too_large"),
    _page("page-over-the-cap-selection", "/huge", TOO_LARGE, "page_too_large", text="aaaa"),
    # -- big pages under the cap: read as far as the limit, in bounded time -----------------------------
    _page("page-long-is-truncated", "/long", OK, checks=(truncated(),)),
    _page("page-two-megabytes-of-text", "/big-text", OK, checks=(truncated(),)),
    _page("page-twenty-thousand-blocks", "/many-blocks", OK + (422,)),
    _page("page-fifteen-thousand-links", "/many-links", OK + (422,)),
    _page("page-one-huge-word", "/wide", OK + (422,)),
    _page("page-nested-ten-thousand-deep", "/deep/10000", OK + (422,), checks=(ready(),)),
    _page("page-nested-thirty-thousand-deep", "/deep/30000", OK + (422,), checks=(ready(),)),
    _page("page-twenty-thousand-unclosed-tags", "/unclosed", OK + (422,), checks=(ready(),)),
    # -- slow and endless sites hit the deadline ------------------------------------------------------
    _page("site-slow-to-answer", "/slow-headers", FETCH_FAILED, "fetch_timeout"),
    _page("site-dripping-a-body", "/drip", FETCH_FAILED, "fetch_timeout"),
    _page("site-redirecting-six-times", "/redirect/6", FETCH_FAILED, "too_many_redirects"),
    _page("site-redirecting-in-a-loop", "/loop", FETCH_FAILED, "redirect_loop"),
    # -- bodies too large ----------------------------------------------------------------------------
    one("body-over-the-cap", CAT, post_raw("/api/v1/readings", BODY_7_MB), TOO_LARGE),
    one("body-over-the-cap-chunked", CAT, post_raw("/api/v1/readings", BODY_7_MB, chunked=True), TOO_LARGE + BAD,
        why="without a Content-Length the body is read up to the cap and no further; what was read is no JSON"),
    one("body-over-the-cap-as-text-plain", CAT, post_raw("/api/v1/readings", BODY_7_MB, "text/plain"), TOO_LARGE),
    one("body-announced-huge", CAT,
        post_raw("/api/v1/readings", '{"url": "@A@/article.html"}', headers={"Content-Length": "999999999"}),
        TOO_LARGE),
    one("selection-over-the-limit", CAT, api(url="@A@/article.html", text="å" * 5001), TOO_LARGE, "text_too_long"),
    one("url-over-the-limit", CAT, api(url="@A@/" + "a" * 2100), BAD, "bad_url"),
    one("selector-over-the-limit", CAT, api(url="@A@/article.html", content="#" + "a" * 600), BAD, "malformed"),
    one("selector-pathological", CAT, api(url="@A@/article.html", skip=":not(" * 80 + "p" + ")" * 80),
        OK + BAD + (422,)),
    one("selector-many-alternatives", CAT, api(url="@A@/article.html", skip=",".join(["p > a ~ b"] * 50)),
        OK + BAD + (422,)),
    # -- one client, many new readings: 429 with Retry-After; what is made is still served ---------------
    case("many-new-readings", CAT,
         *[step(api(url=f"@A@/v/many-{i}"), OK) for i in range(3)],
         step(api(url="@A@/v/many-3"), LIMITED, "too_many_requests"),
         step(api(url="@A@/v/many-4"), LIMITED, "too_many_requests"),
         checks=(retry_after(1, 60),)),
    case("many-new-readings-then-a-made-one", CAT,
         *[step(api(url=f"@A@/v/made-{i}"), OK) for i in range(3)],
         step(api(url="@A@/v/made-3"), LIMITED, "too_many_requests"),
         step(api(url="@A@/v/made-0"), OK),
         checks=(retry_after(1, 60),)),
    case("many-new-readings-through-the-listen-page", CAT,
         *[step(get("/listen", query={"url": f"@A@/v/listen-{i}"}), 200) for i in range(3)],
         step(get("/listen", query={"url": "@A@/v/listen-3"}), LIMITED)),
    case("many-new-selections", CAT,
         *[step(api(url=f"@A@/v/sel-{i}", text=f"Simhallen öppnar igen för sel-{i}"), OK) for i in range(3)],
         step(api(url="@A@/v/sel-3", text="Simhallen öppnar igen för sel-3"), LIMITED, "too_many_requests"),
         checks=(retry_after(1, 60),)),
    case("many-new-readings-by-skip-selectors", CAT,
         *[step(api(url="@A@/v/skips", skip=f"#s{i}", rate=1.0 + i / 10), OK) for i in range(3)],
         step(api(url="@A@/v/skips", skip="#s3", rate=1.5), LIMITED, "too_many_requests")),
    # -- one client, many bytes ------------------------------------------------------------------------
    case("many-posted-bytes", CAT,
         step(api(url="@A@/article.html", html=HTML_1_5_MB), OK),
         step(api(url="@A@/article.html", html=HTML_1_5_MB), LIMITED, "too_many_requests"),
         checks=(retry_after(1, 60),)),
    case("many-posted-bytes-chunked", CAT,
         step(post_raw("/api/v1/readings", '{"url": "@A@/article.html", "html": "' + HTML_1_5_MB + '"}',
                       chunked=True), OK),
         step(post_raw("/api/v1/readings", '{"url": "@A@/article.html", "html": "' + HTML_1_5_MB + '"}',
                       chunked=True), LIMITED, "too_many_requests"),
         why="a chunked body has no Content-Length, but it is posted bytes all the same"),
]
