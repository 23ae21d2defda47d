"""Category 1 — Host-header poisoning. A forged `Host`, or `X-Forwarded-Host` / `-For` / `-Proto` /
`-Prefix` from a peer that is not the trusted proxy, must never make a URL read other content or
read a site that is not allowed; the bundled demo is read only for LYSSNA_PUBLIC_URL + /demo/,
and nothing the service writes back (redirects, the demo page) names a host a client made up.

The app under test: PUBLIC_URL https://lyssna.kommun.example, demo on, sites A and B allowed,
C not; the trusted proxy is 127.0.0.2.
"""
from __future__ import annotations

from .checks import hears, lacks, location_same_origin, retry_after, untouched, visitor_hears
from .model import FORBIDDEN, LIMITED, OK, REDIRECT, api, case, get, one, step
from .sites import DEMO_MARK, MARK, SITE_DEMO_MARK

CAT = "host-header"
EVIL = "evil.example"
PUBLIC_HOST = "lyssna.kommun.example"


def _root_of_a(id: str, headers, peer: str = "case", **kw):
    """Site A's home page asked for with forged headers: still site A's page, never the demo."""
    return one(id, CAT, api(url="@A@/", headers=headers, peer=peer), kw.pop("status", OK),
               checks=(hears("Sida A", DEMO_MARK), visitor_hears("@A@/", "Sida A", DEMO_MARK), untouched("C")),
               **kw)


def _site_demo(id: str, headers, peer: str = "case"):
    """Site A's own /demo/ page: read from site A, never swapped for the bundled demo."""
    return one(id, CAT, api(url="@A@/demo/", headers=headers, peer=peer), OK,
               checks=(hears(SITE_DEMO_MARK, DEMO_MARK), untouched("C")))


def _the_demo(id: str, headers, url: str = "@DEMO@", peer: str = "case"):
    return one(id, CAT, api(url=url, headers=headers, peer=peer), OK,
               checks=(hears(DEMO_MARK, "Sida A", "Sida C"), untouched("C")))


def _refused(id: str, url: str, headers, peer: str = "case", status=FORBIDDEN, error="site_not_allowed"):
    return one(id, CAT, api(url=url, headers=headers, peer=peer), status, error,
               checks=(untouched("C"), lacks(DEMO_MARK)))


