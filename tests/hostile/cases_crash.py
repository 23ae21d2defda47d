"""Category 6 — input that used to crash the service: a clear 4xx (or the page read), never a 500.

Non-text charset labels (`base64`, `hex`, `rot13`, `zlib`, `idna`, ...) in the Content-Type header
or in `<meta>` are not encodings a browser knows, so they are ignored and the page is read; lone
surrogates in any field, JSON nested 100,000 deep, URLs with brackets in the user info, numbers of
more than 4,300 digits, CR/LF in the login's `next=` and a newline in `lang` are refused or read,
never a 500.
"""
from __future__ import annotations

from .checks import hears, location_same_origin, ready
from .model import BAD, FORBIDDEN, OK, REDIRECT, api, bearer, case, form, get, one, post_json, post_raw, step
from .sites import DIGITS, MARK

CAT = "crashers"
DEEP = 100_000

NON_TEXT_LABELS = ["base64", "hex", "rot13", "rot_13", "zlib", "zip", "bz2", "uu", "quopri", "idna",
                   "punycode", "undefined", "base64_codec", "hex_codec", "zlib_codec", "uu_codec", "bz2_codec",
                   "quopri_codec", "unicode_escape", "raw_unicode_escape", "charmap", "x-user-defined-nonsense"]
META_LABELS = ["base64", "hex", "rot13", "zlib", "idna", "undefined", "bz2", "punycode", "unicode_escape", "uu"]


def _charset(where: str, label: str):
    return one(f"charset-{where}-{label}", CAT, api(url=f"@A@/charset/{label}/{where}"), OK,
               checks=(ready(), hears("Simhallen")))


def _digits(kind: str):
    return one(f"long-number-{kind}", CAT, api(url=f"@A@/digits/{kind}"), OK, checks=(ready(),))


def _nested(open_: str, close: str, depth: int = DEEP) -> str:
    return open_ * depth + close * depth


def _login_next(id: str, next_: str):
    """Log in with the right password and a hostile next=: a redirect within the service, never a 500."""
    return case(id, CAT, step(get("/admin/login"), 200),
                step(form("/admin/login", {"password": "@PW@", "next": next_}), REDIRECT,
                     checks=(location_same_origin(),)))


