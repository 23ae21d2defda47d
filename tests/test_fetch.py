"""The fetcher against real loopback HTTP(S) servers, and the allow-list rules.

The only thing replaced is the stdlib resolver (socket.getaddrinfo), to make a name point at an
address of our choosing; every request below goes over a real socket.
"""
from __future__ import annotations

import gzip
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from service.errors import BadRequest, FetchError, SiteNotAllowed, TooLarge
from service.reading.fetch import FetchLimits, decode_html, fetch, is_public_address
from service.reading.sites import SitePattern, is_allowed_origin, match_site, origin_of, parse_sites

from .conftest import PAGES, free_port, page_names

SWEDISH = "Välkommen till Åre kommun – öppettider för återvinningscentralen och ärenden på Öland"
PAGE = f"""<!doctype html><html lang="sv"><head><title>Test</title></head>
<body><main><h1>Rubrik</h1><p>{SWEDISH}</p></main></body></html>"""


def _meta_page(meta: str) -> str:
    return f"<!doctype html><html lang=sv><head>{meta}<title>t</title></head><body><p>{SWEDISH}</p></body></html>"


BOMB_SIZE = 256 * 1024 * 1024  # what the bomb would inflate to


def _make_bomb() -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([comp.compress(zeros) for _ in range(BOMB_SIZE >> 20)] + [comp.flush()])


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes for every way a server can misbehave."""

    bomb = b""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _send(self, body: bytes, ctype: str | None = "text/html; charset=utf-8", status: int = 200,
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(b"", None, status, {"Location": location})

    def do_GET(self):  # noqa: C901 - a routing table
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path in ("/page", "/redirect/0"):
            self._send(PAGE.encode())
        elif path == "/echo-ua":
            self._send(f"<html><body>{self.headers['User-Agent']}|{self.headers['Host']}</body></html>".encode())
        elif path == "/xhtml":
            self._send(PAGE.encode(), "application/xhtml+xml")
        elif path == "/no-type":
            self._send(PAGE.encode(), None)
        elif path == "/latin1-header":
            self._send(PAGE.encode("cp1252"), "text/html; charset=ISO-8859-1")
        elif path == "/cp1252-http-equiv":
            meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            self._send(_meta_page(meta).encode("cp1252"), "text/html")
        elif path == "/latin1-meta":
            self._send(_meta_page('<meta charset="iso-8859-1">').encode("cp1252"), "text/html")
        elif path == "/cp1252-no-label":
            self._send(_meta_page("").encode("cp1252"), "text/html")
        elif path == "/utf8-no-label":
            self._send(_meta_page("").encode("utf-8"), "text/html")
        elif path == "/bom":
            self._send(b"\xef\xbb\xbf" + PAGE.encode(), "text/html; charset=iso-8859-1")
        elif path.startswith("/status/"):
            self._send(b"<html>error</html>", status=int(path.rsplit("/", 1)[1]))
        elif path == "/pdf":
            self._send(b"%PDF-1.4 ...", "application/pdf")
        elif path == "/pdf-download":  # many CMSs serve documents as a generic download
            self._send(b"\n%PDF-1.7 ...", "application/octet-stream", headers={"Content-Disposition": "attachment"})
        elif path == "/pdf-untyped":
            self._send(b"%PDF-1.5 ...", None)
        elif path == "/pdf-big":  # 6 MB: more than a page may be, less than a document
            self._send(b"%PDF-1.4 " + b"0" * 6_000_000, "application/pdf")
        elif path == "/html-as-pdf":
            self._send(PAGE.encode(), "application/pdf")
        elif path == "/zip-download":
            self._send(b"PK\x03\x04 not a document", "application/octet-stream")
        elif path == "/json":
            self._send(b"{}", "application/json")
        elif path.startswith("/redirect/"):  # /redirect/N: N more redirects, relative Location
            self._redirect(f"{int(path.rsplit('/', 1)[1]) - 1}")
        elif path == "/loop":
            self._redirect("/loop", 301)
        elif path == "/loop-a":
            self._redirect("/loop-b", 307)
        elif path == "/loop-b":
            self._redirect("/loop-a", 308)
        elif path == "/to":
            self._redirect(query["u"][0])
        elif path == "/gzip":
            self._send(gzip.compress(PAGE.encode()), headers={"Content-Encoding": "gzip"})
        elif path == "/deflate":
            self._send(zlib.compress(PAGE.encode()), headers={"Content-Encoding": "deflate"})
        elif path == "/raw-deflate":
            comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            body = comp.compress(PAGE.encode()) + comp.flush()
            self._send(body, headers={"Content-Encoding": "deflate"})
        elif path == "/bomb":
            self._send(self.bomb, headers={"Content-Encoding": "gzip"})
        elif path == "/big":  # 6 MB, announced
            self._send(b"<html><body>" + b"a" * 6_000_000)
        elif path == "/big-unannounced":  # 6 MB streamed without Content-Length (read to close)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"a" * 59_997)
            except OSError:
                pass
        elif path == "/slow":  # headers only after 2 s
            time.sleep(2)
            self._send(PAGE.encode())
        elif path == "/drip":  # headers at once, then one byte every 50 ms: only a deadline stops it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        else:
            self._send(b"<html>not found</html>", status=404)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _start(handler=Handler, tls: ssl.SSLContext | None = None):
    server = _Server(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture(scope="module")
def origin():
    Handler.bomb = _make_bomb()
    server, port = _start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def other_origin():
    server, port = _start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """Make chosen host names resolve to chosen addresses; counts lookups per name."""
    real = socket.getaddrinfo
    table: dict[str, list[str]] = {}
    calls: dict[str, int] = {}

    def fake(host, port, *args, **kwargs):
        if host in table:
            calls[host] = calls.get(host, 0) + 1
            out = []
            for address in table[host]:
                out.extend(real(address, port, *args, **kwargs))
            return out
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return table, calls


# --- happy paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", page_names())
def test_fixture_pages_come_back_exactly(fixture_site, name):
    page = fetch(f"{fixture_site}/{name}.html", [fixture_site])
    assert page.html == (PAGES / f"{name}.html").read_text(encoding="utf-8")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.encoding == "utf-8"
    assert page.url == f"{fixture_site}/{name}.html"


def test_sites_may_be_the_raw_environment_string(origin, other_origin):
    page = fetch(f"{origin}/page", f" {other_origin}/ , {origin} ")
    assert SWEDISH in page.html


def test_sends_user_agent_and_host(origin):
    page = fetch(f"{origin}/echo-ua", [origin], FetchLimits(user_agent="Lyssna-test/1"))
    assert f"Lyssna-test/1|{origin.removeprefix('http://')}" in page.html


@pytest.mark.parametrize("path", ["/xhtml", "/no-type", "/gzip", "/deflate", "/raw-deflate"])
def test_html_variants_and_compression(origin, path):
    page = fetch(origin + path, [origin])
    assert SWEDISH in page.html


@pytest.mark.parametrize(
    "path", ["/latin1-header", "/cp1252-http-equiv", "/latin1-meta", "/cp1252-no-label"]
)
def test_windows_1252_pages_keep_swedish_letters(origin, path):
    page = fetch(origin + path, [origin])
    assert SWEDISH in page.html  # å, ä, ö and the en dash (0x96, not in real Latin-1)
    assert page.encoding == "windows-1252"
    assert "\ufffd" not in page.html


def test_utf8_without_label_and_bom(origin):
    assert fetch(origin + "/utf8-no-label", [origin]).encoding == "utf-8"
    page = fetch(origin + "/bom", [origin])  # the BOM wins over a wrong header, as in browsers
    assert page.html == PAGE and page.encoding == "utf-8"


def test_decode_html_precedence():
    body = _meta_page('<meta charset="utf-8">').encode("utf-8")
    assert decode_html(body, "latin1")[1] == "windows-1252"  # the header beats <meta>
    assert decode_html(body)[1] == "utf-8"
    assert decode_html(b"<meta charset='bogus-x'>\xe5", None) == ("<meta charset='bogus-x'>å", "windows-1252")


# --- HTTP errors and content types ------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status(origin, status):
    with pytest.raises(FetchError) as info:
        fetch(f"{origin}/status/{status}", [origin])
    assert info.value.status == 502
    assert f"(HTTP {status})" in info.value.message
    assert info.value.message.startswith("Sidan kunde inte hämtas")


@pytest.mark.parametrize("path,ctype,documents", [("/pdf", "application/pdf", False),
                                                   ("/json", "application/json", True)])
def test_non_html_refused(origin, path, ctype, documents):
    with pytest.raises(FetchError) as info:
        fetch(origin + path, [origin], documents=documents)
    assert info.value.code == "not_html" and info.value.status == 502
    assert ctype in info.value.message


@pytest.mark.parametrize("path", ["/pdf", "/pdf-download", "/pdf-untyped"])
def test_a_pdf_is_fetched_as_a_document_whatever_it_is_served_as(origin, path):
    page = fetch(origin + path, [origin])
    assert page.is_document and page.content_type == "application/pdf" and page.html == ""
    assert b"%PDF-1." in page.data[:16]


@pytest.mark.parametrize("path", ["/html-as-pdf", "/zip-download"])
def test_the_bytes_decide_not_the_content_type(origin, path):
    with pytest.raises(FetchError) as info:
        fetch(origin + path, [origin])
    assert info.value.code == "not_html" and "PDF" in info.value.message


def test_documents_have_their_own_size_cap(origin):
    assert len(fetch(f"{origin}/pdf-big", [origin]).data) > 6_000_000  # past the 5 MB page cap
    with pytest.raises(TooLarge):
        fetch(f"{origin}/pdf-big", [origin], FetchLimits(max_document_bytes=1_000_000))


# --- redirects --------------------------------------------------------------------------------


def test_five_redirects_followed(origin):
    page = fetch(f"{origin}/redirect/5", [origin])
    assert SWEDISH in page.html
    assert page.url == f"{origin}/redirect/0"


def test_six_redirects_refused(origin):
    with pytest.raises(FetchError) as info:
        fetch(f"{origin}/redirect/6", [origin])
    assert info.value.code == "too_many_redirects"
    assert "5" in info.value.message


@pytest.mark.parametrize("path", ["/loop", "/loop-a"])
def test_redirect_loop_fails_clearly(origin, path):
    with pytest.raises(FetchError) as info:
        fetch(origin + path, [origin])
    assert info.value.code == "redirect_loop"


def test_redirect_to_unlisted_origin_refused(origin, other_origin):
    with pytest.raises(SiteNotAllowed) as info:
        fetch(f"{origin}/to?u={other_origin}/page", [origin])
    assert info.value.status == 403
    assert other_origin in info.value.message


def test_redirect_to_listed_origin_followed(origin, other_origin):
    page = fetch(f"{origin}/to?u={other_origin}/page", [origin, other_origin])
    assert page.url == f"{other_origin}/page"
    assert SWEDISH in page.html


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/"])
def test_redirect_to_other_scheme_refused(origin, target):
    with pytest.raises(FetchError) as info:
        fetch(f"{origin}/to?u={target}", [origin])
    assert info.value.code == "bad_redirect"


def test_redirect_to_private_address_via_wildcard_refused(origin, resolver):
    table, _ = resolver
    table["intern.example.se"] = ["127.0.0.1"]
    port = urlsplit(origin).port
    with pytest.raises(SiteNotAllowed):
        fetch(f"{origin}/to?u=http://intern.example.se:{port}/page", [origin, f"http://*.example.se:{port}"])


# --- size caps --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_oversize_page_refused(origin, path):
    with pytest.raises(TooLarge) as info:
        fetch(origin + path, [origin])
    assert info.value.code == "page_too_large" and info.value.status == 413
    assert "5 MB" in info.value.message


def test_gzip_bomb_stopped_at_cap_with_bounded_memory(origin):
    assert len(Handler.bomb) < 5_000_000 < BOMB_SIZE
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            fetch(origin + "/bomb", [origin])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16_000_000, f"peak {peak} bytes while refusing a {BOMB_SIZE}-byte bomb"


def test_small_cap_counts_decompressed_bytes(origin):
    raw = len(gzip.compress(PAGE.encode()))
    with pytest.raises(TooLarge):
        fetch(origin + "/gzip", [origin], FetchLimits(max_bytes=raw + 10))  # compressed fits, inflated does not


# --- time limits and connection failures ------------------------------------------------------


def test_slow_headers_hit_the_deadline(origin):
    with pytest.raises(FetchError) as info:
        fetch(origin + "/slow", [origin], FetchLimits(total_timeout=0.3))
    assert info.value.code == "fetch_timeout"
    assert "i tid" in info.value.message


def test_dripping_body_hits_the_overall_deadline(origin):
    # Each byte comes well within any socket timeout; only the overall deadline can stop this.
    with pytest.raises(FetchError) as info:
        fetch(origin + "/drip", [origin], FetchLimits(connect_timeout=1.0, total_timeout=0.5))
    assert info.value.code == "fetch_timeout"


def test_connection_refused():
    site = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(FetchError) as info:
        fetch(site + "/", [site])
    assert info.value.code == "connect_failed" and info.value.status == 502
    assert info.value.message.startswith("Det gick inte att ansluta")


def test_unresolvable_host(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError) as info:
        fetch("https://finns-inte.example.se/", ["https://finns-inte.example.se"])
    assert info.value.code == "dns_failed"


# --- what may be fetched at all ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "not a url", ""]
)
def test_bad_urls_refused(origin, url):
    with pytest.raises(BadRequest) as info:
        fetch(url, [origin, "http://127.0.0.1"])
    assert info.value.code == "bad_url" and info.value.status == 400


@pytest.mark.parametrize("userinfo", ["user:pass@", "user@", ":@", "127.0.0.1\\@"])
def test_userinfo_refused(origin, userinfo):
    url = origin.replace("http://", f"http://{userinfo}") + "/page"
    with pytest.raises(BadRequest) as info:
        fetch(url, [origin])
    assert info.value.code == "bad_url"


def test_unlisted_origin_refused(origin, other_origin):
    with pytest.raises(SiteNotAllowed) as info:
        fetch(f"{other_origin}/page", [origin])
    assert info.value.status == 403 and info.value.code == "site_not_allowed"
    assert info.value.message.startswith("Webbplatsen")


def test_same_host_other_port_refused(origin):
    with pytest.raises(SiteNotAllowed):
        fetch("http://127.0.0.1:1/page", [origin])


def test_wildcard_matching_loopback_host_refused(origin, resolver):
    table, _ = resolver
    table["x.localhost"] = ["127.0.0.1"]
    port = urlsplit(origin).port
    with pytest.raises(SiteNotAllowed) as info:
        fetch(f"http://x.localhost:{port}/page", [f"http://*.localhost:{port}"])
    assert "privat" in info.value.message


def test_exact_listing_allows_loopback_and_connects_to_the_checked_address(origin, resolver):
    # x.localhost does not resolve on its own here: the page can only arrive if the fetcher
    # connected to the address it resolved (and checked) once, instead of looking it up again.
    table, calls = resolver
    table["x.localhost"] = ["127.0.0.1"]
    port = urlsplit(origin).port
    page = fetch(f"http://x.localhost:{port}/echo-ua", [f"http://x.localhost:{port}"])
    assert f"|x.localhost:{port}" in page.html  # the Host header names the site, not the IP
    assert calls["x.localhost"] == 1


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.1.2.3"], ["172.16.0.1"], ["192.168.1.1"], ["127.0.0.2"], ["169.254.169.254"],
        ["100.64.0.1"], ["0.0.0.0"], ["224.0.0.1"], ["255.255.255.255"], ["::1"], ["fe80::1"],
        ["fd00::1"], ["::ffff:10.0.0.1"], ["64:ff9b::a00:1"], ["2002:c0a8:101::1"],
        ["93.184.216.34", "10.0.0.1"],  # one bad answer among good ones is enough to refuse
    ],
)
def test_wildcard_host_resolving_to_internal_addresses_refused(resolver, addresses):
    table, _ = resolver
    table["www.example.se"] = addresses
    with pytest.raises(SiteNotAllowed):
        fetch("http://www.example.se/", ["http://*.example.se"])


@pytest.mark.parametrize(
    "address,public",
    [("93.184.216.34", True), ("2a00:1450:400f:80d::2003", True), ("::ffff:93.184.216.34", True),
     ("10.0.0.1", False), ("100.100.100.100", False), ("198.18.0.1", False), ("::", False),
     ("fe80::1%2", False), ("240.0.0.1", False), ("fec0::5", False), ("feff::1", False)],
)
def test_is_public_address(address, public):
    assert is_public_address(address) is public


# --- HTTPS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory):
    """An HTTPS server whose certificate names localhost and www.lyssna.test; yields (port, ca)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    d: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,DNS:www.lyssna.test"],
        check=True, capture_output=True,
    )
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    server, port = _start(tls=server_ctx)
    yield port, ssl.create_default_context(cafile=str(d / "cert.pem"))
    server.shutdown()
    server.server_close()