CASES = [
    # -- forged names for an allowed site's home page --------------------------------------------
    _root_of_a("host-is-site-a", {"Host": "@AHOST@"}),
    _root_of_a("host-is-public-url", {"Host": PUBLIC_HOST}),
    _root_of_a("host-is-public-url-with-port", {"Host": f"{PUBLIC_HOST}:443"}),
    _root_of_a("host-is-evil", {"Host": EVIL}),
    _root_of_a("host-localhost", {"Host": "localhost"}),
    _root_of_a("host-ipv6-literal", {"Host": "[::1]"}),
    _root_of_a("host-empty", {"Host": ""}, status=OK + (400,)),
    _root_of_a("host-twice", (("Host", EVIL), ("Host", "@AHOST@")), status=OK + (400,)),
    _root_of_a("x-forwarded-host-site-a", {"X-Forwarded-Host": "@AHOST@"}),
    _root_of_a("x-forwarded-host-public", {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}),
    _root_of_a("x-forwarded-everything", {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Proto": "https",
                                          "X-Forwarded-Port": "443", "X-Forwarded-Prefix": "/demo",
                                          "X-Forwarded-For": "127.0.0.2"}),
    _root_of_a("forwarded-rfc7239", {"Forwarded": f"for=192.0.2.1;host={PUBLIC_HOST};proto=https"}),
    _root_of_a("x-original-url", {"X-Original-URL": "/demo/", "X-Rewrite-URL": "/demo/"}),
    _root_of_a("x-host-and-x-forwarded-server", {"X-Host": PUBLIC_HOST, "X-Forwarded-Server": PUBLIC_HOST}),
    _root_of_a("proxy-forwards-public-host", {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Proto": "https",
                                              "X-Forwarded-For": "198.51.100.7"}, peer="proxy"),
    _root_of_a("proxy-forwards-site-a-as-host", {"X-Forwarded-Host": "@AHOST@", "X-Forwarded-For": "198.51.100.8"},
               peer="proxy"),
    # -- an allowed site's own /demo/ is that site's page ------------------------------------------
    _site_demo("site-demo-host-public", {"Host": PUBLIC_HOST}),
    _site_demo("site-demo-x-forwarded-host-public", {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}),
    _site_demo("site-demo-via-proxy", {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Proto": "https",
                                       "X-Forwarded-For": "198.51.100.9"}, peer="proxy"),
    _site_demo("site-demo-host-site-a", {"Host": "@AHOST@"}),
    # -- the demo is the demo whatever the headers say ---------------------------------------------
    _the_demo("demo-host-evil", {"Host": EVIL}),
    _the_demo("demo-x-forwarded-host-evil", {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "http"}),
    _the_demo("demo-host-site-a", {"Host": "@AHOST@"}),
    _the_demo("demo-via-proxy-forwarded-evil", {"X-Forwarded-Host": EVIL, "X-Forwarded-For": "198.51.100.10"},
              peer="proxy"),
    _the_demo("demo-host-case", {}, url=f"HTTPS://{PUBLIC_HOST.upper()}/demo/"),
    # -- near spellings of the demo's address are not the demo (and not allowed) ---------------------
    _refused("public-root-is-not-the-demo", "@PUBLIC@/", {"Host": PUBLIC_HOST}),
    _refused("demo-with-query", "@PUBLIC@/demo/?sida=1", {"Host": PUBLIC_HOST}),
    _refused("demo-index-file", "@PUBLIC@/demo/index.html", {}),
    _refused("demo-dot-segments", "@PUBLIC@/x/../demo/", {}),
    _refused("demo-over-http", f"http://{PUBLIC_HOST}/demo/", {"X-Forwarded-Proto": "https"}),
    _refused("demo-other-port", f"https://{PUBLIC_HOST}:8443/demo/", {"Host": f"{PUBLIC_HOST}:8443"}),
    _refused("demo-with-userinfo", f"https://x@{PUBLIC_HOST}/demo/", {}, status=(400, 403),
             error=("bad_url", "site_not_allowed")),
    _refused("demo-on-evil-host", f"https://{EVIL}/demo/", {"Host": EVIL, "X-Forwarded-Host": EVIL}),
    _refused("demo-on-served-host", "http://@SERVICE@/demo/", {}),
    # -- a site that is not allowed stays not allowed, whatever the headers claim ---------------------
    _refused("site-c-host-c", "@C@/", {"Host": "@CHOST@"}),
    _refused("site-c-x-forwarded-host-c", "@C@/article.html", {"X-Forwarded-Host": "@CHOST@"}),
    _refused("site-c-via-proxy-forwarded-c", "@C@/", {"X-Forwarded-Host": "@CHOST@", "X-Forwarded-For": "198.51.100.11"},
             peer="proxy"),
    _refused("site-c-claiming-origin-a", "@C@/", {"Origin": "@A@", "Referer": "@A@/"}),
    _refused("evil-host-evil-url", f"http://{EVIL}/", {"Host": EVIL}),
    # -- what the service writes back never names a made-up host ---------------------------------------
    one("demo-page-host-evil", CAT, get("/demo/", headers={"Host": EVIL}), 200,
        checks=(lacks(EVIL),)),
    one("demo-page-x-forwarded-host-evil", CAT, get("/demo/", headers={"X-Forwarded-Host": EVIL,
                                                                       "X-Forwarded-Proto": "https"}), 200,
        checks=(lacks(EVIL),)),
    one("demo-page-via-proxy-forwarded-evil", CAT,
        get("/demo/", headers={"X-Forwarded-Host": EVIL, "X-Forwarded-For": "198.51.100.12"}, peer="proxy"), 200,
        checks=(lacks(f"//{EVIL}/demo"),)),
    one("root-redirect-host-evil", CAT, get("/", headers={"Host": EVIL}), REDIRECT,
        checks=(lacks(EVIL), location_same_origin())),
    one("admin-redirect-host-evil", CAT, get("/admin/", headers={"Host": EVIL}), REDIRECT,
        checks=(lacks(EVIL), location_same_origin())),
    one("admin-redirect-x-forwarded-prefix", CAT,
        get("/admin/", headers={"X-Forwarded-Host": EVIL, "X-Forwarded-Prefix": f"//{EVIL}"}), REDIRECT,
        checks=(lacks(EVIL), location_same_origin())),
    one("listen-host-site-a", CAT, get("/listen", query={"url": "@A@/"}, headers={"Host": "@AHOST@"}), 200,
        checks=(lacks(DEMO_MARK), untouched("C"))),
    one("listen-demo-host-evil", CAT, get("/listen", query={"url": "@DEMO@"}, headers={"Host": EVIL}), 200,
        checks=(lacks(EVIL),)),
    # -- X-Forwarded-For from anyone but the proxy does not make a new client ------------------------
    case("x-forwarded-for-does-not-dodge-the-reading-limit", CAT,
         *[step(api(url=f"@A@/v/xff-{i}", headers={"X-Forwarded-For": f"198.51.100.{20 + i}"}), OK)
           for i in range(3)],
         step(api(url="@A@/v/xff-3", headers={"X-Forwarded-For": "198.51.100.23"}), LIMITED, "too_many_requests"),
         checks=(retry_after(1, 60),)),
    case("x-real-ip-does-not-dodge-the-reading-limit", CAT,
         *[step(api(url=f"@A@/v/xri-{i}", headers={"X-Real-IP": f"198.51.100.{30 + i}",
                                                  "Forwarded": f"for=198.51.100.{30 + i}"}), OK) for i in range(3)],
         step(api(url="@A@/v/xri-3", headers={"X-Real-IP": "198.51.100.33"}), LIMITED, "too_many_requests")),
    case("proxy-clients-are-told-apart", CAT,
         *[step(api(url=f"@A@/v/proxied-{i}", headers={"X-Forwarded-For": f"198.51.100.{40 + i}"}, peer="proxy"),
                OK) for i in range(5)],
         why="from the trusted proxy, X-Forwarded-For names the client: five clients, one reading each"),
    one("forged-host-cannot-read-a-page-as-another-site", CAT,
        api(url="@A@/article.html", headers={"Host": "@BHOST@", "X-Forwarded-Host": "@BHOST@"}), OK,
        checks=(hears(MARK, "Sida B", "Sida C"), untouched("C"))),
]