CASES = [
    *[_charset("header", label) for label in NON_TEXT_LABELS],
    *[_charset("meta", label) for label in META_LABELS],
    # -- lone surrogates ------------------------------------------------------------------------------
    one("surrogate-in-url-path", CAT, api(url="@A@/\ud800"), BAD, "bad_url"),
    one("surrogate-in-url-host", CAT, api(url="http://\ud800.kommun.example/"), BAD + FORBIDDEN),
    one("surrogate-in-url-query", CAT, api(url="@A@/article.html?q=\udfff"), BAD, "bad_url"),
    one("surrogate-in-url-fragment", CAT, api(url="@A@/article.html#\ud800"), OK + BAD),
    one("surrogate-in-html-fetchable-page", CAT, api(url="@A@/article.html", html="<p>\ud800</p>"), OK + BAD),
    one("surrogate-in-html-sent-page", CAT,
        api(url="@B@/missing-surrogate.html", html="<main><p>Hej \ud800 då.</p></main>"),
        OK + BAD + (422,)),
    one("surrogate-in-text", CAT, api(url="@A@/article.html", text="Simhallen\ud800"), BAD + FORBIDDEN),
    one("surrogate-low-in-text", CAT, api(url="@A@/article.html", text="\udc80 Simhallen"), BAD + FORBIDDEN),
    one("surrogate-in-content-selector", CAT, api(url="@A@/article.html", content="#\ud800"), OK + BAD + (422,)),
    one("surrogate-in-skip-selector", CAT, api(url="@A@/article.html", skip=".\udbff"), OK + BAD),
    one("surrogate-in-voice", CAT, api(url="@A@/article.html", voice="espeak:\ud800"), BAD),
    one("surrogate-in-lang", CAT, api(url="@A@/article.html", text=MARK, lang="s\ud800"), BAD),
    one("surrogate-as-a-key", CAT, post_json("/api/v1/readings", {"url\ud800": "@A@/article.html"}), BAD),
    one("surrogate-on-the-listen-page", CAT, get("/listen", query="url=%ED%A0%80"), BAD + FORBIDDEN),
    one("surrogate-in-lexicon-entry", CAT,
        post_json("/api/v1/admin/lexicon", {"written": "Ny\ud800köping", "spoken": "Nyschöping"},
                  headers=bearer("@PW@")), BAD),
    one("surrogate-in-preview", CAT,
        post_json("/api/v1/admin/preview", {"text": "Hej \ud800"}, headers=bearer("@PW@")), (200,) + BAD),
    # -- JSON nested far too deep ----------------------------------------------------------------------
    one("json-arrays-100k-deep", CAT, post_raw("/api/v1/readings", _nested("[", "]")), BAD, "malformed"),
    one("json-objects-100k-deep", CAT, post_raw("/api/v1/readings", _nested('{"a":', "}").replace(":}", ":1}", 1)),
        BAD, "malformed"),
    one("json-deep-in-a-field", CAT,
        post_raw("/api/v1/readings", '{"url": "@A@/article.html", "content": ' + _nested("[", "]") + "}"),
        BAD, "malformed"),
    one("json-deep-as-text-plain", CAT, post_raw("/api/v1/readings", _nested("[", "]"), "text/plain"), BAD,
        "malformed"),
    one("json-deep-to-the-admin-api", CAT,
        post_raw("/api/v1/admin/lexicon", _nested("[", "]"), headers=bearer("@PW@")), BAD, "malformed"),
    one("json-deep-1000", CAT, post_raw("/api/v1/readings", _nested("[", "]", 1000)), BAD, "malformed"),
    # -- other malformed JSON ---------------------------------------------------------------------------
    one("json-invalid-utf8", CAT, post_raw("/api/v1/readings", b'{"url": "\xff\xfe"}'), BAD),
    one("json-number-5000-digits", CAT, post_raw("/api/v1/readings", '{"url": "@A@/article.html", "rate": '
                                                 + "1" * 5000 + "}"), BAD),
    one("json-nan-rate", CAT, post_raw("/api/v1/readings", '{"url": "@A@/article.html", "rate": NaN}'), BAD),
    one("json-infinite-rate", CAT, post_raw("/api/v1/readings", '{"url": "@A@/article.html", "rate": 1e999}'), BAD),
    one("json-url-null", CAT, post_json("/api/v1/readings", {"url": None}), BAD, "missing_url"),
    one("json-not-an-object", CAT, post_json("/api/v1/readings", ["@A@/article.html"]), BAD),
    # -- URLs with brackets where there is no IPv6 address ------------------------------------------------
    *[one(f"url-brackets-{name}", CAT, api(url=url), BAD + FORBIDDEN, ("bad_url", "site_not_allowed"))
      for name, url in {
          "ipv6-as-userinfo": "http://[::1]@@AHOST@/", "in-user": "http://u[s]er@@AHOST@/",
          "open-in-password": "http://user:pa[ss@@AHOST@/", "close-in-user": "http://user]@@AHOST@/",
          "word-as-userinfo": "http://[x]@@AHOST@/", "open-only": "http://[/", "close-only": "http://]/",
          "unclosed-ipv6": "http://[::1/", "close-after-port": "http://@AHOST@]/", "ipvfuture": "http://[v1.x]/",
          "zone-id": "http://[fe80::1%25en0]/", "text-after-bracket": "https://[::ffff:127.0.0.1]x/",
          "nested": "http://[[::1]]/", "inside-a-name": "http://a[b]c/"}.items()],
    one("url-brackets-on-the-listen-page", CAT, get("/listen", query={"url": "http://u[s]er@@AHOST@/"}), BAD + FORBIDDEN),
    one("url-brackets-to-the-admin-api", CAT,
        post_json("/api/v1/admin/pages", {"url": "http://[x]@@AHOST@/"}, headers=bearer("@PW@")), BAD + FORBIDDEN),
    # -- numbers longer than int() takes ----------------------------------------------------------------
    *[_digits(kind) for kind in DIGITS],
    one("long-number-in-a-selection", CAT, api(url="@A@/digits/kronor", text=DIGITS["kronor"][:4990]), OK,
        checks=(ready(),)),
    # -- CR/LF and friends in the login's next= -------------------------------------------------------------
    _login_next("next-crlf-header-injection", "/admin\r\nSet-Cookie: stulen=1"),
    _login_next("next-lf", "/admin/\n//evil.example"),
    _login_next("next-cr", "/admin\r"),
    _login_next("next-nul", "/admin\x00"),
    _login_next("next-tab", "/admin/\t/evil.example"),
    _login_next("next-line-separator", "/admin\u2028"),
    case("next-crlf-when-logged-in", CAT,
         step(get("/admin/login"), 200),
         step(form("/admin/login", {"password": "@PW@"}), REDIRECT),
         step(get("/admin/login", query={"next": "/admin\r\nLocation: http://evil.example/"}), REDIRECT + (200,),
              checks=(location_same_origin(),))),
    # -- odd reading ids and ranges -------------------------------------------------------------------------
    *[one(f"reading-id-{name}", CAT, get(f"/api/v1/readings/{rid}"), (404,))
      for name, rid in (("traversal", "..%2F..%2Fetc%2Fpasswd"), ("nul", "abc%00def"), ("long", "a" * 4000),
                        ("unicode", "%C3%A5%C3%A4%C3%B6"), ("encoded-surrogate", "%ED%A0%80"))],
    *[case(f"audio-range-{name}", CAT, step(api(url="@A@/article.html"), OK, checks=(ready(),)),
           step(get("/audio/@ID@.mp3", headers={"Range": value}), (200, 206, 416)))
      for name, value in (("huge-start", "bytes=99999999999999999999999-"), ("reversed", "bytes=50-10"),
                          ("suffix-zero", "bytes=-0"), ("many", "bytes=" + ",".join(["0-0"] * 2000)),
                          ("not-bytes", "lines=1-2"), ("negative", "bytes=-5--1"))],
    one("audio-id-traversal", CAT, get("/audio/..%2F..%2Fetc%2Fpasswd.mp3"), (404,)),
    # -- a newline in lang ---------------------------------------------------------------------------------
    *[one(f"lang-{name}", CAT, api(url="@A@/article.html", text=MARK, lang=lang), BAD, "malformed")
      for name, lang in [("newline", "sv\n"), ("crlf", "sv\r\n"), ("leading-newline", "\nsv"),
                         ("nul", "sv\x00"), ("newline-in-region", "en-GB\n"), ("tab", "sv\t")]],
]
