"""Category 7 — SSRF spellings: every way to name an internal address, sent to the service inside a
network namespace (see `netns.py`) where the internal addresses are decoys that log every
connection attempt. The service allows `http(s)://*.kommun.example`; `www.kommun.example` is a
"public" site on a globally routable address that exists only inside the namespace, and it
redirects wherever a case asks (every 3xx, absolute and relative Locations).

What must hold for every case: an answer in the case's statuses (403 site_not_allowed, 400 bad_url,
502 for a refused redirect or a name that does not resolve; 2xx only where the URL really is the
public site), never 5xx otherwise, never a hang, no decoy text in any answer or reading, and not one
connection attempt to any address but the public site's and the resolver's.
"""
from __future__ import annotations

from urllib.parse import quote

from .checks import batch_finishes, hears, lacks, no_escape, reached_public
from .model import (
    BAD,
    FETCH_FAILED,
    FORBIDDEN,
    OK,
    REDIRECT,
    api,
    bearer,
    case,
    form,
    get,
    one,
    post_json,
    step,
)
from .netns_decoys import PUBLIC_MARK, SECRET

CAT = "ssrf"
PUBLIC_V4, PUBLIC_V6 = "45.33.32.156", "2600:3c01::f03c:91ff:fe18:bb2f"
WWW = "http://www.kommun.example"
ADMIN_PASSWORD = "ssrf-admin-losen"  # ASCII: this category is not about passwords
NOT_ALLOWED = ("site_not_allowed",)
REFUSED = FORBIDDEN + BAD + FETCH_FAILED  # whichever check stops it first
DECOY_PORTS = [80, 443, 8080, 8000, 8443, 22, 25, 3306, 5432, 6379, 9200, 11211, 2375, 10250, 1, 65535]

SITES = ["http://*.kommun.example", "https://*.kommun.example"]