def test_https_with_sni_to_pinned_address(tls_site, resolver):
    port, ca = tls_site
    table, _ = resolver
    table["www.lyssna.test"] = ["127.0.0.1"]
    site = f"https://www.lyssna.test:{port}"
    page = fetch(f"{site}/page", [site], ssl_context=ca)
    assert SWEDISH in page.html


def test_https_untrusted_certificate_refused(tls_site):
    port, _ = tls_site
    site = f"https://localhost:{port}"
    with pytest.raises(FetchError) as info:
        fetch(f"{site}/page", [site])  # the system trust store does not know our test CA
    assert info.value.code == "tls_failed"


def test_https_certificate_for_other_name_refused(tls_site):
    port, ca = tls_site
    site = f"https://127.0.0.1:{port}"  # the certificate does not name the IP address
    with pytest.raises(FetchError) as info:
        fetch(f"{site}/page", [site], ssl_context=ca)
    assert info.value.code == "tls_failed"


# --- the allow-list ---------------------------------------------------------------------------


def test_parse_exact_origins_normalised():
    sites = parse_sites("https://www.Example.se/, https://www.example.se:443,, http://127.0.0.1:8080 ")
    assert sites == [
        SitePattern("https", "www.example.se", 443),
        SitePattern("http", "127.0.0.1", 8080),
    ]
    assert [s.origin for s in sites] == ["https://www.example.se", "http://127.0.0.1:8080"]
    assert parse_sites(["http://example.se:80"])[0].origin == "http://example.se"
    assert parse_sites("") == [] and parse_sites(None) == []


