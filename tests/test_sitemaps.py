"""Reading sitemaps and URL lists over real loopback HTTP, and the 200-page test site.

Two servers: the generated site (tests/site_builder.py, static files) and a small route table
for everything a sitemap server can get wrong (bombs, cycles, odd content types, redirects).
"""
from __future__ import annotations

import gzip
import http.client
import http.server
import threading
import tracemalloc
import zlib
from urllib.parse import urlsplit

import pytest

from service.errors import BadRequest, FetchError, SiteNotAllowed, TooLarge
from service.reading.extract import extract
from service.reading.fetch import FetchLimits, fetch, fetch_bytes
from service.work.sitemaps import SitemapInvalid, normalize_url, parse_sitemap, read_sitemap, read_url_list

from .site_builder import build_site, edit_paragraph

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(*urls: str, lastmod: str | None = None, namespaced: bool = True) -> bytes:
    xmlns = f' xmlns="{NS}"' if namespaced else ""
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    body = "".join(f"<url><loc>{u}</loc>{mod}</url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset{xmlns}>{body}</urlset>'.encode()


def index(*urls: str) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="{NS}">{body}</sitemapindex>'.encode()


def gzip_bomb(size: int) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([comp.compress(zeros) for _ in range(size >> 20)] + [comp.flush()])


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol4;</loc></url></urlset>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/&xxe;</loc></url></urlset>"""


class Routes(http.server.BaseHTTPRequestHandler):
    """Serves whatever a test put into `routes`: path -> (status, content type, body, headers)."""

    routes: dict[str, tuple[int, str | None, bytes, dict[str, str]]] = {}

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):
        status, ctype, body, headers = self.routes.get(
            urlsplit(self.path).path, (404, "text/html", b"<html>saknas</html>", {}))
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def _serve(handler) -> tuple[_Server, str]:
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def srv():
    """(origin, route(path, body, ctype=..., status=..., headers=...)) of the route-table server."""
    server, origin = _serve(Routes)

    def route(path: str, body: bytes, ctype: str | None = "application/xml", status: int = 200,
              headers: dict[str, str] | None = None) -> str:
        Routes.routes[path] = (status, ctype, body, headers or {})
        return origin + path

    yield origin, route
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def other():
    """A second origin that is not in the allow-list."""
    server, origin = _serve(Routes)
    yield origin
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    info = build_site(tmp_path_factory.mktemp("site"), 200)
    yield info
    info.close()


# --- the generated site's sitemaps ----------------------------------------------------------------


def test_index_with_gzipped_child_lists_every_page_once_in_order(site):
    result = read_sitemap(site.sitemap_index_url, [site.origin])
    assert result.urls == site.page_urls
    assert len(result.entries) == 200
    assert result.sitemaps == [site.sitemap_index_url, *site.sitemap_urls]
    assert result.errors == [] and result.skipped == 0 and not result.truncated
    assert all(entry.lastmod for entry in result.entries)


def test_gzipped_sitemap_is_a_gzip_file_not_a_content_encoding(site):
    gz_url = site.sitemap_urls[1]
    parts = urlsplit(gz_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    conn.request("GET", parts.path)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    assert response.getheader("Content-Type") == "application/gzip"
    assert response.getheader("Content-Encoding") is None
    assert raw[:2] == b"\x1f\x8b"
    fetched = fetch_bytes(gz_url, [site.origin])
    assert fetched.gunzipped and fetched.body == gzip.decompress(raw)
    assert fetched.body.startswith(b"<?xml")


def test_url_list_file_of_the_site(site):
    assert read_url_list(site.urls_txt_path) == site.page_urls
    assert read_url_list(str(site.urls_txt_path)) == site.page_urls
    text = fetch_bytes(site.urls_txt_url, [site.origin]).body.decode()
    assert read_url_list(text) == site.page_urls


def test_max_urls_stops_early_and_says_so(site):
    result = read_sitemap(site.sitemap_index_url, [site.origin], max_urls=50)
    assert result.urls == site.page_urls[:50]
    assert result.truncated
    assert result.sitemaps == [site.sitemap_index_url, site.sitemap_urls[0]]  # the .gz was not needed


def test_site_not_in_allow_list_is_refused_at_the_root(site, other):
    with pytest.raises(SiteNotAllowed):
        read_sitemap(site.sitemap_index_url, [other])


# --- the 200-page site itself -----------------------------------------------------------------------


def test_every_page_fetches_and_extracts_with_distinct_text(site):
    texts = set()
    for page in site.pages:
        doc = extract(fetch(page.url, [site.origin]).html, page.url)
        blocks = [block.text for block in doc.blocks]
        assert doc.title.endswith(f" – del {page.number}"), page.url
        assert sum(page.variant in text for text in blocks) == 1, page.url
        texts.add("\n".join(blocks))
    assert len(texts) == 200
    # pages made from the same fixture share most of their blocks
    first = {b.text for b in extract(fetch(site.page(1).url, [site.origin]).html, "x").blocks}
    fifteenth = {b.text for b in extract(fetch(site.page(15).url, [site.origin]).html, "x").blocks}
    assert site.page(1).fixture == site.page(15).fixture
    assert len(first & fifteenth) >= len(first) - 2


def test_edit_changes_exactly_one_paragraph(site):
    page = site.page(42)
    before_response = fetch_headers(page.url)
    before = [b.text for b in extract(fetch(page.url, [site.origin]).html, page.url).blocks]
    edit = edit_paragraph(site, 42)
    after = [b.text for b in extract(fetch(page.url, [site.origin]).html, page.url).blocks]
    assert len(before) == len(after)
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(changed) == 1
    old, new = changed[0]
    assert edit.old_text in old and edit.new_text in new
    assert old.replace(edit.old_text, edit.new_text) == new  # the rest of the paragraph is untouched
    assert fetch_headers(page.url)["Last-Modified"] != before_response["Last-Modified"]
    others = [b.text for b in extract(fetch(site.page(43).url, [site.origin]).html, "x").blocks]
    assert edit.new_text not in "\n".join(others)


def fetch_headers(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    conn.request("HEAD", parts.path)
    response = conn.getresponse()
    conn.close()
    return dict(response.getheaders())


# --- formats ----------------------------------------------------------------------------------------


def test_plain_text_sitemap(srv):
    origin, route = srv
    body = f"{origin}/a\n\n  {origin}/b  \r\n/relative\n{origin}/a\n".encode()
    result = read_sitemap(route("/sitemap.txt", body, "text/plain; charset=utf-8"), [origin])
    assert result.urls == [f"{origin}/a", f"{origin}/b"]
    assert result.invalid == 1 and result.duplicates == 1


def test_unnamespaced_loc_and_extensions_ignored(srv):
    origin, route = srv
    body = f"""<?xml version="1.0"?>
<urlset xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url><loc>{origin}/sv/nyheter?a=1&amp;b=2</loc><lastmod>2025-03-14</lastmod>
    <image:image><image:loc>{origin}/bild.jpg</image:loc></image:image>
    <xhtml:link rel="alternate" hreflang="en" href="{origin}/en/news"/></url>
  <url><loc>
     {origin}/sv/%C3%A5tervinning
  </loc></url>
</urlset>""".encode()
    result = read_sitemap(route("/plain-ns.xml", body), [origin])
    assert [(e.url, e.lastmod) for e in result.entries] == [
        (f"{origin}/sv/nyheter?a=1&b=2", "2025-03-14"), (f"{origin}/sv/%C3%A5tervinning", None)]


@pytest.mark.parametrize("ctype", ["application/gzip", "application/x-gzip", "application/octet-stream"])
def test_gzip_file_under_every_usual_content_type(srv, ctype):
    origin, route = srv
    name = ctype.rsplit("/", 1)[1]
    url = route(f"/gz-{name}.xml.gz", gzip.compress(urlset(f"{origin}/{name}")), ctype)
    assert read_sitemap(url, [origin]).urls == [f"{origin}/{name}"]


def test_gzip_content_encoding_and_gzip_file_without_gz_name(srv):
    origin, route = srv
    encoded = route("/encoded.xml", gzip.compress(urlset(f"{origin}/e")), "application/xml",
                    headers={"Content-Encoding": "gzip"})
    assert read_sitemap(encoded, [origin]).urls == [f"{origin}/e"]
    octet = route("/download", gzip.compress(urlset(f"{origin}/o")), "application/octet-stream")
    assert read_sitemap(octet, [origin]).urls == [f"{origin}/o"]


def test_rss_and_atom_feeds(srv):
    origin, route = srv
    rss = f"""<rss version="2.0"><channel><link>{origin}/</link>
      <item><title>Nyhet</title><link>{origin}/nyhet-1</link></item></channel></rss>""".encode()
    atom = f"""<feed xmlns="http://www.w3.org/2005/Atom"><link href="{origin}/"/>
      <entry><link rel="alternate" href="{origin}/nyhet-2"/><updated>2025-01-02T10:00:00Z</updated></entry>
    </feed>""".encode()
    assert read_sitemap(route("/rss", rss, "application/rss+xml"), [origin]).urls == [f"{origin}/nyhet-1"]
    result = read_sitemap(route("/atom", atom, "application/atom+xml"), [origin])
    assert [(e.url, e.lastmod) for e in result.entries] == [(f"{origin}/nyhet-2", "2025-01-02T10:00:00Z")]


# --- index behaviour --------------------------------------------------------------------------------


def test_dedupe_across_sitemaps_and_spellings(srv):
    origin, route = srv
    port = urlsplit(origin).port
    a = route("/dup-a.xml", urlset(f"{origin}/x", f"{origin}/y", f"{origin}/x#avsnitt"))
    b = route("/dup-b.xml", urlset(f"HTTP://127.0.0.1:{port}/y", f"{origin}/z", lastmod="2025-05-01"))
    result = read_sitemap(route("/dup-index.xml", index(a, b)), [origin])
    assert result.urls == [f"{origin}/x", f"{origin}/y", f"{origin}/z"]
    assert result.duplicates == 2
    assert result.entries[1].lastmod == "2025-05-01"  # learnt from the second listing


def test_cycle_in_indexes_reads_each_sitemap_once(srv):
    origin, route = srv
    pages = route("/cyc-pages.xml", urlset(f"{origin}/p1", f"{origin}/p2"))
    route("/cyc-b.xml", index(f"{origin}/cyc-a.xml", pages))
    a = route("/cyc-a.xml", index(f"{origin}/cyc-a.xml", f"{origin}/cyc-b.xml", pages))
    result = read_sitemap(a, [origin])
    assert result.urls == [f"{origin}/p1", f"{origin}/p2"]
    assert result.sitemaps == [a, f"{origin}/cyc-b.xml", pages]
    assert result.errors == []


def test_failed_children_reported_while_the_rest_is_read(srv, other):
    origin, route = srv
    good = route("/child-good.xml", urlset(f"{origin}/ok"))
    html = route("/child-html", b"<html><body>Logga in</body></html>", "text/html")
    pdf = route("/child.pdf", b"%PDF-1.4", "application/pdf")
    broken = route("/child-broken.xml", b"<urlset><url><loc>x</url>")
    missing = f"{origin}/child-missing.xml"
    foreign = f"{other}/sitemap.xml"
    result = read_sitemap(route("/mixed-index.xml", index(missing, html, good, pdf, broken, foreign)), [origin])
    assert result.urls == [f"{origin}/ok"]
    reasons = {problem.url: problem.reason for problem in result.errors}
    assert list(reasons) == [missing, html, pdf, broken, foreign]
    assert "HTTP 404" in reasons[missing]
    assert "text/html" in reasons[html] and "application/pdf" in reasons[pdf]
    assert "inte giltig XML" in reasons[broken] and "not valid XML" in reasons[broken]
    assert "LYSSNA_SITES" in reasons[foreign]


def test_pages_of_other_sites_are_skipped_and_counted(srv, other):
    origin, route = srv
    body = urlset(f"{origin}/egen", f"{other}/fremmande-1", "https://example.se/x", f"{other}/fremmande-2",
                  "ftp://example.se/fil", "mailto:info@example.se")
    result = read_sitemap(route("/foreign.xml", body), [origin])
    assert result.urls == [f"{origin}/egen"]
    assert result.skipped == 3
    assert result.skipped_examples == [f"{other}/fremmande-1", "https://example.se/x", f"{other}/fremmande-2"]
    assert result.invalid == 2


def test_max_sitemaps(srv):
    origin, route = srv
    children = [route(f"/many-{i}.xml", urlset(f"{origin}/many/{i}")) for i in range(5)]
    result = read_sitemap(route("/many-index.xml", index(*children)), [origin], max_sitemaps=3)
    assert result.urls == [f"{origin}/many/0", f"{origin}/many/1"]
    assert len(result.errors) == 1 and "För många webbplatskartor" in result.errors[0].reason


def test_root_problems_raise(srv, other):
    origin, route = srv
    with pytest.raises(FetchError, match="HTTP 404"):
        read_sitemap(f"{origin}/no-such-sitemap.xml", [origin])
    with pytest.raises(BadRequest):
        read_sitemap("file:///etc/passwd", [origin])
    with pytest.raises(SitemapInvalid, match="rotelementet är <html>"):
        read_sitemap(route("/not-a-sitemap.xml", b"<html><body>hej</body></html>"), [origin])
    with pytest.raises(SitemapInvalid, match="tom"):
        read_sitemap(route("/empty.txt", b"  \n", "text/plain"), [origin])


def test_redirects_are_checked_like_pages(srv, other):
    origin, route = srv
    route("/moved-here.xml", urlset(f"{origin}/flyttad"))
    inside = route("/moved", b"", None, 301, {"Location": "/moved-here.xml"})
    assert read_sitemap(inside, [origin]).urls == [f"{origin}/flyttad"]
    outside = route("/moved-out", b"", None, 302, {"Location": f"{other}/sitemap.xml"})
    with pytest.raises(SiteNotAllowed, match="omdirigerar"):
        read_sitemap(outside, [origin])


# --- hostile input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_dtd_refused_with_a_clear_message(srv, body):
    origin, route = srv
    url = route("/dtd.xml", body)
    with pytest.raises(SitemapInvalid) as caught:
        read_sitemap(url, [origin])
    assert caught.value.code == "sitemap_dtd"
    assert "DTD" in caught.value.message and "inte tillåts" in caught.value.message
    as_child = read_sitemap(route("/dtd-index.xml", index(url, route("/dtd-ok.xml", urlset(f"{origin}/k")))),
                            [origin])
    assert as_child.urls == [f"{origin}/k"]
    assert as_child.errors[0].url == url and "DTD" in as_child.errors[0].reason


def test_plain_doctype_refused_too():
    with pytest.raises(SitemapInvalid):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "http://x/s.dtd"><urlset/>')


def test_gzip_bomb_stopped_at_the_cap_with_bounded_memory(srv):
    origin, route = srv
    bomb = gzip_bomb(128 << 20)
    url = route("/bomb.xml.gz", bomb, "application/gzip")
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            read_sitemap(url, [origin], FetchLimits(total_timeout=30.0, max_bytes=2_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    result = read_sitemap(route("/bomb-index.xml", index(url)), [origin],
                          FetchLimits(total_timeout=30.0, max_bytes=2_000_000))
    assert result.urls == [] and "för stor" in result.errors[0].reason


def test_truncated_gzip_is_an_error(srv):
    origin, route = srv
    data = gzip.compress(urlset(*(f"{origin}/t{i}" for i in range(500))))
    url = route("/cut.xml.gz", data[: len(data) // 2], "application/gzip")
    with pytest.raises(FetchError, match="trasigt"):
        read_sitemap(url, [origin])


# --- URL lists ----------------------------------------------------------------------------------------


def test_url_list_comments_blanks_invalid_lines_and_duplicates(tmp_path):
    text = """# Sidor att läsa in i förväg
https://www.Exempel.se/start

https://www.exempel.se:443/start#toppen
   https://www.exempel.se/om-oss?flik=2   # not a comment: spaces make it invalid
www.exempel.se/utan-schema
ftp://www.exempel.se/fil
https://user:pw@www.exempel.se/hemligt
https://www.exempel.se/kontakt
"""
    path = tmp_path / "urls.txt"
    path.write_text(text, encoding="utf-8")
    for source in (text, path, str(path)):
        urls = read_url_list(source)
        assert urls == ["https://www.exempel.se/start", "https://www.exempel.se/kontakt"]
        assert urls.duplicates == 1
        assert [(bad.line, bad.text.split()[0]) for bad in urls.invalid] == [
            (5, "https://www.exempel.se/om-oss?flik=2"), (6, "www.exempel.se/utan-schema"),
            (7, "ftp://www.exempel.se/fil"), (8, "https://user:pw@www.exempel.se/hemligt")]
        assert all(" / " in bad.reason for bad in urls.invalid)  # Swedish / English


def test_single_url_text_is_not_mistaken_for_a_path():
    assert read_url_list("https://www.exempel.se/") == ["https://www.exempel.se/"]


def test_normalize_url():
    assert normalize_url("HTTPS://Www.Göteborg.SE:443#x") == ("https://www.xn--gteborg-90a.se/", "")
    assert normalize_url("http://[::1]:8080/a?b")[0] == "http://[::1]:8080/a?b"
    assert normalize_url("javascript:alert(1)")[0] is None


@pytest.mark.parametrize("encoding", ["utf-16", "windows-1252", "utf-8-sig"])
def test_xml_encodings_keep_swedish_letters(encoding):
    xml = f'<?xml version="1.0" encoding="{encoding.replace("-sig", "")}"?>' \
          '<urlset><url><loc>https://www.exempel.se/återvinning-öppettider</loc></url></urlset>'
    kind, items = parse_sitemap(xml.encode(encoding))
    assert (kind, items) == ("urlset", [("https://www.exempel.se/återvinning-öppettider", None)])