ZONE = {  # the DNS server in the hosts namespace
    "www.kommun.example": {"A": [PUBLIC_V4], "AAAA": [PUBLIC_V6]},
    "www6.kommun.example": {"AAAA": [PUBLIC_V6]},
    "intern.kommun.example": {"A": ["10.0.0.5"]},
    "intern6.kommun.example": {"AAAA": ["fd12:3456::5"]},
    "meta.kommun.example": {"A": ["169.254.169.254"]},
    "meta6.kommun.example": {"AAAA": ["fd00:ec2::254"]},
    "loop.kommun.example": {"A": ["127.0.0.1"]},
    "loop-other.kommun.example": {"A": ["127.53.0.1"]},
    "loop6.kommun.example": {"AAAA": ["::1"]},
    "zero.kommun.example": {"A": ["0.0.0.0"]},
    "zero6.kommun.example": {"AAAA": ["::"]},
    "private172.kommun.example": {"A": ["172.16.0.5"]},
    "private192.kommun.example": {"A": ["192.168.0.5"]},
    "cgnat.kommun.example": {"A": ["100.64.0.5"]},
    "bench.kommun.example": {"A": ["198.18.0.5"]},
    "ietf.kommun.example": {"A": ["192.0.0.170"]},
    "reserved.kommun.example": {"A": ["240.0.0.5"]},
    "thisnet.kommun.example": {"A": ["0.1.2.3"]},
    "mcast.kommun.example": {"A": ["224.0.0.1"]},
    "bcast.kommun.example": {"A": ["255.255.255.255"]},
    "resolver.kommun.example": {"A": ["192.0.2.1"]},
    "self.kommun.example": {"A": ["192.0.2.2"]},
    "self6.kommun.example": {"AAAA": ["fd53::2"]},
    "linklocal6.kommun.example": {"AAAA": ["fe80::1"]},
    "sitelocal6.kommun.example": {"AAAA": ["fec0::5"]},
    "sitelocal6-top.kommun.example": {"AAAA": ["feff::5"]},
    "mcast6.kommun.example": {"AAAA": ["ff02::1"]},
    "doc6.kommun.example": {"AAAA": ["2001:db8::5"]},
    "discard6.kommun.example": {"AAAA": ["100::5"]},
    "mapped.kommun.example": {"AAAA": ["::ffff:10.0.0.5"]},
    "mapped-loop.kommun.example": {"AAAA": ["::ffff:127.0.0.1"]},
    "compat.kommun.example": {"AAAA": ["::a00:5"]},
    "translated.kommun.example": {"AAAA": ["::ffff:0:a00:5"]},
    "nat64.kommun.example": {"AAAA": ["64:ff9b::a00:5"]},
    "nat64-local.kommun.example": {"AAAA": ["64:ff9b:1::a00:5"]},
    "sixtofour.kommun.example": {"AAAA": ["2002:a00:5::1"]},
    "sixtofour-loop.kommun.example": {"AAAA": ["2002:7f00:1::1"]},
    "teredo.kommun.example": {"AAAA": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"]},
    "mixed.kommun.example": {"A": [PUBLIC_V4, "10.0.0.5"]},
    "mixed-first-private.kommun.example": {"A": ["10.0.0.5", PUBLIC_V4]},
    "mixed6.kommun.example": {"A": [PUBLIC_V4], "AAAA": ["fd12:3456::5"]},
    "mixed6-loop.kommun.example": {"A": [PUBLIC_V4], "AAAA": ["::1"]},
    "rebind.kommun.example": {"rebind": [PUBLIC_V4, "10.0.0.5"]},
    "rebind-loop.kommun.example": {"rebind": [PUBLIC_V4, "127.0.0.1"]},
    "rebind-meta.kommun.example": {"rebind": ["169.254.169.254", PUBLIC_V4]},
    "cname-intern.kommun.example": {"CNAME": "intern.kommun.example"},
    "cname-chain.kommun.example": {"CNAME": "cname-intern.kommun.example"},
    "cname-outside.kommun.example": {"CNAME": "metadata.google.internal"},
    "cname-www.kommun.example": {"CNAME": "www.kommun.example"},
    "metadata.google.internal": {"A": ["169.254.169.254"]},
    "10.0.0.5.kommun.example": {"A": ["10.0.0.5"]},
    "127.0.0.1.kommun.example": {"A": ["127.0.0.1"]},
    "localhost.kommun.example": {"A": ["127.0.0.1"]},
    "xn--ntern-m2e.kommun.example": {"A": ["10.0.0.5"]},  # "іntern" with a Cyrillic і
}
HOSTS_FILE = """127.0.0.1 localhost hosts-loop.kommun.example
::1 localhost ip6-localhost ip6-loopback hosts-loop6.kommun.example
45.33.32.156 hosts-www.kommun.example
10.0.0.6 hosts-intern.kommun.example
169.254.169.254 hosts-meta.kommun.example
45.33.32.156 hosts-mixed.kommun.example
10.0.0.7 hosts-mixed.kommun.example
"""
ETC = {"hosts": HOSTS_FILE, "host.conf": "multi on\n", "nsswitch.conf": "hosts: files dns\n",
       "resolv.conf": "nameserver 192.0.2.1\noptions timeout:1 attempts:2\n"}

SAFE = (lacks(SECRET), hears(None, SECRET), no_escape())  # the decoys' text nowhere, no attempt logged


def _refused(id: str, url: str, status=REFUSED, error=None):
    return one(id, CAT, api(url=url), status, error, checks=SAFE)


def _public(id: str, url: str, status=OK):
    """The public site itself, however spelled: read, and nothing else reached."""
    return one(id, CAT, api(url=url), status, checks=(hears(PUBLIC_MARK, SECRET), reached_public(), *SAFE))


def _redirect(id: str, status: int, location: str, expect=FORBIDDEN + FETCH_FAILED):
    url = f"{WWW}/r/{status}?to={quote(location, safe='')}"
    return one(id, CAT, api(url=url), expect, checks=SAFE)


LITERALS = {  # hosts that are IP addresses in some spelling
    "loopback": "127.0.0.1", "loopback-short": "127.1", "loopback-short3": "127.0.1", "loopback-decimal": "2130706433",
    "loopback-hex": "0x7f000001", "loopback-hex-dotted": "0x7f.0x0.0x0.0x1", "loopback-octal": "0177.0.0.1",
    "loopback-octal-long": "017700000001", "loopback-hex-short": "0x7f.1", "loopback-padded": "127.000.000.001",
    "loopback-trailing-dot": "127.0.0.1.", "loopback-other": "127.127.127.127", "zero": "0", "zero-dotted": "0.0.0.0",
    "zero-hex": "0x0", "private": "10.0.0.5", "private-short": "10.5", "private-decimal": "167772165",
    "private-hex": "0xa000005", "private-octal": "012.0.0.05", "private-172": "172.16.0.5", "private-192": "192.168.0.5",
    "metadata": "169.254.169.254", "metadata-decimal": "2852039166", "metadata-hex": "0xa9fea9fe",
    "metadata-octal": "0251.0376.0251.0376", "metadata-short": "169.254.43518", "alibaba-metadata": "100.100.100.200",
    "cgnat": "100.64.0.5", "broadcast": "255.255.255.255", "multicast": "224.0.0.1", "resolver": "192.0.2.1",
    "self": "192.0.2.2", "v6-loopback": "[::1]", "v6-loopback-long": "[0:0:0:0:0:0:0:1]", "v6-unspecified": "[::]",
    "v6-mapped": "[::ffff:127.0.0.1]", "v6-mapped-hex": "[::ffff:7f00:1]", "v6-ula": "[fd12:3456::5]",
    "v6-link-local-zone": "[fe80::1%25lo]", "v6-site-local": "[fec0::5]", "v6-nat64": "[64:ff9b::a00:5]",
    "v6-6to4": "[2002:a00:5::1]", "v6-aws-metadata": "[fd00:ec2::254]", "v6-self": "[fd53::2]",
    "public-ip-of-the-site": PUBLIC_V4, "public-v6-of-the-site": f"[{PUBLIC_V6}]",
}

NAMES = [n for n in ZONE if n.endswith(".kommun.example") and not n.startswith(("www", "cname-www", "rebind"))]

CONFUSIONS = {  # parser confusion around an allowed name
    "userinfo-private-ip": "http://www.kommun.example@10.0.0.5/",
    "userinfo-reversed": "http://10.0.0.5@www.kommun.example/",
    "userinfo-with-port": "http://www.kommun.example:80@intern.kommun.example/",
    "userinfo-password": "http://www.kommun.example:x@127.0.0.1/",
    "userinfo-encoded-at": "http://www.kommun.example%40intern.kommun.example/",
    "backslash-at": "http://www.kommun.example\\@10.0.0.5/",
    "backslash-host": "http://10.0.0.5\\www.kommun.example/",
    "backslash-name": "http://intern.kommun.example\\.www.kommun.example/",
    "hash-at": "http://10.0.0.5#@www.kommun.example/",
    "question-at": "http://10.0.0.5?@www.kommun.example/",
    "encoded-dots": "http://intern%2ekommun%2eexample/",
    "encoded-host": "http://%31%30.0.0.5/",
    "tab-in-host": "http://intern\t.kommun.example/",
    "newline-in-host": "http://intern\n.kommun.example/",
    "space-in-host": "http://intern .kommun.example/",
    "trailing-dots": "http://intern.kommun.example../",
    "ideographic-dots": "http://intern\u3002kommun\u3002example/",
    "fullwidth-name": "http://\uff49\uff4e\uff54\uff45\uff52\uff4e.kommun.example/",
    "cyrillic-lookalike": "http://\u0456ntern.kommun.example/",
    "upper-case": "HTTP://INTERN.KOMMUN.EXAMPLE/",
    "no-slashes": "http:intern.kommun.example/",
    "one-slash": "http:/intern.kommun.example/",
    "three-slashes": "http:///intern.kommun.example/",
    "backslashes": "http:\\\\intern.kommun.example\\",
    "apex-not-covered": "http://kommun.example/",
    "suffix-lookalike": "http://www.kommun.example.evil.example/",
    "prefix-lookalike": "http://evilkommun.example/",
    "metadata-name": "http://metadata.google.internal/computeMetadata/v1/",
    "localhost": "http://localhost/", "localhost-upper": "http://LOCALHOST/", "localhost-dot": "http://localhost./",
    "localhost-sub": "http://lyssna.localhost/", "ip6-localhost": "http://ip6-localhost/",
}

SCHEMES = ["file:///etc/passwd", "file://localhost/etc/passwd", "gopher://10.0.0.5:6379/_INFO", "ftp://10.0.0.5/",
           "dict://127.0.0.1:11211/stats", "ldap://10.0.0.5/", "jar:http://10.0.0.5!/", "netdoc:///etc/passwd",
           "data:text/html,<p>x</p>", "javascript:alert(1)", "ws://intern.kommun.example/", "http+unix://%2Frun%2Fx/",
           "//intern.kommun.example/", "intern.kommun.example", "hxxp://intern.kommun.example/"]

PORTS = {"other-port": "http://www.kommun.example:8080/", "port-zero": "http://www.kommun.example:0/",
         "port-too-big": "http://www.kommun.example:65536/", "port-negative": "http://www.kommun.example:-1/",
         "port-private": "http://intern.kommun.example:6379/", "port-redis-name": "http://loop.kommun.example:6379/",
         "https-port-on-http": "http://www.kommun.example:443/"}

TARGETS = {  # where the public site redirects
    "ip-private": "http://10.0.0.5/", "ip-loopback": "http://127.0.0.1/",
    "ip-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "ip-v6-loopback": "http://[::1]/", "ip-v6-ula": "http://[fd12:3456::5]/", "ip-v4-mapped": "http://[::ffff:10.0.0.5]/",
    "ip-decimal": "http://2130706433/", "ip-hex": "http://0x7f000001/", "ip-octal": "http://0177.0.0.1/",
    "ip-short": "http://10.5/", "ip-zero": "http://0/", "ip-self": "http://192.0.2.2/",
    "name-private": "http://intern.kommun.example/", "name-metadata": "http://meta.kommun.example/latest/meta-data/",
    "name-loopback-port": "http://loop.kommun.example:80/", "name-mapped": "http://mapped.kommun.example/",
    "name-nat64": "http://nat64.kommun.example/", "name-site-local": "http://sitelocal6.kommun.example/",
    "name-cname": "http://cname-intern.kommun.example/", "name-mixed": "http://mixed.kommun.example/",
    "name-nip": "http://10.0.0.5.kommun.example/", "name-idn": "http://\u0456ntern.kommun.example/",
    "name-punycode": "http://xn--ntern-m2e.kommun.example/",
    "name-ideographic-dots": "http://intern\u3002kommun\u3002example/",
    "name-trailing-dot": "http://intern.kommun.example./",
    "name-upper": "HTTP://INTERN.KOMMUN.EXAMPLE/", "name-hosts-file": "http://hosts-intern.kommun.example/",
    "scheme-relative": "//intern.kommun.example/x", "scheme-relative-ip": "//10.0.0.5/",
    "https-private": "https://intern.kommun.example/", "userinfo": "http://www.kommun.example@10.0.0.5/",
    "userinfo-name": "http://x@intern.kommun.example/", "backslash-at": "http://www.kommun.example\\@10.0.0.5/",
    "question-trick": "http://10.0.0.5?@www.kommun.example/", "file": "file:///etc/passwd",
    "gopher": "gopher://10.0.0.5:6379/_INFO", "ftp": "ftp://10.0.0.5/", "dict": "dict://127.0.0.1:11211/stats",
    "other-port": "http://www.kommun.example:8080/", "port-on-private": "http://intern.kommun.example:6379/",
    "tab-inside": "http://intern\t.kommun.example/", "leading-space": " http://10.0.0.5/",
    "nxdomain": "http://finns-inte.kommun.example/", "empty": "",
}
CORE = ["ip-private", "ip-loopback", "ip-metadata", "ip-v6-loopback", "ip-decimal", "name-private", "name-metadata",
        "scheme-relative", "userinfo", "file"]
RELATIVE = {  # Locations that stay on (or come back to) the public site: read, nothing else reached
    "relative-path": "/sida", "relative-backslash": "/\\intern.kommun.example/", "relative-dot": "./../sida",
    "fragment-trick": "http://www.kommun.example#@10.0.0.5/", "query-only": "?to=http://10.0.0.5/",
    "triple-slash": "///intern.kommun.example/", "cname-to-www": "http://cname-www.kommun.example/ok",
}

INSIDE = ["http://intern.kommun.example/a", "http://meta.kommun.example/latest/meta-data/",
          "http://loop6.kommun.example/", "http://sitelocal6.kommun.example/", "http://mapped.kommun.example/",
          "http://cname-chain.kommun.example/", f"{WWW}/r/302?to=http%3A%2F%2F10.0.0.5%2F", "http://10.0.0.5/",
          "http://127.0.0.1:6379/", "http://[::1]/", f"{WWW}/sida-som-finns"]  # the last one: public


def _pregenerate(id: str, status, checks=(), **fields):
    """The admin's pre-generation form (logged in, with its CSRF token): sitemaps and URL lists are
    fetched with the same checks, and so is every page they list."""
    return case(id, CAT, step(get("/admin/login"), 200), step(form("/admin/login", {"password": ADMIN_PASSWORD}), REDIRECT),
                step(get("/admin/pregenerate"), 200), step(form("/admin/pregenerate", fields), status),
                checks=(*checks, *SAFE))


CASES = [
    # -- the public site, spelled several ways: read (the test's own proof that fetching works) ------------
    _public("control-www", f"{WWW}/"),
    _public("control-www-ipv6-only", "http://www6.kommun.example/"),
    _public("control-hosts-file", "http://hosts-www.kommun.example/"),
    _public("control-trailing-dot", "http://www.kommun.example./"),
    _public("control-upper-case", "HTTP://WWW.KOMMUN.EXAMPLE/sida"),
    _public("control-fullwidth", "http://\uff57\uff57\uff57.kommun.example/"),
    _public("control-cname-to-www", "http://cname-www.kommun.example/"),
    _public("control-fragment-trick", "http://www.kommun.example#@10.0.0.5/"),
    _public("control-query-trick", "http://www.kommun.example?@10.0.0.5/"),
    # -- the host is an IP address, in any spelling: not an allowed origin ---------------------------------
    *[_refused(f"literal-{name}", f"http://{host}/", FORBIDDEN + BAD) for name, host in LITERALS.items()],
    *[_refused(f"literal-{name}-https", f"https://{LITERALS[name]}/", FORBIDDEN + BAD)
      for name in ("loopback", "private", "metadata", "v6-loopback")],
    # -- names under the allowed wildcard that lead inside ------------------------------------------------------
    *[_refused(f"name-{name.removesuffix('.kommun.example')}", f"http://{name}/", FORBIDDEN, NOT_ALLOWED)
      for name in NAMES],
    *[_refused(f"name-{name}", f"http://{name}.kommun.example/", FORBIDDEN, NOT_ALLOWED)
      for name in ("hosts-intern", "hosts-meta", "hosts-loop", "hosts-loop6", "hosts-mixed")],
    _refused("name-https", "https://intern.kommun.example/", FORBIDDEN, NOT_ALLOWED),
    _refused("name-unresolvable", "http://finns-inte.kommun.example/", FETCH_FAILED, ("dns_failed",)),
    *[_refused(f"rebind-{name}-{i}", f"http://{name}.kommun.example/r{i}", OK + FORBIDDEN)
      for name in ("rebind", "rebind-loop", "rebind-meta") for i in range(3)],
    # -- parser confusion, schemes, ports -------------------------------------------------------------------------
    *[_refused(f"confusion-{name}", url, REFUSED + OK if "#" in url or "?" in url else REFUSED)
      for name, url in CONFUSIONS.items()],
    *[_refused(f"scheme-{i:02d}", url, BAD, ("bad_url",)) for i, url in enumerate(SCHEMES)],
    *[_refused(f"port-{name}", url, FORBIDDEN + BAD) for name, url in PORTS.items()],
    # -- redirects from the public site: every 3xx, absolute and relative -------------------------------------------
    *[_redirect(f"redirect-302-{name}", 302, target) for name, target in TARGETS.items()],
    *[_redirect(f"redirect-{status}-{name}", status, TARGETS[name]) for status in (301, 303, 307, 308) for name in CORE],
    *[_redirect(f"redirect-{status}-not-followed", status, "http://10.0.0.5/", FETCH_FAILED)
      for status in (300, 304, 305, 306, 309, 399)],
    *[_redirect(f"redirect-302-{name}", 302, target, OK + FORBIDDEN + FETCH_FAILED) for name, target in RELATIVE.items()],
    _refused("redirect-chain-then-private", f"{WWW}/chain/3?to={quote('http://10.0.0.5/', safe='')}", FORBIDDEN),
    _refused("redirect-chain-then-metadata-name", f"{WWW}/chain/4?to={quote('http://meta.kommun.example/', safe='')}",
             FORBIDDEN),
    _refused("redirect-chain-too-long-then-private", f"{WWW}/chain/6?to={quote('http://10.0.0.5/', safe='')}",
             FETCH_FAILED),
    _redirect("redirect-302-to-rebinding-name", 302, "http://rebind.kommun.example/", OK + FORBIDDEN),
    one("refresh-header-is-not-followed", CAT, api(url=f"{WWW}/refresh?to={quote('http://10.0.0.5/', safe='')}"), OK,
        checks=(hears(PUBLIC_MARK, SECRET), reached_public(), *SAFE)),
    # -- other ways in: the listen page, a selection, the admin API ----------------------------------------------
    *[one(f"listen-{name}", CAT, get("/listen", query={"url": url}), FORBIDDEN + BAD + FETCH_FAILED, checks=SAFE)
      for name, url in (("name-private", "http://intern.kommun.example/"), ("ip-metadata", "http://169.254.169.254/"),
                        ("redirect-private", f"{WWW}/r/302?to=http%3A%2F%2F10.0.0.5%2F"),
                        ("mapped", "http://mapped.kommun.example/"), ("site-local", "http://sitelocal6.kommun.example/"))],
    *[one(f"selection-{name}", CAT, api(url=url, text=SECRET), FORBIDDEN + FETCH_FAILED, checks=SAFE)
      for name, url in (("name-private", "http://intern.kommun.example/"),
                        ("redirect-private", f"{WWW}/r/307?to=http%3A%2F%2F127.0.0.1%2F"),
                        ("name-loopback6", "http://loop6.kommun.example/"))],
    _pregenerate("pregenerate-sitemap-on-an-internal-name", FORBIDDEN, sitemap="http://intern.kommun.example/sitemap.xml"),
    _pregenerate("pregenerate-sitemap-on-an-internal-address", FORBIDDEN, sitemap="http://169.254.169.254/sitemap.xml"),
    _pregenerate("pregenerate-sitemap-redirecting-inside", FORBIDDEN + FETCH_FAILED,
                 sitemap=f"{WWW}/r/302?to=http%3A%2F%2F10.0.0.5%2Fsitemap.xml"),
    _pregenerate("pregenerate-sitemap-listing-internal-pages", (303,), checks=(batch_finishes(),),
                 sitemap=f"{WWW}/sitemap.xml?" + "&".join(f"u={quote(u, safe='')}" for u in INSIDE)),
    _pregenerate("pregenerate-url-list-of-internal-pages", (303,), checks=(batch_finishes(),), urls="\n".join(INSIDE)),
    *[one(f"admin-{name}", CAT, post_json("/api/v1/admin/pages", {"url": url}, headers=bearer(ADMIN_PASSWORD.encode())),
          FORBIDDEN + BAD + FETCH_FAILED, checks=SAFE)
      for name, url in (("name-private", "http://intern.kommun.example/"), ("name-metadata", "http://meta.kommun.example/"),
                        ("redirect-private", f"{WWW}/r/308?to=http%3A%2F%2F%5B%3A%3A1%5D%2F"),
                        ("nat64", "http://nat64.kommun.example/"), ("cname", "http://cname-chain.kommun.example/"))],
]