def test_exact_match_case_and_default_port():
    sites = parse_sites("https://www.example.se")
    for url in ["https://www.example.se/a?b#c", "HTTPS://WWW.EXAMPLE.SE/", "https://www.example.se:443/x",
                "https://www.example.se./x"]:
        match = match_site(url, sites)
        assert match is not None and match.exact, url
    for url in ["http://www.example.se/", "https://www.example.se:8443/", "https://example.se/",
                "https://www.example.se.evil.com/", "https://a.www.example.se/"]:
        assert match_site(url, sites) is None, url


def test_wildcard_matches_subdomains_only():
    sites = parse_sites(["https://*.example.se"])
    assert sites[0].wildcard and sites[0].origin == "https://*.example.se"
    for url in ["https://a.example.se/", "https://a.b.example.se/x", "https://A.Example.SE"]:
        match = match_site(url, sites)
        assert match is not None and not match.exact, url
    for url in ["https://example.se/", "https://badexample.se/", "http://a.example.se/",
                "https://a.example.se:8443/", "https://a.example.se.evil.com/"]:
        assert match_site(url, sites) is None, url


def test_exact_entry_preferred_over_wildcard():
    sites = parse_sites("https://*.example.se, https://www.example.se")
    assert match_site("https://www.example.se/", sites).exact
    assert not match_site("https://other.example.se/", sites).exact


