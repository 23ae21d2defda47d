"""The loopback web sites the in-process corpus reads, and what the escape checks look at.

Three real HTTP servers on free loopback ports serve the same routes: site A is allowed, site B is
allowed and may post its own HTML (LYSSNA_POSTED_HTML_SITES), site C is not allowed at all, so any
request it receives is an escape. Every request a site receives is recorded. Pages say which site
they are on ("Sida A."), so a reading shows where its text came from.

`Egress` records every name lookup and connection made by threads other than the test's own (the
service's request and audio threads), the way tests/test_trust.py watches egress.
"""
from __future__ import annotations

import http.server
import socket
import threading
import time
import zlib
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from ..conftest import _Server as LoopbackServer

MARK = "Simhallen öppnar igen"  # on every article page of every site
FORGED = "Kommunen stänger alla skolor"  # what an attacker posts
FORGED_HTML = f"<html lang='sv'><body><main><h1>Viktigt</h1><p>{FORGED} i morgon.</p></main></body></html>"
DEMO_MARK = "Sörmland"  # the bundled demo page's first sentence
SITE_DEMO_MARK = "Sajtens egen demosida"
HIDDEN = ("SKRIPTHEMLIS", "STILHEMLIS", "KOMMENTARHEMLIS", "ATTRIBUTHEMLIS", "NOSCRIPTHEMLIS", "MALLHEMLIS")
MB = 1_000_000


def page(body: str, title: str = "Nyheter") -> str:
    return (f"<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><nav><a href='/'>Meny</a></nav><main>{body}</main></body></html>")


def article(site: str, extra: str = "") -> str:
    return page(f"<h1>Sida {site}.</h1><p>{MARK} på måndag efter renoveringen.</p>{extra}")


SCRIPTED = (f"<p title='{HIDDEN[3]} i ett attribut'>Biblioteket har nya öppettider.</p>"
            f"<script>var x = '{HIDDEN[0]} i ett skript';</script><style>.{HIDDEN[1]} {{ color: red }}</style>"
            f"<!-- {HIDDEN[2]} i en kommentar --><noscript>{HIDDEN[4]} utan skript</noscript>"
            f"<template><p>{HIDDEN[5]} i en mall</p></template>")

DIGITS = {  # numbers far longer than int() converts by default (4,300 digits)
    "kronor": "1" * 5000 + " kronor",
    "kr": "3" * 4400 + " kr",
    "sek": "7" * 4400 + " SEK",
    "grouped": " ".join(["100"] * 1600) + " kronor",
    "decimal": "0," + "0" * 5000 + "1 kronor",
    "negative": "-" + "9" * 4400 + " kronor",
    "range": "1" * 4400 + "–" + "2" * 4400 + " kronor",
    "percent": "5" * 4400 + " procent",
    "ordinal": "1" * 4400 + ":e plats",
    "phone": "070-" + "6" * 4400,
    "year": "år " + "2" * 4400,
    "unit": "4" * 4400 + " km",
}