def test_idn_origins():
    sites = parse_sites("https://www.Göteborg.se, https://*.räksmörgås.se")
    assert sites[0].host == "www.xn--gteborg-90a.se"
    assert match_site("https://www.göteborg.se/sida", sites).exact
    assert match_site("https://www.xn--gteborg-90a.se/", sites).exact
    assert match_site("https://www.RÄKSMÖRGÅS.se/", sites) is not None
    assert origin_of("https://WWW.Göteborg.SE:443/x?y") == "https://www.xn--gteborg-90a.se"


def test_origin_of_ipv6_and_ports():
    assert origin_of("http://[::1]:8080/x") == "http://[::1]:8080"
    assert origin_of("http://[0:0::1]:80/") == "http://[::1]"
    assert match_site("http://[::1]:8080/", parse_sites("http://[::1]:8080")).exact
    with pytest.raises(ValueError):
        origin_of("ftp://example.se/")


@pytest.mark.parametrize(
    "entry",
    ["www.example.se", "ftp://example.se", "https://example.se/path", "https://user@example.se",
     "https://a.*.example.se", "https://*", "https://*.127.0.0.1", "https://example.se?x=1",
     "https://example.se:99999"],
)
def test_bad_entries_rejected(entry):
    with pytest.raises(ValueError):
        parse_sites(entry)


def test_is_allowed_origin_for_cors():
    sites = parse_sites("https://www.example.se, https://*.kommun.se, http://localhost:8000")
    assert is_allowed_origin("https://www.example.se", sites)
    assert is_allowed_origin("https://skola.kommun.se", sites)
    assert is_allowed_origin("http://localhost:8000", sites)
    assert is_allowed_origin("https://www.example.se", "https://www.example.se")  # raw string too
    for origin in ["https://example.se", "http://www.example.se", "https://www.example.se:8443",
                   "https://kommun.se", "https://kommun.se.evil.com", "null", "", "http://localhost:8001",
                   "https://www.example.se/path", "https://user@www.example.se"]:
        assert not is_allowed_origin(origin, sites), origin