@lru_cache(maxsize=None)
def bomb(kind: str) -> bytes:
    """64 MB of zeros, gzip or zlib compressed to a few kilobytes per megabyte."""
    comp = zlib.compressobj(1, zlib.DEFLATED, (16 if kind == "gzip" else 0) + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([comp.compress(zeros) for _ in range(64)] + [comp.flush()])


@lru_cache(maxsize=None)
def paragraphs(count: int, words: int = 12) -> str:
    text = " ".join(["kommunen"] * (words - 1))
    return "".join(f"<p>Stycke {i}: {text}.</p>" for i in range(count))


class Handler(http.server.BaseHTTPRequestHandler):
    site: "Site"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def _send(self, body: bytes | str, ctype: str | None = "text/html; charset=utf-8", status: int = 200,
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        body = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - a routing table
        self.site.record(self.path)
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        name, _, rest = path.lstrip("/").partition("/")
        site = self.site.name
        if path in ("/", "/index.html", "/article.html"):
            self._send(article(site))
        elif path in ("/demo/", "/demo"):
            self._send(page(f"<h1>{SITE_DEMO_MARK} på {site}.</h1><p>{MARK} enligt sajtens demo.</p>"))
        elif path == "/other.html":
            self._send(page(f"<h1>Sida {site}.</h1><p>Biblioteket har nya öppettider i sommar.</p>"))
        elif path == "/scripted.html":
            self._send(page(f"<h1>Sida {site}.</h1>{SCRIPTED}"))
        elif name == "v":  # a page of its own for every token: new audio, so it counts as a new reading
            self._send(page(f"<h1>Nyhet {rest}.</h1><p>{MARK} för {rest}.</p>"))
        elif name == "later":  # 404 the first time, the page afterwards
            if self.site.first_time(path):
                self._send(page("<p>Finns inte.</p>"), status=404)
            else:
                self._send(article(site, f"<p>Nu finns sidan {rest}.</p>"))
        elif name == "status":
            self._send(page(f"<p>Fel {rest}.</p>"), status=int(rest))
        elif path == "/pdf":
            self._send(b"%PDF-1.4 ...", "application/pdf")
        elif path == "/to":
            self._send(b"", None, int(query.get("s", ["302"])[0]), {"Location": query["u"][0]})
        elif name == "redirect":  # /redirect/N: N more relative redirects
            self._send(b"", None, 302, {"Location": str(int(rest) - 1)}) if int(rest) else self._send(article(site))
        elif path == "/loop":
            self._send(b"", None, 301, {"Location": "/loop"})
        elif name == "charset":  # /charset/<label>/<header|meta>
            label, _, where = rest.partition("/")
            meta = f"<meta charset='{label}'>" if where == "meta" else ""
            body = f"<!doctype html><html lang='sv'><head>{meta}<title>t</title></head><body><main>" \
                   f"<h1>Sida {site}.</h1><p>{MARK} på måndag.</p></main></body></html>"
            self._send(body, f"text/html; charset={label}" if where == "header" else "text/html")
        elif name == "digits":
            self._send(page(f"<h1>Avgifter.</h1><p>Avgiften är {DIGITS[rest]} för {MARK.lower()}.</p>"))
        elif path == "/huge":
            self._send(b"<html><body><p>" + b"a" * (6 * MB) + b"</p></body></html>")
        elif path == "/huge-unannounced":
            self._send(b"<html><body><p>" + b"a " * (3 * MB) + b"</p></body></html>", length=False)
        elif path in ("/bomb", "/deflate-bomb"):
            kind = "gzip" if path == "/bomb" else "deflate"
            self._send(bomb(kind), headers={"Content-Encoding": kind})
        elif path == "/big-text":  # 2 MB of text, under the fetch cap
            self._send(page(paragraphs(20000, 12)))
        elif path == "/long":
            self._send(page("<h1>Lång sida.</h1>" + paragraphs(300)))
        elif name == "deep":
            depth = int(rest)
            self._send(page("<div>" * depth + f"<p>{MARK} längst in.</p>" + "</div>" * depth))
        elif path == "/unclosed":
            self._send(page("<h1>Öppna taggar.</h1>" + "<div><span><b><i>" * 5000 + f"<p>{MARK}.</p>"))
        elif path == "/wide":
            self._send(page("<h1>Ett långt ord.</h1><p>" + "ö" * 500_000 + "</p>"))
        elif path == "/many-blocks":
            self._send(page("<h1>Många block.</h1>" + "<p>Ja.</p>" * 20_000))
        elif path == "/many-links":
            self._send(page("<h1>Länkar.</h1><ul>" + "<li><a href='/x'>Länk</a></li>" * 15_000 + "</ul>"))
        elif path == "/slow-headers":
            time.sleep(8)
            self._send(article(site))
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"<p>droppe</p>")
                    self.wfile.flush()
                    time.sleep(0.25)
            except OSError:
                pass
        else:
            self._send(page("<p>Finns inte.</p>"), status=404)


class _Server(LoopbackServer):
    def handle_error(self, request, client_address):
        """The service hung up (a deadline, a size cap): expected here, so not printed. Printing a
        traceback from this thread while pytest formats a failure trips a CPython 3.11 bug
        ("AST constructor recursion depth mismatch": both parse source for the carets)."""


class Site:
    """One loopback site: its name (A, B, C), origin, and every path it was asked for."""

    def __init__(self, name: str):
        self.name = name
        self.hits: list[str] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        handler = type(f"Handler{name}", (Handler,), {"site": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.netloc = f"127.0.0.1:{self.server.server_address[1]}"
        self.origin = f"http://{self.netloc}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, path: str) -> None:
        with self._lock:
            self.hits.append(path)

    def first_time(self, path: str) -> bool:
        with self._lock:
            new = path not in self._seen
            self._seen.add(path)
            return new

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Egress:
    """Every getaddrinfo and connect made by a thread other than the one running the test, as
    ("lookup", host, port) and ("connect", address, port)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, object]] = []
        self._test_thread = threading.get_ident()

    def install(self, monkeypatch) -> None:
        real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect

        def lookup(host, port, *args, **kwargs):
            self._note("lookup", host, port)
            return real_lookup(host, port, *args, **kwargs)

        def connect(sock, address):
            self._note("connect", *(address[:2] if isinstance(address, tuple) else (address, None)))
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", lookup)
        monkeypatch.setattr(socket.socket, "connect", connect)

    def _note(self, kind: str, host, port) -> None:
        if threading.get_ident() != self._test_thread:
            self.events.append((kind, str(host), port))


class LocalEnv:
    """What the escape checks of the in-process corpus look at: the sites' hits and the egress log."""

    def __init__(self, sites: dict[str, Site], egress: Egress):
        self.sites, self.egress = sites, egress

    def before(self, run) -> None:
        run.state["hits"] = {name: len(site.hits) for name, site in self.sites.items()}
        run.state["egress"] = len(self.egress.events)

    def hits_since(self, run, site: str) -> list[str]:
        return self.sites[site].hits[run.state["hits"][site]:]

    def egress_since(self, run) -> list[tuple[str, str, object]]:
        return self.egress.events[run.state["egress"]:]

    def address_of(self, site: str) -> tuple[str, int]:
        return self.sites[site].server.server_address[:2]
